"""`manage.py catat_iuran`: a batch payment from a file, as a user, like `import_petani`."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from contributions.batches import NOT_IN_AREA, file_reference
from contributions.models import FundSource, Payment, PaymentBatch


@pytest.fixture
def list_file(tmp_path, agent_user, make_farmer):
    farmers = [make_farmer(agent_user, serial=n) for n in (1, 2)]
    path = tmp_path / "dana-desa.csv"
    lines = [f"{farmers[0].nik},6", f"{farmers[1].nik},13", "7312044501909999,1"]
    path.write_text("nama,nik,bulan\n" + "".join(f"PETANI,{line}\n" for line in lines))
    return path


def run(path, *args: str, capsys) -> str:
    call_command("catat_iuran", str(path), *args)
    return capsys.readouterr().out


def fund_args(dinas_user, village_fund) -> list[str]:
    return ["--agent", dinas_user.username, "--sumber", "DANA_DESA", "--pembayar", str(village_fund.pk)]


def test_it_records_the_file_and_prints_each_problem_and_the_summary(list_file, dinas_user, village_fund, capsys):
    out = run(list_file, *fund_args(dinas_user, village_fund), "--batch", "TRF-07", capsys=capsys)

    assert "baris 3 (7312••••••••0002): ditolak: bulan: isi 1 sampai 12 (tertulis 13)." in out
    assert f"baris 4 (7312••••••••9999): ditolak: {NOT_IN_AREA}" in out
    assert out.strip().endswith("dicatat: 1, ditolak: 2, sudah ada: 0")
    assert PaymentBatch.objects.get().reference == "TRF-07"
    assert Payment.objects.get().months == 6


def test_run_twice_it_records_nothing_more_and_says_sudah_ada(list_file, dinas_user, village_fund, capsys):
    run(list_file, *fund_args(dinas_user, village_fund), capsys=capsys)

    out = run(list_file, *fund_args(dinas_user, village_fund), capsys=capsys)

    assert "dicatat: 0, ditolak: 2, sudah ada: 1" in out
    assert f"Referensi: {file_reference(list_file.read_bytes())}" in out
    assert Payment.objects.count() == 1 and PaymentBatch.objects.count() == 1


def test_a_dry_run_prints_the_same_summary_and_writes_nothing(list_file, dinas_user, village_fund, capsys):
    out = run(list_file, *fund_args(dinas_user, village_fund), "--dry-run", capsys=capsys)

    assert "Uji coba: tidak ada data yang disimpan." in out
    assert "dicatat: 1, ditolak: 2, sudah ada: 0" in out
    assert not PaymentBatch.objects.exists() and not Payment.objects.exists()


def test_an_agent_records_a_paper_receipt_book_as_mandiri(list_file, agent_user, capsys):
    out = run(list_file, "--agent", agent_user.username, "--batch", "BUKU-3", capsys=capsys)

    assert "dicatat: 1" in out
    assert (Payment.objects.get().source, Payment.objects.get().payer) == (FundSource.MANDIRI, None)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Berkas kosong"),
        (b"\x00\x00\x00\xff\xfe", "Kolom wajib tidak ada: nik, bulan"),
        (b"nik,nama\n7312044501900001,HASNAH\n", "Kolom wajib tidak ada: bulan"),
        (b"PK\x03\x04 bukan excel", "Berkas Excel tidak bisa dibaca"),
    ],
)
def test_a_file_it_cannot_read_ends_with_a_message_and_status_2(tmp_path, agent_user, content, message):
    path = tmp_path / "daftar.csv"
    path.write_bytes(content)

    with pytest.raises(CommandError, match=message) as refused:
        call_command("catat_iuran", str(path), "--agent", agent_user.username)

    assert refused.value.returncode == 2
    assert not PaymentBatch.objects.exists()


def test_a_missing_file_an_unknown_user_or_payer_ends_with_status_2(list_file, tmp_path, dinas_user, village_fund):
    cases = [
        ([str(tmp_path / "tidak-ada.csv"), "--agent", dinas_user.username], "tidak bisa dibuka"),
        ([str(list_file), "--agent", "siapa"], "Pengguna siapa tidak ada"),
        ([str(list_file), "--agent", dinas_user.username, "--sumber", "SPONSOR", "--pembayar", "999"], "Pembayar 999"),
    ]
    for args, message in cases:
        with pytest.raises(CommandError, match=message) as refused:
            call_command("catat_iuran", *args)
        assert refused.value.returncode == 2


def test_a_payer_of_another_regency_is_refused_with_status_2(list_file, village_fund, makassar_dinas):
    with pytest.raises(CommandError, match="Pilih pembayar yang aktif di kabupaten Anda") as refused:
        call_command(
            "catat_iuran",
            str(list_file),
            "--agent",
            makassar_dinas.username,
            "--sumber",
            "DANA_DESA",
            "--pembayar",
            str(village_fund.pk),
        )

    assert refused.value.returncode == 2
    assert not Payment.objects.exists()
