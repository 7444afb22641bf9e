"""Fixtures of the contributions tests: paid farmers as the insurer booked them, and payers."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from accounts.models import Role, User
from bpjs_gateway import outbox
from bpjs_gateway.client import default_client
from contributions.insurer import payment_messages
from contributions.models import FundSource, Payer, Payment
from contributions.services import payment_record
from enrollment.insurer import registration_messages
from tests.conftest import UMPUNGENG
from wilayah.loader import load_wilayah
from wilayah.models import Region


@pytest.fixture
def insurer_is_the_sandbox(settings, clean_sandbox) -> Iterator[None]:
    """For code that builds its own client (the command, the nightly task)."""
    settings.BPJS_H2H_BASE_URL, settings.BPJS_H2H_CONS_ID = clean_sandbox.base_url, clean_sandbox.cons_id
    settings.BPJS_H2H_SECRET = clean_sandbox.secret
    default_client.cache_clear()
    yield
    default_client.cache_clear()


@pytest.fixture
def paid_farmer(agent_user, make_farmer, h2h) -> Callable[[int], Payment]:
    """A farmer of agent_user registered and paid one month at the sandbox, today."""

    def paid(serial: int) -> Payment:
        farmer = make_farmer(agent_user, serial=serial)
        outbox.send_message(registration_messages(farmer).get().pk, client=h2h)
        payment = payment_record(user=agent_user, farmer=farmer, months=1, cash_received=16_800)
        outbox.send_message(payment_messages(payment).get().pk, client=h2h)
        payment.refresh_from_db()
        return payment

    return paid


@pytest.fixture
def troubled_day(paid_farmer):
    """Three payments booked today: one matches, one differs in amount, one lost its receipt here."""
    paid_farmer(1)
    changed = paid_farmer(2)
    Payment.objects.filter(pk=changed.pk).update(amount=33_600, months=2, cash_received=33_600)
    lost = paid_farmer(3)
    Payment.objects.filter(pk=lost.pk).update(receipt_no="KW-HILANG")
    return changed, lost


@pytest.fixture
def village_fund(dinas_user) -> Payer:
    """Desa Umpungeng's village fund, which pays for agent_user's farmers."""
    return Payer.objects.create(
        source=FundSource.DANA_DESA,
        name="DANA DESA UMPUNGENG",
        regency=dinas_user.regency,
        village=Region.objects.get(code=UMPUNGENG),
        created_by=dinas_user,
    )


@pytest.fixture
def sponsor(dinas_user) -> Payer:
    return Payer.objects.create(
        source=FundSource.SPONSOR, name="BANK SULSELBAR", regency=dinas_user.regency, created_by=dinas_user
    )


@pytest.fixture
def makassar_dinas(soppeng) -> User:
    """Dinas of another regency (Makassar)."""
    load_wilayah(regency_codes=["73.71"])
    return User.objects.create(username="dinas.makassar", role=Role.DINAS, regency=Region.objects.get(code="73.71"))
