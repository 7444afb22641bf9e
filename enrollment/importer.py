"""Bulk import of an agent's existing paper lists (CSV or XLSX), one farmer per row.

Each row goes through the same FarmerForm as the registration page and is saved by
services.farmer_register(), one transaction per row: a bad row is reported, never half-saved,
and never stops the rows after it. Importing the same file twice adds nothing, because a NIK
that is already registered counts as *sudah ada*.

The file comes from anyone with an agent's login, so reading it is bounded (bytes, rows read
blank or not, columns, unpacked size, time), every cell is normalised before it is used, and what
a row may tell about farmers outside the agent's area goes through the same per-user limits and
access log as the registration page.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import logging
import re
import time
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.models import Action
from audit.services import access_record, lookups_exhausted
from enrollment import services
from enrollment.forms import FarmerForm, HeirForm
from enrollment.models import MIN_INCOME, Farmer, Occupation, Relation
from enrollment.selectors import duplicates_for, farmers_for, likely_duplicates, nik_holder_for, villages_for
from sutasoma.formatting import masked_nik
from sutasoma.text import TextProblem, ascii_digits, normalise_line
from wilayah.models import Region

logger = logging.getLogger("sutasoma.import")

MAX_MB = 5
MAX_BYTES = MAX_MB * 1024 * 1024
MAX_ROWS = 5000
TOO_BIG = f"Berkas lebih dari {MAX_MB} MB. Bagi menjadi beberapa berkas."
# Rows read after the header may be blank, but not without end: a stray value a million rows down
# would otherwise make the reader walk every row in between.
BLANK_ROWS_SLACK = 1000
# The header is looked for in the first rows and columns only; the data rows are then read only
# as wide as the last column the importer knows.
HEADER_SEARCH_ROWS = 50
HEADER_SEARCH_COLUMNS = 60
# No column of a paper list is longer (the address, 200, is the longest); checked before any
# further work on the text.
MAX_CELL_CHARS = 1000
# An .xlsx is a ZIP: 5 MB of it can unpack to gigabytes. A sheet of 5000 rows unpacks to well
# under 20 MB.
MAX_XLSX_UNPACKED = 50 * 1024 * 1024
# The web page reads and checks within this time, so one upload never holds a worker for long;
# the rows not reached are reported, and importing the same file again continues where it stopped.
WEB_SECONDS = 25.0

COLUMNS = (
    "nik",
    "no_kk",
    "nama",
    "tempat_lahir",
    "tanggal_lahir",
    "jenis_kelamin",
    "alamat",
    "rt",
    "rw",
    "kode_desa",
    "no_hp",
    "pekerjaan",
    "penghasilan",
    "nama_ahli_waris",
    "hubungan_ahli_waris",
)
# RT/RW and the phone number are often missing on paper lists, and income has a default:
# a file without those columns is still a valid list.
OPTIONAL_COLUMNS = ("rt", "rw", "no_hp", "penghasilan")
REQUIRED_COLUMNS = tuple(c for c in COLUMNS if c not in OPTIONAL_COLUMNS)

# FarmerForm field -> the file's column, so a reason names what the agent sees in the sheet.
FIELD_COLUMNS = {
    "nik": "nik",
    "no_kk": "no_kk",
    "name": "nama",
    "birth_place": "tempat_lahir",
    "birth_date": "tanggal_lahir",
    "sex": "jenis_kelamin",
    "address": "alamat",
    "rt": "rt",
    "rw": "rw",
    "village": "kode_desa",
    "phone": "no_hp",
    "occupation": "pekerjaan",
    "income": "penghasilan",
}

NOT_REACHED = "belum diproses: batas waktu; impor ulang berkas yang sama untuk melanjutkan"
LIMIT_REACHED = "tidak dapat diperiksa sekarang: batas pemeriksaan tercapai, coba lagi nanti"
ROW_FAILED = "baris ini tidak bisa diproses; laporkan ke admin"
REGISTERED = "NIK sudah terdaftar."
REGISTERED_OUTSIDE = "NIK sudah terdaftar di luar wilayah Anda."
EARLIER_IN_FILE = "NIK ini sudah ada di baris sebelumnya dalam berkas."
DUPLICATE_OUTSIDE = (
    "Mungkin sudah terdaftar di luar wilayah Anda (nama dan tanggal lahir sama). Hubungi koordinator BPP."
)
XLSX_UNREADABLE = "Berkas Excel tidak bisa dibaca. Simpan ulang sebagai .xlsx atau CSV."

Cell = str | dt.date


class ImportFileError(ValueError):
    """The whole file is refused (too big, unreadable, columns missing); the message is for the agent."""


@dataclass(frozen=True)
class Deadline:
    """A point in time after which the import stops taking on rows (time.monotonic by default)."""

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
    line: int
    nik: str
    reason: str


@dataclass
class ImportReport:
    imported: list[RowNote] = field(default_factory=list)  # reason holds the farmer's name
    rejected: list[RowNote] = field(default_factory=list)
    existing: list[RowNote] = field(default_factory=list)
    warnings: list[RowNote] = field(default_factory=list)
    unprocessed: list[RowNote] = field(default_factory=list)  # not reached before the deadline
    dry_run: bool = False

    @property
    def summary(self) -> str:
        summary = f"diimpor: {len(self.imported)}, ditolak: {len(self.rejected)}, sudah ada: {len(self.existing)}"
        if self.unprocessed:
            summary += f", belum diproses: {len(self.unprocessed)}"
        return summary

    @property
    def problems(self) -> list[tuple[str, RowNote]]:
        """Rejections and warnings in file order, for one table."""
        notes = [("Ditolak", n) for n in self.rejected] + [("Peringatan", n) for n in self.warnings]
        return sorted(notes, key=lambda item: item[1].line)


# --- reading ----------------------------------------------------------------------------------


def read_rows(file_obj: IO[bytes], filename: str = "", *, deadline: Deadline | None = None) -> list[Row]:
    """The data rows of a CSV or XLSX file, blank lines skipped. Raises ImportFileError."""
    content = file_obj.read(MAX_BYTES + 1)
    if len(content) > MAX_BYTES:
        raise ImportFileError(TOO_BIG)
    if not content.strip():
        raise ImportFileError("Berkas kosong.")
    # Decide by content, not by name: phones rename downloads, and an .xlsx is a ZIP archive.
    if content.startswith(b"PK\x03\x04"):
        return _read_xlsx(content, deadline)
    if content.startswith(b"\xd0\xcf\x11\xe0") or filename.lower().endswith(".xls"):
        raise ImportFileError("Format Excel lama (.xls) tidak didukung. Simpan sebagai .xlsx atau CSV.")
    return _read_csv(content, deadline)


def _read_csv(content: bytes, deadline: Deadline | None) -> list[Row]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on Windows saves "CSV" in the ANSI code page, not UTF-8.
        text = content.decode("cp1252", errors="replace")
    # csv yields one record per spreadsheet row (a blank line is an empty record), so counting
    # records gives the row number the agent sees, even with a line break inside quotes.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    records = _csv_records(reader)
    # One iterator for both: the data rows go on right after the header.
    header_line, columns = _find_header(cells[:HEADER_SEARCH_COLUMNS] for cells in records)
    return _data_rows(records, header_line, columns, deadline)


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


def _read_xlsx(content: bytes, deadline: Deadline | None) -> list[Row]:
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
            header_line, columns = _find_header(_xlsx_records(head))
        finally:
            head.close()  # openpyxl keeps the sheet's XML open while the generator lives
        # One row past the limit: openpyxl pads up to max_row only when the sheet has a row beyond
        # it, so reaching that row means the file is too long, not that its data was cut short.
        body = sheet.iter_rows(
            min_row=header_line + 1, max_row=_row_limit(header_line) + 1, max_col=len(columns), values_only=True
        )
        return _data_rows(_xlsx_records(body), header_line, columns, deadline)
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


def _find_header(lines: Iterable[list[Cell]]) -> tuple[int, list[str]]:
    """The header's row number and its column names, up to the last column the importer knows."""
    line = 0
    for line, cells in enumerate(itertools.islice(lines, HEADER_SEARCH_ROWS), start=1):
        if not _is_blank(cells):
            columns = _header(cells)
            width = max(i for i, c in enumerate(columns) if c in COLUMNS) + 1
            return line, columns[:width]
    if line < HEADER_SEARCH_ROWS:
        raise ImportFileError("Berkas kosong.")
    raise ImportFileError(
        f"Baris judul kolom tidak ditemukan di {HEADER_SEARCH_ROWS} baris pertama. Hapus baris kosong di atasnya."
    )


