"""Reading a list of farmers from a CSV or XLSX file, safely: the one reader behind every upload
of a list (the farmer import, contributions' batch payments).

The file comes from anyone with a login, so reading it is bounded (bytes, rows read blank or
not, columns, unpacked size, time), the header is looked for near the top, and every problem
ends in an ImportFileError whose message is for the person who uploaded it. Each caller names
the columns it knows and those it needs; cells are handed out as read, to be normalised with
cell_line() before use.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import re
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, NamedTuple

from sutasoma.text import ascii_digits, normalise_line

MAX_MB = 5
MAX_BYTES = MAX_MB * 1024 * 1024
MAX_ROWS = 5000
TOO_BIG = f"Berkas lebih dari {MAX_MB} MB. Bagi menjadi beberapa berkas."
# Rows read after the header may be blank, but not without end: a stray value a million rows down
# would otherwise make the reader walk every row in between.
BLANK_ROWS_SLACK = 1000
# The header is looked for in the first rows and columns only; the data rows are then read only
# as wide as the last column the caller knows.
HEADER_SEARCH_ROWS = 50
HEADER_SEARCH_COLUMNS = 60
# No column of a paper list is longer (the address, 200, is the longest); checked before any
# further work on the text.
MAX_CELL_CHARS = 1000
# An .xlsx is a ZIP: 5 MB of it can unpack to gigabytes. A sheet of 5000 rows unpacks to well
# under 20 MB.
MAX_XLSX_UNPACKED = 50 * 1024 * 1024
# A web page reads and processes a file within this time, so one upload never holds a worker
# for long; the rows not reached are reported, and sending the same file again continues.
WEB_SECONDS = 25.0

XLSX_UNREADABLE = "Berkas Excel tidak bisa dibaca. Simpan ulang sebagai .xlsx atau CSV."

Cell = str | dt.date


class ImportFileError(ValueError):
    """The whole file is refused (too big, unreadable, columns missing); the message is for the user."""


@dataclass(frozen=True)
class Deadline:
    """A point in time after which reading and processing stop (time.monotonic by default)."""

    at: float
    clock: Callable[[], float] = time.monotonic

    @classmethod
    def after(cls, seconds: float, clock: Callable[[], float] = time.monotonic) -> Deadline:
        return cls(at=clock() + seconds, clock=clock)

    def passed(self) -> bool:
        return self.clock() >= self.at


@dataclass(frozen=True)
class Row:
    line: int  # the spreadsheet's row number; the header is line 1
    values: dict[str, Cell]

    def text(self, column: str) -> str:
        value = self.values.get(column, "")
        return value.isoformat() if isinstance(value, dt.date) else value


class RowNote(NamedTuple):
    """What became of one row, for a report: its line, its NIK as shown, and why."""

    line: int
    nik: str
    reason: str


@dataclass(frozen=True)
class _Columns:
    known: Sequence[str]
    required: Sequence[str]


def read_sheet(
    file_obj: IO[bytes],
    filename: str = "",
    *,
    columns: Sequence[str],
    required: Sequence[str],
    deadline: Deadline | None = None,
) -> list[Row]:
    """The data rows of a CSV or XLSX file, blank lines skipped, each with the values of the
    `columns` it has (others are ignored). Raises ImportFileError, e.g. when a `required`
    column is missing from the header."""
    layout = _Columns(known=tuple(columns), required=tuple(required))
    content = file_obj.read(MAX_BYTES + 1)
    if len(content) > MAX_BYTES:
        raise ImportFileError(TOO_BIG)
    if not content.strip():
        raise ImportFileError("Berkas kosong.")
    # Decide by content, not by name: phones rename downloads, and an .xlsx is a ZIP archive.
    if content.startswith(b"PK\x03\x04"):
        return _read_xlsx(content, layout, deadline)
    if content.startswith(b"\xd0\xcf\x11\xe0") or filename.lower().endswith(".xls"):
        raise ImportFileError("Format Excel lama (.xls) tidak didukung. Simpan sebagai .xlsx atau CSV.")
    return _read_csv(content, layout, deadline)


def _read_csv(content: bytes, layout: _Columns, deadline: Deadline | None) -> list[Row]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on Windows saves "CSV" in the ANSI code page, not UTF-8.
        text = content.decode("cp1252", errors="replace")
    # csv yields one record per spreadsheet row (a blank line is an empty record), so counting
    # records gives the row number the user sees, even with a line break inside quotes.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    records = _csv_records(reader)
    # One iterator for both: the data rows go on right after the header.
    header_line, columns = _find_header((cells[:HEADER_SEARCH_COLUMNS] for cells in records), layout)
    return _data_rows(records, header_line, columns, layout, deadline)


def _delimiter(text: str) -> str:
    # Excel in an Indonesian locale separates with ";" (the comma is the decimal mark there).
    for line in itertools.islice(io.StringIO(text), HEADER_SEARCH_ROWS):
        if line.strip():
            return ";" if line.count(";") > line.count(",") else ","
    return ","


def _csv_records(reader: Iterator[list[str]]) -> Iterator[list[Cell]]:
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            # Most often a quote never closed, which makes the rest of the file one huge cell.
            raise ImportFileError(
                'Berkas CSV tidak bisa dibaca: ada isian yang terlalu panjang atau tanda kutip (") yang tidak '
                "ditutup. Buka di Excel lalu simpan ulang sebagai CSV."
            ) from exc
        yield record


def _read_xlsx(content: bytes, layout: _Columns, deadline: Deadline | None) -> list[Row]:
    from openpyxl import load_workbook

    _check_unpacked_size(content)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
    except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign ZIP
        raise ImportFileError(XLSX_UNREADABLE) from exc
    try:
        # Always bounded in both directions: without max_col/max_row the read-only reader pads
        # every row to the sheet's stated size, a million rows of 16384 cells for one stray value.
        head = sheet.iter_rows(max_row=HEADER_SEARCH_ROWS, max_col=HEADER_SEARCH_COLUMNS, values_only=True)
        try:
            header_line, columns = _find_header(_xlsx_records(head), layout)
        finally:
            head.close()  # openpyxl keeps the sheet's XML open while the generator lives
        # One row past the limit: openpyxl pads up to max_row only when the sheet has a row beyond
        # it, so reaching that row means the file is too long, not that its data was cut short.
        body = sheet.iter_rows(
            min_row=header_line + 1, max_row=_row_limit(header_line) + 1, max_col=len(columns), values_only=True
        )
        return _data_rows(_xlsx_records(body), header_line, columns, layout, deadline)
    finally:
        workbook.close()


def _check_unpacked_size(content: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except Exception as exc:  # BadZipFile, and struct/value errors of a forged directory
        raise ImportFileError(XLSX_UNREADABLE) from exc
    # zipfile never unpacks more than the stated size, so the stated sizes bound the real work.
    if unpacked > MAX_XLSX_UNPACKED:
        raise ImportFileError("Berkas Excel terlalu besar setelah dibuka. Simpan hanya lembar daftar petani, atau CSV.")


def _xlsx_records(rows: Iterator[tuple]) -> Iterator[list[Cell]]:
    while True:
        try:
            values = next(rows)
            cells = [_xlsx_cell(v) for v in values]
        except StopIteration:
            return
        except Exception as exc:  # a damaged sheet fails only once its rows are parsed
            raise ImportFileError(XLSX_UNREADABLE) from exc
        yield cells


def _xlsx_cell(value: object) -> Cell:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, float) and value.is_integer():
        # A number column: 7312044501900001.0 is the NIK, 1000000.0 the income.
        return str(int(value))
    return str(value).strip()


def _row_limit(header_line: int) -> int:
    """The last row number read, blank or not."""
    return header_line + MAX_ROWS + BLANK_ROWS_SLACK


def _find_header(lines: Iterable[list[Cell]], layout: _Columns) -> tuple[int, list[str]]:
    """The header's row number and its column names, up to the last column the caller knows."""
    line = 0
    for line, cells in enumerate(itertools.islice(lines, HEADER_SEARCH_ROWS), start=1):
        if not _is_blank(cells):
            columns = _header(cells, layout)
            width = max(i for i, c in enumerate(columns) if c in layout.known) + 1
            return line, columns[:width]
    if line < HEADER_SEARCH_ROWS:
        raise ImportFileError("Berkas kosong.")
    raise ImportFileError(
        f"Baris judul kolom tidak ditemukan di {HEADER_SEARCH_ROWS} baris pertama. Hapus baris kosong di atasnya."
    )


