"""Daily reconciliation: every payment the insurer booked on a day against our own records
(docs/insurer-contract.md#reconciliation). The gateway carries the request; what counts as a
match is contributions' business."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from bpjs_gateway.client import H2HClient, Verdict, default_client
from bpjs_gateway.registry import API
from contributions.models import Payment, PaymentStatus

PAGE_SIZE = 500


class ReconciliationUnavailable(Exception):
    """The insurer did not answer; try again later."""


@dataclass
class ReconciliationReport:
    day: dt.date
    insurer_count: int = 0
    matched: int = 0
    unknown_here: list[dict] = field(default_factory=list)  # booked by the insurer, not by us
    missing_there: list[str] = field(default_factory=list)  # receipts we hold confirmed, not booked
    mismatched: list[tuple[str, str]] = field(default_factory=list)  # (receipt, what differs)

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
        differences = [
            label
            for label, ours, theirs in (
                ("nominal", payment.amount, row.get("nominal")),
                ("KPJ", payment.farmer.kpj, row.get("kpj")),
                ("no_transaksi", payment.transaction_no, row.get("no_transaksi")),
            )
            if ours != theirs
        ]
        if differences:
            report.mismatched.append((payment.receipt_no, ", ".join(differences)))
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
