"""A whole NIK never lands in a URL; no page with personal data is kept by a cache; NUL is a 400."""

import pytest
from django.urls import reverse


def test_a_whole_nik_is_searched_by_post_and_kept_out_of_the_address_bar(client, agent_user, make_farmer):
    farmer = make_farmer(agent_user)
    client.force_login(agent_user)
    url = reverse("enrollment:farmer_list")
    response = client.post(url, {"q": farmer.nik, "status": ""}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and farmer.name in response.content.decode()
    assert response["HX-Push-Url"] == reverse("enrollment:farmer_list") and farmer.nik not in response["HX-Push-Url"]


def test_a_name_search_by_post_lands_on_a_shareable_url(client, agent_user, make_farmer):
    make_farmer(agent_user)
    client.force_login(agent_user)
    response = client.post(reverse("enrollment:farmer_list"), {"q": "hasnah", "status": "AKTIF"})
    assert response.status_code == 302
    assert response["Location"] == reverse("enrollment:farmer_list") + "?q=hasnah&status=AKTIF"


def test_a_whole_nik_by_post_without_htmx_is_answered_in_place(client, agent_user, make_farmer):
    farmer = make_farmer(agent_user)
    client.force_login(agent_user)
    response = client.post(reverse("enrollment:farmer_list"), {"q": farmer.nik})
    assert response.status_code == 200 and farmer.name in response.content.decode()


def test_the_search_box_refuses_hidden_characters_at_the_field(client, agent_user):
    client.force_login(agent_user)
    response = client.get(reverse("enrollment:farmer_list"), {"q": "HAS\u200bNAH"})
    assert response.status_code == 200 and "karakter tersembunyi" in response.content.decode()


@pytest.mark.parametrize("query", ["q=HAS%00NAH", "desa=73.12%00", "status=%00", "halaman=1%00", "%00=1"])
def test_a_nul_byte_in_the_query_string_is_a_bad_request_not_a_server_error(client, agent_user, query):
    client.force_login(agent_user)
    client.raise_request_exception = False
    assert client.get(reverse("enrollment:farmer_list") + "?" + query).status_code == 400


def test_a_nul_byte_in_the_search_form_is_refused_at_the_field(client, agent_user):
    client.force_login(agent_user)
    response = client.post(reverse("enrollment:farmer_list"), {"q": "a\x00b"})
    assert response.status_code == 200 and "karakter tersembunyi" in response.content.decode()


def test_admin_search_with_a_nul_byte_is_a_bad_request(client, admin_user):
    client.force_login(admin_user)
    client.raise_request_exception = False
    assert client.get("/admin/enrollment/farmer/?q=%00").status_code == 400


@pytest.mark.parametrize("page", ["enrollment:farmer_list", "monitoring:home", "enrollment:farmer_register"])
def test_pages_of_a_signed_in_user_are_never_stored(client, agent_user, page):
    client.force_login(agent_user)
    response = client.get(reverse(page))
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_the_farmer_page_with_the_whole_nik_is_never_stored_and_is_logged(client, agent_user, make_farmer):
    from audit.models import AccessLog, Action

    farmer = make_farmer(agent_user)
    client.force_login(agent_user)
    response = client.get(farmer.get_absolute_url())
    assert farmer.nik in response.content.decode() and "no-store" in response["Cache-Control"]
    assert AccessLog.objects.filter(user=agent_user, action=Action.VIEW_NIK, subject=f"petani:{farmer.pk}").exists()


@pytest.mark.parametrize(
    "path", ["/iuran/kuitansi/KW%00/", "/iuran/kas/AG%00/setor/", "/klaim/1/dokumen/KTP%00/", "/petani/%00/"]
)
def test_a_nul_byte_in_a_path_is_a_bad_request_not_a_server_error(client, admin_user, path):
    client.force_login(admin_user)
    client.raise_request_exception = False
    assert client.get(path).status_code in (400, 404)
