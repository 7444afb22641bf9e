"""Writes of the enrollment app. Views, the importer and the demo seeder all register farmers
through farmer_register(), so every rule is checked the same way whichever door they came in by."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import Storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from audit.history import create_with_history
from audit.models import Action
from audit.services import access_record, lookups_exhausted
from bpjs_gateway import queue
from bpjs_gateway.models import OutboxState
from enrollment.insurer import REGISTER, queue_new_registrations, queue_registration, registration_messages
from enrollment.ktp import KtpFile
from enrollment.ktp_reading import KtpReading, read_upload
from enrollment.models import Farmer, Heir, RegistrationStatus, Relation
from enrollment.nik import registration_problems
from enrollment.selectors import Matches, duplicates_for, nik_holder_for
from wilayah.models import Region

MAX_HEIRS = 5
ANONYMISED_NAME = "DIANONIMKAN"
ANONYMISED_REFUSAL = "Data petani ini sudah dianonimkan atas permintaannya; tidak dapat diubah lagi."


class LookupLimitReached(Exception):
    def __init__(self) -> None:
        super().__init__("Terlalu banyak pemeriksaan NIK dalam waktu singkat. Coba lagi dalam beberapa menit.")


class KtpReadLimitReached(Exception):
    def __init__(self) -> None:
        minutes = max(1, settings.LOOKUP_WINDOW_S // 60)
        super().__init__(
            f"Batas membaca KTP otomatis ({settings.KTP_READ_LIMIT} foto per {minutes} menit) tercapai — "
            "isi data dari KTP secara manual, atau coba baca lagi beberapa menit lagi."
        )


class NikAlreadyRegistered(Exception):
    def __init__(self, farmer: Farmer) -> None:
        super().__init__(f"NIK {farmer.nik} sudah terdaftar")
        self.farmer = farmer


@dataclass(frozen=True)
class HeirData:
    name: str
    relation: str
    nik: str = ""


@dataclass
class Registration:
    """What an agent records for one farmer: the model's fields, heirs and the KTP copy."""

    fields: dict[str, Any]
    heirs: list[HeirData] = field(default_factory=list)
    ktp: KtpFile | None = None
    submission_token: uuid.UUID | None = None


def nik_lookup(*, user: User, nik: str, exclude_pk: int | None = None, ip_address: str | None = None) -> Matches:
    """Whether a NIK is registered, told only as far as `user` may know it; counted and logged."""
    return _counted_lookup(
        user=user,
        action=Action.NIK_CHECK,
        ip_address=ip_address,
        matches=lambda: nik_holder_for(user, nik=nik, exclude_pk=exclude_pk),
    )


def duplicate_lookup(*, user: User, name: str, birth_date: dt.date, nik: str, exclude_pk: int | None = None) -> Matches:
    """Farmers with the same name and birth date under another NIK; counted and logged like a NIK check."""
    return _counted_lookup(
        user=user,
        action=Action.DUPLICATE_CHECK,
        ip_address=None,
        matches=lambda: duplicates_for(user, name=name, birth_date=birth_date, nik=nik, exclude_pk=exclude_pk),
    )


def _counted_lookup(*, user: User, action: Action, ip_address: str | None, matches: Callable[[], Matches]) -> Matches:
    """Every answer counts, "nothing found" too: otherwise a guesser learns who is registered
    from the gaps. Past the limit the user is told nothing until the window moves on."""
    if lookups_exhausted(user=user, action=action):
        raise LookupLimitReached
    found = matches()
    first = found.in_scope[0].pk if found.in_scope else None
    access_record(
        user=user,
        action=action,
        subject=f"petani:{first}" if first else "",
        detail="ditemukan di wilayahnya" if first else ("ditemukan di luar wilayahnya" if found else "tidak ditemukan"),
        ip_address=ip_address,
    )
    return found


