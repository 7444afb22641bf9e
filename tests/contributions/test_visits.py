"""The visit list: whom a penyuluh reminds of their contribution, how urgently, for how much, and
who else may look at it."""

from __future__ import annotations

import datetime as dt
from urllib.parse import unquote

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from contributions import visit_views
from contributions.models import Rate
from contributions.services import payment_record
from contributions.visits import Reason, visit_list
from enrollment.cover import CoverStatus
from enrollment.models import Farmer
from enrollment.selectors import farmers_for
from monitoring.navigation import menu_for
from sutasoma.months import add_months, month_start
from tests.conftest import MARIORIWAWO_VILLAGE, OTHER_LALABATA_VILLAGE
from wilayah.models import Bpp, Region

NOVEMBER = dt.date(2026, 11, 1)
URL = reverse("contributions:visit_list")


@pytest.fixture
def participant(make_farmer):
    """A farmer the insurer accepted, paid through `paid_through`."""
    serials = iter(range(1, 100))

    def make(user: User, *, paid_through: dt.date | None, **fields) -> Farmer:
        farmer = make_farmer(user, serial=next(serials), **fields)
        Farmer.objects.filter(pk=farmer.pk).update(registration_status="TERDAFTAR", paid_through=paid_through)
        return Farmer.objects.get(pk=farmer.pk)

    return make


def visits_of(user: User, today: dt.date) -> list:
    return [visit for group in visit_list(farmers_for(user), today=today) for visit in group.visits]


def this_month() -> dt.date:
    return month_start(timezone.localdate())


@pytest.mark.parametrize(
    ("today", "reason", "status", "due_month"),
    [
        (dt.date(2026, 9, 30), None, None, None),  # two months ahead: not yet
        (dt.date(2026, 10, 1), Reason.ENDS_NEXT_MONTH, CoverStatus.AKTIF, dt.date(2026, 12, 1)),
        (dt.date(2026, 11, 30), Reason.ENDS_THIS_MONTH, CoverStatus.AKTIF, dt.date(2026, 12, 1)),
        (dt.date(2026, 12, 1), Reason.GRACE, CoverStatus.MASA_TENGGANG, dt.date(2026, 12, 1)),
        (dt.date(2026, 12, 31), Reason.GRACE, CoverStatus.MASA_TENGGANG, dt.date(2026, 12, 1)),
        # Lapsed: the next payment starts in the month it is made, never backwards.
        (dt.date(2027, 1, 1), Reason.LAPSED, CoverStatus.TIDAK_AKTIF, dt.date(2027, 1, 1)),
        (dt.date(2027, 3, 31), Reason.LAPSED, CoverStatus.TIDAK_AKTIF, dt.date(2027, 3, 1)),
        (dt.date(2027, 4, 1), None, None, None),  # lapsed four months ago: no longer on the list
    ],
)
def test_a_farmer_paid_through_november_is_on_the_list_from_october_to_march(
    agent_user, participant, today, reason, status, due_month
):
    participant(agent_user, paid_through=NOVEMBER)
    visits = visits_of(agent_user, today)
    if reason is None:
        assert visits == []
    else:
        [visit] = visits
        assert (visit.reason, visit.status, visit.due_month) == (reason, status, due_month)


def test_farmers_not_covered_for_other_reasons_are_not_on_the_list(agent_user, participant):
    today = dt.date(2026, 12, 10)
    participant(agent_user, paid_through=None)  # never paid: enrolment follow-up, not a reminder
    participant(agent_user, paid_through=dt.date(2027, 6, 1))  # paid well ahead
    waiting = participant(agent_user, paid_through=NOVEMBER)
    Farmer.objects.filter(pk=waiting.pk).update(registration_status="MENUNGGU_KPJ")
    anonymised = participant(agent_user, paid_through=NOVEMBER)
    Farmer.objects.filter(pk=anonymised.pk).update(anonymised_at=timezone.now())
    assert visits_of(agent_user, today) == []


def test_a_farmer_who_just_paid_is_not_reminded_while_the_insurer_confirms(agent_user, participant):
    farmer = participant(agent_user, paid_through=add_months(this_month(), -1))
    assert len(visits_of(agent_user, timezone.localdate())) == 1
    payment_record(user=agent_user, farmer=farmer, months=3, cash_received=50_400)
    assert visits_of(agent_user, timezone.localdate()) == []


