"""Each agent's cash: collected from farmers paying themselves, deposited, and since when held."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from accounts.models import Agent, Role, User
from contributions.cash import agent_cash, agents_for
from contributions.models import Deposit, FundSource, Payer, Payment, PaymentStatus
from contributions.services import payment_record
from enrollment.models import Farmer
from wilayah.loader import load_wilayah
from wilayah.models import Region

WITA = ZoneInfo("Asia/Makassar")
MONTH = 16_800  # one month at the default income


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=WITA)


@pytest.fixture
def pay(make_farmer):
    """A registered farmer of the agent pays `months` in cash at `paid_at`."""
    serials = iter(range(1, 100))

    def pay(agent_user: User, paid_at: dt.datetime, months: int = 1, source: str = FundSource.MANDIRI, **kw):
        farmer = make_farmer(agent_user, serial=next(serials))
        Farmer.objects.filter(pk=farmer.pk).update(registration_status="TERDAFTAR", kpj=f"2401{farmer.pk:07d}")
        farmer.refresh_from_db()
        return payment_record(
            user=agent_user,
            farmer=farmer,
            months=months,
            cash_received=MONTH * months,
            paid_at=paid_at,
            source=source,
            **kw,
        )

    return pay


def deposit(agent_user: User, amount: int, on: dt.date, reference: str) -> Deposit:
    return Deposit.objects.create(
        agent=agent_user.agent, amount=amount, deposited_on=on, reference=reference, recorded_by=agent_user
    )


def cash_of(agent_user: User, today: dt.date):
    (cash,) = agent_cash(Agent.objects.filter(user=agent_user), today=today)
    return cash


D1, D3, D5 = dt.date(2026, 3, 1), dt.date(2026, 3, 3), dt.date(2026, 3, 5)


def test_deposits_pay_off_the_oldest_collections_first(agent_user, pay):
    pay(agent_user, at(D1))  # 16.800
    pay(agent_user, at(D3), months=2)  # 33.600
    pay(agent_user, at(D5))  # 16.800
    today = dt.date(2026, 3, 6)
    cash = cash_of(agent_user, today)
    assert (cash.collected, cash.deposited, cash.balance, cash.holding_since) == (67_200, 0, 67_200, D1)

    deposit(agent_user, 10_000, D3, "SLIP-1")  # part of the first day's cash
    assert cash_of(agent_user, today).holding_since == D1
    deposit(agent_user, 6_800, D3, "SLIP-2")  # the first day exactly covered
    assert cash_of(agent_user, today).holding_since == D3
    deposit(agent_user, 40_000, D5, "SLIP-3")  # the third day's, and part of the fifth's
    cash = cash_of(agent_user, today)
    assert (cash.deposited, cash.balance, cash.holding_since) == (56_800, 10_400, D5)
    deposit(agent_user, 10_400, D5, "SLIP-4")
    cash = cash_of(agent_user, today)
    assert (cash.balance, cash.holding_since, cash.overdue) == (0, None, False)


def test_two_collections_at_the_same_moment_are_paid_off_one_after_the_other(agent_user, pay):
    pay(agent_user, at(D1))
    pay(agent_user, at(D1))
    deposit(agent_user, MONTH, D1, "SLIP-1")
    cash = cash_of(agent_user, D1)
    assert (cash.balance, cash.holding_since) == (MONTH, D1)


def test_an_agent_holding_cash_for_more_than_7_days_is_overdue_not_at_7(agent_user, pay):
    pay(agent_user, at(D1))
    assert not cash_of(agent_user, D1 + dt.timedelta(days=7)).overdue
    assert cash_of(agent_user, D1 + dt.timedelta(days=8)).overdue


def test_only_the_undeposited_cash_decides_whether_an_agent_is_overdue(agent_user, pay):
    pay(agent_user, at(D1))
    pay(agent_user, at(D5))
    deposit(agent_user, MONTH, D5, "SLIP-1")  # the old cash is handed over, the new one is 4 days old
    assert not cash_of(agent_user, D1 + dt.timedelta(days=8)).overdue


def test_holding_since_is_the_day_in_soppeng_not_in_utc(agent_user, pay):
    pay(agent_user, dt.datetime(2026, 3, 1, 16, 30, tzinfo=dt.UTC))  # 00.30 WITA on 2 March
    assert cash_of(agent_user, D5).holding_since == dt.date(2026, 3, 2)


def test_payments_from_the_village_fund_are_not_the_agents_cash(agent_user, pay, admin_user):
    village = agent_user.agent.villages.first()
    fund = Payer.objects.create(
        source=FundSource.DANA_DESA,
        name="Dana Desa Umpungeng",
        regency=village.parent.parent,
        village=village,
        created_by=admin_user,
    )
    pay(agent_user, at(D1), source=FundSource.DANA_DESA, payer=fund)
    pay(agent_user, at(D3))
    cash = cash_of(agent_user, D5)
    assert (cash.collected, cash.holding_since) == (MONTH, D3)


def test_a_payment_refused_by_bpjs_is_still_cash_in_the_agents_hand(agent_user, pay):
    payment = pay(agent_user, at(D1))
    Payment.objects.filter(pk=payment.pk).update(status=PaymentStatus.DITOLAK)
    assert cash_of(agent_user, D5).balance == MONTH


def test_cash_is_counted_per_agent(agent_user, neighbour_agent_user, pay):
    pay(agent_user, at(D1))
    pay(neighbour_agent_user, at(D3), months=2)
    deposit(neighbour_agent_user, MONTH, D3, "SLIP-1")
    rows = {row.agent.user: row for row in agent_cash(Agent.objects.all(), today=D5)}
    assert (rows[agent_user].balance, rows[agent_user].holding_since) == (MONTH, D1)
    assert (rows[neighbour_agent_user].balance, rows[neighbour_agent_user].holding_since) == (MONTH, D3)


def test_the_cash_of_many_agents_is_read_in_one_query(
    agent_user, neighbour_agent_user, other_agent_user, pay, django_assert_num_queries
):
    for user in (agent_user, neighbour_agent_user, other_agent_user):
        pay(user, at(D1))
        pay(user, at(D3))
    with django_assert_num_queries(1):
        rows = agent_cash(Agent.objects.all(), today=D5)
    assert len(rows) == 3


def test_each_role_sees_the_cash_of_its_own_agents_only(
    agent_user, neighbour_agent_user, other_agent_user, koordinator_user, dinas_user, admin_user
):
    load_wilayah(regency_codes=["73.71"])
    makassar = User.objects.create(username="dinas.makassar", role=Role.DINAS, regency=Region.objects.get(code="73.71"))

    def codes(user: User) -> set[str]:
        return set(agents_for(user).values_list("code", flat=True))

    assert codes(agent_user) == {"AG7312-0401"}
    assert codes(koordinator_user) == {"AG7312-0401", "AG7312-0402"}
    assert codes(dinas_user) == codes(admin_user) == {"AG7312-0401", "AG7312-0402", "AG7312-0101"}
    assert codes(makassar) == set()
