"""Claims at the insurer: filing a claim, then each document, then reading its status.

The claim goes first; its documents wait on the outbox (WAITING) until the insurer has given the
claim its number, which their path needs (docs/insurer-contract.md#operations). Each is one
outbox row with its own key, so a lost answer is replayed, never filed or uploaded twice.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from bpjs_gateway import queue
from bpjs_gateway.errors import translate_errors
from bpjs_gateway.models import OutboxMessage
from bpjs_gateway.registry import InsurerOperation, Subject
from claims.models import Claim, ClaimDocument, ClaimKind, ClaimStatus, DocumentStatus
from claims.timeline import move

FILE_CLAIM = "CLAIM"
UPLOAD_DOCUMENT = "CLAIM_DOC"

MESSAGES = {
    "PESERTA_TIDAK_DITEMUKAN": "Peserta tidak ditemukan di BPJS; periksa KPJ petani.",
    "TANGGAL_TIDAK_VALID": "Tanggal kejadian tidak valid atau di masa depan.",
    "TIDAK_DALAM_MASA_PERLINDUNGAN": (
        "Tanggal kejadian tidak dalam bulan yang sudah dibayar (masa tenggang tidak ditanggung)."
    ),
    "DOKUMEN_KURANG": "Dokumen wajib belum lengkap.",
    "DOKUMEN_TIDAK_COCOK": "Berkas tidak sama dengan yang didaftarkan pada klaim. Unggah ulang berkas aslinya.",
    "BERKAS_TERLALU_BESAR": "Berkas lebih dari 5 MB. Foto ulang dengan resolusi lebih kecil.",
    "TIPE_BERKAS_TIDAK_DIDUKUNG": "Berkas harus foto JPG/PNG atau PDF.",
    "DOKUMEN_TIDAK_DIKENAL": "Dokumen ini tidak disebut dalam klaim.",
    "KLAIM_TIDAK_DITEMUKAN": "Klaim tidak ditemukan di BPJS.",
}


def claim_body(claim: Claim) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kpj": claim.farmer.kpj,
        "jenis": claim.kind,
        "tanggal_kejadian": claim.incident_date.isoformat(),
        "uraian": claim.description,
        "lokasi": claim.place,
        "pelapor": {"nama": claim.reporter_name, "hubungan": claim.reporter_relation, "no_hp": claim.reporter_phone},
        "dokumen": [{"jenis": d.kind, "sha256": d.sha256} for d in claim.documents.order_by("kind")],
    }
    if claim.kind == ClaimKind.JKM:
        body["rekening"] = {
            "bank": claim.bank_name,
            "nomor": claim.bank_account,
            "atas_nama": claim.bank_account_holder,
        }
    return body


def queue_claim(claim: Claim) -> None:
    """The claim now, its documents once the insurer has numbered it. Inside the submitting transaction."""
    queue.supersede(operation=FILE_CLAIM, subject_id=claim.pk)
    queue.enqueue(operation=FILE_CLAIM, subject_id=claim.pk, payload=claim_body(claim))
    for document in claim.documents.all():
        queue.supersede(operation=UPLOAD_DOCUMENT, subject_id=document.pk)
        queue.enqueue(operation=UPLOAD_DOCUMENT, subject_id=document.pk, payload=None)


def queue_document(document: ClaimDocument) -> None:
    """A document of a numbered claim, sent at once (a replacement for a refused one)."""
    queue.supersede(operation=UPLOAD_DOCUMENT, subject_id=document.pk)
    queue.enqueue(
        operation=UPLOAD_DOCUMENT,
        subject_id=document.pk,
        payload=_file(document),
        path=_document_path(document),
    )


def claim_messages(claim: Claim) -> QuerySet[OutboxMessage]:
    return queue.messages_for(operation=FILE_CLAIM, subject_id=claim.pk)


def document_messages(document: ClaimDocument) -> QuerySet[OutboxMessage]:
    return queue.messages_for(operation=UPLOAD_DOCUMENT, subject_id=document.pk)


def _file(document: ClaimDocument) -> queue.RawBody:
    with document.file.open("rb") as handle:
        return queue.RawBody(handle.read(), document.content_type)


def _document_path(document: ClaimDocument) -> str:
    return f"/klaim/{document.claim.claim_no}/dokumen/{document.kind}"


# --- the insurer's answers --------------------------------------------------------------------


def _claim_done(claim_id: int, response: dict[str, Any]) -> None:
    claim = Claim.objects.select_for_update().get(pk=claim_id)
    claim.claim_no = response["no_klaim"]
    claim.insurer_errors = []
    claim.save(update_fields=["claim_no", "insurer_errors"])
    move(claim, ClaimStatus.DITERIMA, note=f"Nomor klaim BPJS {claim.claim_no}.")
    for document in claim.documents.all():
        queue.release(
            operation=UPLOAD_DOCUMENT, subject_id=document.pk, payload=_file(document), path=_document_path(document)
        )


def _claim_refused(claim_id: int, errors: list[dict]) -> None:
    # Refused at filing (not covered, documents short): back to the agent with the reasons.
    claim = Claim.objects.select_for_update().get(pk=claim_id)
    claim.insurer_errors = translate_errors(errors, MESSAGES)
    claim.save(update_fields=["insurer_errors"])
    for document in claim.documents.all():
        queue.messages_for(operation=UPLOAD_DOCUMENT, subject_id=document.pk).filter(state="WAITING").delete()
    reasons = " ".join(e["pesan"] for e in claim.insurer_errors)
    move(claim, ClaimStatus.DOKUMEN_LENGKAP, note=f"Ditolak saat pengajuan: {reasons}")


def _claim_resend(claim_id: int) -> None:
    claim = Claim.objects.select_for_update().get(pk=claim_id)
    if claim.claim_no:
        raise ValidationError("Klaim ini sudah bernomor di BPJS; tidak diajukan ulang.")
    queue_claim(claim)
    move(claim, ClaimStatus.DIAJUKAN, note="Diajukan ulang dari halaman Gateway.")


def _describe_claim(claim_id: int) -> Subject:
    claim = Claim.objects.filter(pk=claim_id).select_related("farmer").first()
    if claim is None:
        return Subject(f"klaim #{claim_id}")
    return Subject(f"Klaim {claim.kind} {claim.farmer.name}", claim.get_absolute_url())


def _document_done(document_id: int, response: dict[str, Any]) -> None:
    ClaimDocument.objects.filter(pk=document_id).update(status=DocumentStatus.TERKIRIM, insurer_errors=[])


def _document_refused(document_id: int, errors: list[dict]) -> None:
    document = ClaimDocument.objects.select_for_update().select_related("claim").get(pk=document_id)
    document.status = DocumentStatus.DITOLAK
    document.insurer_errors = translate_errors(errors, MESSAGES)
    document.save(update_fields=["status", "insurer_errors"])
    reasons = " ".join(e["pesan"] for e in document.insurer_errors)
    move(document.claim, document.claim.status, note=f"{document.get_kind_display()} ditolak BPJS: {reasons}")


def _document_resend(document_id: int) -> None:
    queue_document(ClaimDocument.objects.select_related("claim").get(pk=document_id))


def _describe_document(document_id: int) -> Subject:
    document = ClaimDocument.objects.filter(pk=document_id).select_related("claim__farmer").first()
    if document is None:
        return Subject(f"dokumen klaim #{document_id}")
    return Subject(f"{document.get_kind_display()} — {document.claim.farmer.name}", document.claim.get_absolute_url())


CLAIM = InsurerOperation(
    name=FILE_CLAIM,
    label="Pengajuan klaim",
    path="/klaim",
    key_prefix="klm",
    done=_claim_done,
    refused=_claim_refused,
    resend=_claim_resend,
    describe=_describe_claim,
)
DOCUMENT = InsurerOperation(
    name=UPLOAD_DOCUMENT,
    label="Dokumen klaim",
    path="/klaim",  # replaced per document by /klaim/{no}/dokumen/{jenis}
    method="PUT",
    key_prefix="dok",
    done=_document_done,
    refused=_document_refused,
    resend=_document_resend,
    describe=_describe_document,
)
