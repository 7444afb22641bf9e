"""The farmer search and list as they must behave at a province's million farmers: the search box
routed by what was typed, keyset pages, a capped count, and the area filter one level at a time."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from enrollment.models import Farmer
from enrollment.selectors import farmer_search, farmers_for
from tests.conftest import MARIORIWAWO_VILLAGE, UMPUNGENG, nik_for
from wilayah.loader import load_wilayah

URL = reverse("enrollment:farmer_list")
OTHER_REGENCY_VILLAGE = "73.11.01.2002"


def born(serial: int) -> dt.date:
    return dt.date(1960, 1, 1) + dt.timedelta(days=serial)


def add_farmers(village: str, names: list[str], *, first_serial: int = 1, **fields) -> list[Farmer]:
    """Farmers straight into the table: the list reads them, how they were registered does not matter here."""
    registrar = User.objects.get_or_create(username="pencatat.uji", defaults={"role": Role.ADMIN})[0]
    regency = village[:5].replace(".", "")
    farmers = [
        Farmer(
            **{
                "nik": nik_for(birth=born(first_serial + i), female=False, regency=regency, serial=first_serial + i),
                "no_kk": f"{regency}0401019{first_serial + i:05d}",
                "name": name,
                "birth_place": "SOPPENG",
                "birth_date": born(first_serial + i),
                "sex": "L",
                "address": "JL. POROS",
                "village_id": village,
                "consent_at": timezone.now(),
                "consent_recorded_by": registrar,
                "registered_by": registrar,
                **fields,
            }
        )
        for i, name in enumerate(names)
    ]
    return Farmer.objects.bulk_create(farmers)


def search(user: User, query: str, **filters) -> set[str]:
    rows = farmer_search(farmers_for(user), query=query, today=dt.date.today(), **filters)
    return set(rows.values_list("name", flat=True))


def listed(html: str) -> list[str]:
    return re.findall(r'<td data-label="Nama"><a href="[^"]+">([^<]+)</a>', html)


def link(html: str, label: str) -> str | None:
    match = re.search(rf'<a class="btn" href="(\?[^"]*)">{re.escape(label)}', html)
    return match.group(1).replace("&amp;", "&") if match else None


# Routing by what was typed


def test_sixteen_digits_find_the_nik_or_everyone_on_that_family_card(agent_user):
    baco, becce, other = add_farmers(UMPUNGENG, ["BACO", "BECCE", "LAIN"])
    Farmer.objects.filter(pk=becce.pk).update(no_kk=baco.no_kk)
    assert search(agent_user, baco.nik) == {"BACO"}
    assert search(agent_user, baco.no_kk) == {"BACO", "BECCE"}
    assert search(agent_user, f"{baco.nik[:6]} {baco.nik[6:12]}.{baco.nik[12:]}") == {"BACO"}


def test_eleven_digits_find_the_kpj_or_the_start_of_a_nik(agent_user):
    baco, becce = add_farmers(UMPUNGENG, ["BACO", "BECCE"])
    Farmer.objects.filter(pk=baco.pk).update(kpj="24019876543")
    assert search(agent_user, "24019876543") == {"BACO"}
    assert search(agent_user, becce.nik[:11]) == {"BECCE"}


def test_shorter_digits_are_the_start_of_a_nik_or_a_kpj(agent_user):
    baco, becce = add_farmers(UMPUNGENG, ["BACO", "BECCE"])
    Farmer.objects.filter(pk=baco.pk).update(kpj="24019876543")
    assert search(agent_user, "2401") == {"BACO"}
    assert search(agent_user, "731204") == {"BACO", "BECCE"}
    assert search(agent_user, becce.nik[:14]) == {"BECCE"}
    assert search(agent_user, "9999") == set()


def test_letters_and_short_numbers_search_the_name_anywhere_in_it(agent_user):
    add_farmers(UMPUNGENG, ["SITI NURHAYATI", "ANDI SITTI", "HJ. SITI AMINAH", "BACO"])
    assert search(agent_user, "siti") == {"SITI NURHAYATI", "HJ. SITI AMINAH"}
    assert search(agent_user, "  Siti  Nur ") == set()  # inner spaces are kept: "SITI  NUR" is not in any name
    assert search(agent_user, "731") == set()  # three digits are too few for a number: a name, and no name has them


@pytest.mark.parametrize("how", ["nik", "kk", "kpj", "nik prefix", "name"])
def test_no_route_reaches_beyond_the_users_area(how, agent_user, dinas_user, koordinator_user):
    load_wilayah(regency_codes=["73.11"])
    (mine,) = add_farmers(UMPUNGENG, ["SITI MILIKKU"])
    (neighbour,) = add_farmers(MARIORIWAWO_VILLAGE, ["SITI TETANGGA"], first_serial=2)
    (bone,) = add_farmers(OTHER_REGENCY_VILLAGE, ["SITI BONE"], first_serial=3)
    Farmer.objects.filter(pk__in=[mine.pk, neighbour.pk, bone.pk]).update(no_kk=mine.no_kk)
    for farmer, kpj in ((mine, "24010000001"), (neighbour, "24010000002"), (bone, "24010000003")):
        Farmer.objects.filter(pk=farmer.pk).update(kpj=kpj)
    query = {"nik": neighbour.nik, "kk": mine.no_kk, "kpj": "24010000002", "nik prefix": "7312", "name": "siti"}[how]
    assert "SITI TETANGGA" not in search(agent_user, query) and "SITI BONE" not in search(agent_user, query)
    assert "SITI TETANGGA" not in search(koordinator_user, query) and "SITI BONE" not in search(koordinator_user, query)
    assert "SITI BONE" not in search(dinas_user, query)


# Keyset pages


def test_pages_of_equal_names_hold_every_farmer_once_and_go_back_to_the_same_page(client, agent_user):
    add_farmers(UMPUNGENG, ["SITI"] * 30)
    client.force_login(agent_user)
    first = client.get(URL).content.decode()
    assert len(listed(first)) == 25 and link(first, "‹ Sebelumnya") is None
    second = client.get(URL + link(first, "Berikutnya ›")).content.decode()
    assert len(listed(second)) == 5 and link(second, "Berikutnya ›") is None
    ids = re.findall(r'href="/petani/(\d+)/"', first) + re.findall(r'href="/petani/(\d+)/"', second)
    assert sorted(ids) == sorted(str(pk) for pk in Farmer.objects.values_list("pk", flat=True))
    back = client.get(URL + link(second, "‹ Sebelumnya")).content.decode()
    assert re.findall(r'href="/petani/(\d+)/"', back) == re.findall(r'href="/petani/(\d+)/"', first)


def test_a_farmer_registered_meanwhile_neither_repeats_nor_hides_a_row_on_the_next_page(client, agent_user):
    add_farmers(UMPUNGENG, [f"PETANI {n:02d}" for n in range(1, 31)])
    client.force_login(agent_user)
    first = client.get(URL).content.decode()
    add_farmers(UMPUNGENG, ["ABDUL BARU", "PETANI 30A"], first_serial=100)
    second = listed(client.get(URL + link(first, "Berikutnya ›")).content.decode())
    assert second == ["PETANI 26", "PETANI 27", "PETANI 28", "PETANI 29", "PETANI 30", "PETANI 30A"]


def test_the_links_keep_the_search_and_filters(client, agent_user):
    add_farmers(UMPUNGENG, [f"SITI {n:02d}" for n in range(1, 61)])
    client.force_login(agent_user)
    first = client.get(URL, {"q": "siti", "status": "MENUNGGU_KPJ"}).content.decode()
    after = link(first, "Berikutnya ›")
    assert after.startswith("?q=siti&status=MENUNGGU_KPJ&setelah=") and "60 petani" in first
    second = client.get(URL + after).content.decode()
    assert "60 petani" in second
    assert listed(second)[0] == "SITI 26" and link(second, "‹ Sebelumnya").startswith(
        "?q=siti&status=MENUNGGU_KPJ&sebelum="
    )
    assert listed(client.get(URL + link(second, "Berikutnya ›")).content.decode())[0] == "SITI 51"


@pytest.mark.parametrize(
    "cursor", ["setelah=abc", "setelah=-1", "sebelum=1e5", "setelah=" + "9" * 40, "sebelum=0", "setelah=%20"]
)
def test_a_broken_cursor_opens_the_first_page(client, agent_user, cursor):
    add_farmers(UMPUNGENG, [f"PETANI {n:02d}" for n in range(1, 31)])
    client.force_login(agent_user)
    response = client.get(URL + "?" + cursor)
    assert response.status_code == 200 and listed(response.content.decode())[0] == "PETANI 01"


def test_a_cursor_on_someone_elses_farmer_tells_nothing_of_where_their_name_sorts(client, agent_user, other_agent_user):
    add_farmers(UMPUNGENG, ["ANDI", "BACO", "ZAINAL"])
    (theirs,) = add_farmers(MARIORIWAWO_VILLAGE, ["MUHAMMAD"], first_serial=50)
    client.force_login(agent_user)
    page = client.get(URL, {"setelah": theirs.pk}).content.decode()
    assert listed(page) == ["ANDI", "BACO", "ZAINAL"] and "MUHAMMAD" not in page


# The count


def test_the_count_stops_at_a_thousand(client, dinas_user):
    add_farmers(UMPUNGENG, ["SITI"] * 1001)
    client.force_login(dinas_user)
    assert "lebih dari 1.000 petani" in client.get(URL).content.decode()
    assert "lebih dari 1.000 petani" in client.get(URL, {"q": "siti"}).content.decode()  # counted with the page
    Farmer.objects.filter(pk=Farmer.objects.order_by("pk").first().pk).delete()
    assert "1.000 petani" in client.get(URL).content.decode()
    assert "lebih dari" not in client.get(URL).content.decode()


# The area filter


def options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select id="f-{name}" name="{name}">(.*?)</select>', html, re.S)
    return re.findall(r'<option value="([^"]+)"', select.group(1)) if select else []


def test_dinas_picks_a_kecamatan_before_a_desa(client, dinas_user):
    client.force_login(dinas_user)
    page = client.get(URL).content.decode()
    assert len(options(page, "kecamatan")) == 8 and options(page, "desa") == []
    desa = options(client.get(URL, {"kecamatan": "73.12.04"}).content.decode(), "desa")
    assert UMPUNGENG in desa and all(code.startswith("73.12.04.") for code in desa)


def test_an_admin_starts_at_the_regency_and_never_gets_every_village_of_the_province(client, admin_user):
    load_wilayah(regency_codes=["73.11"])
    client.force_login(admin_user)
    page = client.get(URL).content.decode()
    assert options(page, "kabupaten") == ["73.11", "73.12"] and options(page, "kecamatan") == []
    page = client.get(URL, {"kabupaten": "73.12", "kecamatan": "73.12.04"}).content.decode()
    assert len(options(page, "kecamatan")) == 8 and all(c.startswith("73.12.04.") for c in options(page, "desa"))
    assert page.count("<option") < 60


def test_koordinator_and_penyuluh_pick_only_among_their_own_villages(client, koordinator_user, agent_user):
    client.force_login(koordinator_user)
    desa = options(client.get(URL).content.decode(), "desa")
    assert UMPUNGENG in desa and all(code.startswith("73.12.04.") for code in desa)
    client.force_login(agent_user)
    assert options(client.get(URL).content.decode(), "desa") == [UMPUNGENG]


def test_a_link_to_one_desa_filters_it_and_shows_its_kecamatan(client, dinas_user):
    add_farmers(UMPUNGENG, ["DI UMPUNGENG"])
    add_farmers(MARIORIWAWO_VILLAGE, ["DI GATTARENG"], first_serial=2)
    client.force_login(dinas_user)
    page = client.get(URL, {"desa": UMPUNGENG}).content.decode()
    assert listed(page) == ["DI UMPUNGENG"]
    assert 'value="73.12.04" selected' in page and f'value="{UMPUNGENG}" selected' in page
    assert listed(client.get(URL, {"kecamatan": "73.12.01"}).content.decode()) == ["DI GATTARENG"]


def test_another_kecamatan_drops_the_desa_chosen_before_and_semua_clears_both(client, dinas_user):
    add_farmers(UMPUNGENG, ["DI UMPUNGENG"])
    add_farmers(MARIORIWAWO_VILLAGE, ["DI GATTARENG"], first_serial=2)
    client.force_login(dinas_user)
    page = client.get(URL, {"kecamatan": "73.12.01", "desa": UMPUNGENG}).content.decode()
    assert listed(page) == ["DI GATTARENG"] and "selected" not in page.split('id="f-desa"')[1].split("</select>")[0]
    assert listed(client.get(URL, {"kecamatan": "", "desa": UMPUNGENG}).content.decode()) == [
        "DI GATTARENG",
        "DI UMPUNGENG",
    ]


@pytest.mark.parametrize(
    "params", [{"desa": OTHER_REGENCY_VILLAGE}, {"kecamatan": "73.11.01"}, {"kecamatan": "73.12.99"}]
)
def test_an_area_outside_the_users_scope_is_not_a_filter_nor_a_door(client, dinas_user, params):
    load_wilayah(regency_codes=["73.11"])
    add_farmers(UMPUNGENG, ["DI UMPUNGENG"])
    add_farmers(OTHER_REGENCY_VILLAGE, ["DI BONE"], first_serial=2)
    client.force_login(dinas_user)
    page = client.get(URL, params).content.decode()
    assert listed(page) == ["DI UMPUNGENG"] and "73.11" not in page


@pytest.mark.parametrize(
    "params",
    [{"desa": "x" * 5000}, {"kecamatan": "73.12.04'--"}, {"kabupaten": "../.."}, {"desa": "73.12.04.2009.1"}],
)
def test_malformed_filters_give_a_clean_page(client, dinas_user, params):
    client.force_login(dinas_user)
    assert client.get(URL, params).status_code == 200


def test_choosing_a_kecamatan_by_htmx_swaps_in_its_villages(client, dinas_user):
    client.force_login(dinas_user)
    response = client.post(
        URL,
        {"q": "", "kecamatan": "73.12.04", "status": ""},
        headers={"HX-Request": "true", "HX-Target": "farmer-results"},
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="farmer-results">')
    assert 'id="f-area" hx-swap-oob="innerHTML"' in html and UMPUNGENG in options(html, "desa")
    assert response["HX-Push-Url"] == URL + "?kecamatan=73.12.04"


# A name across the province


def test_an_admins_name_search_across_the_province_goes_by_registration_and_says_so(client, admin_user):
    add_farmers(UMPUNGENG, [f"SITI {n:02d}" for n in range(30, 0, -1)])
    add_farmers(MARIORIWAWO_VILLAGE, ["SITI AMINAH", "BACO"], first_serial=100)
    client.force_login(admin_user)
    first = client.get(URL, {"q": "siti"}).content.decode()
    in_registration_order = list(
        Farmer.objects.filter(name__startswith="SITI").order_by("pk").values_list("name", flat=True)
    )
    assert listed(first) == in_registration_order[:25] and "31 petani, diurutkan menurut waktu pendaftaran" in first
    second = client.get(URL + link(first, "Berikutnya ›")).content.decode()
    assert listed(second) == in_registration_order[25:] and "31 petani" in second
    back = client.get(URL + link(second, "‹ Sebelumnya")).content.decode()
    assert listed(back) == listed(first)
    by_name = client.get(URL, {"q": "siti", "kabupaten": "73.12"}).content.decode()
    assert listed(by_name)[:2] == ["SITI 01", "SITI 02"] and "waktu pendaftaran" not in by_name


def test_an_admins_count_of_a_common_name_stops_at_a_thousand(client, admin_user):
    add_farmers(UMPUNGENG, ["SITI"] * 1001)
    client.force_login(admin_user)
    assert (
        "lebih dari 1.000 petani, diurutkan menurut waktu pendaftaran"
        in client.get(URL, {"q": "siti"}).content.decode()
    )
