"""Celery entry points: each takes an id, calls the outbox, and reschedules by its verdict."""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.utils import timezone

from bpjs_gateway import outbox
from bpjs_gateway.reconciliation import ReconciliationUnavailable, reconcile_payments

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, ignore_result=True)
def send_outbox_message_task(message_id: int) -> str:
    result = outbox.send_message(message_id)
    if result.retry_in is not None:
        send_outbox_message_task.apply_async((message_id,), countdown=result.retry_in)
    return result.state


@shared_task(ignore_result=True)
def sweep_outbox_task() -> int:
    """Re-send what waited too long: a lost broker message or a dead worker loses nothing."""
    ids = outbox.due_message_ids()
    for message_id in ids:
        send_outbox_message_task.delay(message_id)
    return len(ids)


@shared_task(bind=True, ignore_result=True, max_retries=12)
def reconcile_yesterday_task(self) -> None:
    day = timezone.localdate() - dt.timedelta(days=1)
    try:
        report = reconcile_payments(day)
    except ReconciliationUnavailable as exc:
        raise self.retry(countdown=600, exc=exc) from exc
    if not report.clean:
        logger.warning(
            "rekonsiliasi %s: tidak ada di SUTASOMA %s, tidak ada di BPJS %s, berbeda %s",
            day,
            report.unknown_here,
            report.missing_there,
            report.mismatched,
        )
