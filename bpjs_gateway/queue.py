"""Putting operations on the outbox: what the owning apps call, inside their own transaction.

The row is written with the business change it belongs to, so either both are saved or
neither; the task that sends it is queued only once that transaction commits
(docs/architecture.md#outbox).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from bpjs_gateway.models import OutboxMessage, OutboxState
from bpjs_gateway.registry import API
from bpjs_gateway.registry import operation as registered_operation
from bpjs_gateway.tasks import hand_over
from sutasoma.bulk import insert_rows

JSON = "application/json"


@dataclass(frozen=True)
class RawBody:
    """A body sent as it is, not as JSON: a claim document's file."""

    content: bytes
    content_type: str


Payload = dict[str, Any] | RawBody


def _body(payload: Payload) -> tuple[bytes, str]:
    if isinstance(payload, RawBody):
        return payload.content, payload.content_type
    return encode(payload), JSON


def encode(payload: dict[str, Any]) -> bytes:
    # Deterministic bytes: the insurer compares the SHA-256 of the body on every retry.
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False, sort_keys=True).encode()


def enqueue(*, operation: str, subject_id: int, payload: Payload | None, path: str | None = None) -> OutboxMessage:
    """Write one operation for the insurer in the caller's transaction; sent after commit.

    Without a payload the message waits (WAITING) until its app calls release() with one. `path`
    (under the API root) replaces the operation's own when it names a record: `/klaim/KLM1/dokumen/KTP`.
    """
    spec = registered_operation(operation)
    body, content_type = _body(payload) if payload is not None else (None, JSON)
    message = OutboxMessage.objects.create(
        operation=spec.name,
        subject_id=subject_id,
        method=spec.method,
        path=spec.url_path if path is None else API + path,
        body=body,
        content_type=content_type,
        state=OutboxState.WAITING if payload is None else OutboxState.PENDING,
        idempotency_key=f"{spec.key_prefix}-{uuid.uuid4().hex}",
        next_attempt_at=timezone.now(),
    )
    if payload is not None:
        _send_after_commit([message.pk])
    return message


def enqueue_many(*, operation: str, payloads: dict[int, dict[str, Any]]) -> list[OutboxMessage]:
    """enqueue() for many subjects at once (subject id -> payload): one insert, and one on-commit
    hand-over of them all to the sender, for a bulk import."""
    spec = registered_operation(operation)
    now = timezone.now()
    messages = insert_rows(
        [
            OutboxMessage(
                operation=spec.name,
                subject_id=subject_id,
                method=spec.method,
                path=spec.url_path,
                body=encode(payload),
                content_type=JSON,
                state=OutboxState.PENDING,
                idempotency_key=f"{spec.key_prefix}-{uuid.uuid4().hex}",
                next_attempt_at=now,
            )
            for subject_id, payload in payloads.items()
        ]
    )
    _send_after_commit([m.pk for m in messages])
    return messages


def release(*, operation: str, subject_id: int, payload: Payload, path: str | None = None) -> list[int]:
    """The waiting messages of a subject can go now, with this body (and this path, once known)."""
    waiting = list(
        OutboxMessage.objects.select_for_update()
        .filter(operation=operation, subject_id=subject_id, state=OutboxState.WAITING)
        .values_list("pk", flat=True)
    )
    body, content_type = _body(payload)
    changes: dict[str, Any] = {"body": body, "content_type": content_type}
    if path is not None:
        changes["path"] = API + path
    OutboxMessage.objects.filter(pk__in=waiting).update(
        state=OutboxState.PENDING, next_attempt_at=timezone.now(), **changes
    )
    _send_after_commit(waiting)
    return waiting


def supersede(*, operation: str, subject_id: int) -> int:
    """Refused messages of a subject that a corrected one replaces: none may be resent later."""
    return OutboxMessage.objects.filter(operation=operation, subject_id=subject_id, state=OutboxState.FAILED).update(
        state=OutboxState.RESENT
    )


def messages_for(*, operation: str, subject_id: int) -> QuerySet[OutboxMessage]:
    return OutboxMessage.objects.filter(operation=operation, subject_id=subject_id)


def forget_bodies(*, operation: str, subject_id: int) -> int:
    """Drop what was sent about a subject once it is settled (an erased farmer's identity)."""
    return (
        messages_for(operation=operation, subject_id=subject_id)
        .filter(state__in=[OutboxState.DONE, OutboxState.FAILED, OutboxState.RESENT])
        .update(body=None)
    )


def _send_after_commit(ids: list[int]) -> None:
    if ids:
        transaction.on_commit(lambda: hand_over(ids))
