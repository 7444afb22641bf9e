"""A penyuluh reports a farmer's death (JKM) on a 360 px phone and uploads the documents."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Page, expect

from claims.models import REQUIRED_DOCUMENTS, Claim, ClaimStatus, DocumentKind
from enrollment.models import Farmer
from tests.e2e.test_register_flow import assert_fits_the_phone

pytestmark = pytest.mark.e2e


def document_photo(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / f"{kind.lower()}.jpg"
    image = Image.new("RGB", (640, 400), (sum(map(ord, kind)) % 255, 140, 90))
    out = io.BytesIO()
    image.save(out, format="JPEG")
    path.write_bytes(out.getvalue())
    return path


def test_an_agent_reports_a_death_and_uploads_its_documents(
    page: Page, log_in, agent_user, make_farmer, browser_errors, outbox_kicks, tmp_path
):
    farmer = make_farmer(agent_user)
    Farmer.objects.filter(pk=farmer.pk).update(registration_status="TERDAFTAR", kpj="24010000001")

    log_in(page, agent_user)
    page.goto(farmer.get_absolute_url())
    page.get_by_role("link", name="Laporkan klaim (kecelakaan atau kematian)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Laporkan klaim")
    assert_fits_the_phone(page)

    page.get_by_label("JKM — meninggal dunia").check()
    page.get_by_label("Tanggal kejadian").fill(timezone.localdate().isoformat())
    expect(page.locator("#coverage")).to_contain_text("Tidak dalam perlindungan")  # told before anything is sent
    page.get_by_label("Tempat kejadian").fill("Sawah, Desa Umpungeng")
    page.get_by_label("Apa yang terjadi").fill("Meninggal dunia tertimpa pohon saat bekerja di sawah")
    page.get_by_label("Nama pelapor").fill("Andi Baso")
    page.get_by_label("Hubungan pelapor").select_option(label="Suami")
    page.get_by_label("Nomor HP pelapor").fill("081234567891")
    page.get_by_label("Nama penerima manfaat").fill("Andi Baso")
    page.get_by_label("Bank").fill("BRI")
    page.get_by_label("Nomor rekening").fill("012345678901234")
    page.get_by_label("Atas nama").fill("Andi Baso")
    page.get_by_role("button", name="Simpan laporan").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Klaim JKM")
    for kind in REQUIRED_DOCUMENTS["JKM"]:
        label = DocumentKind(kind).label
        page.get_by_label(f"Foto atau PDF {label}").set_input_files(document_photo(tmp_path, kind))
        page.locator("form.upload", has=page.get_by_label(f"Foto atau PDF {label}")).get_by_role(
            "button", name="Unggah"
        ).click()
        expect(page.get_by_role("status")).to_contain_text(f"{label} tersimpan")
    assert_fits_the_phone(page)
    expect(page.get_by_role("button", name="Ajukan ke BPJS")).to_be_visible()
    claim = Claim.objects.get()
    assert claim.status == ClaimStatus.DOKUMEN_LENGKAP and claim.documents.count() == 5
    assert browser_errors == []
