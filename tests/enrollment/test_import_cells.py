"""Each cell is normalised before use, each row fails alone with its reason, and an unexpected
failure in one row is logged for the admin while the next rows go on."""

from __future__ import annotations

import csv
import io
import logging

import pytest
from django.core.management import call_command
from django.db import connection
from openpyxl import Workbook

from enrollment import importer
from enrollment.importer import COLUMNS, ROW_FAILED, import_farmers
from enrollment.models import Farmer
from sutasoma.text import HIDDEN_MESSAGE
from tests.enrollment.test_import import csv_bytes, reasons_by_line, row, rows_of, run_import

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@pytest.mark.parametrize("column", ["nik", "nama", "alamat", "no_kk", "kode_desa", "nama_ahli_waris"])
def test_a_nul_byte_in_a_cell_rejects_that_row_only(agent_user, column):
    bad = row(2)
    bad[column] = bad[column][:4] + "\x00" + bad[column][4:]

    report = run_import(agent_user, [row(1), bad, row(3)])

    assert [n.line for n in report.imported] == [2, 4]
    assert reasons_by_line(report)[3].startswith(f"{column}: ")
    assert Farmer.objects.count() == 2


def test_a_nul_byte_in_the_nik_is_explained(agent_user):
    report = run_import(agent_user, [row(1, nik="7312\x00044501900001")])
    assert reasons_by_line(report) == {2: f"nik: {HIDDEN_MESSAGE}"}


def test_an_heir_name_that_grows_past_100_characters_when_uppercased_is_refused(agent_user):
    report = run_import(agent_user, [row(1, nama_ahli_waris="ß" * 60), row(2)])

    assert "ahli waris:" in reasons_by_line(report)[2] and "100" in reasons_by_line(report)[2]
    assert [n.line for n in report.imported] == [3]
    assert list(Farmer.objects.values_list("nik", flat=True)) == [row(2)["nik"]]


def test_a_name_that_grows_past_100_characters_when_uppercased_is_refused(agent_user):
    report = run_import(agent_user, [row(1, nama="ß" * 60)])
    assert reasons_by_line(report)[2].startswith("nama: ") and "100" in reasons_by_line(report)[2]


def test_names_are_saved_normalised_and_uppercased(agent_user):
    decomposed = "Andi\u0301  Baso\t"  # i + combining acute, two spaces, a tab
    run_import(agent_user, [row(1, nama="  Hasnah\u00a0Binti  Ali ", nama_ahli_waris=decomposed)])
    farmer = Farmer.objects.get()
    assert farmer.name == "HASNAH BINTI ALI"
    assert farmer.heirs.get().name == "ANDÍ BASO"


def test_a_zero_width_or_right_to_left_character_is_refused(agent_user):
    report = run_import(agent_user, [row(1, nama="Has\u200bnah"), row(2, alamat="Jl. \u202eanaS")])
    assert reasons_by_line(report) == {2: f"nama: {HIDDEN_MESSAGE}", 3: f"alamat: {HIDDEN_MESSAGE}"}


@pytest.mark.parametrize("digits", [FULL_WIDTH, ARABIC_INDIC])
def test_numbers_in_any_digits_are_read_as_ascii(agent_user, digits):
    values = row(1)
    report = run_import(
        agent_user,
        [
            row(
                1,
                nik=f"{values['nik'][:4]} {values['nik'][4:8]}.{values['nik'][8:]}".translate(digits),
                no_kk=values["no_kk"].translate(digits),
                no_hp="0812-3456-7890".translate(digits),
                rt="7".translate(digits),
                rw="12".translate(digits),
                kode_desa="73.12.04.2009".translate(digits),
                penghasilan="1.500.000".translate(digits),
                tanggal_lahir="05-01-1990".translate(digits),
            )
        ],
    )

    assert report.summary == "diimpor: 1, ditolak: 0, sudah ada: 0"
    farmer = Farmer.objects.get()
    assert (farmer.nik, farmer.no_kk, farmer.phone, farmer.rt, farmer.rw, farmer.income) == (
        values["nik"],
        values["no_kk"],
        "081234567890",
        "007",
        "012",
        1_500_000,
    )


def test_a_letter_in_a_number_is_named_not_dropped(agent_user):
    report = run_import(
        agent_user,
        [
            row(1, nik="7312O44501900001"),  # the letter O
            row(2, no_hp="0812-CALL-ME"),
            row(3, rt="1a"),
        ],
    )
    reasons = reasons_by_line(report)
    assert reasons[2].startswith("nik: hanya boleh berisi angka")
    assert reasons[3].startswith("no_hp: isi dengan angka")
    assert reasons[4].startswith("rt: isi dengan angka")


def test_a_phone_number_written_with_the_country_code_is_read(agent_user):
    run_import(agent_user, [row(1, no_hp="+62 (812) 3456-7890")])
    assert Farmer.objects.get().phone == "081234567890"


