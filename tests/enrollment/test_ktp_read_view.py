"""The registration form's KTP reading: an agent's photo is read and offered, bad files are refused by
the KTP intake, and without Tesseract the form works as before and says reading is unavailable."""

from __future__ import annotations

import io
import json

import pytesseract
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse

from audit.models import AccessLog, Action
from bench.ktp_synthetic import synthetic_ktp
from enrollment import services
from enrollment.ktp import MAX_BYTES, NOT_READABLE, too_big
from enrollment.ktp_reading import (
    PDF_NOT_READ,
    READING_UNAVAILABLE,
    KtpReading,
    KtpReadingError,
    Reading,
    reading_available,
)
from enrollment.models import Farmer
from enrollment.views import NO_PHOTO
from tests.enrollment.test_register import post

needs_tesseract = pytest.mark.skipif(not reading_available(), reason="Debian's tesseract-ocr-ind is not installed")
URL = reverse("enrollment:ktp_read")
CLEAR_CARD = 101  # a seed whose card is read exactly (test_ktp_reading.EASY)
FIELDS = ("nik", "nama", "tempat_lahir", "tanggal_lahir", "jenis_kelamin", "alamat", "rt_rw", "desa", "kecamatan")


def photo(data: bytes, name: str = "ktp.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def reads(monkeypatch) -> list[str]:
    """Tesseract stood in for: each read records the photo's name and finds a NIK."""
    calls: list[str] = []

    def read_upload(upload):
        calls.append(upload.name)
        return KtpReading(nik=Reading("7312044501900001", 0.95))

    monkeypatch.setattr(services, "read_upload", read_upload)
    monkeypatch.setattr("enrollment.views.reading_available", lambda: True)
    return calls


@pytest.fixture
def no_tesseract(monkeypatch):
    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", "/nonexistent/tesseract")
    assert not reading_available()


@needs_tesseract
def test_it_reads_the_agents_photo_for_the_form(client, agent_user):
    card = synthetic_ktp(CLEAR_CARD, difficulty=0.3)
    client.force_login(agent_user)
    response = client.post(URL, {"ktp_upload": photo(card.jpeg)})
    assert response.status_code == 200
    fields = response.json()["fields"]
    assert fields["nik"]["value"] == card.data.nik
    assert fields["name"]["value"] == card.data.nama
    assert fields["birth_date"]["value"] == card.data.tanggal_lahir.isoformat()
    assert fields["sex"]["value"] == card.data.jenis_kelamin
    assert {"confidence", "note"} <= set(fields["nik"])
    assert not Farmer.objects.exists()  # read, not registered: the agent submits the form


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"\xff\xd8" + b"\0" * (MAX_BYTES + 1), "besar.jpg", too_big("KTP")),
        (b"<html><script>alert(1)</script></html>", "ktp.jpg", NOT_READABLE),
        (b"%PDF-1.4 not really", "ktp.pdf", None),
    ],
    ids=["oversize", "html-named-jpg", "broken-pdf"],
)
def test_it_refuses_what_the_ktp_intake_refuses(client, agent_user, data, name, message):
    client.force_login(agent_user)
    response = client.post(URL, {"ktp_upload": photo(data, name)})
    assert response.status_code == 400
    assert "fields" not in response.json()
    if message:
        assert response.json()["error"] == message


def test_a_pdf_is_not_read(client, agent_user):
    from tests.enrollment.test_ktp_intake import pdf_bytes

    client.force_login(agent_user)
    response = client.post(URL, {"ktp_upload": photo(pdf_bytes(), "ktp.pdf", "application/pdf")})
    assert response.status_code == 400 and response.json() == {"error": PDF_NOT_READ}


def test_it_needs_a_photo(client, agent_user):
    client.force_login(agent_user)
    assert client.post(URL).json() == {"error": NO_PHOTO}


def test_only_agents_may_have_a_photo_read(client, koordinator_user, dinas_user):
    card = synthetic_ktp(CLEAR_CARD, difficulty=0.3)
    for user in (koordinator_user, dinas_user):
        client.force_login(user)
        assert client.post(URL, {"ktp_upload": photo(card.jpeg)}).status_code == 403
    client.logout()
    assert client.post(URL, {"ktp_upload": photo(card.jpeg)}).status_code == 302
    client.force_login(koordinator_user)
    assert client.get(URL).status_code in {403, 405}


