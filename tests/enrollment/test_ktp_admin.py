"""The Django admin is one more door to a farmer's KTP: it stores only what the intake cleaned."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from enrollment.insurer import registration_messages
from enrollment.ktp import process_ktp_upload
from enrollment.models import Farmer
from enrollment.services import HeirData, Registration, farmer_register
from tests.conftest import jpeg_bytes, registration_fields

# Each test gets its own private storage (tests/enrollment/conftest.py).
pytestmark = pytest.mark.usefixtures("private_media")


@pytest.fixture
def farmer(agent_user) -> Farmer:
    return farmer_register(
        user=agent_user,
        registration=Registration(
            fields=registration_fields(agent_user.agent.villages.first()),
            heirs=[HeirData(name="ANDI BASO", relation="SUAMI")],
            ktp=process_ktp_upload(SimpleUploadedFile("ktp.jpg", jpeg_bytes())),
        ),
    )


def ktp_files(settings) -> list[str]:
    folder = Path(settings.PRIVATE_MEDIA_ROOT) / "ktp"
    return sorted(f"ktp/{p.name}" for p in folder.iterdir()) if folder.exists() else []


def change_form(farmer: Farmer, **overrides) -> dict:
    """What the admin's change page posts back for this farmer, unchanged unless overridden."""
    consent_at = timezone.localtime(farmer.consent_at)
    data = {
        **{name: getattr(farmer, name) for name in registration_fields(farmer.village) if name != "village"},
        "village": farmer.village_id,
        "birth_date": farmer.birth_date.isoformat(),
        "consent_at_0": consent_at.date().isoformat(),
        "consent_at_1": consent_at.strftime("%H:%M:%S"),
        "consent_recorded_by": farmer.consent_recorded_by_id,
        "registered_by": farmer.registered_by_id,
        "agent": farmer.agent_id or "",
        "heirs-TOTAL_FORMS": 0,
        "heirs-INITIAL_FORMS": 0,
        "heirs-MIN_NUM_FORMS": 0,
        "heirs-MAX_NUM_FORMS": 1000,
    }
    for number, heir in enumerate(farmer.heirs.all()):
        data |= {
            f"heirs-{number}-id": heir.pk,
            f"heirs-{number}-farmer": farmer.pk,
            f"heirs-{number}-name": heir.name,
            f"heirs-{number}-relation": heir.relation,
            f"heirs-{number}-nik": heir.nik,
        }
        data["heirs-TOTAL_FORMS"] = data["heirs-INITIAL_FORMS"] = number + 1
    return data | overrides


def post_change(client, farmer: Farmer, **overrides):
    return client.post(reverse("admin:enrollment_farmer_change", args=[farmer.pk]), change_form(farmer, **overrides))


def test_the_change_form_as_built_here_saves(client, admin_user, farmer):
    # Without this, a refusal below could be the form's fault rather than the KTP's.
    client.force_login(admin_user)
    response = post_change(client, farmer, name="HASNAH BINTI BACO")
    assert response.status_code == 302
    farmer.refresh_from_db()
    assert farmer.name == "HASNAH BINTI BACO" and farmer.heirs.count() == 1


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("ktp.html", b"<!doctype html><script>alert(document.cookie)</script>", "text/html"),
        ("ktp.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "image/svg+xml"),
        ("ktp.js", b"fetch('/petani/').then(r => r.text())", "text/javascript"),
        ("ktp.jpg", b"<script>alert(1)</script>", "image/jpeg"),
    ],
    ids=["html", "svg", "js", "html-named-jpg"],
)
def test_the_admin_refuses_a_file_that_is_not_a_ktp(client, admin_user, farmer, settings, name, data, content_type):
    before = ktp_files(settings)
    client.force_login(admin_user)
    response = post_change(client, farmer, ktp_image=SimpleUploadedFile(name, data, content_type=content_type))
    assert response.status_code == 200
    assert "Berkas bukan foto atau PDF yang bisa dibaca" in response.content.decode()
    assert ktp_files(settings) == before
    assert Farmer.objects.get(pk=farmer.pk).ktp_image.name == farmer.ktp_image.name


def test_the_admin_refuses_a_pdf_with_a_script(client, admin_user, farmer, settings):
    pdf = (
        b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>\n"
        b"endobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    )
    before = ktp_files(settings)
    client.force_login(admin_user)
    response = post_change(client, farmer, ktp_image=SimpleUploadedFile("ktp.pdf", pdf))
    assert response.status_code == 200
    assert ktp_files(settings) == before


def test_the_admin_stores_a_cleaned_copy_under_a_random_name_and_drops_the_old_file(
    client, admin_user, farmer, settings, django_capture_on_commit_callbacks
):
    old = farmer.ktp_image.name
    photo = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "KameraUji"
    Image.new("RGB", (2400, 1600), (90, 90, 90)).save(photo, format="JPEG", exif=exif, comment=b"HASNAH")
    client.force_login(admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = post_change(
            client, farmer, ktp_image=SimpleUploadedFile(f"{farmer.nik}-hasnah.jpg", photo.getvalue(), "image/jpeg")
        )

    assert response.status_code == 302
    farmer.refresh_from_db()
    assert re.fullmatch(r"ktp/[0-9a-f]{32}\.jpg", farmer.ktp_image.name)
    assert ktp_files(settings) == [farmer.ktp_image.name] != [old]
    stored = Path(farmer.ktp_image.path)
    assert stored.stat().st_mode & 0o777 == 0o600
    data = stored.read_bytes()
    assert b"KameraUji" not in data and b"HASNAH" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (1600, 1067) and not image.getexif()


def test_clearing_the_ktp_in_the_admin_removes_the_file(
    client, admin_user, farmer, settings, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_change(client, farmer, **{"ktp_image-clear": "on"})
    assert response.status_code == 302
    assert not Farmer.objects.get(pk=farmer.pk).ktp_image and ktp_files(settings) == []


def test_the_admin_cannot_delete_a_farmer_and_leave_history_and_ktp_behind(client, admin_user, farmer, settings):
    registration_messages(farmer).delete()
    client.force_login(admin_user)
    response = client.post(reverse("admin:enrollment_farmer_delete", args=[farmer.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert Farmer.objects.filter(pk=farmer.pk).exists() and len(ktp_files(settings)) == 1
