"""On the phone: the agent takes the KTP photo, the form fills itself from it, marked for checking;
the agent fixes one field, hits a validation error and registers without taking the photo again."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from bench.ktp_synthetic import synthetic_ktp
from enrollment.ktp_reading import reading_available
from enrollment.models import Farmer
from tests.conftest import UMPUNGENG
from tests.e2e.test_register_flow import assert_fits_the_phone, open_registration

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not reading_available(), reason="Debian's tesseract-ocr-ind is not installed"),
]
MARK = "dibaca dari foto — periksa"
READ_TIMEOUT_MS = 60_000  # a shared CI machine may read slowly; the form is usable meanwhile


def test_the_form_fills_itself_from_the_photo_and_a_validation_error_does_not_cost_the_photo(
    page: Page, log_in, agent_user, tmp_path: Path, browser_errors, outbox_kicks
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

    # The rest as the agent copies it, the consent box forgotten: the form comes back.
    page.get_by_label("Nomor KK").fill("7312040101900001")
    page.get_by_label("Alamat").fill("Jl. Poros Watansoppeng")
    page.get_by_label(re.compile(r"^RT\b")).fill("1")
    page.get_by_label(re.compile(r"^RW\b")).fill("2")
    page.get_by_label("Desa/kelurahan").select_option(UMPUNGENG)
    heir = page.locator(".heir").first
    heir.get_by_label("Nama ahli waris").fill("Andi Baso")
    heir.get_by_label("Hubungan").select_option(label="Anak")
    page.get_by_role("button", name="Daftarkan").click()
    expect(page.locator("#field-consent .error")).to_be_visible()
    expect(page.get_by_alt_text("Foto KTP yang tersimpan")).to_be_visible()
    expect(nik).to_have_value(card.data.nik)

    page.get_by_label("Petani sudah menyetujui").check()
    page.get_by_role("button", name="Daftarkan").click()  # no new photo
    expect(page.get_by_role("heading", level=1)).to_have_text("NAMA DIPERBAIKI")
    assert Farmer.objects.get(nik=card.data.nik).ktp_image
    assert browser_errors == []
