"""Bulk import of an agent's existing paper lists (CSV or XLSX), one farmer per row.

Each row goes through the same FarmerForm as the registration page (one form bound to each row
in turn) and the checked rows are saved a batch at a time by services.farmers_register_new(), or
one by one by services.farmer_register() when a batch cannot be saved whole: a bad row is
reported, never half-saved, and never stops the rows after it. Importing the same file twice
adds nothing, because a NIK that is already registered counts as *sudah ada*.

The file comes from anyone with an agent's login, so it is read by the bounded reader of
enrollment/sheets.py, every cell is normalised before it is used, and what a row may tell about
farmers outside the agent's area goes through the same per-user limits and access log as the
registration page.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import unicodedata
from collections.abc import Callable, Container, Iterable
from dataclasses import dataclass, field
from typing import IO, NamedTuple

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Upper
from django.utils import timezone

from accounts.models import User
from audit.models import Action
from audit.services import access_record, lookups_left
from enrollment import services
from enrollment.forms import FarmerForm, HeirForm
from enrollment.models import MIN_INCOME, Farmer, Occupation, Relation
from enrollment.selectors import Matches, likely_duplicates, nik_holder_for, villages_for
from enrollment.sheets import Cell, Deadline, Row, RowNote, cell_line, read_sheet, row_nik, shown_nik
from sutasoma.formatting import masked_nik
from sutasoma.text import TextProblem, ascii_digits
from wilayah.models import Region

logger = logging.getLogger("sutasoma.import")

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


NOTE_KINDS = ("imported", "rejected", "existing", "warnings", "unprocessed")


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

    def as_json(self) -> dict:
        return {kind: [list(note) for note in getattr(self, kind)] for kind in NOTE_KINDS} | {"dry_run": self.dry_run}

    @classmethod
    def from_json(cls, data: dict) -> ImportReport:
        notes = {kind: [RowNote(*note) for note in data.get(kind, [])] for kind in NOTE_KINDS}
        return cls(**notes, dry_run=bool(data.get("dry_run")))

    @property
    def problems(self) -> list[tuple[str, RowNote]]:
        """Rejections and warnings in file order, for one table."""
        notes = [("Ditolak", n) for n in self.rejected] + [("Peringatan", n) for n in self.warnings]
        return sorted(notes, key=lambda item: item[1].line)


# --- reading ---------------------------------------------------------------------------------


def read_rows(file_obj: IO[bytes], filename: str = "", *, deadline: Deadline | None = None) -> list[Row]:
    """The data rows of a list of farmers. Raises ImportFileError."""
    return read_sheet(file_obj, filename, columns=COLUMNS, required=REQUIRED_COLUMNS, deadline=deadline)


# --- importing --------------------------------------------------------------------------------

# Rows checked one by one and then saved together: one insert per table and one outbox write
# per batch, and what the checks look up (NIKs, likely duplicates, the lookup count) fetched once
# per batch. Large enough that the round trips vanish, small enough to report progress often.
BATCH_ROWS = 500


class _Holder(NamedTuple):
    """Who holds a NIK: known to the importer, told to the agent only through _may_reveal()."""

    pk: int
    in_scope: bool


class _Person(NamedTuple):
    """A registered farmer with a row's name and birth date; told only through _duplicate_warning()."""

    pk: int
    nik: str
    in_scope: bool


@dataclass
class _Outcome:
    """What one row adds to the report and to what later rows see; applied only if the row
    ran to its end, so a row that fails half-way leaves no trace but its own rejection."""

    notes: list[tuple[str, RowNote]] = field(default_factory=list)
    nik: str = ""  # accounted for (imported or registered): the same NIK later is *sudah ada*
    person: tuple[str, dt.date] | None = None  # name and birth date of an imported farmer
    registration: services.Registration | None = None  # to save with the batch; its notes wait till then
    reveals: list[tuple[Action, int]] = field(default_factory=list)  # what the agent is told of, to log

    def add(self, kind: str, line: int, nik: str, reason: str) -> _Outcome:
        self.notes.append((kind, RowNote(line, nik, reason)))
        return self


@dataclass
class _Pending:
    row: Row
    outcome: _Outcome