def test_the_most_urgent_come_first_grace_then_this_month_next_month_and_the_most_recently_lapsed(
    agent_user, participant
):
    today = dt.date(2026, 12, 10)
    for name, paid_through in [
        ("LAMA TIDAK AKTIF", dt.date(2026, 8, 1)),
        ("BULAN DEPAN", dt.date(2027, 1, 1)),
        ("BARU TIDAK AKTIF", dt.date(2026, 10, 1)),
        ("MASA TENGGANG", dt.date(2026, 11, 1)),
        ("BULAN INI", dt.date(2026, 12, 1)),
    ]:
        participant(agent_user, paid_through=paid_through, name=name)
    assert [visit.farmer.name for visit in visits_of(agent_user, today)] == [
        "MASA TENGGANG",
        "BULAN INI",
        "BULAN DEPAN",
        "BARU TIDAK AKTIF",
        "LAMA TIDAK AKTIF",
    ]


def test_the_list_is_grouped_by_desa_in_the_order_of_their_names(
    agent_user, neighbour_agent_user, koordinator_user, participant
):
    today = dt.date(2026, 12, 10)
    participant(agent_user, paid_through=NOVEMBER, name="A")
    participant(neighbour_agent_user, paid_through=NOVEMBER, name="B")
    participant(agent_user, paid_through=dt.date(2026, 12, 1), name="C")
    groups = visit_list(farmers_for(koordinator_user), today=today)
    assert [group.village.name for group in groups] == sorted(group.village.name for group in groups)
    by_village = {group.village.code: [visit.farmer.name for visit in group.visits] for group in groups}
    assert by_village == {agent_user.agent.villages.get().code: ["A", "C"], OTHER_LALABATA_VILLAGE: ["B"]}


def test_the_amount_comes_from_the_rate_in_force_and_the_farmers_declared_income(agent_user, participant):
    Rate.objects.create(valid_from=dt.date(2026, 7, 1), jkk_basis_points=100, jkm_amount=8_000)
    participant(agent_user, paid_through=NOVEMBER, income=2_500_000)
    [visit] = visits_of(agent_user, dt.date(2026, 12, 10))
    assert visit.monthly_amount == 25_000 + 8_000


def test_the_list_asks_for_the_rate_once_however_many_desa_and_incomes(
    agent_user, neighbour_agent_user, koordinator_user, participant, django_assert_num_queries
):
    today = dt.date(2026, 12, 10)
    participant(agent_user, paid_through=NOVEMBER, income=1_000_000)
    scoped = farmers_for(koordinator_user)
    with django_assert_num_queries(2):  # the farmers, the rate
        [one] = visit_list(scoped, today=today)
    participant(agent_user, paid_through=NOVEMBER, income=2_500_000)
    participant(neighbour_agent_user, paid_through=NOVEMBER, income=3_000_000)
    with django_assert_num_queries(2):
        groups = visit_list(scoped, today=today)
    amounts = sorted(visit.monthly_amount for group in groups for visit in group.visits)
    assert len(groups) == 2 and amounts == [10_000 + 6_800, 25_000 + 6_800, 30_000 + 6_800]


def test_the_reminder_opens_a_whatsapp_chat_with_the_farmer_with_the_amount_and_the_month_due(agent_user, participant):
    participant(agent_user, paid_through=NOVEMBER, phone="081234567890")
    [group] = visit_list(farmers_for(agent_user), today=dt.date(2026, 12, 10), agent=agent_user.agent)
    [visit] = group.visits
    number, text = visit.whatsapp_url.removeprefix("https://wa.me/").split("?text=")
    assert number == "6281234567890"
    assert unquote(text) == (
        "Assalamualaikum Ibu HASNAH, iuran BPJS Ketenagakerjaan (JKK-JKM) Anda Rp 16.800 per bulan untuk "
        "Desember 2026. Perlindungan Anda sampai November 2026. Hubungi penyuluh Anda: Penyuluh.Uji."
    )


def test_a_man_is_greeted_as_bapak(agent_user, participant):
    participant(agent_user, paid_through=NOVEMBER, name="ANDI", female=False)
    [visit] = visits_of(agent_user, dt.date(2026, 12, 10))
    assert "Assalamualaikum%20Bapak%20ANDI%2C" in visit.whatsapp_url


