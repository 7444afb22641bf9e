"""Celery entry points of monitoring."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from monitoring.export_jobs import export_run, exports_cleanup
from monitoring.monev import monev_snapshot
from sutasoma.months import add_months, month_start


@shared_task(ignore_result=True)
def monev_snapshot_task() -> int:
    """The beat runs this at 00:00 WITA on the 5th: the month just ended, frozen for the meetings."""
    return monev_snapshot(add_months(month_start(timezone.localdate()), -1))


@shared_task(ignore_result=True)
def run_export_task(job_id: int) -> None:
    export_run(job_id)


@shared_task(ignore_result=True)
def exports_cleanup_task() -> int:
    """The beat runs this nightly: reports older than EXPORT_KEEP_DAYS, and their files, are gone."""
    return exports_cleanup(now=timezone.now())
