"""Reports made in the background: asked for once, built with progress, downloaded by their owner only."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessLog, Action
from monitoring.export_jobs import EXPORT_KEEP_DAYS, export_run, exports_cleanup
from monitoring.exports import export_request
from monitoring.models import ExportJob, ExportState
from monitoring.reports import render_report
from monitoring.tasks import run_export_task
from sutasoma.months import month_start

pytestmark = pytest.mark.django_db


def _form(token: uuid.UUID, **overrides) -> dict:
    fields = {
        "submission_token": str(token),
        "name": "monev",
        "month": f"{month_start(timezone.localdate()):%Y-%m}",
        "area": "",
        "fmt": "pdf",
    }
    return fields | overrides


def _job(user, **overrides) -> ExportJob:
    fields = {"name": "monev", "month": month_start(timezone.localdate()), "area": "", "fmt": "pdf"}
    return export_request(user=user, token=uuid.uuid4(), **(fields | overrides))


def test_a_double_submit_of_the_report_form_makes_one_job_and_one_log_entry(client, dinas_user):
    client.force_login(dinas_user)
    token = uuid.uuid4()
    first = client.post(reverse("monitoring:reports"), _form(token))
    second = client.post(reverse("monitoring:reports"), _form(token))
    job = ExportJob.objects.get()
    assert first["Location"] == second["Location"] == reverse("monitoring:export_status", args=[job.pk])
    assert (job.user, job.state, job.submission_token) == (dinas_user, ExportState.QUEUED, token)
    assert AccessLog.objects.filter(user=dinas_user, action=Action.EXPORT, subject=f"laporan:{job.pk}").count() == 1


def test_the_job_is_queued_only_once_the_request_commits(dinas_user, django_capture_on_commit_callbacks, monkeypatch):
    queued = []
    monkeypatch.setattr(run_export_task, "delay", queued.append)
    with django_capture_on_commit_callbacks() as callbacks:
        job = _job(dinas_user)
        assert queued == []
    for callback in callbacks:
        callback()
    assert queued == [job.pk]


def test_a_future_month_or_an_area_outside_scope_is_refused_at_the_field(client, koordinator_user):
    client.force_login(koordinator_user)
    future = month_start(timezone.localdate()) + dt.timedelta(days=40)
    response = client.post(reverse("monitoring:reports"), _form(uuid.uuid4(), month=f"{future:%Y-%m}", area="73.71"))
    assert response.status_code == 200
    assert "Bulan ini belum berjalan." in response.text
    assert "area" in response.context["form"].errors
    assert not ExportJob.objects.exists()


def test_running_the_task_reports_progress_and_stores_the_file(dinas_user, monkeypatch):
    job = _job(dinas_user)
    seen = []

    def report(name, *, user, month, area, fmt, progress):
        progress(40)
        seen.append(ExportJob.objects.get(pk=job.pk).progress)
        return render_report(name, user=user, month=month, area=area, fmt=fmt)

    monkeypatch.setattr("monitoring.export_jobs.render_report", report)
    run_export_task(job.pk)
    job.refresh_from_db()
    assert seen == [40]
    assert (job.state, job.progress) == (ExportState.DONE, 100)
    assert job.filename == f"laporan-monev-{job.month:%Y-%m}-73.12.pdf"
    assert job.finished_at is not None
    assert "monev" not in job.file.name  # a random name, telling nothing of the report
    with job.file.open("rb") as stored:
        assert stored.read().startswith(b"%PDF-")


def test_a_report_that_cannot_be_made_fails_with_its_message_and_a_second_run_does_nothing(dinas_user):
    job = _job(dinas_user, name="rahasia")
    export_run(job.pk)
    job.refresh_from_db()
    assert job.state == ExportState.FAILED
    assert "tidak dikenal" in job.error
    assert export_run(job.pk).state == ExportState.FAILED


def test_the_owner_downloads_the_file_and_no_cache_keeps_it(client, dinas_user):
    job = _job(dinas_user)
    export_run(job.pk)
    client.force_login(dinas_user)
    response = client.get(reverse("monitoring:export_download", args=[job.pk]))
    assert response.status_code == 200
    job.refresh_from_db()
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert "no-store" in response["Cache-Control"]
    assert f'filename="{job.filename}"' in response["Content-Disposition"]


def test_another_users_job_and_its_download_answer_404(client, dinas_user, admin_user):
    job = _job(dinas_user)
    export_run(job.pk)
    client.force_login(admin_user)
    assert client.get(reverse("monitoring:export_status", args=[job.pk])).status_code == 404
    assert client.get(reverse("monitoring:export_download", args=[job.pk])).status_code == 404
    job.refresh_from_db()
    assert job.filename not in client.get(reverse("monitoring:reports")).text


def test_the_status_fragment_polls_until_done_then_offers_the_download(client, dinas_user):
    job = _job(dinas_user, fmt="xlsx")
    client.force_login(dinas_user)
    url = reverse("monitoring:export_status", args=[job.pk])
    waiting = client.get(url, headers={"HX-Request": "true"})
    assert 'hx-trigger="every 2s"' in waiting.text
    assert "<h1>" not in waiting.text  # the fragment only
    export_run(job.pk)
    done = client.get(url, headers={"HX-Request": "true"})
    assert "every 2s" not in done.text
    assert "Unduh Excel" in done.text
    assert reverse("monitoring:export_download", args=[job.pk]) in done.text


def test_the_user_comes_back_to_the_report_page_and_finds_the_job(client, dinas_user):
    job = _job(dinas_user)
    export_run(job.pk)
    client.force_login(dinas_user)
    page = client.get(reverse("monitoring:reports"))
    assert reverse("monitoring:export_status", args=[job.pk]) in page.text
    assert "Selesai" in page.text


def test_jobs_older_than_the_keeping_days_are_deleted_with_their_files(dinas_user):
    old, recent = _job(dinas_user), _job(dinas_user)
    export_run(old.pk)
    export_run(recent.pk)
    old.refresh_from_db()
    storage, name = old.file.storage, old.file.name
    ExportJob.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=EXPORT_KEEP_DAYS, hours=1))
    assert exports_cleanup(now=timezone.now()) == 1
    assert list(ExportJob.objects.all()) == [recent]
    assert not storage.exists(name)
