"""Demo contributions for `seed_demo`: most demo farmers paid a few months in the last weeks, so
the receipts, the visit list and the agents' cash have something to show, and the demo desa has a
village fund. Demo through their farmers; deterministic, and a second run adds nothing."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from accounts.models import User
from contributions.models import FundSource, Payer
from contributions.services import payment_quote, payment_record
from enrollment.models import Farmer
from wilayah.models import Region

# The insurer accepts a payment date up to 62 days back (docs/insurer-contract.md#assumptions).
OLDEST_DEMO_PAYMENT_DAYS = 55


def seed_demo_payments(*, dinas: User, village_fund_desa: str) -> int:
    now = timezone.now()
    made = 0
    farmers = Farmer.objects.filter(is_demo=True, payments__isnull=True).select_related("agent__user").order_by("pk")
    for farmer in farmers:
        rng = random.Random(farmer.nik)  # per farmer: a second run skips the same quarter again
        if farmer.agent is None or rng.random() < 0.25:
            continue  # a quarter never paid: the visit list and the home page show them
        months = rng.choice([1, 1, 1, 3, 3, 6])
        paid_at = now - dt.timedelta(days=rng.randint(0, OLDEST_DEMO_PAYMENT_DAYS), hours=rng.randint(0, 8))
        amount = payment_quote(farmer, months=months, paid_on=timezone.localdate(paid_at)).amount
        payment_record(user=farmer.agent.user, farmer=farmer, months=months, cash_received=amount, paid_at=paid_at)
        made += 1
    village = Region.objects.get(code=village_fund_desa)
    Payer.objects.get_or_create(
        source=FundSource.DANA_DESA,
        village=village,
        defaults={"name": f"DANA DESA {village.name.upper()} (DEMO)", "regency": dinas.regency, "created_by": dinas},
    )
    return made