def ktp_read(*, user: User, upload: File, ip_address: str | None = None) -> KtpReading:
    """Read a KTP photo for the registration form, counted per agent like the checks above: each read
    may hold a CPU core up to twice TESSERACT_TIMEOUT_S, so past KTP_READ_LIMIT in the window the
    agent types the fields and Tesseract is not run. Counted before reading, so a photo that fails
    or times out (the costliest read) counts too."""
    if lookups_exhausted(user=user, action=Action.KTP_READ):
        raise KtpReadLimitReached
    access_record(
        user=user, action=Action.KTP_READ, detail="foto KTP untuk formulir pendaftaran", ip_address=ip_address
    )
    return read_upload(upload)


def today_wita() -> dt.date:
    return timezone.localdate()


def farmer_register(*, user: User, registration: Registration, is_demo: bool = False) -> Farmer:
    """Register one farmer and queue it for the insurer, in one transaction.

    Idempotent on the form's submission token; a NIK saved first by someone else raises
    NikAlreadyRegistered, even when two agents press *Daftarkan* at the same moment.
    """
    token = registration.submission_token
    if token and (earlier := Farmer.objects.filter(submission_token=token).first()):
        return earlier
    problems = registration_check(registration)
    if problems:
        raise ValidationError(problems)
    farmer = _new_farmer(user, registration, is_demo=is_demo)
    try:
        farmer.full_clean(validate_unique=False, validate_constraints=False)
        # The KTP is written last, just before the insert; _KtpWrites removes it again if the
        # insert, the heirs, the queueing or the commit fails, so a refused save leaves no file.
        with _KtpWrites() as ktp_writes, transaction.atomic():
            if registration.ktp:
                ktp_writes.save(farmer, registration.ktp)
            farmer._history_user = user  # also from the importer and the seeder, where no request is
            farmer.save()
            create_with_history(
                [Heir(farmer=farmer, name=h.name, relation=h.relation, nik=h.nik) for h in registration.heirs], by=user
            )
            queue_registration(farmer)
    except IntegrityError:
        existing = Farmer.objects.filter(nik=registration.fields["nik"]).first()
        if existing is None:
            raise
        if token and existing.submission_token == token:
            return existing
        raise NikAlreadyRegistered(existing) from None
    return farmer


def registration_check(registration: Registration) -> dict[str, str]:
    """The rules every registration passes before it is saved, as field errors (empty when all is well)."""
    data = registration.fields
    problems = registration_problems(
        nik=data["nik"], birth_date=data.get("birth_date"), sex=data.get("sex"), today=today_wita()
    )
    return problems | _heir_problems(registration.heirs)


def _new_farmer(user: User, registration: Registration, *, is_demo: bool = False) -> Farmer:
    return Farmer(
        **registration.fields,
        consent_at=timezone.now(),
        consent_recorded_by=user,
        registered_by=user,
        agent=getattr(user, "agent", None),
        submission_token=registration.submission_token,
        is_demo=is_demo,
        # What the column's default says, given as a value: a default left to the database makes
        # a bulk insert spell out every row instead of sending each column as one array.
        payment_waiting=False,
    )


# Held by the database at the insert; the desa's level is checked on the object the caller holds.
_FOREIGN_KEYS = ("village", "consent_recorded_by", "registered_by", "agent")


def farmers_register_new(*, user: User, registrations: list[Registration]) -> list[Farmer]:
    """Register many farmers as farmer_register() does one, with one insert per table and one
    outbox write: the importer's way. All or none, in the caller's transaction.

    Each registration must have passed registration_check() (ValidationError otherwise), and
    carries no KTP copy nor submission token (a file's rows have neither). A NIK registered
    meanwhile raises IntegrityError: the caller then saves the rows one by one with
    farmer_register(), which tells whose it is.
    """
    farmers = []
    for registration in registrations:
        if registration.ktp or registration.submission_token:
            raise ValueError("farmers_register_new() saves rows of a file: no KTP copy, no submission token.")
        if problems := registration_check(registration):
            raise ValidationError(problems)
        farmer = _new_farmer(user, registration)
        farmer.full_clean(exclude=_FOREIGN_KEYS, validate_unique=False, validate_constraints=False)
        if farmer.village.level != Region.Level.DESA:
            raise ValidationError({"village": "Pilih desa/kelurahan."})
        farmers.append(farmer)
    with transaction.atomic():
        create_with_history(farmers, by=user)
        heirs = [
            [Heir(farmer=farmer, name=h.name, relation=h.relation, nik=h.nik) for h in registration.heirs]
            for farmer, registration in zip(farmers, registrations, strict=True)
        ]
        create_with_history([h for farmer_heirs in heirs for h in farmer_heirs], by=user)
        queue_new_registrations(list(zip(farmers, heirs, strict=True)))
    return farmers


