"""Batch payments: a payer pays N months for a list of farmers in one action, and the same batch
sent again adds nothing and says so."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from bpjs_gateway.models import OutboxMessage
from contributions import batches
from contributions.batches import (
    ALREADY_IN_BATCH,
    EARLIER_IN_LIST,
    NOT_IN_AREA,
    ROW_FAILED,
    BatchError,
    BatchRow,
    batch_record,
    file_reference,
    read_batch_file,
)
from contributions.models import FundSource, Payer, Payment, PaymentBatch
from enrollment.models import Farmer, RegistrationStatus
from enrollment.sheets import ImportFileError
from tests.conftest import OTHER_LALABATA_VILLAGE, UMPUNGENG
from wilayah.loader import load_wilayah
from wilayah.models import Region

MONTHLY = 16_800  # the contribution at the default income
OTHER_REGENCY_VILLAGE = "73.11.01.2002"


def rows_for(farmers: list[Farmer], months: int = 3) -> list[BatchRow]:
    return [BatchRow(line, f.nik, str(months)) for line, f in enumerate(farmers, start=2)]


def csv_bytes(lines: list[tuple[str, str]], header: str = "nik,bulan") -> bytes:
    return (header + "\n" + "".join(f"{nik},{months}\n" for nik, months in lines)).encode()


def fund_batch(user, payer, rows, reference="TRF-2025-001", **kwargs):
    return batch_record(user=user, reference=reference, source=FundSource.DANA_DESA, payer=payer, rows=rows, **kwargs)


# --- the service ------------------------------------------------------------------------------


def test_a_village_fund_batch_of_50_sent_twice_makes_50_payments_and_then_says_sudah_ada_for_each(
    agent_user, dinas_user, village_fund, make_farmer
):
    farmers = [make_farmer(agent_user, serial=n) for n in range(1, 51)]

    first = fund_batch(dinas_user, village_fund, rows_for(farmers, months=6))

    assert first.summary == "dicatat: 50, ditolak: 0, sudah ada: 0"
    assert first.total == 50 * 6 * MONTHLY
    batch = PaymentBatch.objects.get()
    assert (batch.reference, batch.source, batch.payer, batch.recorded_by) == (
        "TRF-2025-001",
        FundSource.DANA_DESA,
        village_fund,
        dinas_user,
    )
    payments = Payment.objects.filter(batch=batch)
    assert payments.count() == 50
    assert {(p.months, p.amount, p.cash_received, p.source, p.payer_id) for p in payments} == {
        (6, 6 * MONTHLY, 6 * MONTHLY, FundSource.DANA_DESA, village_fund.pk)
    }
    assert OutboxMessage.objects.filter(operation="PAY").count() == 50

    again = fund_batch(dinas_user, village_fund, rows_for(farmers, months=6))

    assert again.summary == "dicatat: 0, ditolak: 0, sudah ada: 50"
    assert {note.reason for note in again.existing} == {ALREADY_IN_BATCH}
    assert Payment.objects.count() == 50 and PaymentBatch.objects.count() == 1


def test_the_reference_is_one_batch_whatever_its_case_or_spaces(agent_user, dinas_user, village_fund, make_farmer):
    farmer = make_farmer(agent_user)
    fund_batch(dinas_user, village_fund, rows_for([farmer]), reference="trf  2025-001")

    again = fund_batch(dinas_user, village_fund, rows_for([farmer]), reference=" TRF 2025-001 ")

    assert again.summary == "dicatat: 0, ditolak: 0, sudah ada: 1"


def test_a_farmer_outside_the_users_area_is_refused_as_if_no_such_nik_existed(
    agent_user, other_agent_user, make_farmer
):
    own = make_farmer(agent_user, serial=1)
    elsewhere = make_farmer(other_agent_user, serial=2)
    unknown = BatchRow(4, "7312044501909999", "1")

    report = batch_record(
        user=agent_user,
        reference="BUKU-01",
        source=FundSource.MANDIRI,
        payer=None,
        rows=[*rows_for([own, elsewhere], months=1), unknown],
    )

    assert report.summary == "dicatat: 1, ditolak: 2, sudah ada: 0"
    assert [(n.line, n.reason) for n in report.rejected] == [(3, NOT_IN_AREA), (4, NOT_IN_AREA)]
    assert not elsewhere.payments.exists()


def test_a_farmer_refused_by_bpjs_is_refused_with_the_insurers_reason(
    agent_user, dinas_user, village_fund, make_farmer
):
    farmer = make_farmer(agent_user)
    Farmer.objects.filter(pk=farmer.pk).update(
        registration_status=RegistrationStatus.DITOLAK,
        insurer_errors=[{"code": "NIK_TIDAK_VALID", "pesan": "NIK tidak ditemukan di Dukcapil."}],
    )

    report = fund_batch(dinas_user, village_fund, rows_for([farmer]))

    assert report.summary == "dicatat: 0, ditolak: 1, sudah ada: 0"
    assert report.rejected[0].reason == (
        "Pendaftaran ditolak BPJS: NIK tidak ditemukan di Dukcapil. Perbaiki data petani dulu."
    )
    assert not Payment.objects.exists() and not PaymentBatch.objects.exists()


@pytest.mark.parametrize("months", ["0", "13", "", "-1", "1.0", "2,5", "tiga", "9" * 40])
def test_months_outside_1_to_12_or_not_a_whole_number_are_refused(agent_user, make_farmer, months):
    farmer = make_farmer(agent_user)

    report = batch_record(
        user=agent_user,
        reference="BUKU-01",
        source=FundSource.MANDIRI,
        payer=None,
        rows=[BatchRow(2, farmer.nik, months)],
    )

    assert len(report.rejected) == 1 and report.rejected[0].reason.startswith("bulan: isi 1 sampai 12")
    assert not Payment.objects.exists()


@pytest.mark.parametrize("months", ["1", "12", " 6 ", "١٢"])
def test_months_1_to_12_as_written_on_any_keyboard_are_taken(agent_user, make_farmer, months):
    farmer = make_farmer(agent_user)

    report = batch_record(
        user=agent_user,
        reference="BUKU-01",
        source=FundSource.MANDIRI,
        payer=None,
        rows=[BatchRow(2, farmer.nik, months)],
    )

    assert report.summary == "dicatat: 1, ditolak: 0, sudah ada: 0"


def test_a_nik_twice_in_one_list_is_paid_once(agent_user, dinas_user, village_fund, make_farmer):
    farmer = make_farmer(agent_user)

    report = fund_batch(dinas_user, village_fund, [BatchRow(2, farmer.nik, "1"), BatchRow(3, farmer.nik, "2")])

    assert report.summary == "dicatat: 1, ditolak: 0, sudah ada: 1"
    assert report.existing[0].reason == EARLIER_IN_LIST
    assert farmer.payments.get().months == 1


def test_a_dry_run_checks_everything_and_saves_nothing(agent_user, dinas_user, village_fund, make_farmer):
    farmers = [make_farmer(agent_user, serial=n) for n in (1, 2)]

    report = fund_batch(dinas_user, village_fund, rows_for(farmers), dry_run=True)

    assert report.summary == "dicatat: 2, ditolak: 0, sudah ada: 0" and report.batch is None
    assert not PaymentBatch.objects.exists() and not Payment.objects.exists()
    assert not OutboxMessage.objects.filter(operation="PAY").exists()


def test_a_village_fund_pays_only_for_farmers_of_its_own_desa(
    agent_user, neighbour_agent_user, dinas_user, village_fund, make_farmer
):
    neighbour = make_farmer(neighbour_agent_user, serial=2)

    report = fund_batch(dinas_user, village_fund, rows_for([neighbour]))

    assert report.rejected[0].reason.startswith("Dana desa Desa Umpungeng hanya membayar petani desa itu")
    assert not Payment.objects.exists()


def test_a_payer_of_another_regency_cannot_be_used(agent_user, sponsor, makassar_dinas, make_farmer):
    farmer = make_farmer(agent_user)

    with pytest.raises(BatchError, match="Pilih pembayar yang aktif di kabupaten Anda"):
        batch_record(
            user=makassar_dinas, reference="X-1", source=FundSource.SPONSOR, payer=sponsor, rows=rows_for([farmer])
        )

    assert not PaymentBatch.objects.exists()


def test_an_inactive_payer_cannot_be_used(agent_user, dinas_user, sponsor, make_farmer):
    Payer.objects.filter(pk=sponsor.pk).update(is_active=False)

    with pytest.raises(BatchError, match="aktif"):
        batch_record(
            user=dinas_user,
            reference="X-1",
            source=FundSource.SPONSOR,
            payer=sponsor,
            rows=rows_for([make_farmer(agent_user)]),
        )


@pytest.mark.parametrize(
    ("source", "payer", "message"),
    [
        (FundSource.DANA_DESA, None, "Penyuluh mencatat iuran mandiri saja"),
        (FundSource.MANDIRI, "sponsor", "tanpa pembayar"),
    ],
)
def test_an_agent_enters_only_the_farmers_own_money_without_a_payer(
    agent_user, sponsor, make_farmer, source, payer, message
):
    with pytest.raises(BatchError, match=message):
        batch_record(
            user=agent_user,
            reference="BUKU-01",
            source=source,
            payer=sponsor if payer else None,
            rows=rows_for([make_farmer(agent_user)]),
        )


def test_a_payer_for_another_source_is_refused(agent_user, dinas_user, sponsor, make_farmer):
    with pytest.raises(BatchError, match="BANK SULSELBAR adalah pembayar sponsor"):
        fund_batch(dinas_user, sponsor, rows_for([make_farmer(agent_user)]))


def test_a_reference_already_used_by_another_payer_is_refused_not_mixed(
    agent_user, dinas_user, village_fund, sponsor, make_farmer
):
    farmers = [make_farmer(agent_user, serial=n) for n in (1, 2)]
    fund_batch(dinas_user, village_fund, rows_for(farmers[:1]), reference="TRF-1")

    with pytest.raises(BatchError, match="Referensi TRF-1 sudah dipakai"):
        batch_record(
            user=dinas_user, reference="TRF-1", source=FundSource.SPONSOR, payer=sponsor, rows=rows_for(farmers[1:])
        )

    assert PaymentBatch.objects.get().payments.count() == 1


def test_another_agents_receipt_book_with_the_same_reference_is_not_mixed_with_ones_own(
    agent_user, neighbour_agent_user, make_farmer
):
    own, neighbours = make_farmer(agent_user, serial=1), make_farmer(neighbour_agent_user, serial=2)
    batch_record(user=agent_user, reference="BUKU-01", source=FundSource.MANDIRI, payer=None, rows=rows_for([own]))

    with pytest.raises(BatchError, match="sudah dipakai"):
        batch_record(
            user=neighbour_agent_user,
            reference="BUKU-01",
            source=FundSource.MANDIRI,
            payer=None,
            rows=rows_for([neighbours]),
        )


def test_a_farmer_paid_by_the_same_batch_sent_at_the_same_moment_counts_as_sudah_ada(
    agent_user, dinas_user, village_fund, make_farmer, monkeypatch
):
    farmer = make_farmer(agent_user)
    fund_batch(dinas_user, village_fund, rows_for([farmer]))
    # The second submission looked before the first had paid: only the database can tell.
    monkeypatch.setattr(batches, "_paid_in", lambda batch: set())

    report = fund_batch(dinas_user, village_fund, rows_for([farmer]))

    assert report.summary == "dicatat: 0, ditolak: 0, sudah ada: 1"
    assert report.existing[0].reason == ALREADY_IN_BATCH
    assert Payment.objects.count() == 1


def test_a_row_that_fails_unexpectedly_is_reported_and_the_rows_after_it_go_on(
    agent_user, dinas_user, village_fund, make_farmer, monkeypatch
):
    farmers = [make_farmer(agent_user, serial=n) for n in (1, 2)]
    record = batches.payment_record

    def fail_for_the_first(*, farmer, **kwargs):
        if farmer.pk == farmers[0].pk:
            raise RuntimeError("disk full")
        return record(farmer=farmer, **kwargs)

    monkeypatch.setattr(batches, "payment_record", fail_for_the_first)

    report = fund_batch(dinas_user, village_fund, rows_for(farmers))

    assert report.summary == "dicatat: 1, ditolak: 1, sudah ada: 0"
    assert report.rejected[0].reason == ROW_FAILED
    assert list(Payment.objects.values_list("farmer", flat=True)) == [farmers[1].pk]


def test_a_batch_whose_every_row_fails_leaves_no_empty_batch(agent_user, dinas_user, village_fund, make_farmer):
    report = fund_batch(dinas_user, village_fund, [BatchRow(2, "7312044501909999", "1")])

    assert report.batch is None and not PaymentBatch.objects.exists()


# --- the file ---------------------------------------------------------------------------------


def test_the_same_file_twice_without_a_reference_is_one_batch(agent_user, dinas_user, village_fund, make_farmer):
    farmers = [make_farmer(agent_user, serial=n) for n in (1, 2)]
    content = csv_bytes([(f.nik, "3") for f in farmers])

    for _ in range(2):
        fund_batch(dinas_user, village_fund, read_batch_file(content), reference=file_reference(content))

    assert PaymentBatch.objects.get().reference == file_reference(content)
    assert Payment.objects.count() == 2
    assert file_reference(content + b"\n") != file_reference(content)


def test_a_file_with_a_name_column_and_nik_written_with_dots_is_read(agent_user):
    nik = "7312044501900001"
    content = b"nama;nik;bulan;catatan\nHASNAH;7312.0445.0190.0001;6;lunas\n"

    assert read_batch_file(content) == [BatchRow(2, nik, "6")]


def test_an_xlsx_with_numbers_for_nik_and_months_is_read():
    workbook = Workbook()
    workbook.active.append(["nik", "bulan"])
    workbook.active.append([7312044501900001, 12])
    out = io.BytesIO()
    workbook.save(out)

    assert read_batch_file(out.getvalue(), "daftar.xlsx") == [BatchRow(2, "7312044501900001", "12")]


def test_a_file_without_the_months_column_is_refused_with_the_columns_it_needs():
    with pytest.raises(
        ImportFileError, match="Kolom wajib tidak ada: bulan. Baris pertama harus berisi judul kolom: nik, bulan"
    ):
        read_batch_file(b"nik,nama\n7312044501900001,HASNAH\n")


@settings(max_examples=100, deadline=None, database=None)
@given(content=st.binary(max_size=2000))
def test_any_bytes_are_read_as_rows_or_refused_with_a_message(content):
    for prefix in (b"", b"nik,bulan\n", b"PK\x03\x04"):
        try:
            rows = read_batch_file(prefix + content, "daftar.csv")
        except ImportFileError as exc:
            assert str(exc)
        else:
            assert all(isinstance(r.nik, str) and isinstance(r.months, str) for r in rows)


@settings(max_examples=50, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(nik=st.text(max_size=40), months=st.text(max_size=10))
def test_any_cell_is_refused_with_a_reason_never_an_error(dinas_user, nik, months):
    report = batch_record(
        user=dinas_user, reference="H-1", source=FundSource.MANDIRI, payer=None, rows=[BatchRow(2, nik, months)]
    )

    assert len(report.rejected) == 1 and report.rejected[0].reason not in ("", ROW_FAILED)


# --- the page ---------------------------------------------------------------------------------


def page_post(client, data: dict, query: str = ""):
    return client.post(reverse("contributions:batch_new") + query, data)


def form_data(**overrides) -> dict:
    data = {"token": "6f1c2a4e-8b9d-4c3e-9f0a-1b2c3d4e5f60", "source": FundSource.DANA_DESA, "reference": ""}
    data.update(overrides)
    return data


def confirm_token(response) -> str:
    return response.context["plan_token"]


def test_the_page_checks_the_picked_farmers_then_records_them_on_confirmation_once(
    client, agent_user, dinas_user, village_fund, make_farmer
):
    farmers = [make_farmer(agent_user, serial=n) for n in (1, 2)]
    client.force_login(dinas_user)

    checked = page_post(client, form_data(payer=village_fund.pk, months="6", farmers=[f.pk for f in farmers]))

    page = checked.content.decode()
    assert checked.status_code == 200
    assert "Hasil pemeriksaan" in page and "dicatat: 2, ditolak: 0, sudah ada: 0" in page
    assert "Catat 2 pembayaran (Rp 201.600)" in page
    assert not Payment.objects.exists()

    recorded = page_post(client, {"confirm": confirm_token(checked)})

    assert "Hasil pencatatan" in recorded.content.decode()
    batch = PaymentBatch.objects.get()
    assert batch.reference.startswith("PILIH-") and batch.payments.count() == 2
    assert reverse("contributions:batch_detail", args=[batch.pk]) in recorded.content.decode()

    again = page_post(client, {"confirm": confirm_token(checked)})

    assert "dicatat: 0, ditolak: 0, sudah ada: 2" in again.content.decode()
    assert Payment.objects.count() == 2


def test_the_page_checks_an_uploaded_file_and_says_where_its_reference_comes_from(
    client, agent_user, dinas_user, village_fund, make_farmer
):
    farmer = make_farmer(agent_user)
    content = csv_bytes([(farmer.nik, "12"), ("7312044501909999", "1")])
    client.force_login(dinas_user)

    form_page = client.get(reverse("contributions:batch_new")).content.decode()
    checked = page_post(
        client, form_data(payer=village_fund.pk, file=SimpleUploadedFile("dana.csv", content, content_type="text/csv"))
    )

    assert "dibuat dari isi berkas, jadi berkas yang sama dua kali tetap satu pembayaran kolektif" in form_page
    page = checked.content.decode()
    assert "dicatat: 1, ditolak: 1, sudah ada: 0" in page and NOT_IN_AREA in page
    assert file_reference(content) in page
    page_post(client, {"confirm": confirm_token(checked)})
    assert PaymentBatch.objects.get().reference == file_reference(content)


def test_a_confirmation_that_was_never_checked_records_nothing(client, dinas_user):
    client.force_login(dinas_user)

    response = page_post(client, {"confirm": "b" * 32})

    assert response.status_code == 200 and "sudah tidak berlaku" in response.content.decode()
    assert not PaymentBatch.objects.exists()


def test_the_page_refuses_a_payer_of_another_regency_at_the_field(
    client, agent_user, makassar_dinas, sponsor, make_farmer
):
    client.force_login(makassar_dinas)

    response = page_post(
        client, form_data(source=FundSource.SPONSOR, payer=sponsor.pk, months="1", farmers=[make_farmer(agent_user).pk])
    )

    assert response.status_code == 200
    assert response.context["form"].errors.keys() >= {"payer"}
    assert "BANK SULSELBAR" not in response.content.decode()
    assert not PaymentBatch.objects.exists()


def test_the_page_refuses_a_farmer_picked_outside_the_users_area(client, agent_user, other_agent_user, make_farmer):
    elsewhere = make_farmer(other_agent_user, serial=2)
    client.force_login(agent_user)

    response = page_post(client, form_data(source=FundSource.MANDIRI, months="1", farmers=[elsewhere.pk]))

    assert "farmers" in response.context["form"].errors
    assert elsewhere.name not in response.content.decode()


def test_an_agent_enters_a_paper_receipt_book_as_the_farmers_own_money(client, agent_user, make_farmer):
    farmer = make_farmer(agent_user)
    client.force_login(agent_user)

    form_page = client.get(reverse("contributions:batch_new")).content.decode()
    refused = page_post(client, form_data(source=FundSource.DANA_DESA, months="1", farmers=[farmer.pk]))
    checked = page_post(
        client, form_data(source=FundSource.MANDIRI, reference="Buku 07", months="2", farmers=[farmer.pk])
    )
    page_post(client, {"confirm": confirm_token(checked)})

    assert 'name="payer"' not in form_page
    assert "source" in refused.context["form"].errors
    payment = Payment.objects.get()
    assert (payment.source, payment.payer, payment.batch.reference, payment.months) == (
        FundSource.MANDIRI,
        None,
        "BUKU 07",
        2,
    )


def test_the_pick_list_is_scoped_and_filtered_by_desa(
    client, agent_user, neighbour_agent_user, koordinator_user, make_farmer
):
    own = make_farmer(agent_user, serial=1, name="PETANI UMPUNGENG")
    neighbour = make_farmer(neighbour_agent_user, serial=2, name="PETANI TETANGGA")
    client.force_login(agent_user)
    assert own.name in (page := client.get(reverse("contributions:batch_new")).content.decode())
    assert neighbour.name not in page

    client.force_login(koordinator_user)
    filtered = client.get(reverse("contributions:batch_new"), {"desa": OTHER_LALABATA_VILLAGE}).content.decode()
    assert neighbour.name in filtered and own.name not in filtered


def test_the_pick_list_shows_its_limit_and_says_there_are_more(client, agent_user, make_farmer, monkeypatch):
    from contributions import batch_views

    monkeypatch.setattr(batch_views, "PICK_LIMIT", 2)
    for serial, name in enumerate(("PETANI A", "PETANI B", "PETANI C"), start=1):
        make_farmer(agent_user, serial=serial, name=name)
    client.force_login(agent_user)
    page = client.get(reverse("contributions:batch_new")).content.decode()
    assert "Tampil 2 dari lebih dari 2 petani" in page and "PETANI B" in page and "PETANI C" not in page
    assert "1 petani" in client.get(reverse("contributions:batch_new"), {"q": "petani b"}).content.decode()


@pytest.mark.parametrize(
    "content",
    [
        b"\x00" * 100,
        b"nik,bulan\n\x007312044501900001,\x003\n",
        b"nik,bulan\n\xff\xfe\xfa,\x81\n",
        b"PK\x03\x04\x00\x00 bukan excel",
        b"\xd0\xcf\x11\xe0 excel lama",
        b'nik,bulan\n"7312044501900001,' + b"x" * 200_000 + b"\n",
    ],
)
def test_a_file_of_nul_or_odd_bytes_is_a_message_on_the_page_never_a_server_error(
    client, dinas_user, village_fund, content
):
    client.force_login(dinas_user)

    response = page_post(client, form_data(payer=village_fund.pk, file=SimpleUploadedFile("x.csv", content)))

    assert response.status_code == 200
    assert "Belum bisa diperiksa" in response.content.decode() or "Hasil pemeriksaan" in response.content.decode()
    assert not PaymentBatch.objects.exists()


# --- the recap --------------------------------------------------------------------------------


def test_the_recap_shows_count_total_and_each_farmer_of_the_users_area_only(
    client, agent_user, neighbour_agent_user, koordinator_user, dinas_user, make_farmer
):
    own = make_farmer(agent_user, serial=1, name="PETANI SATU")
    neighbour = make_farmer(neighbour_agent_user, serial=2, name="PETANI DUA")
    sponsor = Payer.objects.create(source="SPONSOR", name="SPONSOR", regency=dinas_user.regency, created_by=dinas_user)
    report = batch_record(
        user=dinas_user, reference="S-1", source=FundSource.SPONSOR, payer=sponsor, rows=rows_for([own, neighbour], 2)
    )
    url = reverse("contributions:batch_detail", args=[report.batch.pk])

    client.force_login(koordinator_user)
    whole = client.get(url).content.decode()
    client.force_login(agent_user)
    part = client.get(url).content.decode()

    assert "PETANI SATU" in whole and "PETANI DUA" in whole and "Rp 67.200" in whole
    assert "2 bulan, mulai" in whole and "Menunggu konfirmasi BPJS" in whole
    assert "PETANI SATU" in part and "PETANI DUA" not in part and "Rp 33.600" in part


def test_a_batch_with_no_payment_in_the_users_area_is_404(
    client, agent_user, other_agent_user, makassar_dinas, dinas_user, village_fund, make_farmer
):
    report = fund_batch(dinas_user, village_fund, rows_for([make_farmer(agent_user)]))
    url = reverse("contributions:batch_detail", args=[report.batch.pk])

    for outsider in (other_agent_user, makassar_dinas):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
    assert client.get(reverse("contributions:batch_detail", args=[report.batch.pk + 1])).status_code == 404


# --- the pick list's area filter (enrollment.selectors.area_filter, as on the farmer list) ------


def pick_options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select id="pick-{name}" name="{name}" form="pilih-filter">(.*?)</select>', html, re.S)
    return re.findall(r'<option value="([^"]+)"', select.group(1)) if select else []


def test_an_admin_picks_a_regency_then_a_kecamatan_and_never_gets_every_village_at_once(client, admin_user):
    load_wilayah(regency_codes=["73.11", "73.13"])
    client.force_login(admin_user)

    page = client.get(reverse("contributions:batch_new")).content.decode()

    assert pick_options(page, "kabupaten") == ["73.11", "73.12", "73.13"]
    assert pick_options(page, "kecamatan") == [] and pick_options(page, "desa") == []
    assert page.count("<option") < 40 < Region.objects.filter(level=Region.Level.DESA).count()
    page = client.get(reverse("contributions:batch_new"), {"kabupaten": "73.12", "kecamatan": "73.12.04"}).content
    desa = pick_options(page.decode(), "desa")
    assert UMPUNGENG in desa and all(code.startswith("73.12.04.") for code in desa)


def test_an_admin_choosing_a_desa_gets_only_its_farmers_to_pick(
    client, admin_user, agent_user, neighbour_agent_user, make_farmer
):
    own = make_farmer(agent_user, serial=1, name="PETANI UMPUNGENG")
    neighbour = make_farmer(neighbour_agent_user, serial=2, name="PETANI TETANGGA")
    client.force_login(admin_user)

    page = client.get(
        reverse("contributions:batch_new"), {"kabupaten": "73.12", "kecamatan": "73.12.04", "desa": UMPUNGENG}
    ).content.decode()

    assert own.name in page and neighbour.name not in page
    assert f'value="{UMPUNGENG}" selected' in page


def test_choosing_a_regency_by_htmx_swaps_the_list_and_brings_its_kecamatan(client, admin_user):
    load_wilayah(regency_codes=["73.11"])
    client.force_login(admin_user)

    response = client.get(
        reverse("contributions:batch_new"),
        {"kabupaten": "73.12", "q": ""},
        headers={"HX-Request": "true", "HX-Target": "pick-list"},
    )

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="pick-list"')
    assert 'id="pick-area" hx-swap-oob="innerHTML"' in html
    assert len(pick_options(html, "kecamatan")) == 8 and "73.11." not in html


def test_a_koordinator_picks_among_the_villages_of_their_kecamatan_directly(client, koordinator_user):
    client.force_login(koordinator_user)

    page = client.get(reverse("contributions:batch_new")).content.decode()

    desa = pick_options(page, "desa")
    assert UMPUNGENG in desa and all(code.startswith("73.12.04.") for code in desa)
    assert pick_options(page, "kabupaten") == [] and pick_options(page, "kecamatan") == []


@pytest.mark.parametrize(
    "params",
    [
        {"desa": OTHER_REGENCY_VILLAGE},
        {"kecamatan": "73.11.01"},
        {"kabupaten": "73.11"},
        {"kecamatan": "73.12.04'--"},
        {"desa": "x" * 5000},
    ],
)
def test_an_area_outside_the_users_scope_or_malformed_is_ignored_not_an_error(
    client, dinas_user, agent_user, make_farmer, params
):
    load_wilayah(regency_codes=["73.11"])
    own = make_farmer(agent_user, name="PETANI UMPUNGENG")
    client.force_login(dinas_user)

    response = client.get(reverse("contributions:batch_new"), params)

    page = response.content.decode()
    assert response.status_code == 200 and own.name in page
    assert "73.11" not in page
