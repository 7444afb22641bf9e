"""Celery entry points of contributions."""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.utils import timezone

from contributions.reconciliation import ReconciliationUnavailable, reconcile_payments, reconciliation_store

logger = logging.getLogger(__name__)


@shared_task(bind=True, ignore_result=True, max_retries=12)
def reconcile_yesterday_task(self) -> None:
    day = timezone.localdate() - dt.timedelta(days=1)
    try:
        report = reconcile_payments(day)
    except ReconciliationUnavailable as exc:
        raise self.retry(countdown=600, exc=exc) from exc
    reconciliation_store(report)  # shown to admin and Dinas on /iuran/rekonsiliasi/
    if not report.clean:
        logger.warning(
            "rekonsiliasi %s: tidak ada di SUTASOMA %s, tidak ada di BPJS %s, berbeda %s",
            day,
            len(report.unknown_here),
            len(report.missing_there),
            len(report.mismatched),
        )
