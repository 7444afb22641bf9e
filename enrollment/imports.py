"""Asking for a list of farmers to be imported (enrollment/import_jobs.py runs it).

One way for every upload: a job, run by import_run(), reported on the job's page. A list of up
to SYNC_ROWS rows is run at once in the request, so the agent with a short list has the report
straight away and without depending on a worker; a longer one by a Celery task, since 5.000 rows
would not fit in a web request, with a page the agent may leave and come back to.
"""

from __future__ import annotations

import uuid

from django.db import IntegrityError, transaction

from accounts.models import User
from enrollment.import_jobs import import_run, rows_as_json
from enrollment.models import ImportJob
from enrollment.sheets import Deadline, Row
from enrollment.tasks import run_import_task

# At a thousand rows a second and more, well under a second of the request.
SYNC_ROWS = 300


def import_request(
    *, user: User, rows: list[Row], filename: str, dry_run: bool, token: uuid.UUID, deadline: Deadline | None = None
) -> ImportJob:
    """One job per submission token: a double tap or a resent form gives back the first job.
    `deadline` bounds a run in the request (the one the file's reading started)."""
    earlier = ImportJob.objects.filter(submission_token=token, user=user).first()
    if earlier:
        return earlier
    in_request = len(rows) <= SYNC_ROWS
    try:
        with transaction.atomic():
            job = ImportJob.objects.create(
                user=user,
                filename=filename[:100],
                dry_run=dry_run,
                total_rows=len(rows),
                rows=rows_as_json(rows),
                submission_token=token,
            )
            if not in_request:
                # Only a committed job reaches the worker, which would otherwise not find the row.
                transaction.on_commit(lambda: run_import_task.delay(job.pk))
    except IntegrityError:
        earlier = ImportJob.objects.filter(submission_token=token, user=user).first()
        if earlier is None:  # someone else's token, sent back by hand: a submission of its own
            return import_request(
                user=user, rows=rows, filename=filename, dry_run=dry_run, token=uuid.uuid4(), deadline=deadline
            )
        return earlier  # the same token sent twice at once: the other request made the job
    return import_run(job.pk, deadline=deadline) if in_request else job
