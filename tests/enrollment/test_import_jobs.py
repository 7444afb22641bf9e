"""An upload as a job: a short list is reported at once, a long one runs as a task with a page
the agent can leave and come back to; the job is its uploader's alone and made once per submission."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from enrollment import import_jobs, imports
from enrollment.import_jobs import FAILED_MESSAGE, import_jobs_cleanup, import_run
from enrollment.models import Farmer, ImportJob, ImportState
from enrollment.sheets import MAX_BYTES
from tests.enrollment.test_import import csv_bytes, row


@pytest.fixture
def queued(monkeypatch) -> list[int]:
    """Jobs handed to Celery, recorded instead of sent; lists of more than 2 rows go to the task."""
    handed: list[int] = []
    monkeypatch.setattr(imports, "SYNC_ROWS", 2)
    monkeypatch.setattr(imports.run_import_task, "delay", handed.append)
    return handed


def upload(client, content: bytes, *, token: str | None = None, **data):
    payload = {
        "file": SimpleUploadedFile("daftar.csv", content, content_type="text/csv"),
        "consent": "on",
        "submission_token": token or str(uuid.uuid4()),
        **data,
    }
    return client.post(reverse("enrollment:farmer_import"), payload)


def status(client, job: ImportJob, **headers):
    return client.get(reverse("enrollment:import_status", args=[job.pk]), **headers)


def test_a_short_list_is_imported_in_the_request_and_its_report_kept_on_the_jobs_page(client, agent_user):
    client.force_login(agent_user)
    response = upload(client, csv_bytes([row(1), row(2, pekerjaan="pilot")]))

    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("enrollment:import_status", args=[job.pk])
    assert (job.state, job.total_rows, job.done_rows, job.rows) == (ImportState.DONE, 2, 2, "")
    page = status(client, job).content.decode()
    assert "diimpor: 1, ditolak: 1, sudah ada: 0" in page and "hx-get" not in page
    assert "daftar.csv" in client.get(reverse("enrollment:farmer_import")).content.decode()


def test_a_long_list_runs_as_a_task_and_the_page_shows_progress_then_the_report(
    client, agent_user, queued, django_capture_on_commit_callbacks
):
    client.force_login(agent_user)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, csv_bytes([row(1), row(2), row(3)]))

    job = ImportJob.objects.get()
    assert queued == [job.pk] and job.state == ImportState.QUEUED and not Farmer.objects.exists()
    page = status(client, job).content.decode()
    assert "Menunggu giliran… 0 dari 3 baris" in page
    assert f'hx-get="{reverse("enrollment:import_status", args=[job.pk])}"' in page  # polled with JS
    assert "Perbarui" in page  # reloaded without
    partial = status(client, job, HTTP_HX_REQUEST="true").content.decode()
    assert "<h1>" not in partial and "0 dari 3 baris" in partial

    import_run(job.pk)  # what the worker does

    partial = status(client, job, HTTP_HX_REQUEST="true").content.decode()
    assert "diimpor: 3, ditolak: 0, sudah ada: 0" in partial and "hx-get" not in partial
    assert Farmer.objects.count() == 3


def test_progress_is_stored_batch_by_batch(agent_user, queued, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr("enrollment.importer.BATCH_ROWS", 2)
    seen: list[int] = []
    update = ImportJob.objects.filter

    job = imports.import_request(
        user=agent_user, rows=_rows([row(1), row(2), row(3)]), filename="a.csv", dry_run=False, token=uuid.uuid4()
    )
    original = import_jobs.importer.import_farmers

    def watching(**kwargs):
        progress = kwargs.pop("progress")

        def told(done: int) -> None:
            progress(done)
            seen.append(update(pk=job.pk).get().done_rows)

        return original(progress=told, **kwargs)

    monkeypatch.setattr(import_jobs.importer, "import_farmers", watching)
    import_run(job.pk)
    assert seen == [2, 3]


def test_a_double_submit_makes_one_job_and_imports_once(client, agent_user, queued):
    client.force_login(agent_user)
    token = str(uuid.uuid4())
    first = upload(client, csv_bytes([row(1)]), token=token)
    second = upload(client, csv_bytes([row(1)]), token=token)
    assert first["Location"] == second["Location"]
    assert ImportJob.objects.count() == 1 and Farmer.objects.count() == 1


def test_another_users_token_sent_back_makes_a_job_of_ones_own(client, agent_user, neighbour_agent_user, queued):
    theirs = imports.import_request(
        user=neighbour_agent_user, rows=_rows([row(5)]), filename="x.csv", dry_run=True, token=uuid.uuid4()
    )
    client.force_login(agent_user)
    response = upload(client, csv_bytes([row(1)]), token=str(theirs.submission_token))
    mine = ImportJob.objects.get(user=agent_user)
    assert response["Location"] == reverse("enrollment:import_status", args=[mine.pk])
    assert mine.pk != theirs.pk


@pytest.mark.parametrize("htmx", [False, True])
def test_another_agent_cannot_see_a_job_even_in_the_same_bpp(client, agent_user, neighbour_agent_user, htmx):
    job = imports.import_request(
        user=agent_user, rows=_rows([row(1)]), filename="daftar.csv", dry_run=False, token=uuid.uuid4()
    )
    client.force_login(neighbour_agent_user)
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    assert status(client, job, **headers).status_code == 404
    assert "daftar.csv" not in client.get(reverse("enrollment:farmer_import")).content.decode()


def test_a_job_run_twice_is_imported_once(agent_user, queued):
    job = imports.import_request(
        user=agent_user, rows=_rows([row(1), row(2), row(3)]), filename="a.csv", dry_run=False, token=uuid.uuid4()
    )
    import_run(job.pk)
    import_run(job.pk)  # a redelivered task
    assert Farmer.objects.count() == 3
    assert ImportJob.objects.get().report["imported"][0][0] == 2


def test_a_job_that_breaks_is_failed_with_a_message_and_keeps_no_rows(agent_user, queued, monkeypatch):
    job = imports.import_request(
        user=agent_user, rows=_rows([row(1), row(2), row(3)]), filename="a.csv", dry_run=False, token=uuid.uuid4()
    )

    def breaks(**kwargs):
        raise RuntimeError("tak terduga")

    monkeypatch.setattr(import_jobs.importer, "import_farmers", breaks)
    with pytest.raises(RuntimeError):
        import_run(job.pk)
    job.refresh_from_db()
    assert (job.state, job.error, job.rows) == (ImportState.FAILED, FAILED_MESSAGE, "")


def test_a_task_stops_before_its_time_limit_and_reports_the_rows_not_reached(agent_user, queued, settings):
    settings.CELERY_TASK_TIME_LIMIT = 0  # the deadline has passed before the first row
    job = imports.import_request(
        user=agent_user, rows=_rows([row(1), row(2), row(3)]), filename="a.csv", dry_run=False, token=uuid.uuid4()
    )
    job = import_run(job.pk)
    assert [note[0] for note in job.report["unprocessed"]] == [2, 3, 4]
    assert not Farmer.objects.exists()


def test_xlsx_dates_survive_the_stored_rows(agent_user):
    from enrollment.sheets import Row

    rows = [Row(line=2, values={**row(1), "tanggal_lahir": dt.date(1990, 1, 5)})]
    job = imports.import_request(user=agent_user, rows=rows, filename="a.xlsx", dry_run=False, token=uuid.uuid4())
    assert job.report["imported"] == [[2, row(1)["nik"], "PETANI NOMOR 1"]]


def test_old_jobs_are_deleted(agent_user):
    job = imports.import_request(user=agent_user, rows=_rows([row(1)]), filename="a", dry_run=True, token=uuid.uuid4())
    now = timezone.now()
    assert import_jobs_cleanup(now=now) == 0
    assert import_jobs_cleanup(now=now + dt.timedelta(days=8)) == 1
    assert not ImportJob.objects.filter(pk=job.pk).exists()


# --- hostile files are still refused at the field, before any job -----------------------------


def test_an_oversized_file_is_refused_without_a_job(client, agent_user):
    client.force_login(agent_user)
    page = upload(client, csv_bytes([row(1)]) + b"#" * MAX_BYTES).content.decode()
    assert "Berkas lebih dari 5 MB" in page
    assert not ImportJob.objects.exists()


def test_a_file_of_nul_bytes_is_refused_without_a_job(client, agent_user):
    client.force_login(agent_user)
    response = upload(client, b"\x00" * 5000)
    assert response.status_code == 200 and "Berkas belum bisa diimpor" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_nul_byte_in_a_cell_rejects_that_row_in_the_jobs_report(client, agent_user):
    client.force_login(agent_user)
    upload(client, csv_bytes([row(1, nama="Ha\x00snah"), row(2)]))
    job = ImportJob.objects.get()
    assert [note[0] for note in job.report["rejected"]] == [2]
    assert [note[0] for note in job.report["imported"]] == [3]


def _rows(values: list[dict]):
    from tests.enrollment.test_import import rows_of

    return rows_of(csv_bytes(values))
