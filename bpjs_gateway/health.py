"""What an admin needs to see whether the insurer link is healthy, and the probe that notices
when it is healthy again."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Max, Min
from django.utils import timezone

from bpjs_gateway import outbox
from bpjs_gateway.client import H2HClient, Verdict, default_client
from bpjs_gateway.models import OutboxMessage, OutboxState, RequestLog
from bpjs_gateway.registry import API, Subject
from bpjs_gateway.registry import operation as registered_operation
from sutasoma.paging import COUNT_CAP

logger = logging.getLogger(__name__)

PROBE = "PROBE"
# A participant no one has: the insurer's answer (404 in its envelope) shows it is up, signature
# and all, and changes nothing there.
_PROBE_PATH = f"{API}/peserta/00000000000"


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
    operations = RequestLog.objects.exclude(operation=PROBE)
    failures = list(
        operations.filter(started_at__gte=since)
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
        last_success=operations.filter(outcome="ok").aggregate(last=Max("started_at"))["last"],
        failed=[
            FailedOperation(message, spec.label, spec.describe(message.subject_id))
            for message in OutboxMessage.objects.filter(state=OutboxState.FAILED).order_by("-completed_at")[:50]
            if (spec := registered_operation(message.operation))
        ],
    )


def probe_and_release(*, client: H2HClient | None = None) -> list[int]:
    """While rows wait out a back-off an outage caused, ask the insurer whether it answers; if it
    does, release them (outbox.release_backlog): the ids, for the caller to send. Nobody is
    asked when nothing waits.

    Every probe is a RequestLog row (operation PROBE) with the number it released, so a backlog
    sent early can be traced to the answer that let it go.
    """
    if not outbox.backed_off().exists():
        return []
    log = RequestLog.objects.create(operation=PROBE, method="GET", path=_PROBE_PATH)
    outcome = (client or default_client()).call("GET", _PROBE_PATH)
    # Any answer in the insurer's envelope but "try later" means it is back: a 404 as much as a 200.
    answers = outcome.status is not None and outcome.verdict is not Verdict.RETRY
    released = outbox.release_backlog(limit=settings.BPJS_OUTBOX_RELEASE_MAX) if answers else []
    RequestLog.objects.filter(pk=log.pk).update(
        duration_ms=outcome.duration_ms,
        http_status=outcome.status,
        outcome=outcome.verdict.value,
        error_code=outcome.code,
        released=len(released),
    )
    if released:
        logger.info("insurer answers again (probe %s): %d backed-off rows released", log.pk, len(released))
    return released
