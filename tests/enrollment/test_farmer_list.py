import datetime as dt

from django.urls import reverse

from enrollment.models import Farmer


def test_it_finds_a_farmer_by_name_nik_or_kpj(client, agent_user, make_farmer):
    hasnah = make_farmer(agent_user)
    baco = make_farmer(agent_user, serial=2, name="BACO TAHIR", birth_date=dt.date(1980, 2, 2), female=False)
    Farmer.objects.filter(pk=baco.pk).update(kpj="24019876543", registration_status="TERDAFTAR")
    client.force_login(agent_user)

    def names(query: str) -> set[str]:
        page = client.get(reverse("enrollment:farmer_list"), {"q": query}).content.decode()
        return {n for n in ("HASNAH", "BACO TAHIR") if n in page}

    assert names("hasn") == {"HASNAH"}
    assert names(hasnah.nik) == {"HASNAH"}
    assert names("240198") == {"BACO TAHIR"}
    assert names("") == {"HASNAH", "BACO TAHIR"}


def test_it_masks_the_nik_in_the_list(client, agent_user, make_farmer):
    farmer = make_farmer(agent_user)
    client.force_login(agent_user)
    page = client.get(reverse("enrollment:farmer_list")).content.decode()
    assert f"{farmer.nik[:4]}••••••••{farmer.nik[-4:]}" in page
    assert farmer.nik not in page


def test_it_filters_by_status_and_keeps_the_filter_in_the_pages(client, agent_user, make_farmer):
    for serial in range(1, 28):
        make_farmer(agent_user, serial=serial, name=f"PETANI {serial:02d}")
    make_farmer(agent_user, serial=40, name="SUDAH AKTIF", birth_date=dt.date(1970, 3, 3), female=False)
    today = dt.date.today()
    Farmer.objects.filter(name="SUDAH AKTIF").update(
        registration_status="TERDAFTAR", kpj="24010000001", paid_through=today.replace(day=1)
    )
    client.force_login(agent_user)
    waiting = client.get(reverse("enrollment:farmer_list"), {"status": "MENUNGGU_KPJ"}).content.decode()
    assert "27 petani" in waiting and "SUDAH AKTIF" not in waiting
    assert "?status=MENUNGGU_KPJ&amp;setelah=" in waiting
    active = client.get(reverse("enrollment:farmer_list"), {"status": "AKTIF"}).content.decode()
    assert "1 petani" in active and "SUDAH AKTIF" in active and "Aktif" in active


def test_an_htmx_search_gets_only_the_results_fragment(client, agent_user, make_farmer):
    make_farmer(agent_user)
    client.force_login(agent_user)
    response = client.get(
        reverse("enrollment:farmer_list"), {"q": "HAS"}, headers={"HX-Request": "true", "HX-Target": "farmer-results"}
    )
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="farmer-results">') and "HASNAH" in page
    assert "<html" not in page


def test_the_empty_list_tells_the_agent_what_to_do(client, agent_user):
    client.force_login(agent_user)
    page = client.get(reverse("enrollment:farmer_list")).content.decode()
    assert "Belum ada petani" in page and reverse("enrollment:farmer_register") in page
