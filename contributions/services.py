"""Writes of the contributions app: recording cash an agent received."""

from __future__ import annotations

import datetime as dt
import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from contributions.insurer import queue_payment
from contributions.models import FundSource, Payer, Payment, PaymentBatch, PaymentStatus
from contributions.rates import monthly_contribution
from enrollment.models import Farmer, RegistrationStatus
from sutasoma.months import add_months, month_start


def next_start_month(farmer: Farmer, *, paid_on: dt.date) -> dt.date:
    """The month a new payment starts: right after the last paid month while the farmer is
    active or in grace, otherwise the month of payment (cover is never bought backwards)."""
    last_end = farmer.paid_through
    for payment in farmer.payments.exclude(status=PaymentStatus.DITOLAK):
        end = add_months(payment.start_month, payment.months - 1)
        if last_end is None or end > last_end:
            last_end = end
    this_month = month_start(paid_on)
    if last_end is not None and last_end >= add_months(this_month, -1):
        return add_months(last_end, 1)
    return this_month


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
    if farmer.registration_status == RegistrationStatus.DITOLAK:
        raise ValidationError("Pendaftaran petani ini ditolak BPJS; perbaiki datanya dulu.")
    if payer is not None and payer.source != source:
        raise ValidationError({"source": f"Sumber dana harus {payer.get_source_display()} untuk {payer}."})
    if not 1 <= months <= 12:
        raise ValidationError({"months": "Jumlah bulan harus 1 sampai 12."})
    paid_at = paid_at or timezone.now()
    paid_on = timezone.localdate(paid_at)
    monthly = monthly_contribution(farmer.income, on=paid_on)
    amount = monthly * months
    if cash_received < amount:
        raise ValidationError({"cash_received": f"Uang diterima kurang dari iuran Rp {amount:,}.".replace(",", ".")})
    with transaction.atomic():
        locked = Farmer.objects.select_for_update().get(pk=farmer.pk)  # one payment of a farmer at a time
        payment = Payment.objects.create(
            receipt_no=f"KW{paid_on:%y%m}-{uuid.uuid4().hex[:10].upper()}",
            farmer=locked,
            start_month=next_start_month(locked, paid_on=paid_on),
            months=months,
            monthly_amount=monthly,
            amount=amount,
            cash_received=cash_received,
            source=source,
            paid_at=paid_at,
            recorded_by=user,
            submission_token=submission_token,
            payer=payer,
            batch=batch,
        )
        queue_payment(payment)
    return payment
