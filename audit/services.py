"""Recording access to personal data, and the per-user limits on existence checks and KTP reads."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from audit.models import AccessLog, Action


def access_record(
    *, user, action: Action, subject: str = "", detail: str = "", ip_address: str | None = None
) -> AccessLog:
    """Write one entry. `subject` names the record (`petani:42`), never a NIK."""
    return AccessLog.objects.create(
        user=user, action=action, subject=subject[:64], detail=detail[:200], ip_address=ip_address
    )


def lookups_exhausted(*, user, action: Action, now: dt.datetime | None = None) -> bool:
    """True when the user has made as many checks of this kind as the window allows.

    Counted from the log itself, so the limit holds across web processes and restarts, and a
    guesser is stopped by the same rows that record the guessing.
    """
    return lookups_left(user=user, actions=[action], now=now)[action] <= 0


def lookups_left(*, user, actions: list[Action], now: dt.datetime | None = None) -> dict[Action, int]:
    """How many more checks of each kind the window allows the user, in one query: a bulk import
    counts once per batch and then keeps count itself as it logs."""
    window = dt.timedelta(seconds=settings.LOOKUP_WINDOW_S)
    since = (now or timezone.now()) - window
    used = dict(
        AccessLog.objects.filter(user=user, action__in=actions, at__gte=since)
        .values_list("action")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return {action: _limit(action) - used.get(action, 0) for action in actions}


def _limit(action: Action) -> int:
    # A KTP read is not an existence check but a Tesseract run on the server's CPU: its own number.
    return settings.KTP_READ_LIMIT if action == Action.KTP_READ else settings.LOOKUP_LIMIT
