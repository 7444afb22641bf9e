"""Dinas narrows the farmer list on a phone: a kecamatan brings its desa, the next page and the back
button land where they should, and the page runs cleanly under the CSP."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import MARIORIWAWO_VILLAGE, UMPUNGENG
from tests.enrollment.test_farmer_search_scale import add_farmers

pytestmark = pytest.mark.e2e


def names(page: Page) -> list[str]:
    return page.locator('#farmer-results td[data-label="Nama"]').all_inner_texts()


def test_a_kecamatan_brings_its_desa_and_the_pages_keep_the_filter(page: Page, log_in, dinas_user, browser_errors):
    add_farmers(UMPUNGENG, [f"PETANI {n:02d}" for n in range(1, 31)])
    add_farmers(MARIORIWAWO_VILLAGE, ["DI GATTARENG"], first_serial=100)
    log_in(page, dinas_user)
    page.goto("/petani/")
    expect(page.locator("#f-desa")).to_have_count(0)

    page.get_by_label("Kecamatan").select_option("73.12.04")
    expect(page.get_by_label("Desa/kelurahan")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/petani/\?kecamatan=73\.12\.04$"))
    page.get_by_label("Desa/kelurahan").select_option(UMPUNGENG)
    expect(page).to_have_url(re.compile(rf"kecamatan=73\.12\.04&desa={re.escape(UMPUNGENG)}$"))
    expect(page.locator("#farmer-results")).to_contain_text("30 petani")
    assert "DI GATTARENG" not in names(page)

    page.get_by_role("link", name="Berikutnya ›").click()
    expect(page.locator("#farmer-results td").first).to_have_text("PETANI 26")
    page.go_back()
    expect(page.locator("#farmer-results td").first).to_have_text("PETANI 01")
    expect(page.get_by_label("Desa/kelurahan")).to_have_value(UMPUNGENG)
    assert browser_errors == []
