"""What a person sees when something goes wrong, with DEBUG off as in production."""

import pytest
from django.contrib.auth.decorators import login_not_required
from django.test import Client, override_settings
from django.urls import include, path, reverse


@login_not_required
def broken_view(request):
    raise RuntimeError("a bug")


# This module is also the URLconf of the 500 test: the real URLs plus one that fails.
urlpatterns = [path("rusak/", broken_view), path("", include("sutasoma.urls"))]


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_unknown_address_gets_the_indonesian_404(client, agent_user, settings):
    assert settings.DEBUG is False
    for visitor in (client, signed_in(agent_user)):
        response = visitor.get("/tidak-ada/")
        page = response.content.decode()
        assert response.status_code == 404
        assert "<h1>Halaman tidak ditemukan</h1>" in page and 'href="/"' in page


def test_a_page_for_another_role_gets_the_indonesian_403(koordinator_user):
    response = signed_in(koordinator_user).get(reverse("enrollment:farmer_register"))
    page = response.content.decode()
    assert response.status_code == 403
    assert "Halaman ini bukan untuk peran Anda" in page and 'href="/"' in page


def test_a_form_sent_without_a_valid_token_gets_the_indonesian_csrf_page(agent_user):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:login"), {"username": agent_user.username, "password": "rahasia-uji-123"})
    page = response.content.decode()
    assert response.status_code == 403
    assert "Formulir kedaluwarsa" in page and "Muat ulang halaman dan kirim lagi." in page
    assert "_auth_user_id" not in client.session


def test_the_csrf_page_offers_to_reload_only_our_own_page(agent_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent_user)
    own = "http://testserver" + reverse("accounts:password_change")
    page = client.post(reverse("accounts:password_change"), {}, HTTP_REFERER=own).content.decode()
    assert f'href="{own}">Muat ulang halaman</a>' in page
    page = client.post(reverse("accounts:password_change"), {}, HTTP_REFERER="https://jahat.example/").content.decode()
    assert "jahat.example" not in page and "Muat ulang halaman</a>" not in page


@override_settings(ALLOWED_HOSTS=["sutasoma.example"])
def test_a_bad_request_gets_the_indonesian_400(client):
    response = client.get("/masuk/", HTTP_HOST="bukan-kami.example")
    assert response.status_code == 400
    assert "<h1>Permintaan tidak dapat diproses</h1>" in response.content.decode()


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_a_failing_page_gets_the_indonesian_500_without_details(client):
    client.raise_request_exception = False
    response = client.get("/rusak/")
    page = response.content.decode()
    assert response.status_code == 500
    assert "<h1>Terjadi kesalahan di server</h1>" in page and 'href="/"' in page
    assert "a bug" not in page and "RuntimeError" not in page
