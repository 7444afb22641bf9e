"""Twelve-month trends: every figure computed again here, naively, from the raw rows of a seeded
year, and compared with what the charts show; scoped like every other list."""

from __future__ import annotations

import datetime as dt
import itertools
import xml.etree.ElementTree as ET
from zoneinfo import ZoneInfo

import pytest
from django.http import Http404
from django.urls import reverse

from accounts.models import Role, User
from contributions.models import FundSource, Payment, PaymentStatus
from monitoring.models import Target
from monitoring.targets import default_target
from monitoring.trends import area_trend
from sutasoma.months import add_months
from tests.conftest import MARIORIWAWO_VILLAGE, OTHER_LALABATA_VILLAGE, UMPUNGENG
from wilayah.models import Bpp, FarmerCount, Region

WITA = ZoneInfo("Asia/Makassar")
LALABATA = "73.12.04"
MONTH = dt.date(2025, 8, 1)  # the trend runs September 2024 – August 2025
_receipts = itertools.count(1)


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=WITA)


def pay(farmer, start: dt.date, months: int, paid_at: dt.datetime, status=PaymentStatus.TERKONFIRMASI) -> Payment:
    return Payment.objects.create(
        receipt_no=f"KW-TREN-{next(_receipts)}",
        farmer=farmer,
        start_month=start,
        months=months,
        monthly_amount=16_800,
        amount=16_800 * months,
        cash_received=16_800 * months,
        source=FundSource.MANDIRI,
        paid_at=paid_at,
        recorded_by=farmer.registered_by,
        status=status,
    )


def expected(farmers, month: dt.date) -> dict[str, int]:
    """The figures of one month from the rows, one farmer and one payment at a time."""
    next_month = add_months(month, 1)

    def covered(farmer, m: dt.date) -> bool:
        return any(
            p.start_month <= m <= p.end_month
            for p in farmer.payments.all()
            if p.status != PaymentStatus.DITOLAK and p.paid_at.astimezone(WITA).date() < next_month
        )

    active = sum(covered(f, month) for f in farmers)
    grace = sum(not covered(f, month) and covered(f, add_months(month, -1)) for f in farmers)
    paid_in = [
        p
        for f in farmers
        for p in f.payments.all()
        if p.status != PaymentStatus.DITOLAK and month <= p.paid_at.astimezone(WITA).date() < next_month
    ]
    return {
        "active": active,
        "grace": grace,
        "collected": sum(p.amount for p in paid_in),
        "collected_months": sum(p.months for p in paid_in),
    }


@pytest.fixture
def year(agent_user, neighbour_agent_user, other_agent_user, make_farmer):
    """Farmers of two Lalabata desa and one of Marioriwawo, with a year of payments of every kind."""
    a, b, c = (make_farmer(agent_user, serial=n, name=f"PETANI {n}") for n in (1, 2, 3))
    d = make_farmer(neighbour_agent_user, serial=4, name="PETANI TETANGGA")
    e = make_farmer(other_agent_user, serial=5, name="PETANI MARIORIWAWO")
    pay(a, dt.date(2025, 3, 1), 3, at(2025, 2, 20))  # months 3–5, paid ahead in February
    pay(b, dt.date(2024, 10, 1), 2, at(2024, 10, 2))  # October–November 2024
    pay(b, dt.date(2025, 1, 1), 6, at(2025, 3, 31, 23, 30))  # last minutes of March WITA; bought backwards
    pay(b, dt.date(2025, 7, 1), 1, at(2025, 4, 1, 0, 10))  # first minutes of April WITA (still March in UTC)
    pay(c, dt.date(2025, 5, 1), 4, at(2025, 5, 3), status=PaymentStatus.DITOLAK)  # refused: covers nothing
    pay(c, dt.date(2025, 6, 1), 1, at(2025, 6, 9), status=PaymentStatus.MENUNGGU)  # waiting counts
    pay(c, dt.date(2025, 9, 1), 12, at(2025, 8, 31, 23, 59))  # next year, paid in August
    pay(d, dt.date(2025, 4, 1), 12, at(2025, 4, 4))
    pay(e, dt.date(2025, 1, 1), 12, at(2025, 1, 5))
    pay(e, dt.date(2025, 9, 1), 1, at(2025, 9, 1, 8))  # after the trend's last month
    return {"a": a, "b": b, "c": c, "d": d, "e": e}


