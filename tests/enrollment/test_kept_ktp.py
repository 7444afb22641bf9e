"""After a validation error the KTP photo already sent is kept by the form's token and used on the
next submit (enrollment/kept_ktp.py): only for the agent who sent it, never for a token replayed or
guessed by someone else."""

from __future__ import annotations

import io
import os
import stat
import time
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from PIL import Image

from enrollment.kept_ktp import KEPT_FOLDER
from enrollment.models import Farmer
from enrollment.tasks import kept_ktp_cleanup_task
from tests.conftest import jpeg_bytes
from tests.enrollment.test_correct_refused import correction, refuse
from tests.enrollment.test_register import form_data

TOKEN = "6f1c1d2e-0000-4000-8000-000000000001"  # form_data()'s
KEPT_SHOWN, KEPT_HIDDEN = '<figure class="kept" id="ktp-kept">', '<figure class="kept" id="ktp-kept" hidden>'
WRONG_BIRTH_DATE = {"birth_date": "1990-01-06"}  # the NIK says 5 January


@pytest.fixture(autouse=True)
def storage(private_media):
    return private_media


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (300, 200), (10, 120, 60)).save(out, format="PNG")
    return out.getvalue()


def send(client, *, photo: bytes | None = None, name: str = "ktp.jpg", **overrides):
    data = form_data(**overrides)
    if photo is not None:
        data["ktp_upload"] = SimpleUploadedFile(name, photo, content_type="image/jpeg")
    return client.post(reverse("enrollment:farmer_register"), data)


def kept_files(root) -> list[str]:
    folder = root / KEPT_FOLDER
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def thumbnail(token: str = TOKEN) -> str:
    return reverse("enrollment:kept_ktp", args=[token])


def test_a_validation_error_keeps_the_photo_and_the_next_submit_uses_it(client, agent_user, storage):
    client.force_login(agent_user)

    response = send(client, photo=jpeg_bytes(), **WRONG_BIRTH_DATE)

    assert response.status_code == 200 and not Farmer.objects.exists()
    html = response.content.decode()
    assert KEPT_SHOWN in html and "Foto KTP sudah tersimpan, tidak perlu difoto ulang." in html
    assert f' src="{thumbnail()}"' in html
    [kept] = kept_files(storage)
    assert kept.endswith(".jpg") and TOKEN not in kept  # the name is no token anyone saw
    assert stat.S_IMODE(os.stat(storage / KEPT_FOLDER / kept).st_mode) == 0o600

    shown = client.get(thumbnail())
    assert shown.status_code == 200 and shown["Content-Type"] == "image/jpeg"
    assert "no-store" in shown["Cache-Control"] and "sandbox" in shown["Content-Security-Policy"]
    with Image.open(io.BytesIO(b"".join(shown.streaming_content))) as image:
        assert image.format == "JPEG" and not image.getexif()  # the intake's clean copy, not the upload

    response = send(client)  # no photo this time: the birth date fixed, the rest as it was

    farmer = Farmer.objects.get()
    assert response.status_code == 302 and response["Location"] == farmer.get_absolute_url()
    with farmer.ktp_image.open("rb") as saved, Image.open(saved) as image:
        assert image.size == (640, 400)
    assert kept_files(storage) == []  # its job done
    assert client.get(thumbnail()).status_code == 404


def test_without_a_kept_photo_the_photo_is_still_required(client, agent_user):
    client.force_login(agent_user)

    response = send(client)

    assert response.status_code == 200 and not Farmer.objects.exists()
    assert "Foto atau scan KTP: Bidang ini tidak boleh kosong." in response.content.decode()


def test_the_agent_may_replace_the_kept_photo(client, agent_user, storage):
    client.force_login(agent_user)
    send(client, photo=jpeg_bytes(), **WRONG_BIRTH_DATE)

    send(client, photo=png_bytes(), name="ktp.png", **WRONG_BIRTH_DATE)

    [kept] = kept_files(storage)
    assert kept.endswith(".png")
    send(client)
    with Farmer.objects.get().ktp_image.open("rb") as saved, Image.open(saved) as image:
        assert image.format == "PNG" and image.size == (300, 200)