@dataclass
class _Context:
    user: User
    dry_run: bool
    villages: dict[str, Region]  # the user's own, by code
    report: ImportReport
    lookups_left: dict[Action, int]
    # Once the lookup limit is reached, every later row is refused alike: refusing only the rows
    # that match someone outside the area would still tell which rows do.
    limit_reached: bool
    form: _RowForm  # one for all rows (_BoundToEachRow)
    heir_form: _RowHeirForm
    registered: dict[str, _Holder] = field(default_factory=dict)  # of the batch's NIKs
    people: dict[tuple[str, dt.date], list[_Person]] = field(default_factory=dict)  # of the batch's rows
    seen_niks: set[str] = field(default_factory=set)
    seen_people: dict[tuple[str, dt.date], str] = field(default_factory=dict)
    pending: list[_Pending] = field(default_factory=list)
    pending_people: dict[tuple[str, dt.date], list[str]] = field(default_factory=dict)


def import_farmers(
    *,
    user: User,
    rows: list[Row],
    dry_run: bool = False,
    deadline: Deadline | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Check every row and register the valid ones as `user`, a batch at a time.

    Deliberately not one transaction: a batch saved stays saved, so a failure half-way or the
    deadline loses nothing and importing the file again simply continues (the rest counts as
    *sudah ada*). Within a batch a bad row is refused alone; if saving the batch at once fails
    (a NIK registered by someone else meanwhile), its rows are saved one by one. `progress` is
    told the number of rows done after each batch.
    """
    actions = [Action.NIK_CHECK, Action.DUPLICATE_CHECK]
    left = lookups_left(user=user, actions=actions)
    villages = {v.code: v for v in villages_for(user)}
    context = _Context(
        user=user,
        dry_run=dry_run,
        villages=villages,
        report=ImportReport(dry_run=dry_run),
        lookups_left=left,
        limit_reached=left[Action.NIK_CHECK] <= 0,
        form=_RowForm(data={}, user=user, today=timezone.localdate(), villages=villages),
        heir_form=_RowHeirForm(data={}),
    )
    for start in range(0, len(rows), BATCH_ROWS):
        batch = rows[start : start + BATCH_ROWS]
        context.registered = _registered_niks(batch, context)
        context.people = _people(batch, context)
        if start:
            context.lookups_left = lookups_left(user=user, actions=actions)  # checks made elsewhere meanwhile
        for index, row in enumerate(batch, start=start):
            if deadline is not None and deadline.passed():
                context.report.unprocessed = [RowNote(r.line, shown_nik(r), NOT_REACHED) for r in rows[index:]]
                break
            _import_row_guarded(row, context)
        _save_pending(context)
        if context.report.unprocessed:
            break
        if progress is not None:
            progress(start + len(batch))
    for kind in NOTE_KINDS:
        getattr(context.report, kind).sort(
            key=lambda note: note.line
        )  # a batch saved row by row reports after the rows it checked
    return context.report


def _registered_niks(rows: list[Row], context: _Context) -> dict[str, _Holder]:
    """The rows' NIKs that are already registered, in one query instead of a form per row:
    re-importing a whole list then costs next to nothing. One registered later is caught by the
    unique index when the batch is saved. Whether a holder lies outside the user's area (their
    desa, as in _people()) stays in here until _may_reveal() allows it."""
    niks = sorted({nik for row in rows if (nik := row_nik(row))})
    holders = Farmer.objects.filter(nik__in=niks).values_list("nik", "pk", "village_id")
    return {nik: _Holder(pk, village in context.villages) for nik, pk, village in holders}


def _people(rows: list[Row], context: _Context) -> dict[tuple[str, dt.date], list[_Person]]:
    """Registered farmers with a row's name and birth date, in one query (likely_duplicates()'s
    match, for the whole batch). A row whose name or date does not read is left out: the form
    refuses it before any duplicate is looked for."""
    keys = set()
    for row in rows:
        try:
            birth_date = _birth_date(row.values.get("tanggal_lahir", ""))
            keys.add((_upper_line(row.values.get("nama", "")), birth_date))
        except ValueError:
            continue
    people: dict[tuple[str, dt.date], list[_Person]] = {key: [] for key in keys}
    if not keys:
        return people
    found = (
        Farmer.objects.annotate(upper_name=Upper("name"))
        .filter(upper_name__in={name for name, _ in keys}, birth_date__in={birth for _, birth in keys})
        .order_by("pk")
        .values_list("pk", "nik", "upper_name", "birth_date", "village_id")
    )
    for pk, nik, name, birth_date, village in found:
        if (name, birth_date) in people:
            people[(name, birth_date)].append(_Person(pk, nik, village in context.villages))
    return people


def _import_row_guarded(row: Row, context: _Context) -> None:
    outcome = _guarded(row, context, lambda: _import_row(row, context))
    if outcome.registration is not None:
        context.pending.append(_Pending(row, outcome))
        context.pending_people.setdefault(outcome.person, []).append(outcome.nik)
    else:
        _report(outcome, context)
    if outcome.nik:
        context.seen_niks.add(outcome.nik)
    if outcome.person:
        context.seen_people.setdefault(outcome.person, outcome.nik)


def _guarded(row: Row, context: _Context, step: Callable[[], _Outcome]) -> _Outcome:
    """The row's outcome, its reveals logged; whatever goes wrong, the other rows go on."""
    try:
        outcome = step()
        if outcome.reveals:
            with transaction.atomic():
                for action, pk in outcome.reveals:
                    access_record(
                        user=context.user, action=action, subject=f"petani:{pk}", detail=f"impor baris {row.line}"
                    )
            for action, _ in outcome.reveals:
                context.lookups_left[action] -= 1
    except Exception:
        # The traceback is for the admin, not the agent.
        logger.exception("Impor oleh pengguna %s: baris %s tidak bisa diproses.", context.user.pk, row.line)
        outcome = _Outcome().add("rejected", row.line, shown_nik(row), ROW_FAILED)
    return outcome