def assert_trend_matches(points, farmers):
    assert [p.month for p in points] == [add_months(MONTH, i - 11) for i in range(12)]
    for point in points:
        got = {key: getattr(point, key) for key in ("active", "grace", "collected", "collected_months")}
        assert got == expected(farmers, point.month), point.month


def test_a_payment_for_months_3_to_5_is_active_in_3_4_5_and_in_grace_in_6(agent_user, koordinator_user, make_farmer):
    farmer = make_farmer(agent_user)
    pay(farmer, dt.date(2025, 3, 1), 3, at(2025, 2, 20))
    points = {p.month.month: p for p in area_trend(koordinator_user, month=MONTH)}
    assert [(m, points[m].active, points[m].grace) for m in (2, 3, 4, 5, 6, 7)] == [
        (2, 0, 0),
        (3, 1, 0),
        (4, 1, 0),
        (5, 1, 0),
        (6, 0, 1),
        (7, 0, 0),
    ]
    assert points[2].collected == 3 * 16_800 and points[2].collected_months == 3
    assert points[6].participants == 1 and points[7].participants == 0


def test_each_area_matches_the_figures_computed_from_the_raw_rows(
    koordinator_user, dinas_user, admin_user, agent_user, year
):
    f = year
    assert_trend_matches(area_trend(koordinator_user, month=MONTH), [f["a"], f["b"], f["c"], f["d"]])
    assert_trend_matches(area_trend(dinas_user, month=MONTH), list(f.values()))
    assert_trend_matches(area_trend(admin_user, month=MONTH, kecamatan="73.12.01"), [f["e"]])
    assert_trend_matches(area_trend(dinas_user, month=MONTH, desa=OTHER_LALABATA_VILLAGE), [f["d"]])
    agent = agent_user.agent.code
    assert_trend_matches(area_trend(koordinator_user, month=MONTH, agent=agent), [f["a"], f["b"], f["c"]])


def test_a_payment_counts_from_the_month_it_was_received_in_wita(koordinator_user, year):
    points = {p.month: p for p in area_trend(koordinator_user, month=MONTH, desa=UMPUNGENG)}
    # Paid 31 March 23.30 WITA for January–June: in March's collections; active from March's end,
    # never in January or February, which were over when it was paid.
    assert points[dt.date(2025, 3, 1)].collected == 6 * 16_800
    assert points[dt.date(2025, 1, 1)].active == 0 and points[dt.date(2025, 2, 1)].active == 0
    # Paid 1 April 00.10 WITA (31 March in UTC): April's.
    assert points[dt.date(2025, 4, 1)].collected == 16_800


def test_targets_come_from_dinas_or_35_percent_of_the_farmers_counted_then(koordinator_user, dinas_user, year):
    lalabata = Region.objects.get(code=LALABATA)
    villages = list(Region.objects.filter(parent=lalabata).order_by("code"))
    for index, village in enumerate(villages):
        FarmerCount.objects.create(village=village, as_of=dt.date(2024, 1, 1), count=100 + index)
    FarmerCount.objects.create(village_id=UMPUNGENG, as_of=dt.date(2025, 4, 15), count=1_000)  # recounted in April
    FarmerCount.objects.create(village_id=MARIORIWAWO_VILLAGE, as_of=dt.date(2024, 1, 1), count=400)
    Target.objects.create(kecamatan=lalabata, valid_from=dt.date(2025, 6, 1), value=777, set_by=dinas_user)
    old_umpungeng = 100 + [v.code for v in villages].index(UMPUNGENG)
    before = sum(100 + i for i in range(len(villages)))
    after = before - old_umpungeng + 1_000

    kecamatan = {p.month: p.target for p in area_trend(koordinator_user, month=MONTH)}
    assert kecamatan[dt.date(2025, 3, 1)] == default_target(before)
    assert kecamatan[dt.date(2025, 4, 1)] == default_target(after)  # counted on 15 April: April's count
    assert kecamatan[dt.date(2025, 6, 1)] == kecamatan[MONTH] == 777  # Dinas' target from June

    desa = {p.month: p.target for p in area_trend(koordinator_user, month=MONTH, desa=UMPUNGENG)}
    assert desa[dt.date(2025, 3, 1)] == default_target(old_umpungeng) and desa[MONTH] == 350

    # The district: each kecamatan's own target, summed (Marioriwawo has only its count).
    district = {p.month: p.target for p in area_trend(dinas_user, month=MONTH)}
    assert district[dt.date(2025, 3, 1)] == default_target(before) + 140
    assert district[MONTH] == 777 + 140

    points = area_trend(koordinator_user, month=MONTH)
    assert points[-1].achievement == pytest.approx(100 * points[-1].participants / 777)


