"""Payments at the insurer: the body contributions sends, and what the answer does to the payment.

A payment taken before its farmer has a KPJ waits on the outbox (WAITING) and is released, with
its body, when enrollment signals the KPJ (docs/insurer-contract.md#operations).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from audit.history import update_with_history
from bpjs_gateway import queue
from bpjs_gateway.errors import translate_errors
from bpjs_gateway.models import OutboxMessage
from bpjs_gateway.registry import InsurerOperation, Subject
from contributions.models import Payment, PaymentStatus
from enrollment.models import Farmer
from sutasoma.months import add_months

PAY = "PAY"

MESSAGES = {
    "PESERTA_TIDAK_DITEMUKAN": "Peserta tidak ditemukan di BPJS.",
    "NOMINAL_TIDAK_SESUAI": "Nominal iuran tidak sesuai dengan jumlah bulan dan tarif.",
    "PERIODE_TIDAK_VALID": "Bulan mulai iuran tidak sesuai dengan status kepesertaan.",
    "JUMLAH_BULAN_TIDAK_VALID": "Jumlah bulan harus 1 sampai 12.",
    "TANGGAL_BAYAR_TIDAK_VALID": "Tanggal bayar terlalu lama (lebih dari 62 hari) atau di masa depan.",
    "REF_KANAL_SUDAH_ADA": "Pembayaran ini sudah tercatat di BPJS.",
}


# What the agent does about each refusal; shown under the reason on the receipt.
ADVICE = {
    "NOMINAL_TIDAK_SESUAI": (
        "Periksa penghasilan petani di data kepesertaan; bila berubah, perbaiki lalu catat pembayaran baru. "
        "Uang yang sudah diterima tetap dicatat di kuitansi ini."
    ),
    "PERIODE_TIDAK_VALID": "Catat pembayaran baru: bulan mulai dihitung ulang dari status kepesertaan terbaru.",
    "JUMLAH_BULAN_TIDAK_VALID": "Catat pembayaran baru untuk 1 sampai 12 bulan.",
    "TANGGAL_BAYAR_TIDAK_VALID": "Hubungi koordinator BPP: pembayaran lebih dari 62 hari perlu dicatat ulang di BPJS.",
    "PESERTA_TIDAK_DITEMUKAN": "Periksa KPJ petani bersama koordinator BPP sebelum mencatat ulang.",
}


def payment_body(payment: Payment, kpj: str) -> dict[str, Any]:
    return {
        "kpj": kpj,
        "bulan_mulai": f"{payment.start_month:%Y-%m}",
        "jumlah_bulan": payment.months,
        "nominal": payment.amount,
        "tanggal_bayar": timezone.localtime(payment.paid_at).isoformat(timespec="seconds"),
        "ref_kanal": payment.receipt_no,
        "sumber_dana": payment.source,
    }


def queue_payment(payment: Payment) -> OutboxMessage:
    """Call inside the transaction that recorded the payment, with its farmer row locked: the
    KPJ read here cannot arrive between this check and the commit (see release_waiting_payments).
    The farmer is marked as waiting beforehand (payment_waiting_marked)."""
    kpj = payment.farmer.kpj
    return queue.enqueue(operation=PAY, subject_id=payment.pk, payload=payment_body(payment, kpj) if kpj else None)


# Farmer.payment_waiting: the farmer tally counts the farmers to visit by it. Every transaction
# that changes a payment's status writes it in one statement on the farmers, *before* any
# statement that moves the monev rollup (a confirmation moves none): the farmer tally's rows are
# then locked before the rollup's (the order a registration's own statements take), and never
# twice in one transaction, so two transactions cannot wait for each other
# (docs/architecture.md#figures-at-scale).


def payment_waiting_marked(farmer_id: int) -> None:
    """A payment of the farmer is about to wait for the insurer (recorded or sent again)."""
    Farmer.objects.filter(pk=farmer_id, payment_waiting=False).update(payment_waiting=True)


def _still_waiting(farmer_ids: Iterable[int], *, apart_from: Iterable[int] = ()) -> set[int]:
    """The farmers among these with a payment waiting for the insurer, not counting the payments
    `apart_from` (being settled in this transaction)."""
    waiting = Payment.objects.filter(farmer_id__in=list(farmer_ids), status=PaymentStatus.MENUNGGU)
    return set(waiting.exclude(pk__in=list(apart_from)).values_list("farmer_id", flat=True))
def payment_messages(payment: Payment) -> QuerySet[OutboxMessage]:
    return queue.messages_for(operation=PAY, subject_id=payment.pk)


def release_waiting_payments(sender: type[Farmer], farmers: list[Farmer], **kwargs: Any) -> None:
    """On enrollment's farmers_registered: payments taken before the KPJ existed can go now.
    One query for a whole batch of farmers; most have no payment waiting."""
    kpjs = {farmer.pk: farmer.kpj for farmer in farmers}
    for payment in Payment.objects.filter(farmer_id__in=kpjs, status=PaymentStatus.MENUNGGU).order_by("pk"):
        queue.release(operation=PAY, subject_id=payment.pk, payload=payment_body(payment, kpjs[payment.farmer_id]))


def _month(value: str) -> dt.date:
    return dt.date.fromisoformat(value + "-01")


def _paid_through(payment: Payment, response: dict[str, Any]) -> dt.date:
    # The insurer's *lunas sampai* where it says it, else the payment's own last month.
    if response.get("lunas_sampai"):
        return _month(response["lunas_sampai"])
    return add_months(payment.start_month, payment.months - 1)


def _done(payment_id: int, response: dict[str, Any]) -> None:
    _done_many([(payment_id, response)])


def _done_many(answers: list[tuple[int, dict[str, Any]]]) -> None:
    """The insurer confirmed these payments: payments, then their farmers (each locked in pk
    order by one query, changed by one update, their history rows by one insert): *lunas
    sampai* moves on, and a farmer with no other payment waiting is someone to visit again."""
    responses = dict(answers)
    now = timezone.now()
    payments = list(Payment.objects.select_for_update().filter(pk__in=responses).order_by("pk"))
    for payment in payments:
        payment.status = PaymentStatus.TERKONFIRMASI
        payment.transaction_no = responses[payment.pk].get("no_transaksi", "")
        payment.insurer_errors, payment.confirmed_at = [], now
    update_with_history(payments, ["status", "transaction_no", "insurer_errors", "confirmed_at"], at=now)
    reached: dict[int, dt.date] = {}
    for payment in payments:
        paid_through = _paid_through(payment, responses[payment.pk])
        reached[payment.farmer_id] = max(paid_through, reached.get(payment.farmer_id, paid_through))
    waiting = _still_waiting(reached)
    farmers = Farmer.objects.select_for_update().filter(pk__in=reached).order_by("pk")
    later, changed = [], []
    for farmer in farmers:
        moved = farmer.paid_through is None or reached[farmer.pk] > farmer.paid_through
        if moved:
            farmer.paid_through, farmer.updated_at = reached[farmer.pk], now
            later.append(farmer)
        if moved or farmer.payment_waiting != (farmer.pk in waiting):
            farmer.payment_waiting = farmer.pk in waiting
            changed.append(farmer)
    # The flag alone is no change to the farmer's record: history for *lunas sampai* only.
    update_with_history(changed, ["paid_through", "payment_waiting", "updated_at"], at=now, history_of=later)


def _refused(payment_id: int, errors: list[dict]) -> None:
    payment = Payment.objects.select_for_update().get(pk=payment_id)
    if payment.farmer_id not in _still_waiting([payment.farmer_id], apart_from=[payment.pk]):
        Farmer.objects.filter(pk=payment.farmer_id, payment_waiting=True).update(payment_waiting=False)
    payment.status, payment.insurer_errors = PaymentStatus.DITOLAK, translate_errors(errors, MESSAGES)
    payment.save(update_fields=["status", "insurer_errors"])


def _resend(payment_id: int) -> None:
    payment = Payment.objects.select_for_update().select_related("farmer").get(pk=payment_id)
    payment_waiting_marked(payment.farmer_id)
    payment.status, payment.insurer_errors = PaymentStatus.MENUNGGU, []
    payment.save(update_fields=["status", "insurer_errors"])
    queue.supersede(operation=PAY, subject_id=payment.pk)
    queue_payment(payment)


def _describe(payment_id: int) -> Subject:
    payment = Payment.objects.filter(pk=payment_id).select_related("farmer").first()
    if payment is None:
        return Subject(f"pembayaran #{payment_id}")
    return Subject(f"Kuitansi {payment.receipt_no}, {payment.farmer.name}", payment.farmer.get_absolute_url())


PAYMENT = InsurerOperation(
    name=PAY,
    label="Pembayaran iuran",
    path="/iuran",
    key_prefix="pay",
    done=_done,
    refused=_refused,
    resend=_resend,
    describe=_describe,
    already_done_codes=frozenset({"REF_KANAL_SUDAH_ADA"}),
    done_many=_done_many,
)
