"""Sending the outbox: claim a row, call the insurer with no transaction open, record the verdict.

A row is claimed by a conditional update under `SELECT … FOR UPDATE SKIP LOCKED`, so two workers
never send it at once; the claim carries a lease, so a worker killed mid-request only delays the
row until the sweep finds the lease expired. The key never changes, so a resend is a replay.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from bpjs_gateway.client import H2HClient, Outcome, Verdict, default_client
from bpjs_gateway.models import OutboxMessage, OutboxState, RequestLog
from bpjs_gateway.registry import operation as registered_operation


@dataclass(frozen=True)
class SendResult:
    state: str  # the row's state afterwards, or "skipped" when another worker had it
    retry_in: float | None = None


def _sendable(now: dt.datetime) -> Q:
    return Q(state=OutboxState.PENDING, next_attempt_at__lte=now) | Q(state=OutboxState.SENDING, lease_until__lt=now)


def due_message_ids(*, limit: int = 500) -> list[int]:
    now = timezone.now() - dt.timedelta(seconds=settings.BPJS_OUTBOX_SWEEP_GRACE_S)
    return list(
        OutboxMessage.objects.filter(_sendable(now)).order_by("next_attempt_at").values_list("pk", flat=True)[:limit]
    )


def _claim(pk: int) -> tuple[OutboxMessage, bytes, int] | None:
    now = timezone.now()
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(_sendable(now), pk=pk)
            .first()
        )
        if message is None:
            return None
        body = bytes(message.body)
        message.state = OutboxState.SENDING
        message.lease_until = now + _lease()
        message.attempts += 1
        message.save(update_fields=["state", "lease_until", "attempts"])
        # The attempt is on record before the call, in the claim's own commit.
        log = RequestLog.objects.create(
            message=message, operation=message.operation, method=message.method, path=_redacted(message.path)
        )
    return message, body, log.pk


def send_message(pk: int, *, client: H2HClient | None = None) -> SendResult:
    claimed = _claim(pk)
    if claimed is None:
        return SendResult("skipped")
    message, body, log_id = claimed
    outcome = (client or default_client()).call(
        message.method,
        message.path,
        body=body,
        idempotency_key=message.idempotency_key,
        content_type=message.content_type,
    )
    return _record(message, outcome, log_id)


def _record(message: OutboxMessage, outcome: Outcome, log_id: int) -> SendResult:
    spec = registered_operation(message.operation)
    now = timezone.now()
    with transaction.atomic():
        RequestLog.objects.filter(pk=log_id).update(
            duration_ms=outcome.duration_ms,
            http_status=outcome.status,
            outcome=outcome.verdict.value,
            error_code=outcome.code,
            replay=outcome.replay,
        )
        current = OutboxMessage.objects.select_for_update().get(pk=message.pk)
        if current.state != OutboxState.SENDING or current.attempts != message.attempts:
            # Our lease ran out and another worker took the row: its answer will be recorded.
            return SendResult("skipped")
        current.last_status = outcome.status
        current.last_error_code = outcome.code
        current.lease_until = None
        already_done = outcome.status == 409 and outcome.code in spec.already_done_codes
        if outcome.verdict is Verdict.OK or already_done:
            response = outcome.response or _response_from_errors(outcome)
            spec.done(current.subject_id, response)
            current.state, current.response, current.completed_at = OutboxState.DONE, response, now
            current.errors = []
            result = SendResult(OutboxState.DONE)
        elif outcome.permanent:
            spec.refused(current.subject_id, outcome.errors)
            current.state, current.errors, current.completed_at = OutboxState.FAILED, outcome.errors, now
            result = SendResult(OutboxState.FAILED)
        else:
            delay = backoff_seconds(current.attempts, outcome.retry_after)
            current.state, current.next_attempt_at = OutboxState.PENDING, now + dt.timedelta(seconds=delay)
            result = SendResult(OutboxState.PENDING, retry_in=delay)
        current.save()
    return result


def _response_from_errors(outcome: Outcome) -> dict:
    # A 409 "already there" names the existing record; take it wherever the server put it.
    found: dict = {}
    for error in outcome.errors:
        found.update({k: v for k, v in error.items() if k not in {"field", "code", "message"}})
    return found


def _lease() -> dt.timedelta:
    # Long enough for a call and its one re-signed retry, short enough that a dead worker's
    # row is soon taken over.
    return dt.timedelta(seconds=settings.BPJS_H2H_TIMEOUT_S * 3 + 5)


def backoff_seconds(attempt: int, retry_after: float | None = None) -> float:
    """Exponential back-off with jitter, never sooner than the insurer's Retry-After."""
    base, cap = settings.BPJS_OUTBOX_BACKOFF_BASE_S, settings.BPJS_OUTBOX_BACKOFF_CAP_S
    ceiling = min(cap, base * 2 ** max(0, attempt - 1))
    delay = random.uniform(ceiling / 2, ceiling)
    return max(delay, retry_after or 0.0)


def resend_failed(pk: int) -> bool:
    """*Kirim ulang* of a refused row. The insurer committed nothing for a 4xx, and would only
    replay the same refusal under the old key, so the owning app queues a new operation with a
    new key, from the record as it is now (perhaps corrected), after its own checks.

    Once only: the row is locked and marked RESENT in the same transaction, so a double click or
    two admins at once make one new operation. False when it was already resent. The owning
    app's refusal (a ValidationError) rolls the whole of it back.
    """
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().get(pk=pk)
        if message.state != OutboxState.FAILED:
            return False
        message.state = OutboxState.RESENT
        message.save(update_fields=["state"])
        registered_operation(message.operation).resend(message.subject_id)
    return True


def _redacted(path: str) -> str:
    # KPJ and claim numbers in a path identify a person; the log keeps only the route.
    parts = path.split("/")
    return "/".join("…" if part.isdigit() or part.startswith("KLM") else part for part in parts)