def _report(outcome: _Outcome, context: _Context) -> None:
    for kind, note in outcome.notes:
        getattr(context.report, kind).append(note)


def _save_pending(context: _Context) -> None:
    """Save the batch's checked rows at once; if that fails, one by one, so that a row's own
    problem (most often its NIK registered by someone else meanwhile) is told on its line."""
    pending, context.pending, context.pending_people = context.pending, [], {}
    if not pending:
        return
    try:
        with transaction.atomic():
            services.farmers_register_new(user=context.user, registrations=[p.outcome.registration for p in pending])
    except Exception:
        logger.info("Impor oleh pengguna %s: satu kelompok disimpan baris per baris.", context.user.pk, exc_info=True)
        for p in pending:
            _report(_guarded(p.row, context, lambda p=p: _register_one(p, context)), context)
        return
    for p in pending:
        _report(p.outcome, context)


def _register_one(pending: _Pending, context: _Context) -> _Outcome:
    row, registration, outcome = pending.row, pending.outcome.registration, _Outcome()
    nik = registration.fields["nik"]
    try:
        with transaction.atomic():
            services.farmer_register(user=context.user, registration=registration)
    except services.NikAlreadyRegistered as exc:  # saved by someone else a moment ago
        return _already_registered(outcome, row, nik, _holder(exc.farmer, context), context)
    except ValidationError as exc:
        return outcome.add("rejected", row.line, nik, " ".join(_reasons(exc.message_dict)))
    return pending.outcome


def _import_row(row: Row, context: _Context) -> _Outcome:
    outcome = _Outcome()
    shown = shown_nik(row)
    if context.limit_reached:
        return outcome.add("rejected", row.line, shown, LIMIT_REACHED)
    nik = row_nik(row)
    if nik in context.seen_niks:
        return outcome.add("existing", row.line, nik, EARLIER_IN_FILE)
    if nik in context.registered:
        return _already_registered(outcome, row, nik, context.registered[nik], context)
    data, errors = _form_data(row, context)
    heir, heir_errors = _heir(row, context.heir_form)
    form = context.form
    form.check(data)
    errors = _merge_form_errors(errors, form) + heir_errors
    if errors or heir is None:
        return outcome.add("rejected", row.line, shown, " ".join(errors))
    cleaned = form.cleaned_data
    may_go_on, warning = _duplicate_warning(row, cleaned, context, outcome)
    if not may_go_on:
        return outcome.add("rejected", row.line, cleaned["nik"], LIMIT_REACHED)
    outcome.add("imported", row.line, cleaned["nik"], cleaned["name"])
    if warning:
        outcome.add("warnings", row.line, cleaned["nik"], warning)
    outcome.nik, outcome.person = cleaned["nik"], (cleaned["name"], cleaned["birth_date"])
    if not context.dry_run:
        outcome.registration = form.registration([heir])
    return outcome


class _KnownVillageField(forms.Field):
    """The desa, found among the user's own, fetched once per file (not a query per row)."""

    villages: dict[str, Region] = {}  # noqa: RUF012 - set per form, by _RowForm

    def to_python(self, value: object) -> Region | None:
        if value in self.empty_values:
            return None
        if (village := self.villages.get(str(value))) is None:
            raise ValidationError("Pilih desa/kelurahan tugas Anda.", code="invalid_choice")
        return village


class _BoundToEachRow:
    """A form bound to one row after another: building a form for each row (its fields copied,
    its bound fields made) was a third of a row's checks. Nothing of one row stays for the next:
    every check makes the errors and the cleaned data anew, and what FarmerForm keeps of a row
    besides (holders, duplicates, a KTP) is never found for an imported one."""

    def check(self, data: dict) -> bool:
        self.data, self._errors = data, None
        return self.is_valid()


