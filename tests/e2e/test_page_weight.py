"""The agent's pages' weight on the wire, by the budget of docs/architecture.md#pages: under
100 KB on a first visit (empty cache), under 20 KB on the next (CSS and JS already on the phone),
KTP images aside; and each fits a 360 px screen. A size, not a timing."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import BrowserContext, CDPSession, Page

from claims.services import claim_report
from contributions.services import payment_record
from enrollment.models import Farmer
from tests.claims.test_claim_flow import JKM_FIELDS
from tests.e2e.conftest import PHONE_WIDTH

pytestmark = pytest.mark.e2e

FIRST_VISIT_BUDGET = 100 * 1024
NEXT_VISIT_BUDGET = 20 * 1024
REGISTER = "/petani/daftar/"
# The budget leaves the KTP photo aside (a farmer's page may show it): it is the one thing that must be sharp.
KTP_IMAGE = re.compile(r"/petani/(\d+|daftar)/ktp/")


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
        if url.startswith(("data:", "blob:")) or KTP_IMAGE.search(url):
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


def agent_pages(agent_user, make_farmer) -> list[str]:
    """Every page an agent reaches from the menu or a farmer, with something in it to show."""
    farmer = make_farmer(agent_user)
    Farmer.objects.filter(pk=farmer.pk).update(registration_status="TERDAFTAR", kpj="24010000001")
    farmer.refresh_from_db()
    payment = payment_record(user=agent_user, farmer=farmer, months=1, cash_received=16_800)
    claim = claim_report(user=agent_user, farmer=farmer, fields=JKM_FIELDS | {"incident_date": timezone.localdate()})
    return [
        reverse("monitoring:home"),
        reverse("enrollment:farmer_list"),
        REGISTER,
        reverse("enrollment:farmer_import"),
        farmer.get_absolute_url(),
        reverse("contributions:payment_new", args=[farmer.pk]),
        reverse("contributions:farmer_payments", args=[farmer.pk]),
        reverse("contributions:receipt", args=[payment.receipt_no]),
        reverse("contributions:index"),
        reverse("contributions:visit_list"),
        reverse("contributions:cash_overview"),
        reverse("claims:claim_list"),
        reverse("claims:claim_new", args=[farmer.pk]),
        reverse("claims:claim_detail", args=[claim.pk]),
        reverse("accounts:password_change"),
    ]


def test_every_agent_page_fits_the_budget_and_the_phone(
    context: BrowserContext, page: Page, live_server, agent_user, make_farmer, browser_errors, outbox_kicks
):
    pages = agent_pages(agent_user, make_farmer)
    signed_in(context, live_server, agent_user)
    cdp = page.context.new_cdp_session(page)
    wire = Wire()
    wire.listen(cdp)

    problems, table = [], []
    for path in pages:
        cdp.send("Network.clearBrowserCache")  # a first visit: nothing of ours on the phone yet
        first = visit(page, wire, path)
        report = wire.report()
        width = page.evaluate("document.documentElement.scrollWidth")
        second = visit(page, wire, path)
        table.append(f"{first:>7} B {second:>6} B  {path}")
        if first >= FIRST_VISIT_BUDGET:
            problems.append(f"{path}: first visit {first} B over {FIRST_VISIT_BUDGET} B:\n{report}")
        if second >= NEXT_VISIT_BUDGET:
            problems.append(f"{path}: next visit {second} B over {NEXT_VISIT_BUDGET} B:\n{wire.report()}")
        if width > PHONE_WIDTH:
            problems.append(f"{path}: scrolls sideways at {PHONE_WIDTH} px (scrollWidth {width})")
    print("\n  first   next  page\n" + "\n".join(table))

    assert problems == []
    assert browser_errors == []
