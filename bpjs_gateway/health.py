"""What an admin needs to see whether the insurer link is healthy."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Max, Min
from django.utils import timezone

from bpjs_gateway.models import OutboxMessage, OutboxState, RequestLog
from bpjs_gateway.registry import Subject
from bpjs_gateway.registry import operation as registered_operation
from sutasoma.paging import COUNT_CAP


@dataclass(frozen=True)
class FailedOperation:
    message: OutboxMessage
    label: str
    subject: Subject


@dataclass(frozen=True)
class GatewayHealth:
    counts: dict[str, int]  # each no further than COUNT_CAP + 1
    count_cap: int
    oldest_pending_age: dt.timedelta | None
    failures_by_code: list[dict]
    last_success: dt.datetime | None
    failed: list[FailedOperation]


def outbox_counts(*, cap: int | None = None) -> dict[str, int]:
    """How many messages are in each state; with `cap`, counted no further than `cap + 1` each.
    The page caps them: a province's outbox holds millions of sent messages, and counting them on
    every visit (0,45 s per million) tells an admin nothing the queues do not."""
    if cap is not None:
        return {
            state: OutboxMessage.objects.filter(state=state).order_by()[: cap + 1].count()
            for state in OutboxState.values
        }
    counts = dict(OutboxMessage.objects.values_list("state").annotate(n=Count("pk")).order_by())
    return {state: counts.get(state, 0) for state in OutboxState.values}


def gateway_health_summary() -> GatewayHealth:
    now = timezone.now()
    oldest = OutboxMessage.objects.filter(state__in=[OutboxState.PENDING, OutboxState.SENDING]).aggregate(
        oldest=Min("created_at")
    )["oldest"]
    since = now - dt.timedelta(hours=24)
    failures = list(
        RequestLog.objects.filter(started_at__gte=since)
        .exclude(outcome="ok")
        .exclude(outcome="")
        .values("error_code", "outcome")
        .annotate(n=Count("pk"))
        .order_by("-n")[:20]
    )
    return GatewayHealth(
        counts=outbox_counts(cap=COUNT_CAP),
        count_cap=COUNT_CAP,
        oldest_pending_age=now - oldest if oldest else None,
        failures_by_code=failures,
        last_success=RequestLog.objects.filter(outcome="ok").aggregate(last=Max("started_at"))["last"],
        failed=[
            FailedOperation(message, spec.label, spec.describe(message.subject_id))
            for message in OutboxMessage.objects.filter(state=OutboxState.FAILED).order_by("-completed_at")[:50]
            if (spec := registered_operation(message.operation))
        ],
    )
