"""Batch payments (*pembayaran kolektif*): one action that pays N months for a list of farmers.

A payer's transfer (a village fund, a sponsor, the regency), an uploaded list or a paper receipt
book an agent kept while offline: each row becomes one payment through
services.payment_record(), in its own transaction, so a bad row is reported and never stops the
rows after it. All payments of one action hang under one PaymentBatch, found by its reference:
submitting the same batch again adds nothing, because a farmer already paid in it counts as
*sudah ada* (and the database's one-payment-per-farmer-per-batch constraint settles a race).

Only farmers in the user's own area can be paid. Any other NIK, registered elsewhere or not at
all, gets the same answer, so a list of NIKs never tells who is registered outside the area.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Role, User
from contributions.models import FundSource, Payer, Payment, PaymentBatch
from contributions.rates import monthly_contribution
from contributions.selectors import payers_for
from contributions.services import payment_record
from enrollment.models import Farmer, RegistrationStatus
from enrollment.selectors import farmers_for
from enrollment.sheets import Deadline, Row, RowNote, cell_line, nik_digits, read_sheet, shown_nik
from sutasoma.text import TextProblem, ascii_digits, normalise_line

logger = logging.getLogger("sutasoma.batch")

COLUMNS = ("nik", "bulan")  # a column `nama` (or any other) may be there to help people; it is ignored
MAX_MONTHS = 12
REFERENCE_MAX_CHARS = 64  # PaymentBatch.reference
# Dinas, a koordinator and an admin record what payers paid; an agent enters only the farmers'
# own money (a receipt book kept while offline).
PAYER_ROLES = frozenset({Role.ADMIN, Role.DINAS, Role.KOORDINATOR})

NOT_IN_AREA = "NIK tidak ada di wilayah Anda."
ALREADY_IN_BATCH = "sudah dibayar dalam pembayaran kolektif ini."
EARLIER_IN_LIST = "NIK ini sudah ada di baris sebelumnya."
NOT_REACHED = "belum diproses: batas waktu; kirim ulang yang sama untuk melanjutkan"
ROW_FAILED = "baris ini tidak bisa diproses; laporkan ke admin"


class BatchError(ValueError):
    """The whole batch is refused (payer, reference); the message is for the user."""


class BatchRow(NamedTuple):
    """One farmer to pay for: the NIK and months as written, and the line it came from."""

    line: int
    nik: str
    months: str


class PaidNote(NamedTuple):
    line: int
    nik: str
    name: str
    months: int
    amount: int


@dataclass
class BatchReport:
    reference: str
    source: str
    payer: Payer | None
    dry_run: bool
    batch: PaymentBatch | None = None  # None in a dry run of a new reference
    recorded: list[PaidNote] = field(default_factory=list)  # in a dry run: what would be recorded
    rejected: list[RowNote] = field(default_factory=list)
    existing: list[RowNote] = field(default_factory=list)
    unprocessed: list[RowNote] = field(default_factory=list)  # not reached before the deadline

    @property
    def summary(self) -> str:
        summary = f"dicatat: {len(self.recorded)}, ditolak: {len(self.rejected)}, sudah ada: {len(self.existing)}"
        if self.unprocessed:
            summary += f", belum diproses: {len(self.unprocessed)}"
        return summary

    @property
    def source_label(self) -> str:
        return FundSource(self.source).label

    @property
    def total(self) -> int:
        return sum(note.amount for note in self.recorded)

    @property
    def problems(self) -> list[tuple[str, RowNote]]:
        """Refused and already-paid rows in list order, for one table."""
        notes = [("Ditolak", n) for n in self.rejected] + [("Sudah ada", n) for n in self.existing]
        return sorted(notes, key=lambda item: item[1].line)


# --- the list ---------------------------------------------------------------------------------


def read_batch_file(content: bytes, filename: str = "", *, deadline: Deadline | None = None) -> list[BatchRow]:
    """The rows of an uploaded list (`nik`, `bulan`). Raises enrollment.sheets.ImportFileError."""
    rows = read_sheet(io.BytesIO(content), filename, columns=COLUMNS, required=COLUMNS, deadline=deadline)
    return [_batch_row(row) for row in rows]


def _batch_row(row: Row) -> BatchRow:
    return BatchRow(line=row.line, nik=shown_nik(row), months=row.text("bulan"))


def file_reference(content: bytes) -> str:
    """The reference of a list sent without one: the same file twice is one batch."""
    return "BERKAS-" + hashlib.sha256(content).hexdigest()[:32].upper()


# --- recording --------------------------------------------------------------------------------


@dataclass
class _Context:
    user: User
    reference: str
    source: str
    payer: Payer | None
    dry_run: bool
    today: dt.date
    report: BatchReport
    batch: PaymentBatch | None
    farmers: dict[str, Farmer]
    paid: set[int]  # farmers already paid in this batch
    seen: set[str] = field(default_factory=set)  # NIKs accounted for earlier in the list


def batch_record(
    *,
    user: User,
    reference: str,
    source: str,
    payer: Payer | None,
    rows: Sequence[BatchRow],
    dry_run: bool = False,
    deadline: Deadline | None = None,
) -> BatchReport:
    """Pay `rows` as one batch under `reference`, as `user`: one payment per farmer, each row in
    its own transaction. Raises BatchError when the batch as a whole cannot be recorded.

    Deliberately not one transaction: a row saved stays saved, so a failure half-way or the
    deadline loses nothing and sending the same batch again simply continues.
    """
    reference = _reference(reference)
    _check_payer(user, source, payer)
    batch = PaymentBatch.objects.filter(reference=reference).first()
    if batch is not None:
        _check_same_batch(batch, user=user, source=source, payer=payer)
    context = _Context(
        user=user,
        reference=reference,
        source=source,
        payer=payer,
        dry_run=dry_run,
        today=timezone.localdate(),
        report=BatchReport(reference=reference, source=source, payer=payer, dry_run=dry_run, batch=batch),
        batch=batch,
        farmers=_farmers_in_scope(user, rows),
        paid=_paid_in(batch) if batch else set(),
    )
    for index, row in enumerate(rows):
        if deadline is not None and deadline.passed():
            context.report.unprocessed = [RowNote(r.line, _shown(r.nik), NOT_REACHED) for r in rows[index:]]
            break
        _record_row_guarded(row, context)
    context.report.batch = context.batch
    return context.report


def _reference(reference: str) -> str:
    try:
        # Upper case, so "trf-001" and "TRF-001" are one batch.
        reference = normalise_line(reference, upper=True)
    except TextProblem as exc:
        raise BatchError(f"Referensi: {exc}") from exc
    if not reference:
        raise BatchError("Referensi wajib diisi.")
    if len(reference) > REFERENCE_MAX_CHARS:
        raise BatchError(f"Referensi paling banyak {REFERENCE_MAX_CHARS} karakter.")
    return reference


def _check_payer(user: User, source: str, payer: Payer | None) -> None:
    if source not in FundSource.values:
        raise BatchError("Sumber dana tidak dikenal.")
    if source == FundSource.MANDIRI:
        if payer is not None:
            raise BatchError("Iuran mandiri dibayar petani sendiri, tanpa pembayar.")
        return
    if user.role not in PAYER_ROLES:
        raise BatchError(
            "Penyuluh mencatat iuran mandiri saja; pembayaran oleh pembayar dicatat Dinas atau koordinator."
        )
    # Another regency's payer, or one that does not exist: the same answer.
    if payer is None or not payers_for(user).filter(pk=payer.pk, is_active=True).exists():
        raise BatchError("Pilih pembayar yang aktif di kabupaten Anda.")
    if payer.source != source:
        raise BatchError(f"{payer} adalah pembayar {payer.get_source_display().lower()}, bukan sumber dana ini.")


def _check_same_batch(batch: PaymentBatch, *, user: User, source: str, payer: Payer | None) -> None:
    """A reference already used is the same batch only for the same payer (or, without a payer,
    for the same person): otherwise two unrelated lists would be mixed into one."""
    same = batch.source == source and batch.payer_id == (payer.pk if payer else None)
    if payer is None:
        same = same and batch.recorded_by_id == user.pk
    if not same:
        raise BatchError(
            f"Referensi {batch.reference} sudah dipakai untuk pembayaran kolektif lain. Pakai referensi lain."
        )


def _paid_in(batch: PaymentBatch) -> set[int]:
    """The farmers a batch already paid, looked up once: sending it again then costs little."""
    return set(batch.payments.values_list("farmer_id", flat=True))


def _farmers_in_scope(user: User, rows: Sequence[BatchRow]) -> dict[str, Farmer]:
    niks = sorted({nik for row in rows if (nik := nik_digits(row.nik))})
    found: dict[str, Farmer] = {}
    for start in range(0, len(niks), 1000):
        found.update((f.nik, f) for f in farmers_for(user).filter(nik__in=niks[start : start + 1000]))
    return found


def _record_row_guarded(row: BatchRow, context: _Context) -> None:
    try:
        _record_row(row, context)
    except BatchError:
        raise
    except Exception:
        # Whatever the cause, the other rows go on; the traceback is for the admin, not the user.
        logger.exception("Pembayaran kolektif oleh pengguna %s: baris %s gagal.", context.user.pk, row.line)
        context.report.rejected.append(RowNote(row.line, _shown(row.nik), ROW_FAILED))


def _record_row(row: BatchRow, context: _Context) -> None:
    report, shown = context.report, _shown(row.nik)
    nik = nik_digits(row.nik)
    if not nik:
        report.rejected.append(RowNote(row.line, shown, "nik: harus 16 angka."))
        return
    try:
        months = _months(row.months)
    except ValueError as exc:
        report.rejected.append(RowNote(row.line, nik, f"bulan: {exc}"))
        return
    if nik in context.seen:
        report.existing.append(RowNote(row.line, nik, EARLIER_IN_LIST))
        return
    farmer = context.farmers.get(nik)
    if farmer is None:
        report.rejected.append(RowNote(row.line, nik, NOT_IN_AREA))
        return
    if farmer.pk in context.paid:
        context.seen.add(nik)
        report.existing.append(RowNote(row.line, nik, ALREADY_IN_BATCH))
        return
    if refusal := _refusal(farmer, context):
        report.rejected.append(RowNote(row.line, nik, refusal))
        return
    amount = monthly_contribution(farmer.income, on=context.today) * months
    if not context.dry_run:
        try:
            with transaction.atomic():
                batch = context.batch or _batch(context)
                payment_record(
                    user=context.user,
                    farmer=farmer,
                    months=months,
                    cash_received=amount,  # a payer pays the contribution, no more, no less
                    source=context.source,
                    payer=context.payer,
                    batch=batch,
                )
        except IntegrityError:
            if not Payment.objects.filter(batch__reference=context.reference, farmer=farmer).exists():
                raise
            # The same batch, sent again at the same moment, paid this farmer first.
            context.seen.add(nik)
            report.existing.append(RowNote(row.line, nik, ALREADY_IN_BATCH))
            return
        except ValidationError as exc:
            report.rejected.append(RowNote(row.line, nik, " ".join(exc.messages)))
            return
        context.batch = batch  # only once its row is committed: a rolled-back batch is no batch
    context.seen.add(nik)
    context.paid.add(farmer.pk)
    report.recorded.append(PaidNote(row.line, nik, farmer.name, months, amount))


def _refusal(farmer: Farmer, context: _Context) -> str:
    if farmer.registration_status == RegistrationStatus.DITOLAK:
        reason = farmer.insurer_errors[0].get("pesan", "") if farmer.insurer_errors else ""
        return f"Pendaftaran ditolak BPJS{': ' + reason.rstrip('.') if reason else ''}. Perbaiki data petani dulu."
    payer = context.payer
    if payer is not None and payer.source == FundSource.DANA_DESA and farmer.village_id != payer.village_id:
        return f"Dana desa {payer.village} hanya membayar petani desa itu (petani ini di {farmer.village})."
    return ""


def _batch(context: _Context) -> PaymentBatch:
    batch, created = PaymentBatch.objects.get_or_create(
        reference=context.reference,
        defaults={"source": context.source, "payer": context.payer, "recorded_by": context.user},
    )
    if not created:  # made by another submission since this one began
        _check_same_batch(batch, user=context.user, source=context.source, payer=context.payer)
    return batch


def _shown(text: str) -> str:
    return text[:32]


def _months(text: str) -> int:
    written = cell_line(text)
    try:
        # Only spaces around: "1.0" or "1,5" is no whole number of months.
        months = int(ascii_digits(written, separators=" ")) if written else 0
    except (TextProblem, ValueError):
        months = 0
    if not 1 <= months <= MAX_MONTHS:
        raise ValueError(f"isi 1 sampai {MAX_MONTHS} (tertulis {written[:20] or 'kosong'}).")
    return months
