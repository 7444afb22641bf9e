"""Asking for a report made in the background (monitoring/export_jobs.py builds it)."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import IntegrityError, transaction

from accounts.models import User
from audit.models import Action
from audit.services import access_record
from monitoring.models import ExportJob
from monitoring.tasks import run_export_task


def export_request(*, user: User, name: str, month: dt.date, area: str, fmt: str, token: uuid.UUID) -> ExportJob:
    """One job per submission token: a double click or a resent form gives back the first job."""
    earlier = ExportJob.objects.filter(submission_token=token, user=user).first()
    if earlier:
        return earlier
    try:
        with transaction.atomic():
            job = ExportJob.objects.create(
                user=user, name=name, month=month, area=area, fmt=fmt, submission_token=token
            )
            access_record(user=user, action=Action.EXPORT, subject=f"laporan:{job.pk}", detail=_detail(job))
            # Only a committed job reaches the worker, which would otherwise not find the row.
            transaction.on_commit(lambda: run_export_task.delay(job.pk))
    except IntegrityError:
        # The same token sent twice at once: the other request made the job.
        return ExportJob.objects.get(submission_token=token, user=user)
    return job


def _detail(job: ExportJob) -> str:
    return f"{job.name} {job.month:%Y-%m} {job.area or 'seluruh wilayah'} {job.fmt}"
