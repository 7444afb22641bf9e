"""A penyuluh records a 3-month contribution on a 360 px phone and opens the receipt."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from contributions.models import Payment
from enrollment.models import Farmer
from tests.e2e.test_register_flow import assert_fits_the_phone

pytestmark = pytest.mark.e2e


def test_an_agent_records_three_months_and_opens_the_receipt(
    page: Page, log_in, agent_user, make_farmer, browser_errors, outbox_kicks
):
    farmer = make_farmer(agent_user)
    Farmer.objects.filter(pk=farmer.pk).update(registration_status="TERDAFTAR", kpj="24010000001")

    log_in(page, agent_user)
    page.goto(farmer.get_absolute_url())
    expect(page.get_by_text("Belum ada iuran tercatat.")).to_be_visible()  # loaded by HTMX
    page.get_by_role("link", name="Catat iuran").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Catat iuran")
    assert_fits_the_phone(page)

    page.get_by_label("3 bulan").check()
    quote = page.locator("#quote")
    expect(quote).to_contain_text("Rp 50.400")  # redrawn as the months are picked
    expect(quote).to_contain_text("lima puluh ribu empat ratus rupiah")
    expect(page.get_by_label("Uang diterima (Rp)")).to_have_value("50400")
    page.get_by_label("Uang tunai sudah saya terima dari petani.").check()
    page.get_by_role("button", name="Simpan dan buat kuitansi").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Kuitansi iuran")
    payment = Payment.objects.get()
    expect(page.locator(".receipt")).to_contain_text(payment.receipt_no)
    expect(page.locator(".receipt")).to_contain_text("Lima puluh ribu empat ratus rupiah")
    expect(page.get_by_role("status")).to_contain_text("Iuran 3 bulan dicatat")
    assert_fits_the_phone(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Unduh PDF").click()
    assert download.value.suggested_filename == f"kuitansi-{payment.receipt_no}.pdf"
    assert (payment.months, payment.amount) == (3, 50_400) and len(outbox_kicks) == 2
    assert browser_errors == []
