"""The monev figures (monitoring/monev.py) against the same figures counted in Python from the raw rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest

from contributions.models import Payment
from monitoring.models import Level
from monitoring.monev import SourceTotal, area_figures, total
from monitoring.targets import default_target
from sutasoma.months import add_months
from tests.conftest import OTHER_LALABATA_VILLAGE, UMPUNGENG
from tests.monitoring.conftest import LALABATA, MARIORIWAWO, expected_for
from wilayah.models import Region


@pytest.mark.parametrize(
    "level, within",
    [(Level.KECAMATAN, "73.12"), (Level.DESA, "73.12"), (Level.DESA, LALABATA), (Level.AGENT, LALABATA)],
)
def test_every_figure_of_every_area_is_what_the_raw_rows_say(monev_month, level, within):
    rows = area_figures(level=level, within=Region.objects.get(code=within), month=monev_month.month)
    assert rows, "no area to compare"
    for row in rows:
        assert replace(row.figures, rank=None) == expected_for(level, row.key, monev_month.month), row.key


def test_the_month_before_is_counted_by_the_same_rules(monev_month):
    before = add_months(monev_month.month, -1)
    for row in area_figures(level=Level.KECAMATAN, within=Region.objects.get(code="73.12"), month=before):
        assert replace(row.figures, rank=None) == expected_for(Level.KECAMATAN, row.key, before), row.key


def test_lalabata_in_the_seeded_month_reads_as_the_meeting_would_count_it(monev_month):
    rows = area_figures(level=Level.KECAMATAN, within=Region.objects.get(code="73.12"), month=monev_month.month)
    lalabata = next(row for row in rows if row.key == LALABATA).figures
    # Registered: six with a KPJ by the month's end (not the one waiting, not the one of next month).
    assert (lalabata.registered, lalabata.active, lalabata.grace, lalabata.lapsed) == (6, 2, 2, 2)
    assert lalabata.participants == 4 and lalabata.new_registrations == 2
    # 120 in Umpungeng (the count after the month is not used) + 57 next door; 35 % of 177 = 61.95.
    assert (lalabata.farmers, lalabata.target) == (177, 62)
    assert lalabata.achievement == Decimal("6.5")
    # The refused payment and the one received a second after the month are not collections of the month.
    assert lalabata.by_source["MANDIRI"] == SourceTotal(33_600, 2)
    assert (lalabata.collected, lalabata.collected_months) == (33_600, 2)
    assert (lalabata.claims_filed, lalabata.claims_paid, lalabata.claims_paid_amount) == (1, 1, 5_000_000)
    # Against the month before: one more registered, one more active, the same collections.
    assert (lalabata.registered_change, lalabata.participants_change, lalabata.collected_change) == (1, 1, 0)


def test_the_kecamatan_are_ranked_by_achievement_and_those_without_a_target_have_no_rank(monev_month):
    rows = area_figures(level=Level.KECAMATAN, within=Region.objects.get(code="73.12"), month=monev_month.month)
    assert len(rows) == 8
    ranks = {row.key: row.figures.rank for row in rows}
    # Marioriwawo: 1 active over the 10 Dinas set = 10 %; Lalabata 6,5 %; the rest count no farmers.
    assert ranks.pop(MARIORIWAWO) == 1 and ranks.pop(LALABATA) == 2
    assert set(ranks.values()) == {None}
    mario = next(row for row in rows if row.key == MARIORIWAWO).figures
    assert (mario.target, mario.achievement) == (10, Decimal("10.0"))
    assert mario.by_source["SPONSOR"] == SourceTotal(201_600, 12)  # a minute before the month ended


def test_a_target_set_by_dinas_counts_only_from_its_month(monev_month):
    def marioriwawo_target(month: dt.date) -> int:
        rows = area_figures(level=Level.KECAMATAN, within=Region.objects.get(code="73.12"), month=month)
        return next(row for row in rows if row.key == MARIORIWAWO).figures.target

    assert marioriwawo_target(add_months(monev_month.month, -3)) == default_target(40) == 14  # before M-2
    assert marioriwawo_target(add_months(monev_month.month, 1)) == 999  # the later target starts now


def test_desa_and_agents_have_35_percent_of_their_desa_whatever_dinas_set(monev_month):
    lalabata = Region.objects.get(code=LALABATA)
    desa = {row.key: row.figures for row in area_figures(level=Level.DESA, within=lalabata, month=monev_month.month)}
    assert (desa[UMPUNGENG].target, desa[OTHER_LALABATA_VILLAGE].target) == (42, 20)
    mario = Region.objects.get(code=MARIORIWAWO)
    agents = area_figures(level=Level.AGENT, within=mario, month=monev_month.month)
    assert [(row.key, row.figures.farmers, row.figures.target) for row in agents] == [("AG7312-0101", 40, 14)]


def test_a_payment_remembers_the_last_month_it_covers(monev_month):
    sponsored = Payment.objects.get(farmer=monev_month.farmers["sponsored"])
    assert (sponsored.start_month, sponsored.end_month) == (monev_month.month, add_months(monev_month.month, 11))


def test_the_regency_total_adds_its_kecamatan_up(monev_month):
    rows = area_figures(level=Level.KECAMATAN, within=Region.objects.get(code="73.12"), month=monev_month.month)
    regency = total(rows)
    assert (regency.farmers, regency.target, regency.registered, regency.participants) == (217, 72, 7, 5)
    assert regency.collected == 33_600 + 201_600 and regency.rank is None
    assert regency.by_source["SPONSOR"] == SourceTotal(201_600, 12)


def test_the_figures_cost_the_same_few_queries_however_many_farmers(monev_month, django_assert_max_num_queries):
    soppeng = Region.objects.get(code="73.12")
    # The areas, the farmer counts, the targets, then farmers, payments and claims for M and M-1.
    with django_assert_max_num_queries(9):
        area_figures(level=Level.KECAMATAN, within=soppeng, month=monev_month.month)
    with django_assert_max_num_queries(9):
        area_figures(level=Level.AGENT, within=soppeng, month=monev_month.month)


def test_a_month_boundary_is_midnight_in_wita(monev_month):
    # The farmer recorded at 00:00 WITA on the 1st of the next month is not registered in M.
    recorded = monev_month.farmers["next_month"].created_at
    assert recorded.astimezone(dt.UTC).hour == 16  # 00:00 WITA is 16:00 UTC the day before
    rows = area_figures(level=Level.DESA, within=Region.objects.get(code=LALABATA), month=monev_month.month)
    umpungeng = next(row for row in rows if row.key == UMPUNGENG).figures
    assert umpungeng.registered == 4