@pytest.mark.parametrize("phone", ["", "048421234"])
def test_a_farmer_without_a_mobile_number_gets_no_whatsapp_link(client, agent_user, participant, phone):
    participant(agent_user, paid_through=add_months(this_month(), -1), phone=phone)
    [visit] = visits_of(agent_user, timezone.localdate())
    assert visit.whatsapp_url is None
    client.force_login(agent_user)
    page = client.get(URL).content.decode()
    assert "Tidak ada nomor HP" in page
    assert "wa.me" not in page


def test_the_agent_sees_their_own_farmers_with_a_reminder_button_and_never_another_agents(
    client, agent_user, neighbour_agent_user, other_agent_user, participant
):
    grace = add_months(this_month(), -1)
    mine = participant(agent_user, paid_through=grace, name="PETANI SAYA")
    participant(neighbour_agent_user, paid_through=grace, name="PETANI TETANGGA")
    participant(other_agent_user, paid_through=grace, name="PETANI LAIN")
    client.force_login(agent_user)
    for url in (URL, f"{URL}?agen={other_agent_user.agent.code}"):  # asking for another agent changes nothing
        page = client.get(url).content.decode()
        assert "PETANI SAYA" in page
        assert "PETANI TETANGGA" not in page and "PETANI LAIN" not in page
        assert mine.get_absolute_url() in page
        assert "Kirim pengingat WhatsApp" in page and "https://wa.me/6281234567890?text=" in page
        assert "Masa tenggang" in page and "kecelakaan bulan ini tidak ditanggung" in page and "1 petani" in page


def test_an_agent_with_nobody_to_visit_is_told_so(client, agent_user):
    client.force_login(agent_user)
    assert "Tidak ada petani yang perlu dikunjungi saat ini." in client.get(URL).content.decode()


def test_the_koordinator_chooses_an_agent_of_their_bpp_and_sees_that_agents_desa_only(
    client, agent_user, neighbour_agent_user, koordinator_user, participant
):
    grace = add_months(this_month(), -1)
    participant(agent_user, paid_through=grace, name="PETANI UMPUNGENG")
    participant(neighbour_agent_user, paid_through=grace, name="PETANI TETANGGA")
    client.force_login(koordinator_user)
    response = client.get(URL, {"agen": agent_user.agent.code})
    page = response.content.decode()
    assert response.status_code == 200
    assert "PETANI UMPUNGENG" in page and "PETANI TETANGGA" not in page
    # The reminder names the chosen agent, not the koordinator who sends it.
    assert "Hubungi%20penyuluh%20Anda%3A%20Penyuluh.Uji." in page


def test_without_a_choice_the_koordinator_sees_counts_per_agent_and_desa_that_lead_to_the_lists(
    client, agent_user, neighbour_agent_user, other_agent_user, koordinator_user, participant
):
    grace = add_months(this_month(), -1)
    participant(agent_user, paid_through=grace, name="PETANI UMPUNGENG")
    participant(agent_user, paid_through=this_month(), name="PETANI KEDUA")
    participant(neighbour_agent_user, paid_through=grace, name="PETANI TETANGGA")
    participant(other_agent_user, paid_through=grace, name="PETANI MARIORIWAWO")
    unassigned = Region.objects.filter(parent_id="73.12.04", level=Region.Level.DESA, agents__isnull=True).first()
    nobodys = participant(agent_user, paid_through=grace, name="PETANI TANPA PENYULUH")
    Farmer.objects.filter(pk=nobodys.pk).update(village=unassigned)
    client.force_login(koordinator_user)
    response = client.get(URL)
    page = response.content.decode()
    # Counts only: a BPP at a province's scale has thousands of farmers to visit.
    assert "PETANI" not in page
    sections = {(section.agent, section.count): dict(section.villages) for section in response.context["by_agent"]}
    mine, theirs = agent_user.agent, neighbour_agent_user.agent
    assert sections == {
        (mine, 2): {mine.villages.get(): 2},
        (theirs, 1): {theirs.villages.get(): 1},
        (None, 1): {unassigned: 1},
    }
    assert str(other_agent_user.agent) not in page
    village = mine.villages.get().code
    for link in (f"?agen={mine.code}", f"?agen={mine.code}&amp;desa={village}", f"?desa={unassigned.code}"):
        assert f'href="{link}"' in page
    agents_list = client.get(URL, {"agen": mine.code}).content.decode()
    assert "PETANI UMPUNGENG" in agents_list and "PETANI KEDUA" in agents_list and "PETANI TETANGGA" not in agents_list
    assert "PETANI TANPA PENYULUH" in client.get(URL, {"desa": unassigned.code}).content.decode()


