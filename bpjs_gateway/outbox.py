"""Sending the outbox: claim rows, call the insurer with no transaction open, record each verdict.

Rows are claimed by a conditional update under `SELECT … FOR UPDATE SKIP LOCKED`, so two workers
never send one at once; the claim carries a lease, so a worker killed mid-request only delays the
row until the sweep finds the lease expired. The key never changes, so a resend is a replay.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Case, DateTimeField, F, Q, QuerySet, Value, When
from django.utils import timezone

from bpjs_gateway.client import H2HClient, Outcome, Verdict, default_client
from bpjs_gateway.models import OutboxMessage, OutboxState, RequestLog
from bpjs_gateway.registry import operation as registered_operation


@dataclass(frozen=True)
class SendResult:
    state: str  # the row's state afterwards, or "skipped" when another worker had it
    retry_in: float | None = None


@dataclass(frozen=True)
class Claimed:
    """What a worker holds of a row it claimed: all it needs to send it and record the answer."""

    pk: int
    operation: str
    subject_id: int
    method: str
    path: str
    body: bytes
    content_type: str
    idempotency_key: str
    attempts: int  # after this claim: the answer is recorded only if the row still has it
    log_id: int


# Rows claimed at once by a worker draining the outbox: one claim's commit for them all, and
# few enough that a worker killed mid-batch delays the last of them by a handful of leases.
DRAIN_BATCH = 10


def _sendable(now: dt.datetime) -> Q:
    return Q(state=OutboxState.PENDING, next_attempt_at__lte=now) | Q(state=OutboxState.SENDING, lease_until__lt=now)


def due_message_ids(*, limit: int = 500) -> list[int]:
    now = timezone.now() - dt.timedelta(seconds=settings.BPJS_OUTBOX_SWEEP_GRACE_S)
    return list(
        OutboxMessage.objects.filter(_sendable(now)).order_by("next_attempt_at").values_list("pk", flat=True)[:limit]
    )


_CLAIMED_FIELDS = ["pk", "operation", "subject_id", "method", "path", "body", "content_type", "idempotency_key"]


def _claim(*, pk: int | None = None, limit: int = 1) -> list[Claimed]:
    """Claim up to `limit` sendable rows (or row `pk`): SENDING, a lease, attempts + 1 and the
    attempt's RequestLog row, in one commit, before any call. Rows another worker holds are
    skipped, never waited for.

    The rows of a batch are sent one after another, so the n-th gets n leases: each keeps a
    whole call's lease from the moment its turn can come at the latest.
    """
    now = timezone.now()
    wanted = OutboxMessage.objects.filter(_sendable(now))
    if pk is not None:
        wanted = wanted.filter(pk=pk)
    with transaction.atomic():
        rows = list(
            wanted.select_for_update(skip_locked=True)
            .order_by("next_attempt_at")
            .values_list(*_CLAIMED_FIELDS, "attempts")[:limit]
        )
        if not rows:
            return []
        lease = _lease()
        leases = [now + lease * (turn + 1) for turn in range(len(rows))]
        OutboxMessage.objects.filter(pk__in=[row[0] for row in rows]).update(
            state=OutboxState.SENDING,
            attempts=F("attempts") + 1,
            lease_until=Case(
                *(When(pk=row[0], then=Value(until)) for row, until in zip(rows, leases, strict=True)),
                output_field=DateTimeField(),
            )
            if len(rows) > 1
            else leases[0],
        )
        # The attempt is on record before the call, in the claim's own commit.
        logs = RequestLog.objects.bulk_create(
            RequestLog(message_id=row[0], operation=row[1], method=row[3], path=_redacted(row[4])) for row in rows
        )
    return [
        Claimed(pk, operation, subject_id, method, path, bytes(body), content_type, key, attempts + 1, log.pk)
        for (pk, operation, subject_id, method, path, body, content_type, key, attempts), log in zip(
            rows, logs, strict=True
        )
    ]


def send_message(pk: int, *, client: H2HClient | None = None) -> SendResult:
    claimed = _claim(pk=pk)
    if not claimed:
        return SendResult("skipped")
    return _send(claimed[0], client or default_client())


def drain(*, budget_s: float, client: H2HClient | None = None, batch: int = DRAIN_BATCH) -> int:
    """Send what is due, batch after batch, until nothing is or `budget_s` is spent: a backlog
    goes out at the pace of the insurer's answers, not of one Celery task per row.

    One call is on the wire while the answer before it is recorded, so the database's time
    hides behind the network's, yet the insurer still gets one request at a time from a worker.
    Stops after an answer to be retried (the insurer is struggling: each row keeps its own
    back-off) and gives back the claimed rows it had not sent. Returns the rows sent.
    """
    client = client or default_client()
    deadline = time.monotonic() + budget_s
    sent = 0
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="outbox-drain") as network:
        in_flight: tuple[Claimed, Future[Outcome]] | None = None
        while time.monotonic() < deadline:
            claimed = _claim(limit=batch)
            if not claimed:
                break
            for turn, row in enumerate(claimed):
                answered, in_flight = in_flight, (row, network.submit(_call, client, row))
                sent += 1
                if answered is not None:
                    retry = _record(answered[0], answered[1].result()).retry_in is not None
                    if retry or time.monotonic() >= deadline:
                        _unclaim(claimed[turn + 1 :])
                        break
            else:
                continue
            break
        if in_flight is not None:
            _record(in_flight[0], in_flight[1].result())
    return sent


def _unclaim(rows: list[Claimed]) -> None:
    """Give back claimed rows that were not sent: as they were, without the attempt never made."""
    if not rows:
        return
    with transaction.atomic():
        for row in rows:
            if OutboxMessage.objects.filter(pk=row.pk, state=OutboxState.SENDING, attempts=row.attempts).update(
                state=OutboxState.PENDING, attempts=row.attempts - 1, lease_until=None
            ):
                RequestLog.objects.filter(pk=row.log_id).delete()


def _send(row: Claimed, client: H2HClient) -> SendResult:
    return _record(row, _call(client, row))


def _call(client: H2HClient, row: Claimed) -> Outcome:
    return client.call(
        row.method, row.path, body=row.body, idempotency_key=row.idempotency_key, content_type=row.content_type
    )


def _record(row: Claimed, outcome: Outcome) -> SendResult:
    """The answer, the log and the owning app's change in one commit, if the row is still ours."""
    spec = registered_operation(row.operation)
    now = timezone.now()
    changes: dict = {"last_status": outcome.status, "last_error_code": outcome.code, "lease_until": None}
    already_done = outcome.status == 409 and outcome.code in spec.already_done_codes
    if outcome.verdict is Verdict.OK or already_done:
        response = outcome.response or _response_from_errors(outcome)
        changes |= {"state": OutboxState.DONE, "response": response, "completed_at": now, "errors": []}
        result = SendResult(OutboxState.DONE)
    elif outcome.permanent:
        changes |= {"state": OutboxState.FAILED, "errors": outcome.errors, "completed_at": now}
        result = SendResult(OutboxState.FAILED)
    else:
        delay = backoff_seconds(row.attempts, outcome.retry_after)
        changes |= {"state": OutboxState.PENDING, "next_attempt_at": now + dt.timedelta(seconds=delay)}
        result = SendResult(OutboxState.PENDING, retry_in=delay)
    with transaction.atomic():
        RequestLog.objects.filter(pk=row.log_id).update(
            duration_ms=outcome.duration_ms,
            http_status=outcome.status,
            outcome=outcome.verdict.value,
            error_code=outcome.code,
            replay=outcome.replay,
        )
        # The conditional update locks the row: if our lease ran out and another worker took
        # it, its answer will be recorded, not ours.
        if not OutboxMessage.objects.filter(pk=row.pk, state=OutboxState.SENDING, attempts=row.attempts).update(
            **changes
        ):
            return SendResult("skipped")
        if result.state == OutboxState.DONE:
            spec.done(row.subject_id, changes["response"])
        elif result.state == OutboxState.FAILED:
            spec.refused(row.subject_id, outcome.errors)
    return result


# Answers that say the insurer was unreachable rather than that it refused this row: a row
# backed off after one of them may go as soon as the insurer answers again. A 429 is not one:
# its Retry-After is the insurer's own pace.
_UNAVAILABLE = Q(last_status__isnull=True) | Q(last_status__in=[502, 503, 504])


def backed_off() -> QuerySet[OutboxMessage]:
    return OutboxMessage.objects.filter(
        _UNAVAILABLE, state=OutboxState.PENDING, next_attempt_at__gt=timezone.now(), attempts__gt=0
    )


def release_backlog(*, limit: int) -> list[int]:
    """Rows waiting out a back-off that an outage caused are due now, the longest waiting first:
    once the insurer answers again, a backlog goes in minutes, not at each row's last delay.
    They go at the pace of the workers, each of which sends one request at a time."""
    with transaction.atomic():
        ids = list(
            backed_off().select_for_update(skip_locked=True).order_by("created_at").values_list("pk", flat=True)[:limit]
        )
        OutboxMessage.objects.filter(pk__in=ids).update(next_attempt_at=timezone.now())
    return ids


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