def _heir_problems(heirs: list[HeirData]) -> dict[str, str]:
    # Checked here, not only in the forms: every door (web, import, seeder) saves heirs this way.
    if len(heirs) > MAX_HEIRS:
        return {"heirs": f"Paling banyak {MAX_HEIRS} ahli waris."}
    for heir in heirs:
        if not heir.name.strip() or heir.relation not in Relation.values:
            return {"heirs": "Setiap ahli waris perlu nama dan hubungan yang dikenal."}
        if heir.nik and not (heir.nik.isdigit() and len(heir.nik) == 16):
            return {"heirs": f"NIK ahli waris {heir.name} harus 16 angka."}
    return {}


def farmer_correct(*, farmer: Farmer, fields: dict[str, Any], ktp: KtpFile | None = None) -> Farmer:
    """After the insurer refused a registration: save the agent's corrections and send it again,
    as a new operation with a new key (the old key would only replay the refusal)."""
    if farmer.registration_status != RegistrationStatus.DITOLAK:
        raise ValidationError("Hanya pendaftaran yang ditolak BPJS yang diperbaiki di sini.")
    problems = registration_problems(
        nik=fields["nik"], birth_date=fields.get("birth_date"), sex=fields.get("sex"), today=today_wita()
    )
    if problems:
        raise ValidationError(problems)
    try:
        with _KtpWrites() as ktp_writes, transaction.atomic():
            locked = Farmer.objects.select_for_update().get(pk=farmer.pk)
            if locked.anonymised_at:
                raise ValidationError(ANONYMISED_REFUSAL)
            for name, value in fields.items():
                setattr(locked, name, value)
            locked.full_clean(validate_unique=False, validate_constraints=False)
            if ktp:
                ktp_writes.replace(locked, ktp)
            locked.save()
            queue_registration(locked)
    except IntegrityError:
        existing = Farmer.objects.filter(nik=fields["nik"]).exclude(pk=farmer.pk).first()
        if existing is None:
            raise
        raise NikAlreadyRegistered(existing) from None
    return locked


class _KtpWrites:
    """The KTP files a save writes: removed again when the save fails, whatever the reason.

    Entered outside the transaction, so that a failure at commit (a deferred foreign key) is seen too.
    A transaction around the caller's that rolls back later is not seen: manage.py ktp_orphans is for that.
    """

    def __init__(self) -> None:
        self.written: list[tuple[Storage, str]] = []

    def __enter__(self) -> _KtpWrites:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *_: object) -> None:
        if exc_type is None:
            return
        for storage, name in self.written:
            # The save's own failure is the one to report; a file left behind here is an orphan.
            with suppress(OSError):
                storage.delete(name)

    def save(self, farmer: Farmer, ktp: KtpFile) -> None:
        # upload_to gives the file a random name; the content's own name only brings the extension.
        farmer.ktp_image.save(ktp.content.name, ktp.content, save=False)
        self.written.append((farmer.ktp_image.storage, farmer.ktp_image.name))

    def replace(self, farmer: Farmer, ktp: KtpFile) -> None:
        """Save a new KTP for the farmer; the old file goes once the new one is committed."""
        previous = farmer.ktp_image.name
        storage = farmer.ktp_image.storage
        self.save(farmer, ktp)
        if previous:
            # robust: the farmer is saved by then, a file that will not go is only an orphan.
            transaction.on_commit(partial(storage.delete, previous), robust=True)


# --- erasure on request (UU 27/2022 PDP) ------------------------------------------------------


