"""What a hostile or careless file may cost: rows, columns, unpacked size and time are bounded,
and each bound ends in a message for the agent, never a busy worker or a server error."""

from __future__ import annotations

import io
import itertools
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from enrollment import importer, sheets
from enrollment.importer import COLUMNS, NOT_REACHED, import_farmers
from enrollment.models import Farmer
from enrollment.sheets import (
    BLANK_ROWS_SLACK,
    HEADER_SEARCH_COLUMNS,
    HEADER_SEARCH_ROWS,
    MAX_ROWS,
    Deadline,
    ImportFileError,
)
from tests.enrollment.test_import import csv_bytes, row, rows_of

LAST_LINE_READ = 1 + MAX_ROWS + BLANK_ROWS_SLACK  # the header is line 1


def xlsx_bytes(cells: dict[tuple[int, int], object], *, rows: list[dict] = ()) -> bytes:
    """The header and `rows` from line 2 on, plus single cells at (row, column)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(COLUMNS))
    for values in rows:
        sheet.append([values[c] for c in COLUMNS])
    for (line, column), value in cells.items():
        sheet.cell(row=line, column=column, value=value)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


class WalkedTooFar(BaseException):
    """A BaseException, so the importer's handling of openpyxl's own errors cannot swallow it."""


@pytest.fixture
def cells_read(monkeypatch):
    """Counts the cells openpyxl's read-only sheet hands out, and stops a walk of the whole grid
    (a million rows of 16384 cells) long before it would keep the test busy for minutes."""
    count = {"cells": 0}
    budget = HEADER_SEARCH_ROWS * HEADER_SEARCH_COLUMNS + (LAST_LINE_READ + 1) * len(COLUMNS)
    original = ReadOnlyWorksheet._cells_by_row

    def counting(self, *args, **kwargs):
        for cells in original(self, *args, **kwargs):
            count["cells"] += len(cells)
            if count["cells"] > budget:
                raise WalkedTooFar(count["cells"])
            yield cells

    monkeypatch.setattr(ReadOnlyWorksheet, "_cells_by_row", counting)
    return count


def test_one_value_in_the_far_corner_of_a_sheet_is_refused_without_walking_the_grid(cells_read):
    content = xlsx_bytes({(1048576, 16384): "x"}, rows=[row(1)])
    assert len(content) < 10_000

    with pytest.raises(ImportFileError, match="lebih dari 6000 baris di bawah judul kolom, termasuk baris kosong"):
        rows_of(content, "daftar.xlsx")

    assert 0 < cells_read["cells"] <= HEADER_SEARCH_ROWS * HEADER_SEARCH_COLUMNS + (LAST_LINE_READ + 1) * len(COLUMNS)


def test_a_value_far_to_the_right_is_ignored_and_the_row_read(cells_read):
    content = xlsx_bytes({(2, 16384): "catatan"}, rows=[row(1)])

    rows = rows_of(content, "daftar.xlsx")

    assert [r.line for r in rows] == [2] and rows[0].values["nik"] == row(1)["nik"]
    assert cells_read["cells"] <= HEADER_SEARCH_ROWS * HEADER_SEARCH_COLUMNS + 2 * len(COLUMNS)


def test_an_xlsx_may_have_data_up_to_the_last_row_read_but_not_one_row_more(cells_read):
    last = {(LAST_LINE_READ, i + 1): row(2)[c] for i, c in enumerate(COLUMNS)}
    assert [r.line for r in rows_of(xlsx_bytes(last, rows=[row(1)]))] == [2, LAST_LINE_READ]

    cells_read["cells"] = 0  # the budget is one file's
    one_more = {(LAST_LINE_READ + 1, i + 1): row(2)[c] for i, c in enumerate(COLUMNS)}
    with pytest.raises(ImportFileError, match="termasuk baris kosong"):
        rows_of(xlsx_bytes(one_more, rows=[row(1)]))


def test_blank_rows_count_towards_the_rows_read_in_a_csv():
    gap = [None] * (MAX_ROWS + BLANK_ROWS_SLACK - 2)  # line 2 is data, the last line read is data again
    assert [r.line for r in rows_of(csv_bytes([row(1), *gap, row(2)]))] == [2, LAST_LINE_READ]

    with pytest.raises(ImportFileError, match="termasuk baris kosong"):
        rows_of(csv_bytes([row(1), *gap, None, row(2)]))


def test_a_million_blank_lines_in_a_csv_are_refused():
    content = csv_bytes([row(1)]) + b"\n" * 1_000_000 + b"7312044501900002\n"
    with pytest.raises(ImportFileError, match="termasuk baris kosong"):
        rows_of(content)


def test_a_csv_cell_of_4_mb_is_a_clear_refusal_not_a_server_error():
    content = csv_bytes([row(1, alamat="a" * (4 * 1024 * 1024))])
    with pytest.raises(ImportFileError, match="isian yang terlalu panjang"):
        rows_of(content)


def test_a_quote_never_closed_is_a_clear_refusal():
    content = csv_bytes([row(1)]) + b'"7312044501900002,' + b"x" * 200_000 + b"\n"
    with pytest.raises(ImportFileError, match="tanda kutip"):
        rows_of(content)


def test_the_header_is_looked_for_in_the_first_rows_only():
    content = b"\n" * HEADER_SEARCH_ROWS + csv_bytes([row(1)])
    with pytest.raises(ImportFileError, match=f"tidak ditemukan di {HEADER_SEARCH_ROWS} baris pertama"):
        rows_of(content)
    # A few blank lines above the header are fine, and the line numbers stay the sheet's.
    assert [r.line for r in rows_of(b"\n\n" + csv_bytes([row(1)]))] == [4]


def test_a_header_cell_past_the_columns_searched_does_not_count():
    header = ["keterangan"] * HEADER_SEARCH_COLUMNS + ["nik"]
    columns = [c for c in COLUMNS if c != "nik"]
    content = ",".join(columns + header[len(columns) :]).encode() + b"\n1,2,3\n"
    with pytest.raises(ImportFileError, match="Kolom wajib tidak ada: nik"):
        rows_of(content)


def test_an_xlsx_that_unpacks_to_too_much_is_refused_before_it_is_opened():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (60 * 1024 * 1024))
    content = out.getvalue()
    assert len(content) < sheets.MAX_BYTES

    with pytest.raises(ImportFileError, match="terlalu besar setelah dibuka"):
        rows_of(content, "daftar.xlsx")


@pytest.mark.parametrize("content", [b"PK\x03\x04" + bytes(range(256)) * 4, b"PK\x03\x04"])
def test_a_damaged_xlsx_is_refused_with_a_message(content):
    with pytest.raises(ImportFileError, match="Berkas Excel tidak bisa dibaca"):
        rows_of(content, "daftar.xlsx")


# --- the deadline -----------------------------------------------------------------------------


def ticking_deadline(ticks: int) -> Deadline:
    """A deadline that passes at the `ticks`-th look at the clock: one look per row."""
    clock = itertools.count().__next__
    return Deadline.after(ticks, clock=clock)


def test_rows_not_reached_before_the_deadline_are_reported_and_a_second_import_continues(agent_user):
    rows = rows_of(csv_bytes([row(1), row(2), row(3), row(4)]))

    first = import_farmers(user=agent_user, rows=rows, deadline=ticking_deadline(3))

    assert [n.line for n in first.imported] == [2, 3]
    assert [(n.line, n.nik, n.reason) for n in first.unprocessed] == [
        (4, row(3)["nik"], NOT_REACHED),
        (5, row(4)["nik"], NOT_REACHED),
    ]
    assert first.summary == "diimpor: 2, ditolak: 0, sudah ada: 0, belum diproses: 2"
    assert Farmer.objects.count() == 2

    again = import_farmers(user=agent_user, rows=rows)

    assert again.summary == "diimpor: 2, ditolak: 0, sudah ada: 2"
    assert Farmer.objects.count() == 4


def test_reading_past_the_deadline_is_refused():
    with pytest.raises(ImportFileError, match="terlalu lama dibaca"):
        importer.read_rows(io.BytesIO(csv_bytes([row(1), row(2), row(3)])), deadline=ticking_deadline(2))


def test_the_page_reports_the_rows_left_for_a_second_import(client, agent_user, monkeypatch):
    # Each row takes 20 s of a make-believe clock, against the page's 25 s.
    now = {"t": 0.0}
    clock = lambda: now["t"]  # noqa: E731
    monkeypatch.setattr(Deadline, "after", classmethod(lambda cls, seconds: cls(at=clock() + seconds, clock=clock)))
    import_row = importer._import_row_guarded

    def slow_row(row, context):
        import_row(row, context)
        now["t"] += 20

    monkeypatch.setattr(importer, "_import_row_guarded", slow_row)
    client.force_login(agent_user)
    payload = {
        "file": SimpleUploadedFile("daftar.csv", csv_bytes([row(1), row(2), row(3)]), content_type="text/csv"),
        "consent": "on",
    }

    page = client.post(reverse("enrollment:farmer_import"), payload, follow=True).content.decode()

    assert "diimpor: 2, ditolak: 0, sudah ada: 0, belum diproses: 1" in page
    assert "1 baris belum diproses (baris 4–4)" in page and "Impor ulang berkas yang sama" in page
    assert Farmer.objects.count() == 2


def test_the_page_refuses_a_sheet_with_a_far_away_cell(client, agent_user, cells_read):
    client.force_login(agent_user)
    content = xlsx_bytes({(1048576, 16384): "x"}, rows=[row(1)])
    payload = {"file": SimpleUploadedFile("daftar.xlsx", content), "consent": "on"}

    response = client.post(reverse("enrollment:farmer_import"), payload)

    assert response.status_code == 200
    assert "termasuk baris kosong" in response.content.decode()
    assert not Farmer.objects.exists()


# --- the command ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (csv_bytes([row(1, alamat="a" * (4 * 1024 * 1024))]), "isian yang terlalu panjang"),
        (csv_bytes([row(1)]) + b"\n" * 10_000 + b"x\n", "termasuk baris kosong"),
        (b"PK\x03\x04 bukan excel", "Berkas Excel tidak bisa dibaca"),
    ],
)
def test_the_command_ends_with_a_message_and_status_2_for_a_file_it_cannot_import(
    agent_user, tmp_path, content, message
):
    path = tmp_path / "daftar.csv"
    path.write_bytes(content)

    with pytest.raises(CommandError, match=message) as refused:
        call_command("import_petani", str(path), agent=agent_user.username)

    assert refused.value.returncode == 2
    assert not (tmp_path / "daftar.galat.csv").exists()