def _data_rows(
    lines: Iterable[list[Cell]], header_line: int, columns: list[str], layout: _Columns, deadline: Deadline | None
) -> list[Row]:
    rows: list[Row] = []
    limit = _row_limit(header_line)
    for line, cells in enumerate(lines, start=header_line + 1):
        cells = cells[: len(columns)]  # as an .xlsx is read: a note beyond the last known column is no data
        if line > limit:
            raise ImportFileError(
                f"Berkas berisi lebih dari {MAX_ROWS + BLANK_ROWS_SLACK} baris di bawah judul kolom, termasuk "
                "baris kosong. Hapus baris di bawah daftar petani (juga yang tampak kosong), atau bagi menjadi "
                "beberapa berkas."
            )
        if deadline is not None and deadline.passed():
            raise ImportFileError("Berkas terlalu lama dibaca. Bagi menjadi beberapa berkas yang lebih kecil.")
        if _is_blank(cells):
            continue
        if len(rows) == MAX_ROWS:
            raise ImportFileError(f"Berkas berisi lebih dari {MAX_ROWS} baris. Bagi menjadi beberapa berkas.")
        rows.append(Row(line=line, values=_values(columns, cells, layout)))
    if not rows:
        raise ImportFileError("Berkas tidak berisi data petani di bawah baris judul kolom.")
    return rows


