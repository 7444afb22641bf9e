"""Celery entry points of claims."""

from __future__ import annotations

from celery import shared_task

from claims.polling import claim_poll, claims_to_poll


@shared_task(ignore_result=True)
def poll_claims_task() -> int:
    """Each claim at the insurer, read once; the beat runs this until every claim is final."""
    ids = claims_to_poll()
    for claim_id in ids:
        claim_poll(claim_id)
    return len(ids)
