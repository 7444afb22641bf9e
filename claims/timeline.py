"""Every change of a claim's status, kept with who (nobody: the insurer) and when."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accounts.models import User
from claims.models import Claim, ClaimEvent


def move(claim: Claim, status: str, *, by: User | None = None, note: str = "", at: dt.datetime | None = None) -> None:
    """Set the claim's status and write the step; the caller holds the claim's row lock."""
    at = at or timezone.now()
    if claim.status != status:
        claim.status, claim.status_since = status, at
        claim.save(update_fields=["status", "status_since"])
    ClaimEvent.objects.create(claim=claim, status=status, note=note[:300], by=by, at=at)
