"""Daily reconciliation: every payment the insurer booked on a day against our own records
(docs/insurer-contract.md#reconciliation). The gateway carries the request; what counts as a
match is contributions' business. Each day's differences are stored, shown to admin and Dinas
with what to do (contributions/reconciliation_views.py), and closed by a person with a note."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import Role, User
from accounts.scope import region_filter
from bpjs_gateway.client import H2HClient, Verdict, default_client
from bpjs_gateway.registry import API
from contributions.models import (
    DifferenceKind,
    Payment,
    PaymentStatus,
    ReconciliationDifference,
    ReconciliationRun,
)

PAGE_SIZE = 500
# What must agree between a booking and our payment: the insurer's name -> how people call it.
COMPARED = {"nominal": "nominal", "kpj": "KPJ", "no_transaksi": "nomor transaksi"}
# A payment confirmed late in the evening may be booked by the insurer the next day.
MISSING_GRACE_DAYS = 2

WHAT_TO_DO = {
    DifferenceKind.UNKNOWN_HERE: (
        "Periksa apakah kuitansi ini dicatat di buku kertas penyuluh; bila ya, catat di SUTASOMA; "
        "bila tidak, laporkan ke kantor cabang BPJS."
    ),
    DifferenceKind.MISSING_THERE: (
        "Periksa dulu rekonsiliasi hari berikutnya: pembayaran yang dikonfirmasi menjelang tengah malam "
        f"bisa dibukukan BPJS keesokan harinya. Bila setelah {MISSING_GRACE_DAYS} hari masih belum dibukukan, "
        "hubungi kantor cabang BPJS dengan nomor kuitansi dan nomor transaksi ini agar dibukukan."
    ),
    DifferenceKind.MISMATCHED: (
        "Bandingkan dengan kuitansi kertas. Bila data SUTASOMA yang salah, perbaiki di SUTASOMA; "
        "bila data BPJS yang salah, minta kantor cabang BPJS memperbaikinya."
    ),
}
NOTE_MAX_LENGTH = ReconciliationDifference._meta.get_field("resolution").max_length
NOTE_REQUIRED = "Tulis apa yang sudah dilakukan untuk menyelesaikan selisih ini."


class ReconciliationUnavailable(Exception):
    """The insurer did not answer; try again later."""


@dataclass(frozen=True)
class Mismatch:
    receipt_no: str
    fields: tuple[str, ...]  # keys of COMPARED that differ
    booked: dict[str, Any]  # the insurer's row

    @property
    def labels(self) -> str:
        return ", ".join(COMPARED[key] for key in self.fields)


@dataclass
class ReconciliationReport:
    day: dt.date
    insurer_count: int = 0
    matched: int = 0
    unknown_here: list[dict] = field(default_factory=list)  # booked by the insurer, not by us
    missing_there: list[str] = field(default_factory=list)  # receipts we hold confirmed, not booked
    mismatched: list[Mismatch] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.unknown_here or self.missing_there or self.mismatched)


def insurer_bookings(day: dt.date, client: H2HClient) -> list[dict]:
    rows: list[dict] = []
    page = 1
    while True:
        outcome = client.call(
            "GET", f"{API}/rekonsiliasi/iuran?tanggal={day.isoformat()}&halaman={page}&per_halaman={PAGE_SIZE}"
        )
        if outcome.verdict is not Verdict.OK:
            raise ReconciliationUnavailable(f"{outcome.status} {outcome.code}")
        data = outcome.response.get("data") or []
        rows.extend(data)
        if not data or len(rows) >= int(outcome.response.get("total", 0)):
            return rows
        page += 1


def _ours(payment: Payment) -> dict[str, Any]:
    return {"nominal": payment.amount, "kpj": payment.farmer.kpj, "no_transaksi": payment.transaction_no}


def _theirs(row: dict[str, Any]) -> dict[str, Any]:
    return {key: row.get(key) for key in COMPARED}


def reconcile_payments(day: dt.date, *, client: H2HClient | None = None) -> ReconciliationReport:
    booked = insurer_bookings(day, client or default_client())
    report = ReconciliationReport(day=day, insurer_count=len(booked))
    by_receipt = {
        p.receipt_no: p
        for p in Payment.objects.filter(receipt_no__in=[r.get("ref_kanal") for r in booked]).select_related("farmer")
    }
    for row in booked:
        payment = by_receipt.get(row.get("ref_kanal"))
        if payment is None:
            report.unknown_here.append(row)
            continue
        ours = _ours(payment)
        differences = tuple(key for key in COMPARED if ours[key] != row.get(key))
        if differences:
            report.mismatched.append(Mismatch(payment.receipt_no, differences, row))
        else:
            report.matched += 1
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    confirmed_that_day = Payment.objects.filter(
        status=PaymentStatus.TERKONFIRMASI,
        confirmed_at__gte=start,
        confirmed_at__lt=start + dt.timedelta(days=1),
    ).values_list("receipt_no", flat=True)
    report.missing_there = sorted(set(confirmed_that_day) - {r.get("ref_kanal") for r in booked})
    return report


def _findings(report: ReconciliationReport) -> dict[tuple[str, str], dict[str, Any]]:
    """(kind, receipt) -> what the insurer booked, if anything, and what differs. Keyed so that
    a listing naming one receipt twice cannot break the day's unique rows."""
    receipt_length = ReconciliationDifference._meta.get_field("receipt_no").max_length
    findings: dict[tuple[str, str], dict[str, Any]] = {}
    for row in report.unknown_here:
        # The insurer's reference, not ours: bounded like anything read from outside.
        receipt = str(row.get("ref_kanal") or "")[:receipt_length]
        findings[(DifferenceKind.UNKNOWN_HERE, receipt)] = {"bpjs": _theirs(row), "berbeda": []}
    for receipt in report.missing_there:
        findings[(DifferenceKind.MISSING_THERE, receipt)] = {"bpjs": None, "berbeda": []}
    for mismatch in report.mismatched:
        findings[(DifferenceKind.MISMATCHED, mismatch.receipt_no)] = {
            "bpjs": _theirs(mismatch.booked),
            "berbeda": list(mismatch.fields),
        }
    return findings


