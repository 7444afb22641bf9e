"""On the phone: the agent takes the KTP photo, the form fills itself from it, marked for checking."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from bench.ktp_synthetic import synthetic_ktp
from enrollment.ktp_reading import reading_available
from tests.e2e.test_register_flow import assert_fits_the_phone, open_registration

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not reading_available(), reason="Debian's tesseract-ocr-ind is not installed"),
]
MARK = "dibaca dari foto — periksa"
READ_TIMEOUT_MS = 60_000  # a shared CI machine may read slowly; the form is usable meanwhile


def test_the_form_fills_itself_from_the_ktp_photo_and_asks_to_check(
    page: Page, log_in, agent_user, tmp_path: Path, browser_errors
):
    log_in(page, agent_user)
    card = synthetic_ktp(101, difficulty=0.3)
    photo = tmp_path / "ktp.jpg"
    photo.write_bytes(card.jpeg)
    open_registration(page)
    page.get_by_label("Nomor HP").fill("081234567890")  # typed before the photo: left alone

    page.get_by_label("Foto atau scan KTP").set_input_files(photo)
    expect(page.locator("#ktp-reading")).to_contain_text("Membaca KTP")
    nik = page.get_by_label("NIK", exact=True)
    expect(nik).to_have_value(card.data.nik, timeout=READ_TIMEOUT_MS)
    expect(page.locator("#field-nik .from-photo")).to_have_text(MARK)
    expect(page.get_by_label("Tempat lahir")).to_have_value(card.data.tempat_lahir)
    expect(page.get_by_label("Tanggal lahir")).to_have_value(card.data.tanggal_lahir.isoformat())
    expect(page.locator("#nik-feedback")).to_contain_text("NIK valid")  # the NIK check ran on what was read
    expect(page.get_by_label("Nomor HP")).to_have_value("081234567890")

    name = page.get_by_label("Nama sesuai KTP")
    expect(page.locator("#field-name .from-photo")).to_be_visible()
    name.fill("NAMA DIPERBAIKI")  # the agent corrects it: it is theirs now, the mark goes
    expect(page.locator("#field-name .from-photo")).to_have_count(0)
    expect(page.locator("#field-birth_place .from-photo")).to_have_text(MARK)

    assert_fits_the_phone(page)
    assert browser_errors == []