def test_achievement_is_missing_rather_than_infinite_without_a_farmer_count(koordinator_user, year):
    points = area_trend(koordinator_user, month=MONTH)
    assert all(p.target == 0 and p.achievement is None for p in points)


def test_an_area_outside_the_users_scope_is_not_found(koordinator_user, dinas_user, other_agent_user, year):
    other_koordinator = User.objects.create(
        username="koordinator.mariori", role=Role.KOORDINATOR, bpp=Bpp.objects.get(kecamatan_id="73.12.01")
    )
    for kwargs in (
        {"kecamatan": LALABATA},
        {"desa": UMPUNGENG},
        {"agent": "AG7312-0401"},
        {"kecamatan": "73.12.01", "desa": UMPUNGENG},  # a desa of another kecamatan
        {"kecamatan": "99.99"},
        {"desa": "73.12.04\x00"},
        {"agent": "x" * 500},
    ):
        with pytest.raises(Http404):
            area_trend(other_koordinator, month=MONTH, **kwargs)
    with pytest.raises(Http404):  # an agent who does not serve the desa asked for
        area_trend(koordinator_user, month=MONTH, desa=OTHER_LALABATA_VILLAGE, agent="AG7312-0401")
    # Their own kecamatan works, and holds only farmer e.
    assert [p.active for p in area_trend(other_koordinator, month=MONTH)][-1] == 1


def test_the_page_draws_three_charts_and_a_data_table(client, koordinator_user, year):
    client.force_login(koordinator_user)
    response = client.get(reverse("monitoring:trends"), {"bulan": "2025-08"})
    page = response.content.decode()
    assert response.status_code == 200 and page.count("<h1>") == 1
    assert page.count('viewBox="0 0 640 240"') == 3 and 'class="visually-hidden"' in page
    assert "Kecamatan Lalabata" in page and "September 2024 sampai Agustus 2025" in page
    assert "<td>Rp 50.400</td>" in page  # the three months of farmer a, paid in February


def test_with_htmx_only_the_fragment_is_sent_and_it_is_well_formed(client, dinas_user, year):
    client.force_login(dinas_user)
    response = client.get(
        reverse("monitoring:trends"), {"bulan": "2025-08", "kecamatan": LALABATA}, headers={"HX-Request": "true"}
    )
    fragment = response.content.decode()
    assert response.status_code == 200 and "<html" not in fragment and "<h1>" not in fragment
    assert fragment.lstrip().startswith('<section id="tren-monev"')
    ET.fromstring(fragment.replace("&nbsp;", " "))  # the SVG inside parses with the HTML around it


def test_a_bad_or_future_month_shows_this_month_and_says_why(client, koordinator_user):
    client.force_login(koordinator_user)
    for value, words in (("2025-13", "Bulan tidak dikenal"), ("9999-01", "belum berjalan"), ("0001-01", "tidak")):
        page = client.get(reverse("monitoring:trends"), {"bulan": value}).content.decode()
        assert words in page


def test_agents_may_not_see_trends_and_an_out_of_scope_area_answers_404(client, agent_user, koordinator_user):
    client.force_login(agent_user)
    assert client.get(reverse("monitoring:trends")).status_code == 403
    client.force_login(koordinator_user)
    assert client.get(reverse("monitoring:trends"), {"kecamatan": "73.12.01"}).status_code == 404
    assert client.get(reverse("monitoring:trends"), {"desa": MARIORIWAWO_VILLAGE}).status_code == 404
    assert client.get(reverse("monitoring:trends"), {"agen": "AG-TIDAK-ADA"}).status_code == 404


def test_the_trends_follow_the_dashboards_regency_for_an_admin_and_refuse_another_for_dinas(
    client, admin_user, dinas_user, year
):
    """One resolver (monitoring.area.area_for) for the dashboard and its trends: the regency the
    dashboard names reaches the trends, and stays inside Dinas' own."""
    client.force_login(admin_user)
    assert client.get(reverse("monitoring:trends"), {"bulan": "2025-08", "kabupaten": "73.12"}).status_code == 200
    client.force_login(dinas_user)
    assert client.get(reverse("monitoring:trends"), {"bulan": "2025-08", "kabupaten": "73.71"}).status_code == 404
    assert client.get(reverse("monitoring:trends"), {"kabupaten": "73.12' OR 1=1"}).status_code == 404
