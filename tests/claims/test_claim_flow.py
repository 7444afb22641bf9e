"""A death claim from the agent's report to the insurer's payment, through the sandbox."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from bpjs_gateway import outbox
from claims.insurer import claim_messages, document_messages
from claims.models import REQUIRED_DOCUMENTS, ClaimKind, ClaimStatus, DocumentStatus
from claims.polling import claim_poll
from claims.services import claim_report, claim_submit, document_upload, missing_documents

JKM_FIELDS = {
    "kind": ClaimKind.JKM,
    "place": "Sawah, Desa Umpungeng",
    "description": "Meninggal dunia tertimpa pohon saat bekerja di sawah",
    "reporter_name": "ANDI BASO",
    "reporter_relation": "SUAMI",
    "reporter_phone": "081234567891",
    "beneficiary_name": "ANDI BASO",
    "bank_name": "BRI",
    "bank_account": "012345678901234",
    "bank_account_holder": "ANDI BASO",
}


@pytest.fixture
def reported(agent_user, insured):
    fields = JKM_FIELDS | {"incident_date": timezone.localdate()}
    return claim_report(user=agent_user, farmer=insured, fields=fields)


def upload_all(agent_user, claim, document_photo):
    for kind in REQUIRED_DOCUMENTS[claim.kind]:
        document_upload(user=agent_user, claim=claim, kind=kind, upload=document_photo(kind))


def test_a_missing_document_blocks_submission(agent_user, reported, document_photo):
    document_upload(user=agent_user, claim=reported, kind="KTP", upload=document_photo("KTP"))
    assert missing_documents(reported) == ["KK", "SURAT_KEMATIAN", "KTP_AHLI_WARIS", "BUKU_REKENING"]
    with pytest.raises(ValidationError, match="Kartu Keluarga"):
        claim_submit(user=agent_user, claim=reported)
    assert not claim_messages(reported).exists()


def test_a_complete_claim_goes_to_the_insurer_and_is_followed_until_paid(
    agent_user, reported, document_photo, h2h, clean_sandbox
):
    upload_all(agent_user, reported, document_photo)
    reported.refresh_from_db()
    assert reported.status == ClaimStatus.DOKUMEN_LENGKAP
    claim_submit(user=agent_user, claim=reported)
    claim_submit(user=agent_user, claim=reported)  # a double tap
    assert claim_messages(reported).count() == 1
    documents = list(reported.documents.all())
    assert all(document_messages(d).get().state == "WAITING" for d in documents)

    outbox.send_message(claim_messages(reported).get().pk, client=h2h)
    reported.refresh_from_db()
    assert reported.status == ClaimStatus.DITERIMA and reported.claim_no.startswith("KLM")
    for document in documents:
        assert outbox.send_message(document_messages(document).get().pk, client=h2h).state == "DONE"
    assert set(reported.documents.values_list("status", flat=True)) == {DocumentStatus.TERKIRIM}

    clean_sandbox.advance(reported.claim_no, status="VERIFIKASI")
    clean_sandbox.advance(reported.claim_no, status="DIBAYAR", nominal=42_000_000)
    assert claim_poll(reported.pk, client=h2h) == ClaimStatus.DIBAYAR
    reported.refresh_from_db()
    assert reported.paid_amount == 42_000_000
    steps = list(reported.events.values_list("status", flat=True))
    assert steps == ["DILAPORKAN", "DOKUMEN_LENGKAP", "DIAJUKAN", "DITERIMA", "VERIFIKASI", "DIBAYAR"]
    assert claim_poll(reported.pk, client=h2h) == ClaimStatus.DIBAYAR  # polled again: nothing new
    assert reported.events.count() == 6
    stats = clean_sandbox.stats()
    assert (stats["klaim"], stats["documents_received"], stats["documents_replaced"]) == (1, 5, 0)


def test_a_refusal_by_the_insurer_shows_its_reason(agent_user, reported, document_photo, h2h, clean_sandbox):
    upload_all(agent_user, reported, document_photo)
    claim_submit(user=agent_user, claim=reported)
    outbox.send_message(claim_messages(reported).get().pk, client=h2h)
    reported.refresh_from_db()
    clean_sandbox.advance(reported.claim_no, status="DITOLAK", alasan="Bukan kecelakaan kerja")
    assert claim_poll(reported.pk, client=h2h) == ClaimStatus.DITOLAK
    reported.refresh_from_db()
    assert reported.insurer_reason == "Bukan kecelakaan kerja"
    assert "Bukan kecelakaan kerja" in reported.events.last().note


def test_an_incident_in_the_grace_month_is_not_sent(agent_user, insured, document_photo):
    from contributions.models import Payment
    from sutasoma.months import add_months, month_start

    Payment.objects.update(start_month=add_months(month_start(timezone.localdate()), -1))  # paid through last month
    fields = JKM_FIELDS | {"incident_date": timezone.localdate()}
    claim = claim_report(user=agent_user, farmer=insured, fields=fields)
    upload_all(agent_user, claim, document_photo)
    with pytest.raises(ValidationError, match="masa tenggang"):
        claim_submit(user=agent_user, claim=claim)


def test_a_jkm_claim_needs_the_heirs_bank_account(agent_user, insured):
    fields = JKM_FIELDS | {"incident_date": timezone.localdate(), "bank_account": ""}
    with pytest.raises(ValidationError) as refused:
        claim_report(user=agent_user, farmer=insured, fields=fields)
    assert "bank_account" in refused.value.message_dict