def _data_rows(
    lines: Iterable[list[Cell]], header_line: int, columns: list[str], deadline: Deadline | None
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
        rows.append(Row(line=line, values=_values(columns, cells)))
    if not rows:
        raise ImportFileError("Berkas tidak berisi data petani di bawah baris judul kolom.")
    return rows


def _is_blank(cells: list[Cell]) -> bool:
    return all(isinstance(c, str) and not c.strip() for c in cells)


def _header(cells: list[Cell]) -> list[str]:
    columns = [re.sub(r"\s+", "_", str(c).strip().lower()) for c in cells]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise ImportFileError(
            f"Kolom wajib tidak ada: {', '.join(missing)}. "
            f"Baris pertama harus berisi judul kolom: {', '.join(COLUMNS)}."
        )
    return columns


def _values(columns: list[str], cells: list[Cell]) -> dict[str, Cell]:
    values: dict[str, Cell] = {}
    for column, cell in zip(columns, cells, strict=False):
        if column in COLUMNS and column not in values:
            values[column] = cell.strip() if isinstance(cell, str) else cell
    return values


# --- importing --------------------------------------------------------------------------------


class _Holder(NamedTuple):
    """Who holds a NIK: known to the importer, told to the agent only through _may_reveal()."""

    pk: int
    in_scope: bool


@dataclass
class _Context:
    user: User
    today: dt.date
    dry_run: bool
    village_codes: frozenset[str]
    report: ImportReport
    registered: dict[str, _Holder] = field(default_factory=dict)
    seen_niks: set[str] = field(default_factory=set)
    seen_people: dict[tuple[str, dt.date], str] = field(default_factory=dict)
    # Once the lookup limit is reached, every later row is refused alike: refusing only the rows
    # that match someone outside the area would still tell which rows do.
    limit_reached: bool = False


@dataclass
class _Outcome:
    """What one row adds to the report and to what later rows see; applied only if the row
    ran to its end, so a row that fails half-way leaves no trace but its own rejection."""

    notes: list[tuple[str, RowNote]] = field(default_factory=list)
    nik: str = ""  # accounted for (imported or registered): the same NIK later is *sudah ada*
    person: tuple[str, dt.date] | None = None  # name and birth date of an imported farmer

    def add(self, kind: str, line: int, nik: str, reason: str) -> _Outcome:
        self.notes.append((kind, RowNote(line, nik, reason)))
        return self


def import_farmers(
    *, user: User, rows: list[Row], dry_run: bool = False, deadline: Deadline | None = None
) -> ImportReport:
    """Validate every row and register the valid ones as `user`, each in its own transaction.

    Deliberately not wrapped in one transaction: a row saved stays saved, so a failure half-way
    or the deadline loses nothing and importing the file again simply continues (the rest
    counts as *sudah ada*).
    """
    context = _Context(
        user=user,
        today=timezone.localdate(),
        dry_run=dry_run,
        village_codes=frozenset(villages_for(user).values_list("code", flat=True)),
        report=ImportReport(dry_run=dry_run),
        registered=_registered_niks(user, rows),
        limit_reached=lookups_exhausted(user=user, action=Action.NIK_CHECK),
    )
    for index, row in enumerate(rows):
        if deadline is not None and deadline.passed():
            context.report.unprocessed = [RowNote(r.line, _shown_nik(r), NOT_REACHED) for r in rows[index:]]
            break
        _import_row_guarded(row, context)
    return context.report


def _registered_niks(user: User, rows: list[Row]) -> dict[str, _Holder]:
    """The file's NIKs that are already registered, in a few queries instead of a form per row:
    re-importing a whole list then costs next to nothing. FarmerForm still checks each new one.
    Whether a holder lies outside the user's area stays in here until _may_reveal() allows it."""
    niks = sorted({nik for row in rows if (nik := _nik(row))})
    found: dict[str, _Holder] = {}
    for start in range(0, len(niks), 1000):
        chunk = niks[start : start + 1000]
        mine = set(farmers_for(user).filter(nik__in=chunk).values_list("nik", flat=True))
        for nik, pk in Farmer.objects.filter(nik__in=chunk).values_list("nik", "pk"):
            found[nik] = _Holder(pk, nik in mine)
    return found


def _import_row_guarded(row: Row, context: _Context) -> None:
    try:
        with transaction.atomic():
            outcome = _import_row(row, context)
    except Exception:
        # Whatever the cause, the other rows go on; the traceback is for the admin, not the agent.
        logger.exception("Impor oleh pengguna %s: baris %s tidak bisa diproses.", context.user.pk, row.line)
        outcome = _Outcome().add("rejected", row.line, _shown_nik(row), ROW_FAILED)
    for kind, note in outcome.notes:
        getattr(context.report, kind).append(note)
    if outcome.nik:
        context.seen_niks.add(outcome.nik)
    if outcome.person:
        context.seen_people.setdefault(outcome.person, outcome.nik)


def _import_row(row: Row, context: _Context) -> _Outcome:
    outcome = _Outcome()
    shown = _shown_nik(row)
    if context.limit_reached:
        return outcome.add("rejected", row.line, shown, LIMIT_REACHED)
    nik = _nik(row)
    if nik in context.seen_niks:
        return outcome.add("existing", row.line, nik, EARLIER_IN_FILE)
    if nik in context.registered:
        return _already_registered(outcome, row, nik, context.registered[nik], context)
    data, errors = _form_data(row, context)
    heir, heir_errors = _heir(row)
    form = FarmerForm(data=data, user=context.user, today=context.today, require_ktp=False, count_lookups=False)
    form.is_valid()
    if form.existing and (holder := Farmer.objects.filter(nik=nik).first()):
        # Registered since the check before the first row.
        return _already_registered(outcome, row, nik, _holder(holder, context), context)
    errors = _merge_form_errors(errors, form) + heir_errors
    if errors or heir is None:
        return outcome.add("rejected", row.line, shown, " ".join(errors))
    cleaned = form.cleaned_data
    may_go_on, warning = _duplicate_warning(row, cleaned, context)
    if not may_go_on:
        return outcome.add("rejected", row.line, cleaned["nik"], LIMIT_REACHED)
    if not context.dry_run:
        try:
            services.farmer_register(user=context.user, registration=form.registration([heir]))
        except services.NikAlreadyRegistered as exc:  # saved by someone else a moment ago
            return _already_registered(outcome, row, cleaned["nik"], _holder(exc.farmer, context), context)
        except ValidationError as exc:
            return outcome.add("rejected", row.line, cleaned["nik"], " ".join(_reasons(exc.message_dict)))
    outcome.add("imported", row.line, cleaned["nik"], cleaned["name"])
    if warning:
        outcome.add("warnings", row.line, cleaned["nik"], warning)
    outcome.nik, outcome.person = cleaned["nik"], (cleaned["name"], cleaned["birth_date"])
    return outcome


def _holder(farmer: Farmer, context: _Context) -> _Holder:
    return _Holder(farmer.pk, bool(nik_holder_for(context.user, nik=farmer.nik).in_scope))


def _already_registered(outcome: _Outcome, row: Row, nik: str, holder: _Holder, context: _Context) -> _Outcome:
    if holder.in_scope:
        outcome.add("existing", row.line, nik, REGISTERED)
    elif _may_reveal(context, Action.NIK_CHECK, holder.pk, row):
        outcome.add("existing", row.line, nik, REGISTERED_OUTSIDE)
    else:
        return outcome.add("rejected", row.line, nik, LIMIT_REACHED)
    outcome.nik = nik
    return outcome


def _may_reveal(context: _Context, action: Action, pk: int, row: Row) -> bool:
    """Whether the agent may be told of a farmer outside their area; if so, it is logged.

    A list of made-up rows would otherwise test NIKs, or names and birth dates, by the thousand:
    the same per-user limit as a NIK typed on the registration page.
    """
    if context.limit_reached or lookups_exhausted(user=context.user, action=action):
        context.limit_reached = True
        return False
    access_record(user=context.user, action=action, subject=f"petani:{pk}", detail=f"impor baris {row.line}")
    return True


def _duplicate_warning(row: Row, cleaned: dict, context: _Context) -> tuple[bool, str]:
    """Whether the row may be imported, and the warning to go with it.

    Imported anyway (two people may share a name and birthday), but the agent should look. A
    match in the agent's own area is named by its masked NIK; one outside only as a hint, since
    the name, birth date and a masked NIK together give away the whole NIK.
    """
    name, birth_date, nik = cleaned["name"], cleaned["birth_date"], cleaned["nik"]
    matches = duplicates_for(context.user, name=name, birth_date=birth_date, nik=nik)
    others = [masked_nik(f.nik) for f in matches.in_scope]
    earlier_in_file = context.seen_people.get((name, birth_date))
    if not others and earlier_in_file and earlier_in_file != nik:
        others = [masked_nik(earlier_in_file)]  # not saved yet in a dry run, so not in the database
    sentences = []
    if others:
        niks = ", ".join(others)
        sentences.append(f"Mungkin orang yang sama dengan NIK {niks} (nama dan tanggal lahir sama). Periksa.")
    if matches.outside:
        outside = (
            likely_duplicates(name=name, birth_date=birth_date, nik=nik)
            .exclude(pk__in=farmers_for(context.user).values("pk"))
            .order_by("pk")
            .values_list("pk", flat=True)
            .first()
        )
        if outside is not None:
            if not _may_reveal(context, Action.DUPLICATE_CHECK, outside, row):
                return False, ""
            sentences.append(DUPLICATE_OUTSIDE)
    return True, " ".join(sentences)


# --- one row's values -------------------------------------------------------------------------


def _form_data(row: Row, context: _Context) -> tuple[dict[str, str], list[str]]:
    """FarmerForm's data from the row, every cell normalised, and the errors of values the form
    cannot parse itself.

    A column with a parse error is sent empty; _merge_form_errors then drops the form's own
    "required" message for it, so each problem is told once.
    """
    errors: list[str] = []

    def parsed(column: str, parse: Callable[[Cell], str]) -> str:
        try:
            return parse(row.values.get(column, ""))
        except ValueError as exc:  # TextProblem included
            errors.append(f"{column}: {exc}")
            return ""

    data = {
        "nik": parsed("nik", _identity_number),
        "no_kk": parsed("no_kk", _identity_number),
        # Uppercased here, as the form will, so the length checked is the length saved ("ß" is "SS").
        "name": parsed("nama", _upper_line),
        "birth_place": parsed("tempat_lahir", _upper_line),
        "birth_date": parsed("tanggal_lahir", _birth_date),
        "sex": parsed("jenis_kelamin", _sex),
        "address": parsed("alamat", _line),
        "rt": parsed("rt", _small_number),
        "rw": parsed("rw", _small_number),
        "village": parsed("kode_desa", lambda v: _village(v, context.village_codes)),
        "phone": parsed("no_hp", _phone),
        "occupation": parsed("pekerjaan", _occupation),
        "farmer_group": "",
        "income": parsed("penghasilan", _income),
        # The uploader confirms consent for the whole list on the upload form.
        "consent": "on",
        # Likely duplicates are imported and reported as warnings, not blocked.
        "confirm_not_duplicate": "on",
    }
    return data, errors


def _merge_form_errors(errors: list[str], form: FarmerForm) -> list[str]:
    already = {e.split(":", 1)[0] for e in errors}
    reported = {name: messages for name, messages in form.errors.items() if FIELD_COLUMNS.get(name) not in already}
    return errors + _reasons(reported)


def _reasons(message_dict: dict[str, list[str]]) -> list[str]:
    """`kolom: pesan` for each field; errors of no single field (e.g. `__all__`) without a prefix."""
    reasons = []
    for name, messages in message_dict.items():
        column, text = FIELD_COLUMNS.get(name), " ".join(messages)
        reasons.append(f"{column}: {text}" if column else text)
    return reasons


def _line(value: Cell, *, upper: bool = False) -> str:
    """The cell as one clean line of text (sutasoma.text), or ValueError for the agent."""
    text = value.isoformat() if isinstance(value, dt.date) else value
    if len(text) > MAX_CELL_CHARS:
        raise ValueError(f"terlalu panjang ({len(text)} karakter).")
    return normalise_line(text, upper=upper)


def _upper_line(value: Cell) -> str:
    return _line(value, upper=True)


def _shown(text: str) -> str:
    """A cell quoted back in a reason: short, and already normalised."""
    return text if len(text) <= 40 else text[:40] + "…"


def _nik(row: Row) -> str:
    """The row's NIK as 16 ASCII digits, or "" when it is not one (the form then says why)."""
    try:
        nik = ascii_digits(_line(row.values.get("nik", "")))
    except ValueError:
        return ""
    return nik if len(nik) == 16 else ""


def _shown_nik(row: Row) -> str:
    """The NIK as the report shows it: its digits when it has only digits, else the text, cut short."""
    raw = row.text("nik")[:MAX_CELL_CHARS]
    try:
        return ascii_digits(_line(raw))[:32]
    except ValueError:
        pass
    try:
        return _line(raw)[:32]
    except ValueError:
        return ""


def _identity_number(value: Cell) -> str:
    text = _line(value)
    if re.fullmatch(r"\d+([.,]\d+)?[eE]\+\d+", text):
        # Excel turned the number into 7,31204E+15 and lost its last digits for good.
        raise ValueError("tertulis sebagai angka ilmiah Excel (mis. 7,31E+15). Format kolom sebagai Teks, ketik ulang.")
    try:
        return ascii_digits(text)
    except TextProblem:
        problem = f"hanya boleh berisi angka, spasi, titik atau tanda hubung (tertulis {_shown(text)})."
        raise ValueError(problem) from None


def _small_number(value: Cell) -> str:
    text = _line(value)
    try:
        return ascii_digits(text)
    except TextProblem:
        raise ValueError("isi dengan angka, paling banyak 3 angka.") from None


def _with_ascii_digits(text: str) -> str:
    """`١٩٩٠-٠١-٠٥` or `１９９０-０１-０５` as `1990-01-05`; other characters unchanged."""
    return "".join(str(d) if (d := unicodedata.decimal(ch, None)) is not None else ch for ch in text)


DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%Y/%m/%d", "%d/%m/%Y")


def _birth_date(value: Cell) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    text = _with_ascii_digits(_line(value))
    if not text:
        raise ValueError("wajib diisi (TTTT-BB-HH atau HH-BB-TTTT).")
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date().isoformat()  # noqa: DTZ007 - a date, no time
        except ValueError:
            continue
    raise ValueError(
        f"format tanggal tidak dikenali ({_shown(text)}); pakai TTTT-BB-HH atau HH-BB-TTTT, mis. 1990-01-05."
    )


SEXES = {"L": "L", "LAKI-LAKI": "L", "LK": "L", "P": "P", "PEREMPUAN": "P", "PR": "P"}


def _sex(value: Cell) -> str:
    text = _line(value, upper=True)
    if text not in SEXES:
        raise ValueError("isi L atau P.")
    return SEXES[text]


def _village(value: Cell, own_codes: frozenset[str]) -> str:
    try:
        digits = ascii_digits(_line(value))
    except TextProblem:
        digits = ""
    if len(digits) != 10:
        raise ValueError("harus 10 angka kode desa Kemendagri, mis. 73.12.04.2009.")
    code = f"{digits[0:2]}.{digits[2:4]}.{digits[4:6]}.{digits[6:10]}"
    if code not in own_codes:
        village = Region.objects.filter(code=code, level=Region.Level.DESA).first()
        if village is None:
            raise ValueError(f"kode desa {code} tidak dikenal.")
        raise ValueError(f"{village} ({code}) bukan desa tugas Anda.")
    return code


def _phone(value: Cell) -> str:
    text = _line(value)
    plus = text.startswith("+")
    try:
        digits = ascii_digits(text[1:] if plus else text, separators=" .-()")
    except TextProblem:
        raise ValueError("isi dengan angka, mis. 081234567890.") from None
    if plus:
        return "+" + digits  # +62…: the form turns it into 0…
    # A number cell drops the leading zero: 81234567890 was 081234567890 on paper.
    return "0" + digits if digits.startswith("8") else digits


def _choices_lookup(choices: Iterable[tuple[str, str]]) -> dict[str, str]:
    lookup = {}
    for value, label in choices:
        lookup[_choice_key(value)] = value
        lookup[_choice_key(label)] = value
    return lookup


def _choice_key(text: str) -> str:
    return " ".join(text.lower().replace("_", " ").split())


OCCUPATIONS = _choices_lookup(Occupation.choices)
RELATIONS = {**_choices_lookup(Relation.choices), "saudara": Relation.SAUDARA}


def _occupation(value: Cell) -> str:
    text = _line(value)
    if _choice_key(text) not in OCCUPATIONS:
        allowed = ", ".join(label.lower() for label in Occupation.labels)
        problem = f"'{_shown(text)}' tidak dikenal" if text else "wajib diisi"
        raise ValueError(f"{problem}; pilih salah satu: {allowed}.")
    return OCCUPATIONS[_choice_key(text)]


def _income(value: Cell) -> str:
    written = _line(value)
    text = re.sub(r"^rp\.?", "", written.lower()).strip()
    text = re.sub(r"[.,]00$", "", text)  # "1500000,00": cents that are never there
    if not text:
        return str(MIN_INCOME)
    try:
        digits = ascii_digits(text, separators=" .,")  # 1.500.000 with thousands dots
    except TextProblem:
        digits = ""
    if not digits:
        raise ValueError(f"isi dengan angka rupiah, mis. 1500000 (tertulis {_shown(written)}).")
    return digits


def _heir(row: Row) -> tuple[services.HeirData | None, list[str]]:
    """The one heir of the row. Required: a JKM benefit needs someone to go to."""
    errors = []
    try:
        # Uppercased before HeirForm checks the length: HeirData holds the uppercased name.
        name = _line(row.values.get("nama_ahli_waris", ""), upper=True)
    except ValueError as exc:
        errors.append(f"nama_ahli_waris: {exc}")
    else:
        if not name:
            errors.append("nama_ahli_waris: wajib diisi.")
    try:
        relation = RELATIONS.get(_choice_key(_line(row.values.get("hubungan_ahli_waris", ""))))
    except ValueError:
        relation = None
    if relation is None:
        allowed = ", ".join(v.lower() for v in Relation.values)
        errors.append(f"hubungan_ahli_waris: isi salah satu: {allowed}.")
    if errors:
        return None, errors
    form = HeirForm(data={"name": name, "relation": relation, "nik": ""})
    if not form.is_valid():
        return None, [f"ahli waris: {' '.join(m)}" for m in form.errors.values()]
    return form.heir(), []
