"""Registration at the insurer: the body enrollment sends, and what the answer does to the farmer.

Registered with the gateway (bpjs_gateway.registry) when the app is ready; the gateway only
moves the bytes (docs/insurer-contract.md#operations).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone

from audit.history import update_with_history
from bpjs_gateway import queue
from bpjs_gateway.errors import translate_errors
from bpjs_gateway.models import OutboxMessage
from bpjs_gateway.registry import InsurerOperation, Subject
from enrollment.models import MAX_AGE, MAX_INCOME, MIN_AGE, MIN_INCOME, Farmer, Heir, RegistrationStatus
from enrollment.nik import registration_problems
from enrollment.signals import farmers_registered
from sutasoma.formatting import rupiah

REGISTER = "REGISTER"

MESSAGES = {
    "NIK_TIDAK_VALID": "NIK tidak valid menurut BPJS. Periksa kembali 16 angka NIK pada KTP.",
    "NIK_TIDAK_COCOK": "NIK tidak cocok dengan tanggal lahir atau jenis kelamin. Periksa KTP.",
    "USIA_DI_LUAR_BATAS": f"Usia petani di luar batas {MIN_AGE}–{MAX_AGE} tahun.",
    "WILAYAH_TIDAK_DIKENAL": "Kode desa/kelurahan tidak dikenal BPJS.",
    "PENGHASILAN_TIDAK_VALID": f"Penghasilan harus antara {rupiah(MIN_INCOME)} dan {rupiah(MAX_INCOME)}.",
    "PESERTA_SUDAH_TERDAFTAR": "NIK ini sudah terdaftar di BPJS; KPJ yang ada dipakai.",
}


def registration_body(farmer: Farmer, heirs: Iterable[Heir] | None = None) -> dict[str, Any]:
    """What the insurer is sent; `heirs` when the caller already holds them (a bulk import)."""
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
            {"nama": h.name.upper(), "hubungan": h.relation, "nik": h.nik or None}
            for h in (farmer.heirs.all() if heirs is None else heirs)
        ],
    }


def queue_registration(farmer: Farmer) -> OutboxMessage:
    """Call inside the transaction that saved the farmer (or its correction)."""
    _refuse_if_anonymised(farmer)
    farmer.registration_status = RegistrationStatus.MENUNGGU_KPJ
    farmer.insurer_errors = []
    farmer.save(update_fields=["registration_status", "insurer_errors", "updated_at"])
    # A corrected registration supersedes the refused one: it must not be sent a second time.
    queue.supersede(operation=REGISTER, subject_id=farmer.pk)
    return queue.enqueue(operation=REGISTER, subject_id=farmer.pk, payload=registration_body(farmer))


def queue_new_registrations(farmers: list[tuple[Farmer, list[Heir]]]) -> None:
    """queue_registration() for farmers just inserted together, with their heirs: one outbox write.

    A new farmer is already MENUNGGU_KPJ with no errors, and has no earlier message to supersede.
    """
    queue.enqueue_many(
        operation=REGISTER, payloads={farmer.pk: registration_body(farmer, heirs) for farmer, heirs in farmers}
    )


def _refuse_if_anonymised(farmer: Farmer) -> None:
    if farmer.anonymised_at:
        # Its identity is erased: sending it would register "DIANONIMKAN" at the insurer.
        raise ValidationError("Data petani ini sudah dianonimkan; pendaftarannya tidak dapat dikirim ulang.")


def registration_messages(farmer: Farmer) -> QuerySet[OutboxMessage]:
    return queue.messages_for(operation=REGISTER, subject_id=farmer.pk)


def _done(farmer_id: int, response: dict[str, Any]) -> None:
    # 201, or 409 PESERTA_SUDAH_TERDAFTAR: either way the NIK has this KPJ at the insurer.
    farmer = Farmer.objects.select_for_update().get(pk=farmer_id)
    farmer.kpj = response["kpj"]
    farmer.registration_status = RegistrationStatus.TERDAFTAR
    farmer.insurer_errors = []
    farmer.save(update_fields=["kpj", "registration_status", "insurer_errors", "updated_at"])
    farmers_registered.send(sender=Farmer, farmers=[farmer])


def _done_many(answers: list[tuple[int, dict[str, Any]]]) -> None:
    """_done() for a drain's batch: the farmers locked in one query (in pk order, as every batch
    locks them), changed by one update, their history rows by one insert, and one signal."""
    kpjs = {farmer_id: response["kpj"] for farmer_id, response in answers}
    farmers = list(Farmer.objects.select_for_update().filter(pk__in=kpjs).order_by("pk"))
    now = timezone.now()
    changed = []
    for farmer in farmers:
        registered = (kpjs[farmer.pk], RegistrationStatus.TERDAFTAR, [])
        if (farmer.kpj, farmer.registration_status, farmer.insurer_errors) != registered:
            farmer.kpj, farmer.registration_status, farmer.insurer_errors = registered
            farmer.updated_at = now
            changed.append(farmer)
    update_with_history(changed, ["kpj", "registration_status", "insurer_errors", "updated_at"], at=now)
    farmers_registered.send(sender=Farmer, farmers=farmers)


def _refused(farmer_id: int, errors: list[dict]) -> None:
    # Saved, not updated: the refusal belongs in the farmer's change history, as the insurer's.
    farmer = Farmer.objects.select_for_update().get(pk=farmer_id)
    farmer.registration_status = RegistrationStatus.DITOLAK
    farmer.insurer_errors = translate_errors(errors, MESSAGES)
    farmer.save(update_fields=["registration_status", "insurer_errors", "updated_at"])


def _resend(farmer_id: int) -> None:
    """The Gateway page's *Kirim ulang*: only a registration that passes the rules the agent's
    correction passes (docs/domain-rules.md#nik); otherwise the agent must correct it first."""
    farmer = Farmer.objects.select_for_update().get(pk=farmer_id)
    _refuse_if_anonymised(farmer)
    problems = registration_problems(
        nik=farmer.nik, birth_date=farmer.birth_date, sex=farmer.sex, today=timezone.localdate()
    )
    if problems:
        raise ValidationError(
            f"Data {farmer.name} belum memenuhi syarat ({' '.join(problems.values())}) "
            "Penyuluh perlu memperbaikinya lebih dulu."
        )
    queue_registration(farmer)


def _describe(farmer_id: int) -> Subject:
    farmer = Farmer.objects.filter(pk=farmer_id).select_related("village").first()
    if farmer is None:
        return Subject(f"petani #{farmer_id} (sudah dihapus)")
    return Subject(f"{farmer.name}, {farmer.village}", farmer.get_absolute_url())


REGISTRATION = InsurerOperation(
    name=REGISTER,
    label="Pendaftaran peserta",
    path="/peserta",
    key_prefix="reg",
    done=_done,
    done_many=_done_many,
    refused=_refused,
    resend=_resend,
    describe=_describe,
    already_done_codes=frozenset({"PESERTA_SUDAH_TERDAFTAR"}),
)