@override_settings(KTP_READ_LIMIT=3)
def test_past_the_limit_an_agent_is_told_to_type_and_tesseract_is_not_run(client, agent_user, reads):
    client.force_login(agent_user)
    for n in range(3):
        response = client.post(URL, {"ktp_upload": photo(b"...", f"ulang{n}.jpg")})
        assert response.status_code == 200 and response.json()["fields"]["nik"]["value"] == "7312044501900001"
    response = client.post(URL, {"ktp_upload": photo(b"...", "keempat.jpg")})
    assert response.status_code == 429
    assert response.json() == {"error": str(services.KtpReadLimitReached())}
    assert "Batas membaca KTP" in response.json()["error"] and "3 foto per 10 menit" in response.json()["error"]
    assert reads == ["ulang0.jpg", "ulang1.jpg", "ulang2.jpg"]
    assert AccessLog.objects.filter(user=agent_user, action=Action.KTP_READ).count() == 3


@override_settings(KTP_READ_LIMIT=1)
def test_the_limit_is_each_agents_own(client, agent_user, other_agent_user, reads):
    client.force_login(agent_user)
    assert client.post(URL, {"ktp_upload": photo(b"...", "a.jpg")}).status_code == 200
    assert client.post(URL, {"ktp_upload": photo(b"...", "a2.jpg")}).status_code == 429
    client.force_login(other_agent_user)
    assert client.post(URL, {"ktp_upload": photo(b"...", "b.jpg")}).status_code == 200
    assert reads == ["a.jpg", "b.jpg"]


@override_settings(KTP_READ_LIMIT=1, LOOKUP_LIMIT=1)
def test_reads_and_nik_checks_are_counted_apart(client, agent_user, other_agent_user, reads):
    def nik_checked() -> bool:
        page = client.post(reverse("enrollment:nik_check"), {"nik": "7312044501900001"}).content.decode()
        return "NIK valid" in page and "Terlalu banyak" not in page

    client.force_login(agent_user)
    assert nik_checked()
    assert client.post(URL, {"ktp_upload": photo(b"...")}).status_code == 200
    client.force_login(other_agent_user)
    assert client.post(URL, {"ktp_upload": photo(b"...")}).status_code == 200
    assert nik_checked()


def test_a_read_that_fails_still_counts(client, agent_user, monkeypatch):
    def timed_out(upload):
        raise KtpReadingError("timeout")

    monkeypatch.setattr(services, "read_upload", timed_out)
    monkeypatch.setattr("enrollment.views.reading_available", lambda: True)
    client.force_login(agent_user)
    with override_settings(KTP_READ_LIMIT=1):
        assert client.post(URL, {"ktp_upload": photo(b"...")}).status_code == 422
        assert client.post(URL, {"ktp_upload": photo(b"...")}).status_code == 429


@needs_tesseract
def test_the_form_offers_reading_when_tesseract_is_there(client, agent_user):
    client.force_login(agent_user)
    page = client.get(reverse("enrollment:farmer_register")).content.decode()
    assert f'data-url="{URL}"' in page and "js/ktp-reading" in page


def test_without_tesseract_the_form_says_so_and_still_registers(client, agent_user, no_tesseract, private_media):
    client.force_login(agent_user)
    page = client.get(reverse("enrollment:farmer_register")).content.decode()
    assert "Pembacaan KTP otomatis tidak tersedia" in page and "data-url" not in page
    assert post(client).status_code == 302
    assert Farmer.objects.count() == 1
    response = client.post(URL, {"ktp_upload": photo(synthetic_ktp(CLEAR_CARD).jpeg)})
    assert response.status_code == 503 and response.json() == {"error": READING_UNAVAILABLE}


@needs_tesseract
def test_the_command_prints_one_json_object_per_photo(tmp_path):
    card = synthetic_ktp(CLEAR_CARD, difficulty=0.3)
    good, bad = tmp_path / "ktp.jpg", tmp_path / "bukan.jpg"
    good.write_bytes(card.jpeg)
    bad.write_bytes(b"GIF89a not a ktp")
    out = io.StringIO()
    call_command("baca_ktp", str(good), str(bad), "--json", stdout=out)
    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    assert first["foto"] == str(good)
    assert {name: first[name] for name in FIELDS} == card.data.as_dict()
    assert set(first["confidence"]) == set(FIELDS)
    assert all(0 <= value <= 1 for value in first["confidence"].values())
    assert second == {"foto": str(bad), "error": NOT_READABLE}


def test_the_command_says_when_reading_is_unavailable(tmp_path, no_tesseract):
    with pytest.raises(CommandError, match="tidak tersedia"):
        call_command("baca_ktp", str(tmp_path / "ktp.jpg"), "--json")
