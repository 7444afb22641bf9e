"""Bulk import of an agent's existing paper lists (CSV or XLSX), one farmer per row.

Each row goes through the same FarmerForm as the registration page and is saved by
services.farmer_register(), one transaction per row: a bad row is reported, never half-saved,
and never stops the rows after it. Importing the same file twice adds nothing, because a NIK
that is already registered counts as *sudah ada*.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, NamedTuple

from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import User
from enrollment import services
from enrollment.forms import FarmerForm, HeirForm
from enrollment.models import MIN_INCOME, Farmer, Occupation, Region, Relation
from enrollment.selectors import likely_duplicates, villages_for
from sutasoma.templatetags.formatting import masked_nik

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000

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

Cell = str | dt.date


class ImportFileError(ValueError):
    """The whole file is refused (too big, unreadable, columns missing); the message is for the agent."""


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
    dry_run: bool = False

    @property
    def summary(self) -> str:
        return f"diimpor: {len(self.imported)}, ditolak: {len(self.rejected)}, sudah ada: {len(self.existing)}"

    @property
    def problems(self) -> list[tuple[str, RowNote]]:
        """Rejections and warnings in file order, for one table."""
        notes = [("Ditolak", n) for n in self.rejected] + [("Peringatan", n) for n in self.warnings]
        return sorted(notes, key=lambda item: item[1].line)


# --- reading ----------------------------------------------------------------------------------


def read_rows(file_obj: IO[bytes], filename: str = "") -> list[Row]:
    """The data rows of a CSV or XLSX file, blank lines skipped. Raises ImportFileError."""
    content = file_obj.read(MAX_BYTES + 1)
    if len(content) > MAX_BYTES:
        raise ImportFileError("Berkas lebih dari 5 MB. Bagi menjadi beberapa berkas.")
    if not content.strip():
        raise ImportFileError("Berkas kosong.")
    # Decide by content, not by name: phones rename downloads, and an .xlsx is a ZIP archive.
    if content.startswith(b"PK\x03\x04"):
        lines = _xlsx_lines(content)
    elif content.startswith(b"\xd0\xcf\x11\xe0") or filename.lower().endswith(".xls"):
        raise ImportFileError("Format Excel lama (.xls) tidak didukung. Simpan sebagai .xlsx atau CSV.")
    else:
        lines = _csv_lines(content)
    return _rows(lines)


def _csv_lines(content: bytes) -> Iterator[list[Cell]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on Windows saves "CSV" in the ANSI code page, not UTF-8.
        text = content.decode("cp1252", errors="replace")
    header = next((line for line in text.splitlines() if line.strip()), "")
    # Excel in an Indonesian locale separates with ";" (the comma is the decimal mark there).
    delimiter = ";" if header.count(";") > header.count(",") else ","
    # csv yields one record per spreadsheet row (a blank line is an empty record), so counting
    # records gives the row number the agent sees, even with a line break inside quotes.
    yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _xlsx_lines(content: bytes) -> Iterator[list[Cell]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign ZIP
        raise ImportFileError("Berkas Excel tidak bisa dibaca. Simpan ulang sebagai .xlsx atau CSV.") from exc
    try:
        sheet = workbook.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield [_xlsx_cell(v) for v in values]
    finally:
        workbook.close()


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


def _rows(lines: Iterable[list[Cell]]) -> list[Row]:
    columns: list[str] | None = None
    rows: list[Row] = []
    for line, cells in enumerate(lines, start=1):
        if _is_blank(cells):
            continue
        if columns is None:
            columns = _header(cells)
            continue
        if len(rows) == MAX_ROWS:
            raise ImportFileError(f"Berkas berisi lebih dari {MAX_ROWS} baris. Bagi menjadi beberapa berkas.")
        rows.append(Row(line=line, values=_values(columns, cells)))
    if columns is None:
        raise ImportFileError("Berkas kosong.")
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


@dataclass
class _Context:
    user: User
    today: dt.date
    dry_run: bool
    village_codes: frozenset[str]
    report: ImportReport
    registered_niks: frozenset[str] = frozenset()
    seen_niks: set[str] = field(default_factory=set)
    seen_people: dict[tuple[str, dt.date], str] = field(default_factory=dict)


def import_farmers(*, user: User, rows: list[Row], dry_run: bool = False) -> ImportReport:
    """Validate every row and register the valid ones as `user`, each in its own transaction.

    Deliberately not wrapped in one transaction: a row saved stays saved, so a failure half-way
    loses nothing and importing the file again simply continues (the rest counts as *sudah ada*).
    """
    context = _Context(
        user=user,
        today=timezone.localdate(),
        dry_run=dry_run,
        village_codes=frozenset(villages_for(user).values_list("code", flat=True)),
        report=ImportReport(dry_run=dry_run),
        registered_niks=_registered_niks(rows),
    )
    for row in rows:
        _import_row(row, context)
    return context.report


def _registered_niks(rows: list[Row]) -> frozenset[str]:
    """The file's NIKs that are already registered, in a few queries instead of a form per row:
    re-importing a whole list then costs next to nothing. FarmerForm still checks each new one."""
    niks = list({_nik_digits(row.text("nik")) for row in rows})
    found: set[str] = set()
    for start in range(0, len(niks), 1000):
        found.update(Farmer.objects.filter(nik__in=niks[start : start + 1000]).values_list("nik", flat=True))
    return frozenset(found)


def _nik_digits(nik: str) -> str:
    # The same clean-up as FarmerForm's, so "7312 0445 0190 0001" matches the saved NIK.
    return re.sub(r"[\s.\-]", "", nik)


def _import_row(row: Row, context: _Context) -> None:
    report = context.report
    nik = row.text("nik")
    nik_digits = _nik_digits(nik)
    if nik_digits in context.registered_niks:
        report.existing.append(RowNote(row.line, nik, "NIK sudah terdaftar."))
        return
    if nik_digits in context.seen_niks:
        report.existing.append(RowNote(row.line, nik, "NIK ini sudah ada di baris sebelumnya dalam berkas."))
        return
    data, errors = _form_data(row, context)
    heir, heir_errors = _heir(row)
    form = FarmerForm(data=data, user=context.user, today=context.today, require_ktp=False, count_lookups=False)
    form.is_valid()
    if form.existing:
        report.existing.append(RowNote(row.line, nik, "NIK sudah terdaftar."))
        return
    errors = _merge_form_errors(errors, form) + heir_errors
    if errors or heir is None:
        report.rejected.append(RowNote(row.line, nik, " ".join(errors)))
        return
    if not context.dry_run and not _save(row, form, heir, context):
        return
    cleaned = form.cleaned_data
    context.seen_niks.add(cleaned["nik"])
    report.imported.append(RowNote(row.line, cleaned["nik"], cleaned["name"]))
    _warn_if_duplicate(row, cleaned, context)


def _save(row: Row, form: FarmerForm, heir: services.HeirData, context: _Context) -> bool:
    nik = form.cleaned_data["nik"]
    try:
        services.farmer_register(user=context.user, registration=form.registration([heir]))
    except services.NikAlreadyRegistered:
        # Saved by someone else between our check and our insert.
        context.report.existing.append(RowNote(row.line, nik, "NIK sudah terdaftar."))
        return False
    except ValidationError as exc:
        context.report.rejected.append(RowNote(row.line, nik, " ".join(_reasons(exc.message_dict))))
        return False
    return True


def _warn_if_duplicate(row: Row, cleaned: dict, context: _Context) -> None:
    # Imported anyway (two people may share a name and birthday), but the agent should look.
    name, birth_date, nik = cleaned["name"], cleaned["birth_date"], cleaned["nik"]
    # Masked: the other farmer may be outside this agent's desa, as on the registration page.
    others = [masked_nik(f.nik) for f in likely_duplicates(name=name, birth_date=birth_date, nik=nik)[:3]]
    earlier_in_file = context.seen_people.setdefault((name, birth_date), nik)
    if not others and earlier_in_file != nik:
        others = [masked_nik(earlier_in_file)]  # not saved yet in a dry run, so not in the database
    if others:
        context.report.warnings.append(
            RowNote(
                row.line,
                nik,
                f"Mungkin orang yang sama dengan NIK {', '.join(others)} (nama dan tanggal lahir sama). Periksa.",
            )
        )


# --- one row's values -------------------------------------------------------------------------


def _form_data(row: Row, context: _Context) -> tuple[dict[str, str], list[str]]:
    """FarmerForm's data from the row, and the errors of values the form cannot parse itself.

    A column with a parse error is sent empty; _merge_form_errors then drops the form's own
    "required" message for it, so each problem is told once.
    """
    errors: list[str] = []

    def parsed(column: str, parse: Callable[[Cell], str]) -> str:
        try:
            return parse(row.values.get(column, ""))
        except ValueError as exc:
            errors.append(f"{column}: {exc}")
            return ""

    data = {
        "nik": parsed("nik", _identity_number),
        "no_kk": parsed("no_kk", _identity_number),
        "name": row.text("nama"),
        "birth_place": row.text("tempat_lahir"),
        "birth_date": parsed("tanggal_lahir", _birth_date),
        "sex": parsed("jenis_kelamin", _sex),
        "address": row.text("alamat"),
        "rt": row.text("rt"),
        "rw": row.text("rw"),
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


def _text(value: Cell) -> str:
    return value.isoformat() if isinstance(value, dt.date) else value.strip()


def _identity_number(value: Cell) -> str:
    text = _text(value)
    if re.fullmatch(r"\d+([.,]\d+)?[eE]\+\d+", text):
        # Excel turned the number into 7,31204E+15 and lost its last digits for good.
        raise ValueError("tertulis sebagai angka ilmiah Excel (mis. 7,31E+15). Format kolom sebagai Teks, ketik ulang.")
    return text


DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%Y/%m/%d", "%d/%m/%Y")


def _birth_date(value: Cell) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    text = value.strip()
    if not text:
        raise ValueError("wajib diisi (TTTT-BB-HH atau HH-BB-TTTT).")
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date().isoformat()  # noqa: DTZ007 - a date, no time
        except ValueError:
            continue
    raise ValueError(f"format tanggal tidak dikenali ({text}); pakai TTTT-BB-HH atau HH-BB-TTTT, mis. 1990-01-05.")


SEXES = {"L": "L", "LAKI-LAKI": "L", "LK": "L", "P": "P", "PEREMPUAN": "P", "PR": "P"}


def _sex(value: Cell) -> str:
    text = _text(value).upper()
    if text not in SEXES:
        raise ValueError("isi L atau P.")
    return SEXES[text]


def _village(value: Cell, own_codes: frozenset[str]) -> str:
    digits = re.sub(r"\D", "", _text(value))
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
    text = _text(value)
    # A number cell drops the leading zero: 81234567890 was 081234567890 on paper.
    if text.isdigit() and text.startswith("8"):
        text = "0" + text
    return text


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
    text = _text(value)
    if _choice_key(text) not in OCCUPATIONS:
        allowed = ", ".join(label.lower() for label in Occupation.labels)
        problem = f"'{text}' tidak dikenal" if text else "wajib diisi"
        raise ValueError(f"{problem}; pilih salah satu: {allowed}.")
    return OCCUPATIONS[_choice_key(text)]


def _income(value: Cell) -> str:
    text = re.sub(r"^rp\.?", "", _text(value).lower()).strip()
    text = re.sub(r"[.,]00$", "", text)  # "1500000,00": cents that are never there
    if not text:
        return str(MIN_INCOME)
    digits = re.sub(r"[\s.,]", "", text)  # 1.500.000 with thousands dots
    if not digits.isdigit():
        raise ValueError(f"isi dengan angka rupiah, mis. 1500000 (tertulis {_text(value)}).")
    return digits


def _heir(row: Row) -> tuple[services.HeirData | None, list[str]]:
    """The one heir of the row. Required: a JKM benefit needs someone to go to."""
    name, relation_text = row.text("nama_ahli_waris"), row.text("hubungan_ahli_waris")
    errors = []
    if not name:
        errors.append("nama_ahli_waris: wajib diisi.")
    relation = RELATIONS.get(_choice_key(relation_text))
    if relation is None:
        allowed = ", ".join(v.lower() for v in Relation.values)
        errors.append(f"hubungan_ahli_waris: isi salah satu: {allowed}.")
    if errors:
        return None, errors
    form = HeirForm(data={"name": name, "relation": relation, "nik": ""})
    if not form.is_valid():
        return None, [f"ahli waris: {' '.join(m)}" for m in form.errors.values()]
    return form.heir(), []
