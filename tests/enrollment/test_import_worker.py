"""A long list, end to end: uploaded on the page, imported by a real Celery worker on Redis,
and every farmer registered at the insurer exactly once."""

from __future__ import annotations

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bpjs_gateway.models import OutboxMessage, OutboxState
from enrollment import imports
from enrollment.models import Farmer, ImportJob, ImportState
from tests.bpjs_gateway import test_fault_tolerance
from tests.bpjs_gateway.test_fault_tolerance import wait_for
from tests.enrollment.test_import import csv_bytes, row

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# The fault tests' fixture: real worker processes on Redis, stopped at the end of the test.
processes = test_fault_tolerance.processes


def test_a_long_list_is_imported_by_the_worker_and_each_farmer_reaches_the_insurer_once(
    client, agent_user, processes, clean_sandbox, monkeypatch
):
    monkeypatch.setattr(imports, "SYNC_ROWS", 5)  # this request's side: 30 rows go to the worker
    processes.worker("w1", concurrency=2)
    client.force_login(agent_user)
    content = csv_bytes([row(serial) for serial in range(1, 31)])
    payload = {
        "file": SimpleUploadedFile("daftar.csv", content, content_type="text/csv"),
        "consent": "on",
        "submission_token": str(uuid.uuid4()),
    }

    response = client.post(reverse("enrollment:farmer_import"), payload)

    job = ImportJob.objects.get()
    assert response["Location"] == reverse("enrollment:import_status", args=[job.pk])
    wait_for(lambda: ImportJob.objects.get(pk=job.pk).state == ImportState.DONE, processes, timeout_s=180)
    wait_for(lambda: OutboxMessage.objects.filter(state=OutboxState.DONE).count() == 30, processes, timeout_s=180)
    job.refresh_from_db()
    assert len(job.report["imported"]) == 30 and job.done_rows == 30
    assert Farmer.objects.filter(registration_status="TERDAFTAR", kpj__isnull=False).count() == 30
    stats = clean_sandbox.stats()
    assert (stats["peserta"], stats["duplicates_refused"]) == (30, 0), stats
    assert "diimpor: 30, ditolak: 0, sudah ada: 0" in client.get(response["Location"]).content.decode()