@pytest.fixture
def small_pages(monkeypatch):
    """Two farmers before "Lihat semua" and two per page of a desa, instead of tens."""
    monkeypatch.setattr(visit_views, "FIRST_PER_VILLAGE", 2)
    monkeypatch.setattr(visit_views, "PAGE_SIZE", 2)


def test_an_agents_page_shows_the_most_urgent_of_each_desa_and_links_to_the_rest(
    client, agent_user, participant, small_pages
):
    for name, months in [("KETIGA", 1), ("PERTAMA", -1), ("KEEMPAT", 1), ("KEDUA", 0)]:
        participant(agent_user, paid_through=add_months(this_month(), months), name=name)
    client.force_login(agent_user)
    page = client.get(URL).content.decode()
    village = agent_user.agent.villages.get()
    assert f"<h2>{village} · 4 petani</h2>" in page and "<b>4 petani</b>" in page
    assert page.index("PERTAMA") < page.index("KEDUA")
    assert "KETIGA" not in page and "KEEMPAT" not in page
    assert f'href="?desa={village.code}">Lihat semua 4 petani di {village}</a>' in page


def test_a_desa_list_pages_through_its_farmers_in_order_of_urgency(client, agent_user, participant, small_pages):
    for name, months in [("C", 1), ("A", -1), ("E", -3), ("D", 1), ("B", 0)]:
        participant(agent_user, paid_through=add_months(this_month(), months), name=name)
    client.force_login(agent_user)
    village = agent_user.agent.villages.get().code
    seen, query = [], {"desa": village}
    while True:
        response = client.get(URL, query)
        assert response.status_code == 200
        page = response.context["page"]
        seen += [visit.farmer.name for visit in response.context["group"].visits]
        if not page.has_next:
            break
        assert f"setelah={page.last_pk}" in response.content.decode()
        query = {"desa": village, "setelah": page.last_pk}
    assert seen == ["A", "B", "C", "D", "E"]
    assert response.context["group"].count == 5
    back = client.get(URL, {"desa": village, "sebelum": page.first_pk}).context["group"].visits
    assert [visit.farmer.name for visit in back] == ["C", "D"]


