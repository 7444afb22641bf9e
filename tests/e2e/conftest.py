"""A penyuluh's phone, for real: Playwright driving Debian's chromium against pytest-django's live server.

``browser`` is one chromium for the session; ``page`` is a fresh 360 px touch-screen context per
test, with every console error and uncaught page error collected in ``browser_errors``, so a
test can assert that the page ran cleanly (a CSP violation is reported there too).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connections
from django.urls import get_resolver
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, expect, sync_playwright

from accounts.models import User
from tests.conftest import jpeg_bytes

# Playwright's sync API keeps an asyncio loop running in the main thread, and Django refuses ORM
# calls from a thread with a running loop. The loop is Playwright's and nothing else runs on it,
# so the ORM calls of the test body and its fixtures are safe.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# A cheap Android phone in Soppeng (docs/architecture.md#pages): 360 px wide, touch, Indonesian, WITA.
PHONE: dict[str, Any] = {
    "viewport": {"width": 360, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "id-ID",
    "timezone_id": "Asia/Makassar",
}
PHONE_WIDTH = PHONE["viewport"]["width"]
PASSWORD = "rahasia-uji-123"  # tests/conftest.py sets it on every user
TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        # Not a skip: a missing browser must not turn the e2e suite green. CI installs it.
        pytest.fail(
            f"{CHROMIUM} not found: the e2e tests drive Debian's chromium (apt-get install chromium). "
            "Do not run `playwright install`.",
            pytrace=False,
        )
    # While Playwright runs, the main thread has a "running" asyncio loop, and Django then keeps
    # its database connections in another (context-local) store: the connections opened before
    # are no longer seen, nor closed, and would keep the test database from being dropped at the
    # end of the session. Close them on the way in, and the ones opened meanwhile on the way out.
    connections.close_all()
    # Every view imported now, not by the live server inside the first test's first page, where it
    # takes most of that page's time limit on a busy machine (the URLconf pulls WeasyPrint and the rest).
    get_resolver().url_patterns  # noqa: B018 - the import is the point
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
        connections.close_all()


@pytest.fixture
def outbox_kicks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The Celery kicks a registration queues on commit (bpjs_gateway/tasks.py:hand_over), recorded
    instead of sent to Redis.

    The live server commits for real (transactional_db), so without this every registration
    would leave a task in the shared broker for a worker that is not running.
    """
    kicks: list[int] = []
    monkeypatch.setattr("bpjs_gateway.queue.hand_over", kicks.extend)
    return kicks


@pytest.fixture
def context(
    browser: Browser, live_server, transactional_db, django_db_serialized_rollback, outbox_kicks
) -> Iterator[BrowserContext]:
    # serialized_rollback: the flush after each live-server test would otherwise also wipe the
    # rows the migrations put in (contributions' first Rate) for the tests that run after.
    context = browser.new_context(base_url=live_server.url, **PHONE)
    context.set_default_timeout(TIMEOUT_MS)
    yield context
    context.close()


@pytest.fixture
def browser_errors() -> list[str]:
    return []


@pytest.fixture
def page(context: BrowserContext, browser_errors: list[str]) -> Page:
    page = context.new_page()

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            browser_errors.append(f"console: {message.text} [{message.location.get('url', '')}]")

    page.on("console", on_console)
    page.on("pageerror", lambda error: browser_errors.append(f"pageerror: {error}"))
    return page


@pytest.fixture
def log_in() -> Callable[[Page, User], None]:
    """Sign in through the real form at /masuk/ and land on the user's home."""

    def log_in(page: Page, user: User) -> None:
        page.goto("/masuk/")
        page.get_by_label("Nama pengguna").fill(user.username)
        page.get_by_label("Kata sandi").fill(PASSWORD)
        page.get_by_role("button", name="Masuk").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Beranda")

    return log_in


@pytest.fixture
def ktp_jpeg(tmp_path: Path) -> Path:
    path = tmp_path / "ktp.jpg"
    path.write_bytes(jpeg_bytes())
    return path


expect.set_options(timeout=TIMEOUT_MS)