def test_a_very_long_cell_is_refused_without_more_work(agent_user):
    report = run_import(agent_user, [row(1, pekerjaan="x" * 1001)])
    assert reasons_by_line(report)[2] == "pekerjaan: terlalu panjang (1001 karakter)."


def test_the_rows_of_an_xlsx_are_normalised_too(agent_user):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(COLUMNS))
    sheet.append([row(1, nama="Hasnah\u200b")[c] for c in COLUMNS])
    sheet.append([row(2, nik=int(row(2)["nik"]))[c] for c in COLUMNS])
    out = io.BytesIO()
    workbook.save(out)

    report = import_farmers(user=agent_user, rows=rows_of(out.getvalue(), "daftar.xlsx"))

    assert reasons_by_line(report) == {2: f"nama: {HIDDEN_MESSAGE}"}
    assert [n.line for n in report.imported] == [3]


# --- a row that fails for a reason nobody foresaw ---------------------------------------------


def test_an_unexpected_error_in_one_row_is_logged_and_reported_and_the_next_rows_go_on(agent_user, monkeypatch, caplog):
    heir = importer._heir

    def heir_that_breaks(row, form):
        if row.text("nama_ahli_waris") == "Meledak":
            raise RuntimeError("kesalahan yang tidak terduga")
        return heir(row, form)

    monkeypatch.setattr(importer, "_heir", heir_that_breaks)

    with caplog.at_level(logging.ERROR, logger="sutasoma.import"):
        report = run_import(agent_user, [row(1), row(2, nama_ahli_waris="Meledak"), row(3)])

    assert [n.line for n in report.imported] == [2, 4]
    assert [(n.line, n.nik, n.reason) for n in report.rejected] == [(3, row(2)["nik"], ROW_FAILED)]
    [record] = [r for r in caplog.records if r.name == "sutasoma.import"]
    assert "baris 3" in record.getMessage() and record.exc_info[0] is RuntimeError
    assert Farmer.objects.count() == 2


def test_a_database_error_in_one_row_leaves_nothing_of_it_and_the_next_rows_go_on(agent_user, monkeypatch):
    # Run inside the test's own transaction, as under ATOMIC_REQUESTS: the row's savepoint is
    # what keeps the connection usable for the rows after it.
    register = importer.services.farmer_register

    def register_then_fail(*, user, registration):
        farmer = register(user=user, registration=registration)
        if farmer.name == "PETANI NOMOR 2":
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 / 0")
        return farmer

    monkeypatch.setattr(importer.services, "farmer_register", register_then_fail)
    register_batch = importer.services.farmers_register_new

    def batch_then_fail(*, user, registrations):
        # The batch fails as a whole on the same row, and is then saved row by row.
        farmers = register_batch(user=user, registrations=registrations)
        if any(f.name == "PETANI NOMOR 2" for f in farmers):
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 / 0")
        return farmers

    monkeypatch.setattr(importer.services, "farmers_register_new", batch_then_fail)

    report = run_import(agent_user, [row(1), row(2), row(3)])

    assert [n.line for n in report.imported] == [2, 4]
    assert reasons_by_line(report) == {3: ROW_FAILED}
    assert sorted(Farmer.objects.values_list("name", flat=True)) == ["PETANI NOMOR 1", "PETANI NOMOR 3"]


def test_the_command_writes_a_refused_nik_so_that_excel_does_not_run_it(agent_user, tmp_path):
    path = tmp_path / "daftar.csv"
    path.write_bytes(csv_bytes([row(1, nik='=HYPERLINK("http://contoh.invalid")')]))

    call_command("import_petani", str(path), agent=agent_user.username, stdout=io.StringIO())

    with (tmp_path / "daftar.galat.csv").open(encoding="utf-8-sig", newline="") as f:
        [_, (line, nik, reason)] = list(csv.reader(f))
    assert (line, nik[:11]) == ("2", "'=HYPERLINK")
    assert reason.startswith("nik: hanya boleh berisi angka")


def test_a_row_is_checked_on_its_own_cells_whatever_the_rows_before_it_held(agent_user):
    # One form checks every row of a file: nothing of a row may reach the next one's outcome.
    report = run_import(
        agent_user,
        [
            row(1, nama="ß" * 60, nama_ahli_waris=""),  # two problems
            row(2),
            row(3, tempat_lahir="", hubungan_ahli_waris="tetangga"),
            row(4),
        ],
    )

    reasons = reasons_by_line(report)
    assert [n.line for n in report.imported] == [3, 5]
    assert reasons[2].startswith("nama: ") and "nama_ahli_waris: wajib diisi." in reasons[2]
    assert reasons[4].startswith("tempat_lahir: ") and "hubungan_ahli_waris" in reasons[4]
    assert "nama:" not in reasons[4] and "nama_ahli_waris: wajib" not in reasons[4]
    saved = {f.nik: f for f in Farmer.objects.all()}
    assert saved[row(2)["nik"]].birth_place == saved[row(4)["nik"]].birth_place == "SOPPENG"
