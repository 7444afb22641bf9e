"""Staf Dinas asks for the monthly monev PDF, watches its progress, and downloads it."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from playwright.sync_api import Page, expect

from monitoring.export_jobs import export_run
from monitoring.models import ExportJob

pytestmark = pytest.mark.e2e


@pytest.fixture
def worker_later(monkeypatch):
    """The job's task, run by a 'worker' a moment after the request: long enough to see it wait."""

    def run(job_id: int) -> None:
        try:
            export_run(job_id)
        finally:
            connection.close()  # the thread's own connection, or the test database cannot be dropped

    class Task:
        @staticmethod
        def delay(job_id: int) -> None:
            threading.Timer(2.5, run, args=[job_id]).start()

    monkeypatch.setattr("monitoring.exports.run_export_task", Task)


def test_dinas_requests_the_monthly_pdf_sees_it_progress_and_downloads_it(
    page: Page, log_in, dinas_user, agent_user, make_farmer, browser_errors, worker_later
):
    make_farmer(agent_user)
    log_in(page, dinas_user)
    page.get_by_role("link", name="Laporan PDF dan Excel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Laporan")
    page.get_by_role("button", name="Buat laporan").click()

    status = page.get_by_role("status").filter(has_text="%")
    expect(status).to_be_visible()  # waiting, polled every 2 s
    expect(page.locator("#status-laporan")).to_contain_text("Laporan selesai dibuat", timeout=20_000)
    with page.expect_download() as download:
        page.get_by_role("link", name="Unduh PDF").click()
    job = ExportJob.objects.get()
    assert download.value.suggested_filename == job.filename and job.filename.endswith(".pdf")
    assert browser_errors == []