def anonymised_nik(pk: int) -> str:
    """A placeholder that can never be someone's NIK (no province is numbered 00) and stays unique."""
    return "00" + str(pk).zfill(14)


def farmer_anonymise(*, farmer: Farmer, by: User, reason: str) -> Farmer:
    """Erase a farmer's identity on their request, keeping what the insurer and the money rely on.

    The KPJ, desa, sex, income, payments and registration status stay, so contributions still
    reach the right participant and the books still add up; name, NIK, KK, birth place and day,
    address, phone, heirs, KTP copy, the change history that held them and the bodies sent to
    the insurer go. A registration still on its way to the insurer is refused: its body would
    be sent, and its answer written back, after the erasure.
    """
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError("Tuliskan alasan penganoniman (mis. nomor surat permintaan petani).")
    with transaction.atomic():
        locked = Farmer.objects.select_for_update().get(pk=farmer.pk)
        if locked.anonymised_at:
            raise ValidationError("Data petani ini sudah dianonimkan.")
        messages = list(registration_messages(locked).select_for_update())
        if any(m.state in (OutboxState.PENDING, OutboxState.SENDING) for m in messages):
            raise ValidationError("Tunggu sampai pendaftaran selesai diproses BPJS, lalu anonimkan.")

        ktp = locked.ktp_image.name
        storage = locked.ktp_image.storage
        locked.heirs.all().delete()
        locked.name = ANONYMISED_NAME
        locked.nik = anonymised_nik(locked.pk)
        locked.no_kk = "0" * 16
        locked.birth_place = locked.address = "-"
        # The year keeps age statistics and the insurer's age limits meaningful.
        locked.birth_date = locked.birth_date.replace(month=1, day=1)
        locked.rt = locked.rw = locked.phone = locked.farmer_group = ""
        locked.ktp_image = ""
        locked.insurer_errors = []
        locked.anonymised_at = timezone.now()
        locked._history_user = by
        locked._change_reason = "Dianonimkan atas permintaan petani"
        locked.save()

        # Every earlier history row is a full copy of the old identity: keeping them would make
        # the erasure a pretence. The one written just now records who erased, and when.
        latest = locked.history.latest()
        Farmer.history.filter(id=locked.pk).exclude(history_id=latest.history_id).delete()
        Heir.history.filter(farmer_id=locked.pk).delete()
        queue.forget_bodies(operation=REGISTER, subject_id=locked.pk)
        access_record(user=by, action=Action.ERASE, subject=f"petani:{locked.pk}", detail=reason)
        if ktp:
            transaction.on_commit(lambda: storage.delete(ktp))
    return locked


def farmer_erase(*, farmer: Farmer, by: User, reason: str) -> None:
    """Delete outright a farmer the insurer never heard of and no one paid for.

    Only then is nothing left to keep consistent: no KPJ, no payment, no registration that
    reached the insurer. Everything else is anonymised instead (farmer_anonymise).
    """
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError("Tuliskan alasan penghapusan (mis. nomor surat permintaan petani).")
    with transaction.atomic():
        locked = Farmer.objects.select_for_update().get(pk=farmer.pk)
        # Locked, so that no worker claims a row while we look: skip_locked makes it pass them by.
        messages = list(registration_messages(locked).select_for_update())
        reached_insurer = any(m.state != OutboxState.PENDING or m.attempts for m in messages)
        if locked.kpj or reached_insurer or locked.payments.exists():
            raise ValidationError(
                "Petani ini sudah dikirim ke BPJS atau sudah membayar iuran: data tidak dapat dihapus, "
                "hanya dianonimkan."
            )
        pk, ktp, storage = locked.pk, locked.ktp_image.name, locked.ktp_image.storage
        registration_messages(locked).delete()
        locked.delete()  # heirs go with it (CASCADE)
        Farmer.history.filter(id=pk).delete()
        Heir.history.filter(farmer_id=pk).delete()
        access_record(user=by, action=Action.ERASE, subject=f"petani:{pk}", detail=f"dihapus: {reason}")
        if ktp:
            transaction.on_commit(lambda: storage.delete(ktp))
