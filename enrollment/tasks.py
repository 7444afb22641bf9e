"""Celery entry points of enrollment."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from enrollment.import_jobs import import_jobs_cleanup, import_run


@shared_task(ignore_result=True)
def run_import_task(job_id: int) -> None:
    import_run(job_id)


@shared_task(ignore_result=True)
def import_jobs_cleanup_task() -> int:
    """The beat runs this nightly: import reports older than IMPORT_KEEP_DAYS are gone."""
    return import_jobs_cleanup(now=timezone.now())
