"""Reports made in the background: a Celery task builds a queued job, storing progress the status
page polls; the file is kept EXPORT_KEEP_DAYS for its owner to download (monitoring/export_views.py)."""

from __future__ import annotations

import datetime as dt
import secrets

from django.core.files.base import ContentFile
from django.utils import timezone

from monitoring.models import ExportJob, ExportState
from monitoring.reports import ReportError, render_report

EXPORT_KEEP_DAYS = 7
FAILED_MESSAGE = "Laporan gagal dibuat. Coba lagi; bila tetap gagal, hubungi admin."


def export_run(job_id: int) -> ExportJob:
    """Build the report of a queued job, storing progress as it goes; a job already taken is left alone."""
    taken = ExportJob.objects.filter(pk=job_id, state=ExportState.QUEUED).update(state=ExportState.RUNNING)
    job = ExportJob.objects.select_related("user").get(pk=job_id)
    if not taken:
        return job

    def progress(percent: int) -> None:
        ExportJob.objects.filter(pk=job_id).update(progress=max(0, min(99, int(percent))))

    try:
        content, filename = render_report(
            job.name, user=job.user, month=job.month, area=job.area, fmt=job.fmt, progress=progress
        )
    except ReportError as exc:
        return _failed(job, str(exc))
    except Exception:
        _failed(job, FAILED_MESSAGE)
        raise
    extension = filename.rsplit(".", 1)[-1]
    # A random stored name: the file's path says nothing about whose or which report it is.
    job.file.save(f"{secrets.token_urlsafe(24)}.{extension}", ContentFile(content), save=False)
    job.filename, job.state, job.progress, job.finished_at = filename, ExportState.DONE, 100, timezone.now()
    job.save(update_fields=["file", "filename", "state", "progress", "finished_at"])
    return job


def _failed(job: ExportJob, message: str) -> ExportJob:
    job.state, job.error, job.finished_at = ExportState.FAILED, message[:300], timezone.now()
    job.save(update_fields=["state", "error", "finished_at"])
    return job


def exports_cleanup(*, now: dt.datetime) -> int:
    """Delete jobs older than EXPORT_KEEP_DAYS with their files; the count deleted."""
    old = ExportJob.objects.filter(created_at__lt=now - dt.timedelta(days=EXPORT_KEEP_DAYS))
    count = 0
    for job in old:
        if job.file:
            job.file.delete(save=False)
        job.delete()
        count += 1
    return count
