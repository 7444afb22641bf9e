"""A penyuluh registers a farmer from a KTP on a 360 px phone: log in, Petani, Daftarkan, NIK, photo, save, find."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from enrollment.models import Farmer
from tests.conftest import UMPUNGENG, nik_for
from tests.e2e.conftest import PHONE_WIDTH

pytestmark = pytest.mark.e2e

BIRTH = dt.date(1990, 1, 5)
NIK = nik_for(birth=BIRTH, female=True)  # 7312044501900001
MASKED_NIK = NIK[:4] + "•" * 8 + NIK[-4:]


def bottom_bar(page: Page, item: str):
    return page.get_by_role("navigation", name="Menu utama").get_by_role("link", name=item, exact=True)


def open_registration(page: Page) -> None:
    """The way a penyuluh starts: Petani in the bottom bar, then its first button."""
    bottom_bar(page, "Petani").tap()
    page.get_by_role("link", name="Daftarkan petani", exact=True).tap()


def type_nik(page: Page, nik: str) -> None:
    """Key by key, as on the phone's numeric keyboard: the HTMX check runs as the agent types."""
    page.get_by_label("NIK", exact=True).press_sequentially(nik)


def fill_the_rest(page: Page, ktp: Path) -> None:
    """Everything after NIK, birth date and sex, as a penyuluh copies it from the KTP."""
    page.get_by_label("Nomor KK").fill("7312040101900001")
    page.get_by_label("Nama sesuai KTP").fill("hasnah")
    page.get_by_label("Tempat lahir").fill("Soppeng")
    page.get_by_label("Foto atau scan KTP").set_input_files(ktp)
    page.get_by_label("Alamat").fill("Jl. Poros Watansoppeng")
    page.get_by_label(re.compile(r"^RT\b")).fill("1")
    page.get_by_label(re.compile(r"^RW\b")).fill("2")
    page.get_by_label("Desa/kelurahan").select_option(UMPUNGENG)
    page.get_by_label("Nomor HP").fill("081234567890")
    first_heir = page.locator(".heir").first
    first_heir.get_by_label("Nama ahli waris").fill("Andi Baso")
    first_heir.get_by_label("Hubungan").select_option(label="Suami")
    page.get_by_label("Petani sudah menyetujui").check()