def _is_blank(cells: list[Cell]) -> bool:
    return all(isinstance(c, str) and not c.strip() for c in cells)


def _header(cells: list[Cell], layout: _Columns) -> list[str]:
    columns = [re.sub(r"\s+", "_", str(c).strip().lower()) for c in cells]
    missing = [c for c in layout.required if c not in columns]
    if missing:
        raise ImportFileError(
            f"Kolom wajib tidak ada: {', '.join(missing)}. "
            f"Baris pertama harus berisi judul kolom: {', '.join(layout.known)}."
        )
    return columns


def _values(columns: list[str], cells: list[Cell], layout: _Columns) -> dict[str, Cell]:
    values: dict[str, Cell] = {}
    for column, cell in zip(columns, cells, strict=False):
        if column in layout.known and column not in values:
            values[column] = cell.strip() if isinstance(cell, str) else cell
    return values


# --- cells ------------------------------------------------------------------------------------


def cell_line(value: Cell, *, upper: bool = False) -> str:
    """The cell as one clean line of text (sutasoma.text), or ValueError for the user."""
    text = value.isoformat() if isinstance(value, dt.date) else value
    if len(text) > MAX_CELL_CHARS:
        raise ValueError(f"terlalu panjang ({len(text)} karakter).")
    return normalise_line(text, upper=upper)


def nik_digits(value: Cell) -> str:
    """A NIK as written (`7312 0445…`, other scripts' digits) as 16 ASCII digits, or "" when it is not one."""
    try:
        nik = ascii_digits(cell_line(value))
    except ValueError:
        return ""
    return nik if len(nik) == 16 else ""


def row_nik(row: Row) -> str:
    return nik_digits(row.values.get("nik", ""))


def shown_nik(row: Row) -> str:
    """The NIK as a report shows it: its digits when it has only digits, else the text, cut short."""
    raw = row.text("nik")[:MAX_CELL_CHARS]
    try:
        return ascii_digits(cell_line(raw))[:32]
    except ValueError:
        pass
    try:
        return cell_line(raw)[:32]
    except ValueError:
        return ""
