"""The registration page's weight on the wire, by the budget of docs/architecture.md#pages: under
100 KB on a first visit (empty cache), under 20 KB on the next (CSS and JS already on the phone).
A size, not a timing."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import BrowserContext, CDPSession, Page

pytestmark = pytest.mark.e2e

FIRST_VISIT_BUDGET = 100 * 1024
NEXT_VISIT_BUDGET = 20 * 1024
REGISTER = "/petani/daftar/"


@dataclass
class Wire:
    """Bytes received per request (headers included), from Chromium's own network log."""

    urls: dict[str, str] = field(default_factory=dict)
    received: dict[str, int] = field(default_factory=dict)

    def listen(self, cdp: CDPSession) -> None:
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.send("Network.enable")

    def reset(self) -> None:
        self.urls.clear()
        self.received.clear()

    def _sent(self, event: dict) -> None:
        url = event["request"]["url"]
        if url.startswith(("data:", "blob:")):
            return
        if redirect := event.get("redirectResponse"):  # one id for every hop: count the hop now
            self.received[f"{event['requestId']}>{redirect['url']}"] = redirect.get("encodedDataLength") or 0
        self.urls[event["requestId"]] = url

    def _finished(self, event: dict) -> None:
        if event["requestId"] in self.urls:
            self.received[event["requestId"]] = int(event.get("encodedDataLength") or 0)

    @property
    def total(self) -> int:
        return sum(self.received.values())

    def report(self) -> str:
        rows = sorted(((size, self.urls.get(key, key)) for key, size in self.received.items()), reverse=True)
        return "\n".join(f"{size:>8} B  {url}" for size, url in rows)


def visit(page: Page, wire: Wire, path: str) -> int:
    wire.reset()
    response = page.goto(path, wait_until="networkidle")
    assert response is not None and response.status == 200 and response.url.endswith(path)
    return wire.total


def signed_in(context: BrowserContext, live_server, user) -> None:
    """The agent's session cookie, without visiting the login page: its CSS and JS would warm the cache."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def test_the_registration_page_fits_the_budget(
    context: BrowserContext, page: Page, live_server, agent_user, browser_errors
):
    signed_in(context, live_server, agent_user)
    wire = Wire()
    wire.listen(page.context.new_cdp_session(page))

    first = visit(page, wire, REGISTER)
    first_report = wire.report()
    second = visit(page, wire, REGISTER)
    second_report = wire.report()
    print(f"\n{REGISTER} first visit {first} B:\n{first_report}\nsecond visit {second} B:\n{second_report}")

    assert first < FIRST_VISIT_BUDGET, f"first visit {first} B over {FIRST_VISIT_BUDGET} B:\n{first_report}"
    assert second < NEXT_VISIT_BUDGET, f"second visit {second} B over {NEXT_VISIT_BUDGET} B:\n{second_report}"
    assert browser_errors == []