class _RowForm(_BoundToEachRow, FarmerForm):
    """FarmerForm for the rows of a file, without a query of its own: the importer looks up for
    the whole batch what the form would look up for each row."""

    # Declared, so that ModelForm builds no queryset of desa for each row.
    village = _KnownVillageField()

    def __init__(self, *args, villages: dict[str, Region], **kwargs) -> None:
        self.villages = villages
        super().__init__(*args, require_ktp=False, count_lookups=False, **kwargs)

    def _village_choices(self, user: User) -> None:
        self.fields["village"].villages = self.villages

    def _holders(self, nik: str) -> Matches:
        return Matches(in_scope=[], outside=0)  # a registered NIK never reaches the form (_import_row)

    def _post_clean(self) -> None:
        # No model instance per row: the fields above hold every check the model's would add, the
        # NIK is checked per batch (_registered_niks) and by the unique index, and the service
        # that saves the batch validates each farmer again (services.farmers_register_new).
        pass


class _RowHeirForm(_BoundToEachRow, HeirForm):
    """HeirForm for the rows of a file, never rendered."""


def _holder(farmer: Farmer, context: _Context) -> _Holder:
    return _Holder(farmer.pk, bool(nik_holder_for(context.user, nik=farmer.nik).in_scope))


def _already_registered(outcome: _Outcome, row: Row, nik: str, holder: _Holder, context: _Context) -> _Outcome:
    if holder.in_scope:
        outcome.add("existing", row.line, nik, REGISTERED)
    elif _may_reveal(context, Action.NIK_CHECK, holder.pk, outcome):
        outcome.add("existing", row.line, nik, REGISTERED_OUTSIDE)
    else:
        return outcome.add("rejected", row.line, nik, LIMIT_REACHED)
    outcome.nik = nik
    return outcome


def _may_reveal(context: _Context, action: Action, pk: int, outcome: _Outcome) -> bool:
    """Whether the agent may be told of a farmer outside their area; if so, it is logged with the row.

    A list of made-up rows would otherwise test NIKs, or names and birth dates, by the thousand:
    the same per-user limit as a NIK typed on the registration page.
    """
    if context.limit_reached or context.lookups_left[action] <= 0:
        context.limit_reached = True
        return False
    outcome.reveals.append((action, pk))
    return True


def _duplicate_warning(row: Row, cleaned: dict, context: _Context, outcome: _Outcome) -> tuple[bool, str]:
    """Whether the row may be imported, and the warning to go with it.

    Imported anyway (two people may share a name and birthday), but the agent should look. A
    match in the agent's own area is named by its masked NIK; one outside only as a hint, since
    the name, birth date and a masked NIK together give away the whole NIK.
    """
    name, birth_date, nik = cleaned["name"], cleaned["birth_date"], cleaned["nik"]
    person = (name, birth_date)
    if person in context.people:
        found = [p for p in context.people[person] if p.nik != nik]
    else:  # a name the form reads otherwise than _people() did: looked up alone
        found = [
            _Person(pk, match_nik, village in context.villages)
            for pk, match_nik, village in likely_duplicates(name=name, birth_date=birth_date, nik=nik)
            .order_by("pk")
            .values_list("pk", "nik", "village_id")
        ]
    # Rows of this batch saved before this one would be in the database, in the agent's area.
    mine = [p.nik for p in found if p.in_scope] + [n for n in context.pending_people.get(person, []) if n != nik]
    others = [masked_nik(n) for n in mine[:3]]
    earlier_in_file = context.seen_people.get(person)
    if not others and earlier_in_file and earlier_in_file != nik:
        others = [masked_nik(earlier_in_file)]  # not saved yet in a dry run, so not in the database
    sentences = []
    if others:
        niks = ", ".join(others)
        sentences.append(f"Mungkin orang yang sama dengan NIK {niks} (nama dan tanggal lahir sama). Periksa.")
    outside = next((p.pk for p in found if not p.in_scope), None)
    if outside is not None:
        if not _may_reveal(context, Action.DUPLICATE_CHECK, outside, outcome):
            return False, ""
        sentences.append(DUPLICATE_OUTSIDE)
    return True, " ".join(sentences)


# --- one row's values -------------------------------------------------------------------------


