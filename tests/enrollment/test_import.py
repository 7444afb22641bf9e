import csv
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook

from bpjs_gateway.models import OutboxMessage
from enrollment.importer import COLUMNS, import_farmers, read_rows
from enrollment.insurer import REGISTER, registration_messages
from enrollment.models import Farmer
from enrollment.sheets import ImportFileError
from tests.conftest import MARIORIWAWO_VILLAGE, UMPUNGENG, nik_for

BIRTH = dt.date(1990, 1, 5)


def row(serial: int, **overrides) -> dict:
    """One valid line of a paper list; distinct names so no row looks like another's duplicate."""
    birth = overrides.pop("birth", BIRTH)
    female = overrides.pop("female", True)
    values = {
        "nik": nik_for(birth=birth, female=female, serial=serial),
        "no_kk": "7312040101900001",
        "nama": f"Petani Nomor {serial}",
        "tempat_lahir": "Soppeng",
        "tanggal_lahir": birth.isoformat(),
        "jenis_kelamin": "P" if female else "L",
        "alamat": "Jl. Poros Watansoppeng",
        "rt": "1",
        "rw": "2",
        "kode_desa": UMPUNGENG,
        "no_hp": "081234567890",
        "pekerjaan": "PETANI",
        "penghasilan": "",
        "nama_ahli_waris": "Andi Baso",
        "hubungan_ahli_waris": "suami",
    }
    values.update(overrides)
    return values