def test_the_next_page_through_htmx_is_the_list_alone(client, agent_user, participant, small_pages):
    for name in ("A", "B", "C"):
        participant(agent_user, paid_through=add_months(this_month(), -1), name=name)
    client.force_login(agent_user)
    village = agent_user.agent.villages.get().code
    first = client.get(URL, {"desa": village}).context["page"]
    response = client.get(URL, {"desa": village, "setelah": first.last_pk}, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert "<h1>" not in page and response.context["group"].visits[0].farmer.name == "C"
    assert "sebelum=" in page


@pytest.mark.parametrize("cursor", ["abc", "-1", "1" * 40, "99999999", "１２"])
def test_a_bad_or_foreign_paging_cursor_opens_the_first_page(
    client, agent_user, neighbour_agent_user, participant, small_pages, cursor
):
    for name in ("A", "B", "C"):
        participant(agent_user, paid_through=add_months(this_month(), -1), name=name)
    foreign = participant(neighbour_agent_user, paid_through=add_months(this_month(), -1), name="LAIN")
    client.force_login(agent_user)
    village = agent_user.agent.villages.get().code
    for value in (cursor, str(foreign.pk)):
        for key in ("setelah", "sebelum"):
            response = client.get(URL, {"desa": village, key: value})
            assert response.status_code == 200
            assert [visit.farmer.name for visit in response.context["group"].visits] == ["A", "B"]


def test_nobody_opens_a_desa_list_outside_their_scope(
    client, agent_user, neighbour_agent_user, other_agent_user, koordinator_user, participant
):
    participant(neighbour_agent_user, paid_through=add_months(this_month(), -1), name="PETANI TETANGGA")
    mine, neighbours = agent_user.agent, neighbour_agent_user.agent
    theirs = neighbours.villages.get().code
    client.force_login(agent_user)
    for query in (
        {"desa": theirs},
        {"agen": neighbours.code, "desa": theirs},
        {"desa": "bukan-kode"},
        {"desa": "99.99.99.9999"},
    ):
        assert client.get(URL, query).status_code == 404
    client.force_login(koordinator_user)
    assert client.get(URL, {"agen": mine.code, "desa": theirs}).status_code == 404  # not that agent's desa
    assert client.get(URL, {"agen": other_agent_user.agent.code, "desa": MARIORIWAWO_VILLAGE}).status_code == 404
    assert client.get(URL, {"desa": MARIORIWAWO_VILLAGE}).status_code == 404  # another BPP's desa
    assert "PETANI TETANGGA" in client.get(URL, {"agen": neighbours.code, "desa": theirs}).content.decode()


def test_a_koordinator_of_another_bpp_cannot_choose_this_agent(client, agent_user, participant):
    participant(agent_user, paid_through=add_months(this_month(), -1))
    other = User.objects.create(
        username="koordinator.lain", role=Role.KOORDINATOR, bpp=Bpp.objects.get(kecamatan_id="73.12.01")
    )
    client.force_login(other)
    assert client.get(URL, {"agen": agent_user.agent.code}).status_code == 404
    assert client.get(URL, {"agen": "TIDAK-ADA"}).status_code == 404
    assert "HASNAH" not in client.get(URL).content.decode()


def test_dinas_sees_counts_per_kecamatan_and_agent_and_can_open_an_agents_list(
    client, agent_user, neighbour_agent_user, other_agent_user, dinas_user, participant
):
    grace = add_months(this_month(), -1)
    participant(agent_user, paid_through=grace, name="PETANI UMPUNGENG")
    participant(agent_user, paid_through=this_month(), name="PETANI KEDUA")
    participant(other_agent_user, paid_through=grace, name="PETANI MARIORIWAWO")
    client.force_login(dinas_user)
    response = client.get(URL)
    overview = {(k.kecamatan.code, k.count): dict(k.agents) for k in response.context["overview"]}
    assert overview[("73.12.04", 2)] == {agent_user.agent: 2, neighbour_agent_user.agent: 0}
    assert overview[("73.12.01", 1)] == {other_agent_user.agent: 1}
    assert "PETANI UMPUNGENG" not in response.content.decode()  # counts only, until an agent is chosen
    page = client.get(URL, {"agen": other_agent_user.agent.code}).content.decode()
    assert "PETANI MARIORIWAWO" in page and "PETANI UMPUNGENG" not in page


def test_the_counts_leave_out_a_farmer_whose_payment_waits_for_the_insurer(
    client, agent_user, neighbour_agent_user, dinas_user, participant
):
    grace = add_months(this_month(), -1)
    paid = participant(agent_user, paid_through=grace, name="PETANI SUDAH BAYAR")
    participant(agent_user, paid_through=grace, name="PETANI BELUM BAYAR")
    payment_record(user=agent_user, farmer=paid, months=3, cash_received=50_400)
    client.force_login(dinas_user)
    overview = {k.kecamatan.code: (k.count, dict(k.agents)) for k in client.get(URL).context["overview"]}
    assert overview["73.12.04"] == (1, {agent_user.agent: 1, neighbour_agent_user.agent: 0})


def test_dinas_of_another_regency_sees_none_of_soppeng(client, agent_user, participant, soppeng):
    from wilayah.loader import load_wilayah

    load_wilayah(regency_codes=["73.71"])
    participant(agent_user, paid_through=add_months(this_month(), -1))
    makassar = User.objects.create(username="dinas.makassar", role=Role.DINAS, regency=Region.objects.get(code="73.71"))
    client.force_login(makassar)
    assert client.get(URL, {"agen": agent_user.agent.code}).status_code == 404
    assert all(k.count == 0 for k in client.get(URL).context["overview"])


def test_the_admin_sees_counts_per_regency_and_drills_into_one_as_dinas_sees_it(
    client, agent_user, neighbour_agent_user, other_agent_user, admin_user, dinas_user, participant
):
    from wilayah.loader import load_wilayah

    load_wilayah(regency_codes=["73.71"])
    grace = add_months(this_month(), -1)
    participant(agent_user, paid_through=grace, name="PETANI UMPUNGENG")
    participant(agent_user, paid_through=this_month(), name="PETANI KEDUA")
    participant(other_agent_user, paid_through=grace, name="PETANI MARIORIWAWO")
    client.force_login(admin_user)
    response = client.get(URL)
    page = response.content.decode()
    # A province's ~300 kecamatan and ~1.200 penyuluh are one regency further, not on this page.
    assert "overview" not in response.context and str(agent_user.agent) not in page
    assert [(regency.code, count) for regency, count in response.context["regencies"]] == [("73.12", 3), ("73.71", 0)]
    assert 'href="?wilayah=73.12"' in page
    response = client.get(URL, {"wilayah": "73.12"})
    page = response.content.decode()
    overview = {(k.kecamatan.code, k.count): dict(k.agents) for k in response.context["overview"]}
    client.force_login(dinas_user)
    dinas = client.get(URL)
    assert overview == {(k.kecamatan.code, k.count): dict(k.agents) for k in dinas.context["overview"]}
    assert overview[("73.12.04", 2)] == {agent_user.agent: 2, neighbour_agent_user.agent: 0}
    assert f'href="?agen={other_agent_user.agent.code}"' in page
    assert f'href="{URL}">‹ Semua kabupaten/kota</a>' in page and "Semua kabupaten/kota" not in dinas.content.decode()
    assert "PETANI UMPUNGENG" not in page  # counts only, until a penyuluh is chosen
    client.force_login(admin_user)
    agents_page = client.get(URL, {"agen": other_agent_user.agent.code}).content.decode()
    assert "PETANI MARIORIWAWO" in agents_page
    assert f'href="{URL}?wilayah=73.12">‹ Ringkasan per kecamatan</a>' in agents_page  # back to the regency
    makassar = client.get(URL, {"wilayah": "73.71"})
    assert makassar.status_code == 200 and makassar.context["overview"] == []


@pytest.mark.parametrize("wilayah", ["", "73", "73.12.04", "7312", "73.99", "99.99", "73.12'", "７３.１２"])
def test_a_malformed_or_unknown_regency_is_a_404(client, admin_user, wilayah):
    client.force_login(admin_user)
    assert client.get(URL, {"wilayah": wilayah}).status_code == 404


def test_dinas_opens_no_other_regency(client, agent_user, dinas_user, participant):
    from wilayah.loader import load_wilayah

    load_wilayah(regency_codes=["73.71"])
    participant(agent_user, paid_through=add_months(this_month(), -1))
    client.force_login(dinas_user)
    assert client.get(URL, {"wilayah": "73.71"}).status_code == 404
    assert client.get(URL, {"wilayah": "73.12"}).context["overview"] == client.get(URL).context["overview"]
    makassar = User.objects.create(username="dinas.makassar", role=Role.DINAS, regency=Region.objects.get(code="73.71"))
    client.force_login(makassar)
    assert client.get(URL, {"wilayah": "73.12"}).status_code == 404


def test_the_home_page_counts_the_farmers_to_visit_and_links_to_the_list(client, agent_user, participant):
    participant(agent_user, paid_through=add_months(this_month(), -1))
    participant(agent_user, paid_through=add_months(this_month(), 1))
    participant(agent_user, paid_through=add_months(this_month(), 6))
    client.force_login(agent_user)
    page = client.get(reverse("monitoring:home")).content.decode()
    assert f'<a class="btn block" href="{URL}">Perlu dikunjungi: 2 petani</a>' in page


def test_agents_and_koordinators_find_kunjungan_in_a_bottom_bar_of_at_most_five(soppeng):
    for role in (Role.PENYULUH, Role.KOORDINATOR):
        labels = [item.label for item in menu_for(role)]
        assert "Kunjungan" in labels and len(labels) <= 5


def test_the_import_stays_reachable_from_the_registration_page(client, agent_user):
    client.force_login(agent_user)
    assert reverse("enrollment:farmer_import") in client.get(reverse("enrollment:farmer_register")).content.decode()
