"""The monthly contribution from the dated rate table (docs/domain-rules.md#contribution)."""

from __future__ import annotations

import datetime as dt

from contributions.models import Rate


def rate_on(day: dt.date) -> Rate:
    rate = Rate.objects.filter(valid_from__lte=day).order_by("-valid_from").first()
    if rate is None:
        raise LookupError(f"no contribution rate in force on {day}")
    return rate


def monthly_contribution(income: int, *, on: dt.date, jht: bool = False) -> int:
    """JKK 1% + JKM Rp 6.800 (+ JHT 2%), each percentage rounded down to the whole rupiah."""
    return contribution(income, rate=rate_on(on), jht=jht)


def contribution(income: int, *, rate: Rate, jht: bool = False) -> int:
    """monthly_contribution() under a rate already looked up: a list of farmers needs one lookup."""
    amount = income * rate.jkk_basis_points // 10_000 + rate.jkm_amount
    if jht:
        amount += income * rate.jht_basis_points // 10_000
    return amount
