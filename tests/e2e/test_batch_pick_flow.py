"""An admin narrows the batch payment's pick list on a phone: a regency brings its kecamatan, a
kecamatan its desa, and the list follows, without the province's villages in one select."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.conftest import MARIORIWAWO_VILLAGE, UMPUNGENG
from tests.e2e.test_register_flow import assert_fits_the_phone
from tests.enrollment.test_farmer_search_scale import add_farmers

pytestmark = pytest.mark.e2e


def test_an_admin_picks_a_regency_a_kecamatan_then_a_desa(page: Page, log_in, admin_user, browser_errors):
    add_farmers(UMPUNGENG, ["DI UMPUNGENG"])
    add_farmers(MARIORIWAWO_VILLAGE, ["DI GATTARENG"], first_serial=2)
    log_in(page, admin_user)
    page.goto(reverse("contributions:batch_new"))
    pick_list = page.locator("#pick-list")
    expect(pick_list).to_contain_text("DI GATTARENG")
    expect(page.locator("#pick-kecamatan")).to_have_count(0)

    page.get_by_label("Kabupaten/kota").select_option("73.12")
    page.get_by_label("Kecamatan").select_option("73.12.04")
    page.get_by_label("Desa/kelurahan").select_option(UMPUNGENG)

    expect(pick_list).not_to_contain_text("DI GATTARENG")
    expect(pick_list).to_contain_text("DI UMPUNGENG")
    expect(page.get_by_label("Kabupaten/kota")).to_have_value("73.12")
    assert_fits_the_phone(page)
    assert browser_errors == []
