"""Payers of Soppeng and a Dinas of another regency, for the payer and batch tests."""

from __future__ import annotations

import pytest

from accounts.models import Role, User
from contributions.models import FundSource, Payer
from tests.conftest import UMPUNGENG
from wilayah.loader import load_wilayah
from wilayah.models import Region


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
