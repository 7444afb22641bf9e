"""Writes of the claims app: reporting, documents, submitting. Each in one transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from contextlib import suppress
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from claims.insurer import queue_claim, queue_document
from claims.models import (
    REQUIRED_DOCUMENTS,
    Claim,
    ClaimDocument,
    ClaimKind,
    ClaimStatus,
    DocumentStatus,
)
from claims.timeline import move
from contributions.coverage import Coverage, covered_on
from enrollment.ktp import KtpError, clean_upload
from enrollment.models import Farmer, RegistrationStatus

# A chronology or a doctor's letter can run to a few pages; more is a photo album, not a document.
MAX_DOCUMENT_PAGES = 10


def claim_coverage(farmer: Farmer, incident_date: dt.date) -> Coverage:
    """What the agent sees as soon as the date is typed, before anything is sent."""
    if incident_date > timezone.localdate():
        return Coverage(False, "Tanggal kejadian tidak boleh di masa depan.")
    return covered_on(farmer, incident_date)


def claim_report(
    *, user: User, farmer: Farmer, fields: dict[str, Any], submission_token: uuid.UUID | None = None
) -> Claim:
    """The agent's report of an accident or a death; idempotent on the form's token."""
    if submission_token and (earlier := Claim.objects.filter(submission_token=submission_token).first()):
        return earlier
    if farmer.registration_status != RegistrationStatus.TERDAFTAR or not farmer.kpj:
        raise ValidationError("Petani belum terdaftar di BPJS (belum ada KPJ): klaim belum dapat diajukan.")
    problems = {}
    if fields["incident_date"] > timezone.localdate():
        problems["incident_date"] = "Tanggal kejadian tidak boleh di masa depan."
    if fields["kind"] == ClaimKind.JKM:
        for name in ("beneficiary_name", "bank_name", "bank_account", "bank_account_holder"):
            if not fields.get(name):
                problems[name] = "Wajib untuk klaim JKM: ke rekening ini manfaat dibayarkan."
    if problems:
        raise ValidationError(problems)
    try:
        with transaction.atomic():
            claim = Claim.objects.create(
                farmer=farmer,
                village_id=farmer.village_id,
                reported_by=user,
                submission_token=submission_token,
                **fields,
            )
            move(claim, ClaimStatus.DILAPORKAN, by=user, note="Dilaporkan oleh penyuluh.")
    except IntegrityError:
        if submission_token and (earlier := Claim.objects.filter(submission_token=submission_token).first()):
            return earlier
        raise
    return claim


def missing_documents(claim: Claim) -> list[str]:
    present = set(claim.documents.values_list("kind", flat=True))
    return [kind for kind in REQUIRED_DOCUMENTS[claim.kind] if kind not in present]


def document_upload(*, user: User, claim: Claim, kind: str, upload: UploadedFile) -> ClaimDocument:
    """Store one document through the KTP's intake; a replacement for a refused one goes at once."""
    if kind not in REQUIRED_DOCUMENTS[claim.kind]:
        raise ValidationError({"kind": "Dokumen ini tidak diperlukan untuk jenis klaim ini."})
    try:
        clean = clean_upload(upload, label=kind.replace("_", " ").lower(), max_pdf_pages=MAX_DOCUMENT_PAGES)
    except KtpError as exc:
        raise ValidationError({"file": str(exc)}) from exc
    data = clean.content.read()
    clean.content.seek(0)
    written: list[str] = []
    try:
        with transaction.atomic():
            locked = Claim.objects.select_for_update().get(pk=claim.pk)
            existing = ClaimDocument.objects.filter(claim=locked, kind=kind).first()
            replacing_refused = existing is not None and existing.status == DocumentStatus.DITOLAK
            if locked.status not in (ClaimStatus.DILAPORKAN, ClaimStatus.DOKUMEN_LENGKAP) and not replacing_refused:
                raise ValidationError("Dokumen klaim yang sudah diajukan hanya diganti bila ditolak BPJS.")
            document = existing or ClaimDocument(claim=locked, kind=kind)
            previous = document.file.name if existing else ""
            document.file.save(clean.content.name, clean.content, save=False)
            written.append(document.file.name)
            document.content_type, document.size = clean.content_type, len(data)
            document.sha256 = hashlib.sha256(data).hexdigest()
            document.status, document.insurer_errors, document.uploaded_by = DocumentStatus.ADA, [], user
            document.save()
            if previous:
                transaction.on_commit(partial(document.file.storage.delete, previous), robust=True)
            if replacing_refused and locked.claim_no:
                queue_document(document)
            elif locked.status == ClaimStatus.DILAPORKAN and not missing_documents(locked):
                move(locked, ClaimStatus.DOKUMEN_LENGKAP, by=user, note="Semua dokumen wajib sudah ada.")
    except BaseException:
        # A refused or failed save leaves no file behind.
        storage = ClaimDocument._meta.get_field("file").storage
        for name in written:
            with suppress(OSError):
                storage.delete(name)
        raise
    return document


def claim_submit(*, user: User, claim: Claim) -> Claim:
    """Send the claim and its documents to the insurer, once; refused while anything is missing."""
    with transaction.atomic():
        locked = Claim.objects.select_for_update().select_related("farmer").get(pk=claim.pk)
        if locked.status != ClaimStatus.DOKUMEN_LENGKAP:
            if locked.status in (ClaimStatus.DIAJUKAN, *[s for s in ClaimStatus.values if s != "DILAPORKAN"]):
                return locked  # sent already: a double tap changes nothing
            missing = ", ".join(
                dict(ClaimDocument._meta.get_field("kind").choices)[k] for k in missing_documents(locked)
            )
            raise ValidationError(f"Dokumen wajib belum lengkap: {missing}.")
        coverage = claim_coverage(locked.farmer, locked.incident_date)
        if not coverage.covered:
            raise ValidationError(f"Petani tidak dalam perlindungan pada tanggal kejadian: {coverage.reason}")
        queue_claim(locked)
        move(locked, ClaimStatus.DIAJUKAN, by=user, note="Diajukan ke BPJS.")
    return locked
