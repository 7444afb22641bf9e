import re

import pytest
from django.test import Client
from django.urls import reverse

OLD = "rahasia-uji-123"
NEW = "padi-menguning-di-lalabata"


def signed_in(user) -> Client:
    client = Client()
    client.post(reverse("accounts:login"), {"username": user.username, "password": OLD}, REMOTE_ADDR="10.1.2.3")
    return client


def change(client, old=OLD, new1=NEW, new2=None):
    data = {"old_password": old, "new_password1": new1, "new_password2": new1 if new2 is None else new2}
    return client.post(reverse("accounts:password_change"), data)


def field_block(page: str, name: str) -> str:
    """The markup of one form field, from its wrapper to the next field's."""
    match = re.search(rf'<div class="field[^"]*" id="field-{name}">(.*?)(?=<div class="field|<button)', page, re.S)
    assert match, f"no field {name} on the page"
    return match.group(1)


@pytest.mark.parametrize("role", ["agent_user", "koordinator_user", "dinas_user", "admin_user"])
def test_every_role_changes_its_own_password_and_stays_signed_in(request, role):
    user = request.getfixturevalue(role)
    client = signed_in(user)
    page = client.get(reverse("accounts:password_change")).content.decode()
    assert page.count("<h1>") == 1 and "Ubah kata sandi" in page

    response = change(client)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:password_change_done")
    assert "Kata sandi sudah diubah" in client.get(response["Location"]).content.decode()
    assert client.get(reverse("monitoring:home")).status_code == 200  # the same session goes on
    user.refresh_from_db()
    assert user.check_password(NEW) and not user.check_password(OLD)


def test_changing_the_password_signs_out_the_other_devices(agent_user):
    phone, laptop = signed_in(agent_user), signed_in(agent_user)
    change(phone)
    response = laptop.get(reverse("monitoring:home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_the_header_offers_the_password_change_next_to_logout(agent_user):
    page = signed_in(agent_user).get(reverse("monitoring:home")).content.decode()
    header = page[page.index('<header class="top">') : page.index("</header>")]
    assert f'href="{reverse("accounts:password_change")}">Ubah kata sandi</a>' in header and "Keluar" in header


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("sawah-ku1", "Kata sandi terlalu pendek. Harus mengandung setidaknya 10 karakter."),
        ("7312040101", "Kata sandi ini seluruhnya terdiri dari angka."),
        ("password123", "Kata sandi ini terlalu umum."),
        ("penyuluh.uji1", "Kata sandi terlalu mirip dengan nama pengguna."),
    ],
    ids=["short", "numeric", "common", "like the username"],
)
def test_a_weak_password_is_refused_in_indonesian_under_the_new_password(agent_user, new, message):
    client = signed_in(agent_user)
    response = change(client, new1=new)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in field_block(page, "new_password1")
    assert 'role="alert"' in page
    agent_user.refresh_from_db()
    assert agent_user.check_password(OLD)


def test_a_wrong_old_password_or_a_mismatch_is_said_at_its_field(agent_user):
    client = signed_in(agent_user)
    page = change(client, old="bukan-sandi-lama").content.decode()
    assert "Kata sandi lama salah" in field_block(page, "old_password")
    page = change(client, new2=NEW + "x").content.decode()
    assert "Kedua isian kata sandi baru tidak sama." in field_block(page, "new_password2")
    agent_user.refresh_from_db()
    assert agent_user.check_password(OLD)


def test_the_password_page_needs_a_login(client, soppeng):
    response = client.get(reverse("accounts:password_change"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    assert reverse("accounts:password_change") == "/akun/kata-sandi/"
    assert reverse("accounts:password_change_done") == "/akun/kata-sandi/selesai/"
