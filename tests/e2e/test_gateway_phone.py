"""The Gateway page on a 360 px phone, with what it shows on a bad day: the insurer's long error
codes in its table and refused operations in its list, the admin's whole menu below."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from bpjs_gateway.models import OutboxState, RequestLog
from enrollment.insurer import registration_messages
from enrollment.models import Farmer
from tests.e2e.test_page_weight import signed_in
from tests.e2e.test_register_flow import assert_fits_the_phone

pytestmark = pytest.mark.e2e

LONG_CODE = "NIK_TIDAK_COCOK_DENGAN_TANGGAL_LAHIR_DI_DUKCAPIL"


def test_the_gateway_page_fits_a_phone_on_a_bad_day(
    context, page: Page, live_server, admin_user, agent_user, make_farmer, outbox_kicks, browser_errors
):
    for serial in (1, 2):
        farmer = make_farmer(agent_user, serial=serial, name=f"ANDI BASO MAPPASESSUNGENG DAENG MATTA {serial}")
        message = registration_messages(farmer).get()
        registration_messages(farmer).update(state=OutboxState.FAILED, last_error_code=LONG_CODE)
        Farmer.objects.filter(pk=farmer.pk).update(registration_status="DITOLAK")
        RequestLog.objects.create(
            message=message,
            operation=message.operation,
            method="POST",
            path="/peserta",
            http_status=422,
            outcome="permanent",
            error_code=LONG_CODE,
        )
    signed_in(context, live_server, admin_user)

    page.goto("/gateway/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Gateway BPJS")
    expect(page.get_by_role("table")).to_contain_text(LONG_CODE)
    expect(page.get_by_role("button", name="Kirim ulang")).to_have_count(2)
    assert_fits_the_phone(page)
    nav = page.get_by_role("navigation", name="Menu utama")
    assert nav.evaluate("n => n.scrollWidth <= n.clientWidth"), "the menu is wider than the phone"
    assert browser_errors == []