def assert_fits_the_phone(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"{page.url} scrolls sideways at {PHONE_WIDTH} px (scrollWidth {width})"


def test_it_registers_a_farmer_from_login_to_the_list(
    page: Page, log_in, agent_user, make_farmer, ktp_jpeg, browser_errors, outbox_kicks
):
    make_farmer(agent_user, name="BACO", birth_date=dt.date(1985, 3, 12), female=False, serial=2)

    log_in(page, agent_user)
    open_registration(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Daftarkan petani")

    type_nik(page, NIK)
    feedback = page.locator("#nik-feedback")
    expect(feedback).to_contain_text("NIK valid: lahir 5 Januari 1990, perempuan.")
    expect(page.get_by_label("Tanggal lahir")).to_have_value("1990-01-05")
    expect(page.get_by_label("Perempuan")).to_be_checked()
    expect(page.get_by_label("Laki-laki")).not_to_be_checked()

    fill_the_rest(page, ktp_jpeg)
    preview = page.get_by_alt_text("Pratinjau foto KTP")
    expect(preview).to_be_visible()
    expect(preview).to_have_attribute("src", re.compile(r"^blob:"))
    page.wait_for_function("document.getElementById('ktp-preview').naturalWidth > 0")  # decoded, not blocked
    assert_fits_the_phone(page)

    page.get_by_role("button", name="Daftarkan").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("HASNAH")
    expect(page.get_by_role("status")).to_contain_text("Petani berhasil didaftarkan")
    farmer = Farmer.objects.get(nik=NIK)
    expect(page).to_have_url(re.compile(re.escape(farmer.get_absolute_url()) + "$"))
    expect(page.locator(".status")).to_have_text("Menunggu KPJ")
    assert (farmer.name, farmer.birth_date, farmer.sex, farmer.rt, farmer.village_id) == (
        "HASNAH",
        BIRTH,
        "P",
        "001",
        UMPUNGENG,
    )
    assert farmer.ktp_image and farmer.consent_recorded_by == agent_user
    assert [(h.name, h.relation) for h in farmer.heirs.all()] == [("ANDI BASO", "SUAMI")]
    assert len(outbox_kicks) == 2  # BACO's and HASNAH's registration, each queued once for the insurer

    bottom_bar(page, "Petani").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Petani")
    page.get_by_label("NIK, KPJ atau nama").fill("hasnah")
    results = page.locator("#farmer-results")
    expect(results).to_contain_text("1 petani")
    expect(page).to_have_url(re.compile(r"[?&]q=hasnah"))  # the search is kept in the URL
    row = results.get_by_role("row").filter(has_text="HASNAH")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(MASKED_NIK)
    expect(row.locator(".status")).to_have_text("Menunggu KPJ")
    expect(results).not_to_contain_text("BACO")
    expect(results).not_to_contain_text(NIK)  # whole only on the detail page
    assert_fits_the_phone(page)

    assert browser_errors == []


def test_it_says_when_a_nik_is_already_registered(page: Page, log_in, agent_user, make_farmer, browser_errors):
    farmer = make_farmer(agent_user)  # HASNAH, NIK 7312044501900001

    log_in(page, agent_user)
    open_registration(page)
    type_nik(page, farmer.nik)

    feedback = page.locator("#nik-feedback")
    expect(feedback).to_contain_text("NIK ini sudah terdaftar")
    link = feedback.get_by_role("link", name="HASNAH")
    expect(link).to_have_attribute("href", farmer.get_absolute_url())
    expect(page.get_by_label("Tanggal lahir")).to_have_value("")  # nothing prefilled for a registered NIK
    assert_fits_the_phone(page)

    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("HASNAH")
    expect(page).to_have_url(re.compile(re.escape(farmer.get_absolute_url()) + "$"))

    assert browser_errors == []


def test_it_shows_a_nik_and_birth_date_mismatch_and_keeps_what_was_typed(
    page: Page, log_in, agent_user, ktp_jpeg, browser_errors
):
    log_in(page, agent_user)
    open_registration(page)
    type_nik(page, NIK)
    expect(page.get_by_label("Tanggal lahir")).to_have_value("1990-01-05")
    page.get_by_label("Tanggal lahir").fill("1990-01-06")  # the agent misreads the KTP
    fill_the_rest(page, ktp_jpeg)

    page.get_by_role("button", name="Daftarkan").click()

    message = "Tanggal lahir tidak cocok dengan NIK (NIK menyebut 5 Januari 1990)."
    summary = page.get_by_role("alert").filter(has_text="Periksa kembali isian berikut")
    expect(summary).to_be_visible()
    summary_link = summary.get_by_role("link", name=f"Tanggal lahir: {message}")
    expect(summary_link).to_have_attribute("href", "#field-birth_date")
    field = page.locator("#field-birth_date")
    expect(field).to_have_class(re.compile(r"\bhas-error\b"))
    expect(field.locator(".error")).to_have_text(message)

    expect(page.get_by_label("NIK", exact=True)).to_have_value(NIK)
    expect(page.get_by_label("Tanggal lahir")).to_have_value("1990-01-06")
    expect(page.get_by_label("Perempuan")).to_be_checked()
    expect(page.get_by_label("Nomor KK")).to_have_value("7312040101900001")
    expect(page.get_by_label("Nama sesuai KTP")).to_have_value("hasnah")
    expect(page.get_by_label("Tempat lahir")).to_have_value("Soppeng")
    expect(page.get_by_label("Alamat")).to_have_value("Jl. Poros Watansoppeng")
    expect(page.get_by_label(re.compile(r"^RT\b"))).to_have_value("1")
    expect(page.get_by_label("Desa/kelurahan")).to_have_value(UMPUNGENG)
    expect(page.get_by_label("Nomor HP")).to_have_value("081234567890")
    expect(page.locator(".heir").first.get_by_label("Nama ahli waris")).to_have_value("Andi Baso")
    expect(page.get_by_label("Petani sudah menyetujui")).to_be_checked()
    expect(page.get_by_role("button", name="Daftarkan")).to_be_enabled()
    assert_fits_the_phone(page)
    assert not Farmer.objects.exists()

    assert browser_errors == []
