"""The monev page (/monev/): who sees which areas, the drill-down, frozen or live figures, HTMX."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from contributions.services import payment_record
from monitoring.models import Snapshot
from monitoring.monev import monev_months, monev_snapshot
from sutasoma.formatting import bulan, tanggal_jam
from sutasoma.months import month_start
from tests.conftest import MARIORIWAWO_VILLAGE, UMPUNGENG
from tests.monitoring.conftest import LALABATA, MARIORIWAWO, at
from wilayah.loader import load_wilayah
from wilayah.models import Bpp, Region

URL = reverse("monitoring:dashboard")


def page(client, user: User, **params: str) -> str:
    client.force_login(user)
    response = client.get(URL, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def text(html: str) -> str:
    """The page as read: tags out, spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_dinas_sees_every_bpp_of_the_regency_ranked_with_the_regency_total(client, dinas_user, monev_month):
    html = page(client, dinas_user, bulan=f"{monev_month.month:%Y-%m}")
    read = text(html)
    assert html.count('data-label="Kecamatan/BPP"') == 8
    assert f"Monev {bulan(monev_month.month)}" in read
    assert "Kecamatan Lalabata" in read and "Kecamatan Marioriwawo" in read
    assert "10 % · peringkat 1 dari 8" in read and "6,5 % · peringkat 2 dari 8" in read
    # The regency's total: 217 farmers, target 72, 5 active of them.
    assert "Kabupaten Soppeng" in read and "6,9 % dari target" in read
    assert f'href="{URL}?bulan={monev_month.month:%Y-%m}&amp;kecamatan={LALABATA}"' in html


def test_a_koordinator_sees_their_own_bpp_and_its_rank_among_the_eight(client, koordinator_user, monev_month):
    html = page(client, koordinator_user, bulan=f"{monev_month.month:%Y-%m}")
    read = text(html)
    assert html.count('data-label="Kecamatan/BPP"') == 1
    assert "Kecamatan Lalabata" in read and "Marioriwawo" not in read
    assert "6,5 % · peringkat 2 dari 8" in read


def test_the_figures_of_a_row_read_with_rupiah_percent_and_changes_in_words(client, koordinator_user, monev_month):
    read = text(page(client, koordinator_user, bulan=f"{monev_month.month:%Y-%m}", kecamatan=LALABATA))
    # Lalabata's headline: 6 registered (▲ 1), 4 active (▲ 1), Rp 33.600 collected (as the month before).
    assert "Peringkat 2 dari 8 BPP" in read
    assert "Terdaftar (punya KPJ) 6 ▲ naik 1" in read
    assert "Aktif 4 ▲ naik 1 2 lunas bulan ini, 2 masa tenggang" in read
    assert "Iuran terkumpul Rp 33.600 · 2 bulan iuran tetap" in read
    assert "Mandiri (petani sendiri): Rp 33.600 · 2 bulan" in read
    assert "Klaim 1 dilaporkan · 1 dibayar, Rp 5.000.000" in read
    # Umpungeng's row: the refused payment does not count; its two lapsed farmers are a fall.
    assert "Desa Umpungeng" in read and "Per penyuluh" in read


def test_a_koordinator_drills_from_the_regency_to_one_agents_farmers(client, koordinator_user, agent_user, monev_month):
    month = f"{monev_month.month:%Y-%m}"
    kecamatan = page(client, koordinator_user, bulan=month, kecamatan=LALABATA)
    to_desa = f"{URL}?bulan={month}&amp;desa={UMPUNGENG}"
    assert f'href="{to_desa}"' in kecamatan
    desa = page(client, koordinator_user, bulan=month, desa=UMPUNGENG)
    code = agent_user.agent.code
    to_agent = f"{URL}?bulan={month}&amp;agen={code}&amp;desa={UMPUNGENG}"
    assert f'href="{to_agent}"' in desa and "AG7312-0402" not in desa  # the neighbour works elsewhere
    agent = page(client, koordinator_user, bulan=month, agen=code, desa=UMPUNGENG)
    assert f'href="{reverse("enrollment:farmer_list")}?desa={UMPUNGENG}"' in agent
    assert f'href="{reverse("contributions:visit_list")}?agen={code}"' in agent
    # Breadcrumbs lead back up: regency, kecamatan, desa, and the agent as the current page.
    crumbs = text(re.search(r'<nav aria-label="Lokasi".*?</nav>', agent, re.S).group())
    assert crumbs.strip() == f"Kabupaten Soppeng Kecamatan Lalabata Desa Umpungeng Penyuluh {agent_user.agent}"


@pytest.mark.parametrize(
    "params",
    [
        {"kecamatan": MARIORIWAWO},
        {"desa": MARIORIWAWO_VILLAGE},
        {"agen": "AG7312-0101"},
        {"kecamatan": LALABATA, "desa": MARIORIWAWO_VILLAGE},
        {"agen": "AG7312-0402", "desa": UMPUNGENG},  # a Lalabata agent, but not of that desa
        {"kabupaten": "73.71"},
        {"kecamatan": "73.12.99"},
        {"desa": "x" * 40},
    ],
)
def test_a_koordinator_cannot_drill_outside_their_kecamatan(
    client, koordinator_user, other_agent_user, neighbour_agent_user, params
):
    load_wilayah(regency_codes=["73.71"])
    client.force_login(koordinator_user)
    assert client.get(URL, params).status_code == 404