def test_a_photo_the_intake_refuses_is_not_kept_and_the_earlier_one_stays(client, agent_user, storage):
    client.force_login(agent_user)
    send(client, photo=jpeg_bytes(), **WRONG_BIRTH_DATE)
    before = kept_files(storage)

    response = send(client, photo=b"<html>not a photo</html>", name="ktp.jpg")

    assert "Berkas bukan foto atau PDF yang bisa dibaca" in response.content.decode()
    assert kept_files(storage) == before and not Farmer.objects.exists()


@pytest.mark.parametrize("who", ["other_agent_user", "neighbour_agent_user"])
def test_another_agent_cannot_see_or_use_a_kept_photo_by_replaying_its_token(client, agent_user, who, request, storage):
    client.force_login(agent_user)
    send(client, photo=jpeg_bytes(), **WRONG_BIRTH_DATE)
    other = request.getfixturevalue(who)
    client.force_login(other)

    assert client.get(thumbnail()).status_code == 404
    response = send(client, village=other.agent.villages.first().code)

    assert response.status_code == 200 and not Farmer.objects.exists()
    html = response.content.decode()
    assert KEPT_HIDDEN in html and f' src="{thumbnail()}"' not in html
    assert "Foto atau scan KTP: Bidang ini tidak boleh kosong." in html
    assert len(kept_files(storage)) == 1  # the owner's, untouched
    client.force_login(agent_user)
    assert client.get(thumbnail()).status_code == 200


def test_a_guessed_token_finds_nothing(client, agent_user):
    client.force_login(agent_user)
    send(client, photo=jpeg_bytes(), **WRONG_BIRTH_DATE)

    assert client.get(thumbnail(str(uuid.uuid4()))).status_code == 404
    assert client.get(f"/petani/daftar/ktp/{TOKEN[:-1]}/").status_code == 404  # not a token at all


def test_only_an_agent_asks_for_a_kept_photo(client, agent_user, koordinator_user):
    client.force_login(agent_user)
    send(client, photo=jpeg_bytes(), **WRONG_BIRTH_DATE)
    client.force_login(koordinator_user)
    assert client.get(thumbnail()).status_code == 403
    client.logout()
    assert client.get(thumbnail()).status_code == 302


def test_the_correction_form_keeps_a_new_photo_through_an_error(client, agent_user, make_farmer, storage):
    farmer = make_farmer(agent_user)
    refuse(farmer)
    client.force_login(agent_user)
    url = reverse("enrollment:farmer_correct", args=[farmer.pk])
    data = correction(farmer, birth_date="1990-01-06", submission_token=TOKEN)

    response = client.post(url, {**data, "ktp_upload": SimpleUploadedFile("ktp.png", png_bytes())})

    assert response.status_code == 200 and KEPT_SHOWN in response.content.decode()
    response = client.post(url, {**data, "birth_date": "1990-01-05"})
    assert response.status_code == 302
    farmer.refresh_from_db()
    assert farmer.ktp_image.name.endswith(".png") and kept_files(storage) == []


def test_ktp_orphans_removes_kept_photos_a_day_old_and_leaves_younger_ones(client, agent_user, storage):
    client.force_login(agent_user)
    send(client, photo=jpeg_bytes(), **WRONG_BIRTH_DATE)
    send(client, photo=jpeg_bytes(), submission_token=str(uuid.uuid4()), **WRONG_BIRTH_DATE)
    old, young = kept_files(storage)
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(storage / KEPT_FOLDER / old, (two_days_ago, two_days_ago))

    out = io.StringIO()
    call_command("ktp_orphans", "--delete", stdout=out)

    assert f"dihapus: {KEPT_FOLDER}/{old}" in out.getvalue() and "dihapus: 1" in out.getvalue()
    assert kept_files(storage) == [young]


def test_the_hourly_cleanup_forgets_kept_photos_a_day_old_and_leaves_younger_ones(client, agent_user, storage):
    client.force_login(agent_user)
    send(client, photo=jpeg_bytes(), **WRONG_BIRTH_DATE)
    send(client, photo=jpeg_bytes(), submission_token=str(uuid.uuid4()), **WRONG_BIRTH_DATE)
    old, young = kept_files(storage)
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(storage / KEPT_FOLDER / old, (two_days_ago, two_days_ago))

    assert kept_ktp_cleanup_task.apply().get() == 1
    assert kept_files(storage) == [young]
