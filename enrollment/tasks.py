"""Celery entry points of enrollment."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from enrollment.import_jobs import import_jobs_cleanup, import_run
from enrollment.kept_ktp import forget_expired
from enrollment.tally import regency_tally_fold


@shared_task(ignore_result=True)
def run_import_task(job_id: int) -> None:
    import_run(job_id)


@shared_task(ignore_result=True)
def import_jobs_cleanup_task() -> int:
    """The beat runs this nightly: import reports older than IMPORT_KEEP_DAYS are gone."""
    return import_jobs_cleanup(now=timezone.now())


@shared_task(ignore_result=True)
def kept_ktp_cleanup_task() -> int:
    """The beat runs this hourly: KTP photos kept for a form never sent again are gone after KEEP_FOR."""
    return forget_expired(now=timezone.now())


@shared_task(ignore_result=True)
def regency_tally_fold_task() -> int:
    """The beat runs this every minute: the changes appended to the regency tally, summed."""
    return regency_tally_fold()
