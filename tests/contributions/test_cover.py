"""Cover status from *lunas sampai*: month ends, the grace month, lapse, and restarting after it."""

from __future__ import annotations

import datetime as dt

import pytest

from contributions.services import next_start_month, payment_record
from enrollment.cover import CoverStatus, cover_status, cover_status_q
from enrollment.models import Farmer
from sutasoma.months import add_months, month_start

PAID_THROUGH_MARCH = dt.date(2026, 3, 1)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.date(2026, 3, 1), CoverStatus.AKTIF),  # first day of the last paid month
        (dt.date(2026, 3, 31), CoverStatus.AKTIF),  # its last day
        (dt.date(2026, 4, 1), CoverStatus.MASA_TENGGANG),  # the grace month starts
        (dt.date(2026, 4, 30), CoverStatus.MASA_TENGGANG),
        (dt.date(2026, 5, 1), CoverStatus.TIDAK_AKTIF),  # lapsed from the second month
        (dt.date(2027, 1, 15), CoverStatus.TIDAK_AKTIF),
        (dt.date(2025, 12, 31), CoverStatus.AKTIF),  # paid ahead
    ],
)
def test_cover_follows_the_calendar_month_of_lunas_sampai(today, expected):
    assert cover_status(registration_status="TERDAFTAR", paid_through=PAID_THROUGH_MARCH, today=today) == expected


def test_a_registered_farmer_who_never_paid_is_not_covered():
    assert cover_status(registration_status="TERDAFTAR", paid_through=None, today=dt.date(2026, 3, 1)) == (
        CoverStatus.BELUM_BAYAR
    )


@pytest.mark.parametrize("status", ["MENUNGGU_KPJ", "DITOLAK"])
def test_before_the_insurer_accepts_the_registration_the_registration_status_is_shown(status):
    assert cover_status(registration_status=status, paid_through=PAID_THROUGH_MARCH, today=dt.date(2026, 3, 1)) == (
        CoverStatus(status)
    )


def test_months_wrap_over_the_year():
    assert add_months(dt.date(2026, 12, 1), 1) == dt.date(2027, 1, 1)
    assert add_months(dt.date(2026, 1, 1), -1) == dt.date(2025, 12, 1)
    assert add_months(dt.date(2026, 1, 1), -13) == dt.date(2024, 12, 1)
    assert month_start(dt.date(2024, 2, 29)) == dt.date(2024, 2, 1)


@pytest.mark.parametrize("today", [dt.date(2026, 3, 31), dt.date(2026, 4, 1), dt.date(2026, 5, 1)])
def test_the_database_filter_agrees_with_the_function(agent_user, make_farmer, today):
    farmers = []
    for serial, paid_through in enumerate([None, dt.date(2026, 2, 1), PAID_THROUGH_MARCH, dt.date(2026, 4, 1)], 1):
        farmer = make_farmer(agent_user, serial=serial)
        Farmer.objects.filter(pk=farmer.pk).update(registration_status="TERDAFTAR", paid_through=paid_through)
        farmers.append(Farmer.objects.get(pk=farmer.pk))
    for status in CoverStatus:
        by_query = set(Farmer.objects.filter(cover_status_q(status, today=today)).values_list("pk", flat=True))
        by_function = {
            f.pk
            for f in farmers
            if cover_status(registration_status=f.registration_status, paid_through=f.paid_through, today=today)
            == status
        }
        assert by_query == by_function, status


def _registered(make_farmer, agent_user, paid_through: dt.date | None) -> Farmer:
    farmer = make_farmer(agent_user)
    Farmer.objects.filter(pk=farmer.pk).update(
        registration_status="TERDAFTAR", kpj="24010000001", paid_through=paid_through
    )
    return Farmer.objects.get(pk=farmer.pk)


def test_an_active_farmer_pays_on_from_the_month_after_lunas_sampai(agent_user, make_farmer):
    farmer = _registered(make_farmer, agent_user, PAID_THROUGH_MARCH)
    assert next_start_month(farmer, paid_on=dt.date(2026, 3, 20)) == dt.date(2026, 4, 1)


