"""What each operation sends to the insurer and what its answer does to our records.

The outbox (outbox.py) knows nothing of farmers or payments; it asks this module for a body and
hands back the outcome. Adding claims means adding an entry here, not a second mechanism.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from bpjs_gateway.errors import translate_errors
from bpjs_gateway.models import Operation, OutboxMessage
from contributions.models import Payment, PaymentStatus
from enrollment.models import Farmer, RegistrationStatus

API = "/api/bpu/v1"


def encode(payload: dict[str, Any]) -> bytes:
    # Deterministic bytes: the insurer compares the SHA-256 of the body on every retry.
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False, sort_keys=True).encode()


def _new_message(
    *, operation: str, path: str, farmer: Farmer, body: bytes | None, payment: Payment | None = None, prefix: str
) -> OutboxMessage:
    message = OutboxMessage.objects.create(
        operation=operation,
        path=path,
        farmer=farmer,
        payment=payment,
        body=body,
        idempotency_key=f"{prefix}-{uuid.uuid4().hex}",
        next_attempt_at=timezone.now(),
    )
    from bpjs_gateway.tasks import send_outbox_message_task

    transaction.on_commit(lambda: send_outbox_message_task.delay(message.pk))
    return message


# --- registration -----------------------------------------------------------------------------


def registration_body(farmer: Farmer) -> dict[str, Any]:
    address = " ".join(
        part
        for part in [
            farmer.address.upper(),
            f"RT {farmer.rt}" if farmer.rt else "",
            f"RW {farmer.rw}" if farmer.rw else "",
        ]
        if part
    )
    return {
        "nik": farmer.nik,
        "no_kk": farmer.no_kk,
        "nama": farmer.name.upper(),
        "tempat_lahir": farmer.birth_place.upper(),
        "tanggal_lahir": farmer.birth_date.isoformat(),
        "jenis_kelamin": farmer.sex,
        "alamat": address,
        "kode_wilayah": farmer.village.plain_code,
        "no_hp": farmer.phone,
        "pekerjaan": farmer.occupation,
        "penghasilan": farmer.income,
        "program": ["JKK", "JKM"],
        "kode_agen": farmer.agent.code if farmer.agent else "",
        "ahli_waris": [
            {"nama": h.name.upper(), "hubungan": h.relation, "nik": h.nik or None} for h in farmer.heirs.all()
        ],
    }


def queue_registration(farmer: Farmer) -> OutboxMessage:
    """Call inside the transaction that saved the farmer (or its correction)."""
    if farmer.anonymised_at:
        # Its identity is erased: sending it would register "DIANONIMKAN" at the insurer.
        raise ValidationError("Data petani ini sudah dianonimkan; pendaftarannya tidak dapat dikirim ulang.")
    farmer.registration_status = RegistrationStatus.MENUNGGU_KPJ
    farmer.insurer_errors = []
    farmer.save(update_fields=["registration_status", "insurer_errors", "updated_at"])
    # A corrected registration supersedes the refused one: it must not be sent a second time.
    OutboxMessage.objects.filter(farmer=farmer, operation=Operation.REGISTER, state="FAILED").update(state="RESENT")
    return _new_message(
        operation=Operation.REGISTER,
        path=f"{API}/peserta",
        farmer=farmer,
        body=encode(registration_body(farmer)),
        prefix="reg",
    )


def _registration_done(message: OutboxMessage, status: int, response: dict[str, Any]) -> None:
    # 201, or 409 PESERTA_SUDAH_TERDAFTAR: either way the NIK has this KPJ at the insurer.
    farmer = Farmer.objects.select_for_update().get(pk=message.farmer_id)
    farmer.kpj = response["kpj"]
    farmer.registration_status = RegistrationStatus.TERDAFTAR
    farmer.insurer_errors = []
    farmer.save(update_fields=["kpj", "registration_status", "insurer_errors", "updated_at"])
    # Payments taken before the KPJ existed can go now.
    from bpjs_gateway.tasks import send_outbox_message_task

    waiting = list(
        OutboxMessage.objects.filter(farmer=farmer, operation=Operation.PAY, state="PENDING").values_list(
            "pk", flat=True
        )
    )
    transaction.on_commit(lambda: [send_outbox_message_task.delay(pk) for pk in waiting])


def _registration_refused(message: OutboxMessage, status: int, errors: list[dict]) -> None:
    # Saved, not updated: the refusal belongs in the farmer's change history, as the insurer's.
    farmer = Farmer.objects.select_for_update().get(pk=message.farmer_id)
    farmer.registration_status = RegistrationStatus.DITOLAK
    farmer.insurer_errors = translate_errors(errors)
    farmer.save(update_fields=["registration_status", "insurer_errors", "updated_at"])


# --- contributions ----------------------------------------------------------------------------


def queue_payment(payment: Payment) -> OutboxMessage:
    """The body waits for the farmer's KPJ; it is built once, at the first attempt."""
    return _new_message(
        operation=Operation.PAY, path=f"{API}/iuran", farmer=payment.farmer, payment=payment, body=None, prefix="pay"
    )


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