def reconciliation_store(report: ReconciliationReport) -> ReconciliationRun:
    """Keep a day's findings, in one transaction. Running a day again replaces its open
    differences with the new findings; the resolved ones stay, with their resolution, and a
    finding already resolved is not opened again. Our payment is linked where the receipt is ours."""
    findings = _findings(report)
    payments = {
        p.receipt_no: p
        for p in Payment.objects.filter(receipt_no__in=[receipt for _, receipt in findings]).select_related("farmer")
    }
    with transaction.atomic():
        # update_or_create locks the day's row: a second run of the same day waits here.
        run, _ = ReconciliationRun.objects.update_or_create(
            day=report.day,
            defaults={"ran_at": timezone.now(), "insurer_count": report.insurer_count, "matched": report.matched},
        )
        run.differences.filter(resolved_at__isnull=True).delete()
        resolved = set(run.differences.values_list("kind", "receipt_no"))
        opened = []
        for (kind, receipt), finding in findings.items():
            if (kind, receipt) in resolved:
                continue
            payment = payments.get(receipt)
            detail = {"sutasoma": _ours(payment) if payment else None, **finding}
            opened.append(
                ReconciliationDifference(run=run, kind=kind, receipt_no=receipt, payment=payment, detail=detail)
            )
        ReconciliationDifference.objects.bulk_create(opened)
    return run


def differences_for(user: User) -> QuerySet[ReconciliationDifference]:
    """Differences with a payment follow its farmer's region; those without one (booked at BPJS
    under a receipt we do not know) belong to the deployment's own regency: its Dinas and admins."""
    visible = Q(pk__in=[])
    if user.role == Role.ADMIN:
        visible = Q()
    elif user.role == Role.DINAS and user.regency_id:
        visible = region_filter(user, "payment__farmer__village__code")
        if user.regency_id == settings.DEFAULT_REGENCY_CODE:
            visible |= Q(payment__isnull=True)
    return ReconciliationDifference.objects.filter(visible).select_related("run", "payment__farmer", "resolved_by")


def difference_resolve(*, user: User, difference_id: int, note: str) -> ReconciliationDifference:
    """Close one difference the user may see, with what was done; who and when are kept. A
    difference already closed keeps its first resolution (a double submit changes nothing).
    Raises ReconciliationDifference.DoesNotExist outside the user's scope."""
    note = note.strip()
    if not note:
        raise ValidationError({"resolution": NOTE_REQUIRED})
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError({"resolution": f"Catatan paling banyak {NOTE_MAX_LENGTH} huruf."})
    with transaction.atomic():
        difference = differences_for(user).select_for_update(of=("self",)).get(pk=difference_id)
        if difference.resolved_at is None:
            difference.resolved_at, difference.resolved_by, difference.resolution = timezone.now(), user, note
            difference.save(update_fields=["resolved_at", "resolved_by", "resolution"])
    return difference