def test_a_farmer_in_the_grace_month_pays_on_without_a_gap(agent_user, make_farmer):
    farmer = _registered(make_farmer, agent_user, PAID_THROUGH_MARCH)
    assert next_start_month(farmer, paid_on=dt.date(2026, 4, 30)) == dt.date(2026, 4, 1)


def test_a_lapsed_farmer_restarts_from_the_month_of_payment_never_backwards(agent_user, make_farmer):
    farmer = _registered(make_farmer, agent_user, PAID_THROUGH_MARCH)
    assert next_start_month(farmer, paid_on=dt.date(2026, 5, 2)) == dt.date(2026, 5, 1)
    assert next_start_month(farmer, paid_on=dt.date(2026, 9, 15)) == dt.date(2026, 9, 1)


def test_a_payment_waiting_for_the_insurer_counts_for_the_next_start(agent_user, make_farmer):
    farmer = _registered(make_farmer, agent_user, None)
    paid_at = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)
    first = payment_record(user=agent_user, farmer=farmer, months=3, cash_received=50_400, paid_at=paid_at)
    assert first.start_month == dt.date(2026, 3, 1)
    second = payment_record(user=agent_user, farmer=farmer, months=1, cash_received=16_800, paid_at=paid_at)
    assert second.start_month == dt.date(2026, 6, 1)


def _confirmed(agent_user, farmer, *, months, paid_at):
    from contributions.models import Payment, PaymentStatus

    payment = payment_record(
        user=agent_user, farmer=farmer, months=months, cash_received=16_800 * months, paid_at=paid_at
    )
    Payment.objects.filter(pk=payment.pk).update(status=PaymentStatus.TERKONFIRMASI)
    return payment


def test_covered_on_follows_the_confirmed_months_with_the_grace_month_and_a_restart(agent_user, make_farmer):
    from contributions.coverage import covered_on

    farmer = _registered(make_farmer, agent_user, None)
    _confirmed(agent_user, farmer, months=3, paid_at=dt.datetime(2026, 1, 10, 2, 0, tzinfo=dt.UTC))  # Jan–Mar
    _confirmed(agent_user, farmer, months=1, paid_at=dt.datetime(2026, 7, 2, 2, 0, tzinfo=dt.UTC))  # lapsed: Jul
    answers = {
        day: covered_on(farmer, day)
        for day in (
            dt.date(2025, 12, 31),
            dt.date(2026, 1, 1),
            dt.date(2026, 3, 31),
            dt.date(2026, 4, 15),
            dt.date(2026, 5, 1),
            dt.date(2026, 7, 31),
            dt.date(2026, 8, 1),
        )
    }
    assert [a.covered for a in answers.values()] == [False, True, True, False, False, True, False]
    assert "sebelum bulan pertama" in answers[dt.date(2025, 12, 31)].reason
    assert "masa tenggang" in answers[dt.date(2026, 4, 15)].reason
    assert "tidak aktif" in answers[dt.date(2026, 5, 1)].reason
    assert "masa tenggang" in answers[dt.date(2026, 8, 1)].reason


def test_a_payment_not_yet_confirmed_does_not_cover_but_says_so(agent_user, make_farmer):
    from contributions.coverage import covered_on

    farmer = _registered(make_farmer, agent_user, None)
    payment_record(
        user=agent_user, farmer=farmer, months=1, cash_received=16_800, paid_at=dt.datetime(2026, 3, 5, tzinfo=dt.UTC)
    )
    answer = covered_on(farmer, dt.date(2026, 3, 20))
    assert not answer.covered and "belum dikonfirmasi" in answer.reason


def test_a_farmer_not_registered_at_the_insurer_is_not_covered(agent_user, make_farmer):
    from contributions.coverage import covered_on

    farmer = make_farmer(agent_user)
    assert not covered_on(farmer, dt.date(2026, 3, 1)).covered