def test_dinas_stays_in_their_regency_and_an_admin_may_choose_another(client, dinas_user, admin_user, soppeng):
    load_wilayah(regency_codes=["73.71"])
    makassar = Region.objects.filter(parent_id="73.71", level=Region.Level.KECAMATAN).first()
    client.force_login(dinas_user)
    assert client.get(URL, {"kabupaten": "73.71"}).status_code == 404
    assert client.get(URL, {"kecamatan": makassar.code}).status_code == 404
    read = text(page(client, admin_user))
    assert "Kabupaten Soppeng" in read  # the deployment's regency by default
    read = text(page(client, admin_user, kabupaten="73.71"))
    assert "Kota Makassar" in read.title() and Bpp.objects.filter(kecamatan__parent_id="73.71").exists()
    assert text(page(client, admin_user, kecamatan=makassar.code)).count(str(makassar)) >= 1


def test_an_agent_is_refused_the_dashboard(client, agent_user, soppeng):
    client.force_login(agent_user)
    assert client.get(URL).status_code == 403


def test_the_month_picker_offers_this_month_and_the_twelve_before(client, dinas_user, soppeng):
    html = page(client, dinas_user)
    months = monev_months(today=timezone.localdate())
    assert len(months) == 13
    options = re.findall(r'<option value="(\d{4}-\d{2})"( selected)?>', html)
    assert [value for value, _ in options] == [f"{m:%Y-%m}" for m in months]
    assert [value for value, chosen in options if chosen] == [f"{months[0]:%Y-%m}"]


@pytest.mark.parametrize("bad", ["2001-01", "bulan-lalu", "2026-13"])
def test_a_month_outside_the_list_is_said_at_the_field_and_this_month_shown(client, dinas_user, soppeng, bad):
    read = text(page(client, dinas_user, bulan=bad))
    assert "Pilih bulan dari daftar: bulan ini atau 12 bulan sebelumnya." in read
    assert f"Monev {bulan(month_start(timezone.localdate()))}" in read


def test_a_frozen_month_says_when_it_was_frozen_and_keeps_its_figures(client, dinas_user, monev_month):
    monev_snapshot(monev_month.month)
    late = monev_month.farmers["refused_payment"]
    late.refresh_from_db()
    payment_record(
        user=late.registered_by, farmer=late, months=1, cash_received=16_800, paid_at=at(monev_month.month, 28)
    )
    frozen_at = Snapshot.objects.values_list("frozen_at", flat=True).first()
    read = text(page(client, dinas_user, bulan=f"{monev_month.month:%Y-%m}", kecamatan=LALABATA))
    assert f"Angka dibekukan pada {tanggal_jam(frozen_at)}" in read
    assert "Aktif 4 " in read and "Iuran terkumpul Rp 33.600" in read  # not the late payment
    live = text(page(client, dinas_user, kecamatan=LALABATA))  # this month
    assert "Angka berjalan" in live and "dibekukan pada" not in live


def test_a_frozen_kecamatan_without_penyuluh_is_frozen_too(client, dinas_user, monev_month):
    monev_snapshot(monev_month.month)
    citta = Region.objects.get(parent_id="73.12", name__iexact="Citta")
    read = text(page(client, dinas_user, bulan=f"{monev_month.month:%Y-%m}", kecamatan=citta.code))
    assert "Angka dibekukan pada" in read and "Belum ada penyuluh yang ditugaskan di sini." in read


def test_a_past_month_nobody_froze_says_its_figures_are_live(client, dinas_user, monev_month):
    read = text(page(client, dinas_user, bulan=f"{monev_month.month:%Y-%m}"))
    assert "Angka berjalan : bulan ini belum dibekukan." in read


def test_htmx_gets_only_the_swapped_part_and_the_address_to_push(client, koordinator_user, monev_month):
    client.force_login(koordinator_user)
    month = f"{monev_month.month:%Y-%m}"
    response = client.get(
        URL, {"bulan": month, "kecamatan": LALABATA}, headers={"HX-Request": "true", "HX-Target": "monev"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="monev">') and "<html" not in html and "Menu utama" not in html
    assert "Per desa/kelurahan" in html
    assert response["HX-Push-Url"] == f"{URL}?bulan={month}&kecamatan={LALABATA}"
    # The back button: htmx asks for the whole page again, and gets it.
    restore = client.get(URL, {"bulan": month}, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in restore.content.decode()


def test_every_link_and_the_month_picker_also_work_without_javascript(client, koordinator_user, monev_month):
    html = page(client, koordinator_user, kecamatan=LALABATA)
    for href, hx in re.findall(r'<a [^>]*href="([^"]+)" hx-get="([^"]+)"', html):
        assert href == hx
    assert re.search(r'<form [^>]*method="get" action="/monev/"', html)
    assert f'<input type="hidden" name="kecamatan" value="{LALABATA}">' in html


def test_the_trends_and_the_meeting_notes_load_beside_the_figures_of_the_same_area(client, dinas_user, soppeng):
    text = page(client, dinas_user)
    assert f'hx-get="{reverse("monitoring:trends")}?' in text and f'hx-get="{reverse("monitoring:notes")}?' in text


def test_coordinators_dinas_and_admins_find_monev_on_their_home_page(
    client, agent_user, koordinator_user, dinas_user, admin_user
):
    link = f'<a class="btn primary block" href="{URL}">Monev bulan ini</a>'
    for user in (koordinator_user, dinas_user, admin_user):
        client.force_login(user)
        assert link in client.get(reverse("monitoring:home")).content.decode(), user.role
    client.force_login(agent_user)
    assert URL not in client.get(reverse("monitoring:home")).content.decode()
