"""Running an uploaded list of farmers (enrollment/imports.py queues it): the rows go through
importer.import_farmers(), with progress stored per batch for the status page to poll, and the
report is kept for the uploader. Jobs are deleted after IMPORT_KEEP_DAYS."""

from __future__ import annotations

import datetime as dt
import json

from django.conf import settings
from django.utils import timezone

from enrollment import importer
from enrollment.models import ImportJob, ImportState
from enrollment.sheets import Deadline, Row

IMPORT_KEEP_DAYS = 7
FAILED_MESSAGE = (
    "Impor terhenti karena kesalahan. Baris yang sudah tersimpan tetap ada: impor ulang berkas yang sama "
    "untuk melanjutkan. Bila terulang, hubungi admin."
)


def task_deadline() -> Deadline:
    """Stop in time to store the report before Celery's hard time limit ends the task; the rows
    not reached are reported, and importing the file again continues."""
    return Deadline.after(settings.CELERY_TASK_TIME_LIMIT * 0.8)


def rows_as_json(rows: list[Row]) -> str:
    # A date cell of an .xlsx is kept as its ISO text, which the importer reads as the same date.
    return json.dumps(
        [[row.line, {c: v.isoformat() if isinstance(v, dt.date) else v for c, v in row.values.items()}] for row in rows]
    )


def rows_from_json(text: str) -> list[Row]:
    return [Row(line=line, values=values) for line, values in json.loads(text)]


def import_run(job_id: int, *, deadline: Deadline | None = None) -> ImportJob:
    """Import a queued job's rows, storing progress as it goes; a job already taken is left alone."""
    taken = ImportJob.objects.filter(pk=job_id, state=ImportState.QUEUED).update(state=ImportState.RUNNING)
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    if not taken:
        return job

    def progress(done: int) -> None:
        ImportJob.objects.filter(pk=job_id).update(done_rows=done)

    try:
        report = importer.import_farmers(
            user=job.user,
            rows=rows_from_json(job.rows),
            dry_run=job.dry_run,
            deadline=deadline or task_deadline(),
            progress=progress,
        )
    except Exception:
        job.state, job.error, job.rows, job.finished_at = ImportState.FAILED, FAILED_MESSAGE, "", timezone.now()
        job.save(update_fields=["state", "error", "rows", "finished_at"])
        raise
    job.state, job.report, job.rows = ImportState.DONE, report.as_json(), ""
    job.done_rows, job.finished_at = job.total_rows, timezone.now()
    job.save(update_fields=["state", "report", "rows", "done_rows", "finished_at"])
    return job


def import_jobs_cleanup(*, now: dt.datetime) -> int:
    """Delete jobs older than IMPORT_KEEP_DAYS (their reports name NIKs); the count deleted."""
    deleted, _ = ImportJob.objects.filter(created_at__lt=now - dt.timedelta(days=IMPORT_KEEP_DAYS)).delete()
    return deleted
