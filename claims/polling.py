"""Following a claim at the insurer until it is final: DITOLAK with its reason, DIBAYAR with the amount.

A plain read (GET /klaim/{no}) through the gateway's client: nothing is sent that could be
booked twice, so it needs no outbox (docs/insurer-contract.md#operations).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction

from bpjs_gateway.client import H2HClient, Verdict, default_client
from bpjs_gateway.registry import API
from claims.models import AT_THE_INSURER, Claim, ClaimEvent, ClaimStatus
from sutasoma.formatting import rupiah

logger = logging.getLogger(__name__)
INSURER_STATUSES = {
    "DITERIMA": ClaimStatus.DITERIMA,
    "VERIFIKASI": ClaimStatus.VERIFIKASI,
    "DISETUJUI": ClaimStatus.DISETUJUI,
    "DITOLAK": ClaimStatus.DITOLAK,
    "DIBAYAR": ClaimStatus.DIBAYAR,
}


def claims_to_poll() -> list[int]:
    return list(Claim.objects.filter(status__in=AT_THE_INSURER, claim_no__isnull=False).values_list("pk", flat=True))


def claim_poll(claim_id: int, *, client: H2HClient | None = None) -> str:
    """Bring one claim up to what the insurer says; returns its status afterwards."""
    claim_no = Claim.objects.values_list("claim_no", flat=True).get(pk=claim_id)
    outcome = (client or default_client()).call("GET", f"{API}/klaim/{claim_no}")
    if outcome.verdict is not Verdict.OK:
        logger.warning("klaim %s: BPJS tidak menjawab (%s %s)", claim_no, outcome.status, outcome.code)
        return ""
    answer = outcome.response
    with transaction.atomic():
        claim = Claim.objects.select_for_update().get(pk=claim_id)
        known = set(ClaimEvent.objects.filter(claim=claim, by=None).values_list("status", "at"))
        for step in answer.get("riwayat") or []:
            status = INSURER_STATUSES.get(step.get("status"))
            at = dt.datetime.fromisoformat(step["waktu"]) if step.get("waktu") else None
            if status is None or at is None or (status, at) in known or status == ClaimStatus.DITERIMA:
                continue  # DITERIMA was written when the claim was filed
            claim.status, claim.status_since = status, at
            ClaimEvent.objects.create(claim=claim, status=status, at=at, note=_note(status, answer))
        claim.paid_amount = answer.get("nominal")
        claim.insurer_reason = answer.get("alasan") or ""
        claim.save(update_fields=["status", "status_since", "paid_amount", "insurer_reason"])
    return claim.status


def _note(status: str, answer: dict) -> str:
    if status == ClaimStatus.DITOLAK:
        return f"Alasan: {answer.get('alasan') or '-'}"
    if status == ClaimStatus.DIBAYAR and answer.get("nominal") is not None:
        return f"Dibayar {rupiah(answer['nominal'])}"
    return ""
