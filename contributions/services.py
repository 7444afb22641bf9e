"""Writes of the contributions app: recording cash an agent received."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import User
from contributions.insurer import payment_waiting_marked, queue_payment
from contributions.models import FundSource, Payer, Payment, PaymentBatch, PaymentStatus
from contributions.rates import monthly_contribution
from enrollment.models import Farmer, RegistrationStatus
from sutasoma.formatting import rupiah
from sutasoma.months import add_months, month_start


def next_start_month(farmer: Farmer, *, paid_on: dt.date) -> dt.date:
    """The month a new payment starts: right after the last paid month while the farmer is
    active or in grace, otherwise the month of payment (cover is never bought backwards)."""
    recorded_end = farmer.payments.exclude(status=PaymentStatus.DITOLAK).aggregate(end=Max("end_month"))["end"]
    last_end = max(filter(None, (farmer.paid_through, recorded_end)), default=None)
    this_month = month_start(paid_on)
    if last_end is not None and last_end >= add_months(this_month, -1):
        return add_months(last_end, 1)
    return this_month


@dataclass(frozen=True)
class PaymentQuote:
    """What a payment of `months` would cost and cover, before it is recorded."""

    monthly: int
    months: int
    start_month: dt.date

    @property
    def amount(self) -> int:
        return self.monthly * self.months

    @property
    def end_month(self) -> dt.date:
        return add_months(self.start_month, self.months - 1)


def payment_quote(farmer: Farmer, *, months: int, paid_on: dt.date) -> PaymentQuote:
    """The rate in force on the day of payment, never today's rate for an old receipt."""
    return PaymentQuote(
        monthly=monthly_contribution(farmer.income, on=paid_on),
        months=months,
        start_month=next_start_month(farmer, paid_on=paid_on),
    )


def payment_refusal(farmer: Farmer) -> str:
    """Why no payment can be recorded for this farmer now ("" when one can): the one rule that
    both payment_record() and the farmer page's *Catat iuran* button follow."""
    if farmer.registration_status == RegistrationStatus.DITOLAK:
        return "Pendaftaran petani ini ditolak BPJS; perbaiki datanya dulu."
    if farmer.anonymised_at:
        return "Data petani ini sudah dianonimkan atas permintaannya; iuran tidak dapat dicatat."
    return ""


def payment_record(
    *,
    user: User,
    farmer: Farmer,
    months: int,
    cash_received: int,
    source: str = FundSource.MANDIRI,
    paid_at: dt.datetime | None = None,
    submission_token: uuid.UUID | None = None,
    payer: Payer | None = None,
    batch: PaymentBatch | None = None,
) -> Payment:
    """Record a contribution and queue it for the insurer, in one transaction; idempotent on the
    form's token. The insurer receives it once the farmer has a KPJ."""
    if submission_token and (earlier := Payment.objects.filter(submission_token=submission_token).first()):
        return earlier
    if refusal := payment_refusal(farmer):
        raise ValidationError(refusal)
    if payer is not None and payer.source != source:
        raise ValidationError({"source": f"Sumber dana harus {payer.get_source_display()} untuk {payer}."})
    if not 1 <= months <= 12:
        raise ValidationError({"months": "Jumlah bulan harus 1 sampai 12."})
    paid_at = paid_at or timezone.now()
    paid_on = timezone.localdate(paid_at)
    try:
        with transaction.atomic():
            locked = Farmer.objects.select_for_update().get(pk=farmer.pk)  # one payment of a farmer at a time
            payment_waiting_marked(locked.pk)  # before the payment's own insert (contributions/insurer.py)
            quote = payment_quote(locked, months=months, paid_on=paid_on)
            if cash_received < quote.amount:
                raise ValidationError({"cash_received": f"Uang diterima kurang dari iuran {rupiah(quote.amount)}."})
            payment = Payment.objects.create(
                receipt_no=f"KW{paid_on:%y%m}-{uuid.uuid4().hex[:10].upper()}",
                farmer=locked,
                start_month=quote.start_month,
                months=months,
                monthly_amount=quote.monthly,
                amount=quote.amount,
                cash_received=cash_received,
                source=source,
                paid_at=paid_at,
                recorded_by=user,
                submission_token=submission_token,
                payer=payer,
                batch=batch,
            )
            queue_payment(payment)
    except IntegrityError:
        # The same form sent twice at the same moment: the first one's payment is the payment.
        if submission_token and (earlier := Payment.objects.filter(submission_token=submission_token).first()):
            return earlier
        raise
    return payment
