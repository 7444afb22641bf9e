"""Celery entry points: each takes an id, calls the outbox, and reschedules by its verdict; a
backlog is handed over as drains instead, a few tasks that each send batch after batch."""

from __future__ import annotations

import math
import time

from celery import shared_task
from django.conf import settings

from bpjs_gateway import health, outbox


@shared_task(acks_late=True, ignore_result=True)
def send_outbox_message_task(message_id: int) -> str:
    result = outbox.send_message(message_id)
    if result.retry_in is not None:
        send_outbox_message_task.apply_async((message_id,), countdown=result.retry_in)
    elif result.state != "skipped":
        # The insurer answers: whatever else is due goes out in this task, a backlog at the
        # pace of the answers; the tasks of the rows it sends find them done and skip.
        outbox.drain(budget_s=settings.BPJS_OUTBOX_DRAIN_S)
    return result.state


@shared_task(ignore_result=True)
def drain_outbox_task() -> int:
    started = time.monotonic()
    sent = outbox.drain(budget_s=settings.BPJS_OUTBOX_DRAIN_S)
    if time.monotonic() - started >= settings.BPJS_OUTBOX_DRAIN_S:
        drain_outbox_task.delay()  # more than one budget's worth was due: on at once, not at the next sweep
    return sent


def hand_over(ids: list[int]) -> None:
    """Have these due rows sent. One row gets a task of its own; a backlog gets one drain per
    batch, up to one per worker process (BPJS_OUTBOX_DRAINS): a task per row would have most of
    them find their row already sent, and with several processes those skips compete with the
    drains for the database (docs/architecture.md#outbox)."""
    if len(ids) == 1:
        send_outbox_message_task.delay(ids[0])
        return
    for _ in range(min(math.ceil(len(ids) / settings.BPJS_OUTBOX_DRAIN_BATCH), settings.BPJS_OUTBOX_DRAINS)):
        drain_outbox_task.delay()


@shared_task(ignore_result=True)
def sweep_outbox_task() -> int:
    """Re-send what waited too long: a lost broker message or a dead worker loses nothing."""
    ids = outbox.due_message_ids()
    hand_over(ids)
    return len(ids)


@shared_task(ignore_result=True)
def probe_insurer_task() -> int:
    """After an outage, the backlog goes as soon as the insurer answers, not at each row's back-off."""
    ids = health.probe_and_release()
    hand_over(ids)
    return len(ids)