def csv_bytes(rows: list[dict | None], *, delimiter: str = ",", columns=COLUMNS, bom: bool = False) -> bytes:
    """`None` in rows writes a blank line."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(columns)
    for values in rows:
        if values is None:
            out.write("\n")
        else:
            writer.writerow([values.get(c, "") for c in columns])
    return ("\ufeff" if bom else "").encode() + out.getvalue().encode()


def rows_of(content: bytes, filename: str = "petani.csv"):
    return read_rows(io.BytesIO(content), filename)


def run_import(user, rows: list[dict | None], **kwargs):
    return import_farmers(user=user, rows=rows_of(csv_bytes(rows)), **kwargs)


def reasons_by_line(report) -> dict[int, str]:
    return {note.line: note.reason for note in report.rejected}


def test_it_imports_the_good_rows_and_reports_each_bad_one_on_its_line(agent_user):
    report = run_import(
        agent_user,
        [
            row(1),  # line 2
            row(2, nik="73120445019"),  # line 3: too short
            row(3, birth=dt.date(1950, 3, 3)),  # line 4: 75 years old
            row(4, tanggal_lahir="1990-01-06"),  # line 5: not the date in the NIK
            row(5, kode_desa=MARIORIWAWO_VILLAGE),  # line 6: another agent's desa
            row(6, pekerjaan="pilot"),  # line 7
            row(7, tanggal_lahir="5 Jan 1990"),  # line 8
            row(8, pekerjaan="buruh tani", tanggal_lahir="05-01-1990"),  # line 9
        ],
    )

    assert [note.line for note in report.imported] == [2, 9]
    reasons = reasons_by_line(report)
    assert sorted(reasons) == [3, 4, 5, 6, 7, 8]
    assert "NIK harus 16 angka" in reasons[3]
    assert "Usia peserta harus 15–65 tahun" in reasons[4]
    assert "Tanggal lahir tidak cocok dengan NIK" in reasons[5]
    assert "bukan desa tugas Anda" in reasons[6]
    assert "pekerjaan: 'pilot' tidak dikenal" in reasons[7]
    assert "format tanggal tidak dikenali" in reasons[8]
    assert report.rejected[0].nik == "73120445019"
    assert report.summary == "diimpor: 2, ditolak: 6, sudah ada: 0"

    farmers = Farmer.objects.order_by("nik")
    assert [f.nik for f in farmers] == [nik_for(birth=BIRTH, female=True, serial=s) for s in (1, 8)]
    assert [f.occupation for f in farmers] == ["PETANI", "BURUH_TANI"]
    for farmer in farmers:
        assert farmer.agent == agent_user.agent and farmer.registered_by == agent_user
        assert farmer.income == 1_000_000 and farmer.rt == "001" and farmer.name.startswith("PETANI NOMOR")
        assert [(h.name, h.relation) for h in farmer.heirs.all()] == [("ANDI BASO", "SUAMI")]
        assert registration_messages(farmer).get().operation == REGISTER
    assert OutboxMessage.objects.count() == 2


@pytest.mark.parametrize("written", ["1990-01-05", "05-01-1990"])
def test_it_reads_the_birth_date_in_both_formats(agent_user, written):
    report = run_import(agent_user, [row(1, tanggal_lahir=written)])
    assert report.summary == "diimpor: 1, ditolak: 0, sudah ada: 0"
    assert Farmer.objects.get().birth_date == BIRTH


@pytest.mark.parametrize("code", ["73.12.04.2009", "7312042009"])
def test_it_reads_the_village_code_with_or_without_dots(agent_user, code):
    run_import(agent_user, [row(1, kode_desa=code)])
    assert Farmer.objects.get().village_id == UMPUNGENG


def test_it_names_an_unknown_village_code(agent_user):
    report = run_import(agent_user, [row(1, kode_desa="7312049999"), row(2, kode_desa="73.12.04")])
    reasons = reasons_by_line(report)
    assert "kode desa 73.12.04.9999 tidak dikenal" in reasons[2]
    assert "harus 10 angka" in reasons[3]


def test_it_reads_an_xlsx_file_with_real_dates_and_number_cells(agent_user):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(COLUMNS))
    first = row(1)
    first.update(tanggal_lahir=BIRTH, kode_desa=7312042009, no_hp=81234567890, penghasilan=1500000, rt=1)
    sheet.append([first[c] for c in COLUMNS])
    sheet.append([None] * len(COLUMNS))  # a blank line, line 3
    sheet.append([row(2, pekerjaan="penerbang")[c] for c in COLUMNS])  # line 4
    out = io.BytesIO()
    workbook.save(out)

    # Named .csv on purpose: the content decides, not the name a phone gave the download.
    report = import_farmers(user=agent_user, rows=rows_of(out.getvalue(), "unduhan.csv"))

    assert report.summary == "diimpor: 1, ditolak: 1, sudah ada: 0"
    assert [note.line for note in report.rejected] == [4]
    farmer = Farmer.objects.get()
    assert (farmer.birth_date, farmer.village_id, farmer.phone, farmer.income, farmer.rt) == (
        BIRTH,
        UMPUNGENG,
        "081234567890",
        1_500_000,
        "001",
    )


def test_importing_the_same_file_again_adds_nothing(agent_user):
    content = csv_bytes([row(1), row(2), row(3, nik="123")])
    import_farmers(user=agent_user, rows=rows_of(content))

    again = import_farmers(user=agent_user, rows=rows_of(content))

    assert again.summary == "diimpor: 0, ditolak: 1, sudah ada: 2"
    assert Farmer.objects.count() == 2 and OutboxMessage.objects.count() == 2


def test_a_nik_twice_in_the_same_file_counts_the_second_as_existing(agent_user):
    report = run_import(agent_user, [row(1), row(1, nama="Orang Lain")])
    assert report.summary == "diimpor: 1, ditolak: 0, sudah ada: 1"
    assert [note.line for note in report.existing] == [3]
    assert Farmer.objects.get().name == "PETANI NOMOR 1"


def test_a_nik_registered_by_another_agent_counts_as_existing(agent_user, other_agent_user, make_farmer):
    make_farmer(other_agent_user)  # serial 1
    report = run_import(agent_user, [row(1)])
    assert report.summary == "diimpor: 0, ditolak: 0, sudah ada: 1"


def test_a_dry_run_reports_but_saves_nothing(agent_user):
    report = run_import(agent_user, [row(1), row(2), row(1), row(3, nik="123")], dry_run=True)
    assert report.summary == "diimpor: 2, ditolak: 1, sudah ada: 1"
    assert not Farmer.objects.exists() and not OutboxMessage.objects.exists()


def test_a_row_with_a_bad_heir_saves_nothing_of_that_farmer(agent_user):
    report = run_import(
        agent_user,
        [row(1, hubungan_ahli_waris="tetangga"), row(2, nama_ahli_waris="", hubungan_ahli_waris="")],
    )
    reasons = reasons_by_line(report)
    assert "hubungan_ahli_waris" in reasons[2]
    assert "nama_ahli_waris: wajib diisi" in reasons[3]
    assert not Farmer.objects.exists() and not OutboxMessage.objects.exists()


def test_it_accepts_relation_and_occupation_labels_in_any_case(agent_user):
    run_import(agent_user, [row(1, hubungan_ahli_waris="Saudara Kandung", pekerjaan="Pembudidaya Ikan")])
    farmer = Farmer.objects.get()
    assert farmer.occupation == "PEMBUDIDAYA_IKAN" and farmer.heirs.get().relation == "SAUDARA"


def test_it_imports_a_likely_duplicate_with_a_warning(agent_user, make_farmer):
    make_farmer(agent_user)  # HASNAH, 5 Jan 1990, serial 0001
    other_nik = nik_for(birth=BIRTH, female=True, serial=2)
    report = run_import(agent_user, [row(2, nama="hasnah")])
    assert report.summary == "diimpor: 1, ditolak: 0, sudah ada: 0"
    assert [(w.line, w.nik) for w in report.warnings] == [(2, other_nik)]
    assert "Mungkin orang yang sama dengan NIK 7312••••••••0001" in report.warnings[0].reason
    assert Farmer.objects.count() == 2


def test_a_dry_run_warns_about_two_rows_that_look_like_one_person(agent_user):
    report = run_import(agent_user, [row(1, nama="Hasnah"), row(2, nama="HASNAH")], dry_run=True)
    assert [w.line for w in report.warnings] == [3]
    assert "7312••••••••0001" in report.warnings[0].reason


def test_it_skips_blank_lines_and_keeps_the_spreadsheet_line_numbers(agent_user):
    report = run_import(agent_user, [None, row(1), None, None, row(2, nik="1")])
    assert [note.line for note in report.imported] == [3]
    assert [note.line for note in report.rejected] == [6]


def test_it_reads_semicolons_and_a_byte_order_mark(agent_user):
    report = import_farmers(user=agent_user, rows=rows_of(csv_bytes([row(1)], delimiter=";", bom=True)))
    assert report.summary == "diimpor: 1, ditolak: 0, sudah ada: 0"


def test_it_refuses_a_file_missing_required_columns(agent_user):
    columns = [c for c in COLUMNS if c not in ("kode_desa", "nama_ahli_waris", "rt")]
    with pytest.raises(ImportFileError, match="Kolom wajib tidak ada: kode_desa, nama_ahli_waris\\."):
        rows_of(csv_bytes([row(1)], columns=columns))


def test_it_refuses_more_than_5000_rows():
    with pytest.raises(ImportFileError, match="lebih dari 5000 baris"):
        rows_of(csv_bytes([row(1)] * 5001))


def test_it_refuses_a_file_over_5_mb():
    content = csv_bytes([row(1)]) + b"x" * (5 * 1024 * 1024)
    with pytest.raises(ImportFileError, match="lebih dari 5 MB"):
        rows_of(content)


# --- the management command -------------------------------------------------------------------


def test_the_command_prints_the_summary_and_writes_the_rejected_rows_next_to_the_file(agent_user, tmp_path):
    path = tmp_path / "daftar.csv"
    path.write_bytes(csv_bytes([row(1), row(2, nik="123"), row(1)]))
    out = io.StringIO()

    call_command("import_petani", str(path), agent=agent_user.username, stdout=out)

    assert "diimpor: 1, ditolak: 1, sudah ada: 1" in out.getvalue().splitlines()
    with (tmp_path / "daftar.galat.csv").open(encoding="utf-8-sig", newline="") as f:
        lines = list(csv.reader(f))
    assert lines[0] == ["baris", "nik", "alasan"]
    assert [line[:2] for line in lines[1:]] == [["3", "123"]]
    assert "NIK harus 16 angka" in lines[1][2]
    assert Farmer.objects.count() == 1


def test_the_command_in_a_dry_run_saves_nothing(agent_user, tmp_path):
    path = tmp_path / "daftar.csv"
    path.write_bytes(csv_bytes([row(1), row(2)]))
    out = io.StringIO()

    call_command("import_petani", str(path), agent=agent_user.username, dry_run=True, stdout=out)

    assert "diimpor: 2, ditolak: 0, sudah ada: 0" in out.getvalue().splitlines()
    assert not Farmer.objects.exists()


def test_the_command_refuses_a_user_who_is_not_an_agent(dinas_user, tmp_path):
    path = tmp_path / "daftar.csv"
    path.write_bytes(csv_bytes([row(1)]))
    with pytest.raises(CommandError, match="bukan penyuluh"):
        call_command("import_petani", str(path), agent=dinas_user.username)


def test_the_command_refuses_a_file_missing_columns(agent_user, tmp_path):
    path = tmp_path / "daftar.csv"
    path.write_bytes(csv_bytes([row(1)], columns=[c for c in COLUMNS if c != "nik"]))
    with pytest.raises(CommandError, match="Kolom wajib tidak ada: nik"):
        call_command("import_petani", str(path), agent=agent_user.username)
    assert not (tmp_path / "daftar.galat.csv").exists()


# --- the web page -----------------------------------------------------------------------------


def upload(client, content: bytes, **data):
    payload = {"file": SimpleUploadedFile("daftar.csv", content, content_type="text/csv"), "consent": "on", **data}
    return client.post(reverse("enrollment:farmer_import"), payload, follow=True)


def test_the_page_shows_the_columns_and_the_template_link(client, agent_user):
    client.force_login(agent_user)
    page = client.get(reverse("enrollment:farmer_import")).content.decode()
    assert ",".join(COLUMNS) in page
    assert reverse("enrollment:farmer_import_template") in page
    assert 'enctype="multipart/form-data"' in page and "data-once" in page


def test_an_agent_uploads_a_list_and_sees_the_report(client, agent_user):
    client.force_login(agent_user)
    response = upload(client, csv_bytes([row(1), row(2, pekerjaan="pilot")]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "diimpor: 1, ditolak: 1, sudah ada: 0" in page
    assert '<table class="cards">' in page
    assert '<td data-label="Baris">3</td>' in page
    assert "pekerjaan: &#x27;pilot&#x27; tidak dikenal" in page
    assert Farmer.objects.count() == 1


def test_the_page_can_check_a_list_without_saving(client, agent_user):
    client.force_login(agent_user)
    page = upload(client, csv_bytes([row(1)]), dry_run="on").content.decode()
    assert "diimpor: 1, ditolak: 0, sudah ada: 0" in page and "belum ada yang disimpan" in page
    assert not Farmer.objects.exists()


def test_the_page_refuses_a_file_missing_columns(client, agent_user):
    client.force_login(agent_user)
    page = upload(client, csv_bytes([row(1)], columns=COLUMNS[1:])).content.decode()
    assert "Kolom wajib tidak ada: nik" in page
    assert not Farmer.objects.exists()


def test_the_page_asks_for_the_farmers_consent(client, agent_user):
    client.force_login(agent_user)
    page = upload(client, csv_bytes([row(1)]), consent="").content.decode()
    assert "Persetujuan petani wajib dicatat" in page
    assert not Farmer.objects.exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_the_page_is_only_for_agents(client, dinas_user, method):
    client.force_login(dinas_user)
    assert getattr(client, method)(reverse("enrollment:farmer_import")).status_code == 403


def test_the_template_is_a_csv_whose_example_row_can_never_be_imported(client, agent_user):
    client.force_login(agent_user)
    response = client.get(reverse("enrollment:farmer_import_template"))
    assert response["Content-Type"].startswith("text/csv")
    content = b"".join(response)
    lines = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert lines[0] == list(COLUMNS) and len(lines) == 2

    report = import_farmers(user=agent_user, rows=rows_of(content))
    assert report.summary == "diimpor: 0, ditolak: 1, sudah ada: 0"
    assert "0000" in report.rejected[0].reason
