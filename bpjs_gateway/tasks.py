"""Celery entry points: each takes an id, calls the outbox, and reschedules by its verdict."""

from __future__ import annotations

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
def sweep_outbox_task() -> int:
    """Re-send what waited too long: a lost broker message or a dead worker loses nothing."""
    ids = outbox.due_message_ids()
    for message_id in ids:
        send_outbox_message_task.delay(message_id)
    return len(ids)


@shared_task(ignore_result=True)
def probe_insurer_task() -> int:
    """After an outage, the backlog goes as soon as the insurer answers, not at each row's back-off."""
    ids = health.probe_and_release()
    for message_id in ids:
        send_outbox_message_task.delay(message_id)
    return len(ids)
