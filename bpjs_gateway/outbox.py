"""Sending the outbox: claim rows, call the insurer with no transaction open, record each verdict.

Rows are claimed by a conditional update under `SELECT … FOR UPDATE SKIP LOCKED`, so two workers
never send one at once; the claim carries a lease, so a worker killed mid-request only delays the
row until the sweep finds the lease expired. The key never changes, so a resend is a replay.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
import time
from collections import defaultdict
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, DateTimeField, F, Q, QuerySet, Value, When
from django.utils import timezone

from bpjs_gateway.client import H2HClient, Outcome, Verdict, default_client
from bpjs_gateway.models import OutboxMessage, OutboxState, RequestLog
from bpjs_gateway.registry import operation as registered_operation
from sutasoma.bulk import update_rows

logger = logging.getLogger(__name__)


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


def _sendable(now: dt.datetime) -> Q:
    return Q(state=OutboxState.PENDING, next_attempt_at__lte=now) | Q(state=OutboxState.SENDING, lease_until__lt=now)


def due_message_ids(*, limit: int = 500) -> list[int]:
    now = timezone.now() - dt.timedelta(seconds=settings.BPJS_OUTBOX_SWEEP_GRACE_S)
    return list(
        OutboxMessage.objects.filter(_sendable(now)).order_by("next_attempt_at").values_list("pk", flat=True)[:limit]
    )


_CLAIMED_FIELDS = ["pk", "operation", "subject_id", "method", "path", "body", "content_type", "idempotency_key"]


def _claim(*, pk: int | None = None, limit: int = 1, in_flight: int = 1) -> list[Claimed]:
    """Claim up to `limit` sendable rows (or row `pk`): SENDING, a lease, attempts + 1 and the
    attempt's RequestLog row, in one commit, before any call. Rows another worker holds are
    skipped, never waited for.

    The rows of a batch go `in_flight` at a time in their order, so the n-th waits for at most
    n // in_flight calls before its own: each keeps a whole call's lease from the moment its
    turn can come at the latest.
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
        turns = [rows[start : start + in_flight] for start in range(0, len(rows), in_flight)]
        OutboxMessage.objects.filter(pk__in=[row[0] for row in rows]).update(
            state=OutboxState.SENDING,
            attempts=F("attempts") + 1,
            lease_until=Case(
                *(
                    When(pk__in=[row[0] for row in turn], then=Value(now + lease * (number + 1)))
                    for number, turn in enumerate(turns)
                ),
                output_field=DateTimeField(),
            )
            if len(turns) > 1
            else now + lease,
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
    # Most tasks of a backlog find their row sent by a drain already: a plain read tells them,
    # without a transaction or a lock.
    if not OutboxMessage.objects.filter(_sendable(timezone.now()), pk=pk).exists():
        return SendResult("skipped")
    claimed = _claim(pk=pk)
    if not claimed:
        return SendResult("skipped")
    return _send(claimed[0], client or default_client())


def drain(
    *, budget_s: float, client: H2HClient | None = None, batch: int | None = None, in_flight: int | None = None
) -> int:
    """Send what is due, batch after batch, until nothing is or `budget_s` is spent: a backlog
    goes out at the pace of the insurer's answers, not of one Celery task per row.

    A batch's calls go `in_flight` at a time (BPJS_OUTBOX_IN_FLIGHT), each thread on its own
    keep-alive connection, and its answers are recorded together in a few statements. After an
    answer to be retried (the insurer is struggling: each row keeps its own back-off) no new
    call starts; the claimed rows not sent are given back. Returns the rows sent.
    """
    client = client or default_client()
    batch = batch or settings.BPJS_OUTBOX_DRAIN_BATCH
    width = in_flight or settings.BPJS_OUTBOX_IN_FLIGHT
    deadline = time.monotonic() + budget_s
    sent = 0
    with ThreadPoolExecutor(max_workers=width, thread_name_prefix="outbox-drain") as network:
        while time.monotonic() < deadline:
            claimed = _claim(limit=batch, in_flight=width)
            if not claimed:
                break
            answers, stopped = _call_batch(network, client, claimed, width, deadline)
            sent += len(answers)
            _unclaim(claimed[len(answers) :])
            _record_many(answers)
            if stopped:
                break
    return sent


def _call_batch(
    network: ThreadPoolExecutor, client: H2HClient, claimed: list[Claimed], width: int, deadline: float
) -> tuple[list[tuple[Claimed, Outcome]], bool]:
    """Call the rows in their order, `width` at a time, until one answer is to be retried or the
    deadline passes: (the answers, in the order they came, and whether a retry stopped it)."""
    in_flight: dict[Future[Outcome], Claimed] = {}
    answers: list[tuple[Claimed, Outcome]] = []
    started, stopped = 0, False
    while True:
        while not stopped and started < len(claimed) and len(in_flight) < width and time.monotonic() < deadline:
            in_flight[network.submit(_call, client, claimed[started])] = claimed[started]
            started += 1
        if not in_flight:
            return answers, stopped
        finished, _ = wait(in_flight, return_when=FIRST_COMPLETED)
        for future in finished:
            outcome = future.result()
            answers.append((in_flight.pop(future), outcome))
            stopped = stopped or outcome.verdict is Verdict.RETRY


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


def _verdict(row: Claimed, outcome: Outcome, now: dt.datetime) -> tuple[dict, SendResult]:
    """What the answer makes of the row: its changed fields, and the result for the caller."""
    spec = registered_operation(row.operation)
    changes: dict = {"last_status": outcome.status, "last_error_code": outcome.code, "lease_until": None}
    already_done = outcome.status == 409 and outcome.code in spec.already_done_codes
    if outcome.verdict is Verdict.OK or already_done:
        response = outcome.response or _response_from_errors(outcome)
        changes |= {"state": OutboxState.DONE, "response": response, "completed_at": now, "errors": []}
        return changes, SendResult(OutboxState.DONE)
    if outcome.permanent:
        changes |= {"state": OutboxState.FAILED, "errors": outcome.errors, "completed_at": now}
        return changes, SendResult(OutboxState.FAILED)
    delay = backoff_seconds(row.attempts, outcome.retry_after)
    changes |= {"state": OutboxState.PENDING, "next_attempt_at": now + dt.timedelta(seconds=delay)}
    return changes, SendResult(OutboxState.PENDING, retry_in=delay)


def _record(row: Claimed, outcome: Outcome) -> SendResult:
    """The answer, the log and the owning app's change in one commit, if the row is still ours."""
    spec = registered_operation(row.operation)
    changes, result = _verdict(row, outcome, timezone.now())
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


def _record_many(answers: list[tuple[Claimed, Outcome]]) -> None:
    """_record() for a batch in one commit: the logs and the rows by one statement each, and the
    owning apps' changes by their done_many where they have one.

    Rows whose lease ran out and another worker took are left to it, as in _record(). Should an
    app's change fail, the batch is recorded again row by row, so one row cannot hold back the
    others' answers. PostgreSQL only (UPDATE … FROM VALUES … RETURNING); elsewhere row by row.
    """
    if len(answers) < 2 or connection.vendor != "postgresql":
        for row, outcome in answers:
            _record(row, outcome)
        return
    now = timezone.now()
    verdicts = [(row, outcome, *_verdict(row, outcome, now)) for row, outcome in answers]
    try:
        with transaction.atomic():
            _complete_logs(answers)
            ours = _settle_rows([(row, changes) for row, _, changes, _ in verdicts])
            succeeded: dict[str, list[tuple[int, dict]]] = defaultdict(list)
            for row, outcome, changes, result in verdicts:
                if row.pk not in ours:
                    continue
                if result.state == OutboxState.DONE:
                    succeeded[row.operation].append((row.subject_id, changes["response"]))
                elif result.state == OutboxState.FAILED:
                    registered_operation(row.operation).refused(row.subject_id, outcome.errors)
            for name, done in succeeded.items():
                spec = registered_operation(name)
                if spec.done_many is not None:
                    spec.done_many(done)
                else:
                    for subject_id, response in done:
                        spec.done(subject_id, response)
    except Exception:
        logger.exception("recording %d answers together failed; recording them one by one", len(answers))
        for row, outcome in answers:
            _record(row, outcome)


def _values(rows: int, casts: list[str]) -> str:
    one = "(" + ", ".join(f"%s::{cast}" for cast in casts) + ")"
    return ", ".join([one] * rows)


def _complete_logs(answers: list[tuple[Claimed, Outcome]]) -> None:
    update_rows(
        RequestLog,
        {
            row.log_id: {
                "duration_ms": outcome.duration_ms,
                "http_status": outcome.status,
                "outcome": outcome.verdict.value,
                "error_code": outcome.code,
                "replay": outcome.replay,
            }
            for row, outcome in answers
        },
    )


def _settle_rows(rows: list[tuple[Claimed, dict]]) -> set[int]:
    """The answers' changes on the rows still ours (SENDING, our attempt): those rows' pks.
    A column the verdict leaves alone is NULL in the values and keeps the row's own."""
    table = connection.ops.quote_name(OutboxMessage._meta.db_table)
    params: list = []
    for row, changes in rows:
        params += [
            row.pk,
            row.attempts,
            changes["state"],
            changes["last_status"],
            changes["last_error_code"],
            json.dumps(changes["response"]) if "response" in changes else None,
            json.dumps(changes["errors"]) if "errors" in changes else None,
            changes.get("completed_at"),
            changes.get("next_attempt_at"),
        ]
    casts = ["bigint", "integer", "text", "integer", "text", "jsonb", "jsonb", "timestamptz", "timestamptz"]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS m SET state = v.state, last_status = v.last_status, "
            "last_error_code = v.last_error_code, lease_until = NULL, "
            "response = COALESCE(v.response, m.response), "
            "errors = COALESCE(v.errors, m.errors), completed_at = COALESCE(v.completed_at, m.completed_at), "
            "next_attempt_at = COALESCE(v.next_attempt_at, m.next_attempt_at) "
            f"FROM (VALUES {_values(len(rows), casts)}) "
            "AS v (id, attempts, state, last_status, last_error_code, response, errors, completed_at, next_attempt_at) "
            "WHERE m.id = v.id AND m.state = %s AND m.attempts = v.attempts RETURNING m.id",
            [*params, OutboxState.SENDING],
        )
        return {pk for (pk,) in cursor.fetchall()}


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
    They go at the pace of the workers, each with at most BPJS_OUTBOX_IN_FLIGHT calls at once."""
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