def _form_data(row: Row, context: _Context) -> tuple[dict[str, str | dt.date], list[str]]:
    """FarmerForm's data from the row, every cell normalised, and the errors of values the form
    cannot parse itself.

    A column with a parse error is sent empty; _merge_form_errors then drops the form's own
    "required" message for it, so each problem is told once.
    """
    errors: list[str] = []

    def parsed(column: str, parse: Callable[[Cell], str | dt.date]) -> str | dt.date:
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
        "address": parsed("alamat", cell_line),
        "rt": parsed("rt", _small_number),
        "rw": parsed("rw", _small_number),
        "village": parsed("kode_desa", lambda v: _village(v, context.villages)),
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


def _upper_line(value: Cell) -> str:
    return cell_line(value, upper=True)


def _shown(text: str) -> str:
    """A cell quoted back in a reason: short, and already normalised."""
    return text if len(text) <= 40 else text[:40] + "…"


def _identity_number(value: Cell) -> str:
    text = cell_line(value)
    if re.fullmatch(r"\d+([.,]\d+)?[eE]\+\d+", text):
        # Excel turned the number into 7,31204E+15 and lost its last digits for good.
        raise ValueError("tertulis sebagai angka ilmiah Excel (mis. 7,31E+15). Format kolom sebagai Teks, ketik ulang.")
    try:
        return ascii_digits(text)
    except TextProblem:
        problem = f"hanya boleh berisi angka, spasi, titik atau tanda hubung (tertulis {_shown(text)})."
        raise ValueError(problem) from None


def _small_number(value: Cell) -> str:
    text = cell_line(value)
    try:
        return ascii_digits(text)
    except TextProblem:
        raise ValueError("isi dengan angka, paling banyak 3 angka.") from None


def _with_ascii_digits(text: str) -> str:
    """`١٩٩٠-٠١-٠٥` or `１９９０-０１-０５` as `1990-01-05`; other characters unchanged."""
    return "".join(str(d) if (d := unicodedata.decimal(ch, None)) is not None else ch for ch in text)


DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%Y/%m/%d", "%d/%m/%Y")


def _birth_date(value: Cell) -> dt.date:
    """The date itself, not text: the form takes it as it is, instead of trying each of the
    Indonesian date formats on it (a tenth of a row's checks)."""
    if isinstance(value, dt.date):  # a date cell of a sheet (sheets.py)
        return value
    text = _with_ascii_digits(cell_line(value))
    if not text:
        raise ValueError("wajib diisi (TTTT-BB-HH atau HH-BB-TTTT).")
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a date, no time
        except ValueError:
            continue
    raise ValueError(
        f"format tanggal tidak dikenali ({_shown(text)}); pakai TTTT-BB-HH atau HH-BB-TTTT, mis. 1990-01-05."
    )


SEXES = {"L": "L", "LAKI-LAKI": "L", "LK": "L", "P": "P", "PEREMPUAN": "P", "PR": "P"}


def _sex(value: Cell) -> str:
    text = cell_line(value, upper=True)
    if text not in SEXES:
        raise ValueError("isi L atau P.")
    return SEXES[text]


def _village(value: Cell, own_codes: Container[str]) -> str:
    try:
        digits = ascii_digits(cell_line(value))
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
    text = cell_line(value)
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
    text = cell_line(value)
    if _choice_key(text) not in OCCUPATIONS:
        allowed = ", ".join(label.lower() for label in Occupation.labels)
        problem = f"'{_shown(text)}' tidak dikenal" if text else "wajib diisi"
        raise ValueError(f"{problem}; pilih salah satu: {allowed}.")
    return OCCUPATIONS[_choice_key(text)]


def _income(value: Cell) -> str:
    written = cell_line(value)
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


def _heir(row: Row, form: _RowHeirForm) -> tuple[services.HeirData | None, list[str]]:
    """The one heir of the row. Required: a JKM benefit needs someone to go to."""
    errors = []
    try:
        # Uppercased before HeirForm checks the length: HeirData holds the uppercased name.
        name = cell_line(row.values.get("nama_ahli_waris", ""), upper=True)
    except ValueError as exc:
        errors.append(f"nama_ahli_waris: {exc}")
    else:
        if not name:
            errors.append("nama_ahli_waris: wajib diisi.")
    try:
        relation = RELATIONS.get(_choice_key(cell_line(row.values.get("hubungan_ahli_waris", ""))))
    except ValueError:
        relation = None
    if relation is None:
        allowed = ", ".join(v.lower() for v in Relation.values)
        errors.append(f"hubungan_ahli_waris: isi salah satu: {allowed}.")
    if errors:
        return None, errors
    if not form.check({"name": name, "relation": relation, "nik": ""}):
        return None, [f"ahli waris: {' '.join(m)}" for m in form.errors.values()]
    return form.heir(), []
