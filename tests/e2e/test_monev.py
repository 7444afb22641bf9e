"""A BPP coordinator opens the monev dashboard from Beranda and drills from the district to one
penyuluh's farmers, on a 360 px phone and on a desktop screen; HTMX swaps the figures without a
reload and the back button goes back up."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from contributions.services import payment_record
from enrollment.models import Farmer
from sutasoma.formatting import bulan
from sutasoma.months import month_start
from tests.conftest import UMPUNGENG
from wilayah.models import FarmerCount

pytestmark = pytest.mark.e2e

DESKTOP = {"viewport": {"width": 1280, "height": 800}, "locale": "id-ID", "timezone_id": "Asia/Makassar"}


@pytest.fixture(params=["phone", "desktop"])
def screen(request, context, browser: Browser, live_server, browser_errors) -> Iterator[Page]:
    """The 360×740 phone of tests/e2e/conftest.py, or a 1280×800 desktop at the Dinas office."""
    if request.param == "phone":
        yield request.getfixturevalue("page")
        return
    desktop = browser.new_context(base_url=live_server.url, **DESKTOP)
    page = desktop.new_page()
    page.on("console", lambda m: m.type == "error" and browser_errors.append(f"console: {m.text}"))
    page.on("pageerror", lambda error: browser_errors.append(f"pageerror: {error}"))
    yield page
    desktop.close()


def assert_fits(page: Page) -> None:
    width, screen_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= screen_width, f"{page.url} scrolls sideways ({width} px on a {screen_width} px screen)"


def test_a_coordinator_drills_from_the_district_to_one_agents_farmers(
    screen: Page, log_in, koordinator_user, agent_user, make_farmer, browser_errors
):
    FarmerCount.objects.create(village_id=UMPUNGENG, as_of=dt.date(2025, 1, 1), count=20)
    paid = make_farmer(agent_user, name="HASNAH", serial=1)
    make_farmer(agent_user, name="BACO", serial=2, female=False, birth_date=dt.date(1985, 3, 12))
    Farmer.objects.update(registration_status="TERDAFTAR")
    for number, farmer in enumerate(Farmer.objects.order_by("pk"), start=1):
        Farmer.objects.filter(pk=farmer.pk).update(kpj=f"2401000000{number}")
    paid.refresh_from_db()
    payment_record(user=agent_user, farmer=paid, months=1, cash_received=16_800)
    page, agent = screen, agent_user.agent

    log_in(page, koordinator_user)
    page.get_by_role("link", name="Monev bulan ini").click()
    this_month = bulan(month_start(timezone.localdate()))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Monev {this_month}")
    expect(page.get_by_role("status")).to_contain_text("Angka berjalan")
    # Their own BPP only, ranked among the eight: 1 active of a target of 7 (35 % of 20).
    table = page.locator("table.monev")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text("14,3 %")
    expect(table).to_contain_text("peringkat 1 dari 8")
    assert_fits(page)

    page.evaluate("window.notReloaded = true")  # gone if a click loads a whole page
    page.get_by_role("link", name="Kecamatan Lalabata").click()
    expect(page).to_have_url(re.compile(r"kecamatan=73\.12\.04"))
    expect(page.get_by_role("heading", name="Per desa/kelurahan")).to_be_visible()
    expect(page.get_by_text("Peringkat 1 dari 8 BPP")).to_be_visible()
    assert_fits(page)

    page.get_by_role("link", name="Desa Umpungeng").click()
    expect(page).to_have_url(re.compile(r"desa=73\.12\.04\.2009"))
    expect(page.get_by_role("heading", name="Penyuluh yang bertugas di desa ini")).to_be_visible()
    assert_fits(page)

    page.get_by_role("link", name=str(agent)).click()
    expect(page).to_have_url(re.compile(rf"agen={agent.code}"))
    expect(page.get_by_role("heading", name="Petani penyuluh ini")).to_be_visible()
    crumbs = page.get_by_role("navigation", name="Lokasi")
    expect(crumbs).to_contain_text("Kabupaten Soppeng")
    expect(crumbs).to_contain_text("Desa Umpungeng")
    assert_fits(page)
    assert page.evaluate("window.notReloaded") is True

    page.go_back()
    expect(page).to_have_url(re.compile(r"desa=73\.12\.04\.2009$"))
    expect(page.get_by_role("heading", name="Penyuluh yang bertugas di desa ini")).to_be_visible()
    page.go_forward()
    expect(page.get_by_role("heading", name="Petani penyuluh ini")).to_be_visible()

    page.get_by_role("link", name="Daftar petani Desa Umpungeng").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Petani")
    expect(page.get_by_role("link", name="HASNAH")).to_be_visible()
    expect(page.get_by_role("link", name="BACO")).to_be_visible()
    assert_fits(page)
    assert browser_errors == []