def _month(value: str) -> dt.date:
    return dt.date.fromisoformat(value + "-01")


def _payment_done(message: OutboxMessage, status: int, response: dict[str, Any]) -> None:
    payment = Payment.objects.select_for_update().get(pk=message.payment_id)
    payment.status = PaymentStatus.TERKONFIRMASI
    payment.transaction_no = response.get("no_transaksi", "")
    payment.insurer_errors = []
    payment.save(update_fields=["status", "transaction_no", "insurer_errors"])
    from sutasoma.months import add_months

    paid_through = (
        _month(response["lunas_sampai"])
        if response.get("lunas_sampai")
        else add_months(payment.start_month, payment.months - 1)
    )
    farmer = Farmer.objects.select_for_update().get(pk=message.farmer_id)
    if farmer.paid_through is None or paid_through > farmer.paid_through:
        farmer.paid_through = paid_through
        farmer.save(update_fields=["paid_through", "updated_at"])


def _payment_refused(message: OutboxMessage, status: int, errors: list[dict]) -> None:
    payment = Payment.objects.select_for_update().get(pk=message.payment_id)
    payment.status, payment.insurer_errors = PaymentStatus.DITOLAK, translate_errors(errors)
    payment.save(update_fields=["status", "insurer_errors"])


@dataclass(frozen=True)
class Handler:
    done: Callable[[OutboxMessage, int, dict[str, Any]], None]
    refused: Callable[[OutboxMessage, int, list[dict]], None]
    # 409 codes that mean "already there": the operation's goal is reached, not refused.
    already_done_codes: frozenset[str] = frozenset()


HANDLERS: dict[str, Handler] = {
    Operation.REGISTER: Handler(_registration_done, _registration_refused, frozenset({"PESERTA_SUDAH_TERDAFTAR"})),
    Operation.PAY: Handler(_payment_done, _payment_refused, frozenset({"REF_KANAL_SUDAH_ADA"})),
}


def requeue(message: OutboxMessage) -> OutboxMessage:
    if message.operation == Operation.REGISTER:
        return queue_registration(message.farmer)
    payment = message.payment
    payment.status, payment.insurer_errors = PaymentStatus.MENUNGGU, []
    payment.save(update_fields=["status", "insurer_errors"])
    return queue_payment(payment)


def build_body(message: OutboxMessage) -> bytes | None:
    """The body to send, or None while the message cannot be sent yet."""
    if message.body is not None:
        return bytes(message.body)
    if message.operation == Operation.PAY:
        kpj = Farmer.objects.filter(pk=message.farmer_id).values_list("kpj", flat=True).first()
        if not kpj:
            return None
        return encode(payment_body(message.payment, kpj))
    raise ValueError(f"message {message.pk} has no body")
