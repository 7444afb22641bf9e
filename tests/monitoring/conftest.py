"""A seeded monev month, and the figures computed again from its raw rows in plain Python.

The month M is the one just ended, so the dashboard can show it frozen or live. Two kecamatan:
Lalabata (agent_user in Umpungeng, neighbour_agent_user in the next desa) and Marioriwawo
(other_agent_user), with a target Dinas set for Marioriwawo. Farmers in every cover state,
payments over several months from several sources (one refused by BPJS, one received a minute
before the month ended, one a second after), and claims reported and paid.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from accounts.models import Agent
from claims.models import Claim
from contributions.models import FundSource, Payment
from contributions.services import payment_record
from enrollment.models import Farmer
from monitoring.models import Target
from monitoring.monev import Figures, SourceTotal
from sutasoma.months import add_months, month_start
from tests.conftest import MARIORIWAWO_VILLAGE, OTHER_LALABATA_VILLAGE, UMPUNGENG
from wilayah.models import FarmerCount, Region

WITA = ZoneInfo("Asia/Makassar")
LALABATA, MARIORIWAWO = "73.12.04", "73.12.01"


def at(month: dt.date, day: int = 10, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime(month.year, month.month, day, hour, minute, tzinfo=WITA)


def month_end(month: dt.date) -> dt.datetime:
    """The first instant after the month, in WITA."""
    following = add_months(month, 1)
    return dt.datetime(following.year, following.month, 1, tzinfo=WITA)


@dataclass
class MonevMonth:
    month: dt.date  # M: the month just ended
    farmers: dict[str, Farmer]


@pytest.fixture
def monev_month(agent_user, neighbour_agent_user, other_agent_user, dinas_user, make_farmer) -> MonevMonth:
    m = add_months(month_start(timezone.localdate()), -1)
    before, two_before, three_before, after = (add_months(m, n) for n in (-1, -2, -3, 1))
    serials = iter(range(1, 100))

    def farmer(user, *, created: dt.datetime, kpj: bool = True, status: str = "", village: str = "") -> Farmer:
        where = {"village": Region.objects.get(code=village)} if village else {}
        new = make_farmer(user, serial=next(serials), **where)
        update = {"created_at": created}
        if kpj:
            update.update(registration_status="TERDAFTAR", kpj=f"240{new.pk:08d}")
        if status:
            update["registration_status"] = status
        Farmer.objects.filter(pk=new.pk).update(**update)
        new.refresh_from_db()
        return new

    def pay(user, who: Farmer, months: int, paid_at: dt.datetime, source: str = FundSource.MANDIRI) -> Payment:
        who.refresh_from_db()
        return payment_record(
            user=user, farmer=who, months=months, cash_received=16_800 * months, source=source, paid_at=paid_at
        )

    agent, neighbour, other = agent_user, neighbour_agent_user, other_agent_user
    f = {
        # Umpungeng (agent_user)
        "paid_three": farmer(agent, created=at(three_before)),  # M-2..M paid in M-2: active
        "in_grace": farmer(agent, created=at(two_before)),  # paid M-1 only: grace in M
        "came_back": farmer(agent, created=at(three_before)),  # paid M-3, lapsed, paid again in M
        "refused_payment": farmer(agent, created=at(m, 3)),  # new in M, its payment refused: lapsed
        "waiting_kpj": farmer(agent, created=at(m, 4), kpj=False),  # new in M, pays, not registered yet
        "next_month": farmer(agent, created=month_end(m)),  # recorded the first second of M+1
        "refused_registration": farmer(agent, created=at(m, 5), kpj=False, status="DITOLAK"),
        # The other Lalabata desa (neighbour_agent_user)
        "village_fund": farmer(neighbour, created=at(before, 1)),  # paid M-1 by the village fund: grace
        "never_paid": farmer(neighbour, created=at(two_before)),  # registered, never paid: lapsed
        # Marioriwawo (other_agent_user)
        "sponsored": farmer(other, created=at(two_before)),  # 12 months from M, a minute before M ended
    }
    pay(agent, f["paid_three"], 3, at(two_before))
    pay(agent, f["in_grace"], 1, at(before))
    pay(agent, f["came_back"], 1, at(three_before))
    pay(agent, f["came_back"], 1, at(m, 20))
    Payment.objects.filter(pk=pay(agent, f["refused_payment"], 2, at(m, 6)).pk).update(status="DITOLAK")
    pay(agent, f["waiting_kpj"], 1, at(m, 7))
    pay(agent, f["next_month"], 1, month_end(m))
    pay(neighbour, f["village_fund"], 1, at(before, 2), source=FundSource.DANA_DESA)
    pay(other, f["sponsored"], 12, month_end(m) - dt.timedelta(minutes=1), source=FundSource.SPONSOR)

    claims = [
        # Reported in M-1, paid in M.
        (f["paid_three"], at(before, 12), "DIBAYAR", at(m, 15), 5_000_000),
        # Reported in M, still at the insurer.
        (f["village_fund"], at(m, 2), "DIAJUKAN", at(m, 2), None),
        # Reported and paid in M-1.
        (f["in_grace"], at(before, 3), "DIBAYAR", at(before, 25), 1_200_000),
    ]
    for who, created, status, since, amount in claims:
        claim = Claim.objects.create(
            farmer=who,
            village_id=who.village_id,
            kind="JKK",
            incident_date=created.date(),
            place="SAWAH",
            description="Terluka",
            reporter_name="ANDI",
            reporter_relation="SUAMI",
            reporter_phone="081234567891",
            reported_by=agent,
        )
        Claim.objects.filter(pk=claim.pk).update(
            created_at=created, status=status, status_since=since, paid_amount=amount
        )

    FarmerCount.objects.bulk_create(
        [
            FarmerCount(village_id=UMPUNGENG, as_of=add_months(m, -6), count=100),
            FarmerCount(village_id=UMPUNGENG, as_of=m + dt.timedelta(days=14), count=120),  # the latest as of M
            FarmerCount(village_id=UMPUNGENG, as_of=after, count=999),  # counted after M
            FarmerCount(village_id=OTHER_LALABATA_VILLAGE, as_of=add_months(m, -6), count=57),
            FarmerCount(village_id=MARIORIWAWO_VILLAGE, as_of=add_months(m, -6), count=40),
        ]
    )
    Target.objects.create(kecamatan_id=MARIORIWAWO, valid_from=two_before, value=10, set_by=dinas_user)
    Target.objects.create(kecamatan_id=MARIORIWAWO, valid_from=after, value=999, set_by=dinas_user)
    return MonevMonth(month=m, farmers=f)


# --- The same figures, from the raw rows, in plain Python ---------------------------------------


def _counts(month: dt.date, *, farmers: list[Farmer], villages: list[str]) -> dict:
    start, end = month_end(add_months(month, -1)), month_end(month)
    last_day = end.date() - dt.timedelta(days=1)

    def latest(village: str) -> int:
        counts = [c for c in FarmerCount.objects.filter(village_id=village) if c.as_of <= last_day]
        return max(counts, key=lambda c: c.as_of).count if counts else 0

    def paid(farmer: Farmer, covered: dt.date) -> bool:
        return any(
            p.status != "DITOLAK"
            and p.paid_at < end
            and covered in [add_months(p.start_month, i) for i in range(p.months)]
            for p in farmer.payments.all()
        )

    registered = [f for f in farmers if f.kpj and f.created_at < end]
    active = [f for f in registered if paid(f, month)]
    grace = [f for f in registered if not paid(f, month) and paid(f, add_months(month, -1))]
    collected = [p for f in farmers for p in f.payments.all() if start <= p.paid_at < end and p.status != "DITOLAK"]
    claims = [c for f in farmers for c in f.claims.all()]
    paid_claims = [c for c in claims if c.status == "DIBAYAR" and start <= c.status_since < end]
    return {
        "farmers": sum(latest(v) for v in villages),
        "registered": len(registered),
        "active": len(active),
        "grace": len(grace),
        "new": len([f for f in farmers if start <= f.created_at < end and f.registration_status != "DITOLAK"]),
        "by_source": {
            source: SourceTotal(
                sum(p.amount for p in collected if p.source == source),
                sum(p.months for p in collected if p.source == source),
            )
            for source in FundSource.values
        },
        "collected": sum(p.amount for p in collected),
        "filed": len([c for c in claims if start <= c.created_at < end]),
        "paid": len(paid_claims),
        "paid_amount": sum(c.paid_amount for c in paid_claims),
    }


def expected_figures(
    month: dt.date, *, farmers: list[Farmer], villages: list[str], kecamatan: str | None = None
) -> Figures:
    """What the dashboard must show for these farmers and desa (rank left out)."""
    now = _counts(month, farmers=farmers, villages=villages)
    before = _counts(add_months(month, -1), farmers=farmers, villages=villages)
    set_by_dinas = [t for t in Target.objects.filter(kecamatan_id=kecamatan) if t.valid_from <= month]
    if set_by_dinas:
        target = max(set_by_dinas, key=lambda t: t.valid_from).value
    else:
        target = int((Decimal(now["farmers"]) * Decimal("0.35")).quantize(Decimal(1), ROUND_HALF_UP))
    return Figures(
        farmers=now["farmers"],
        target=target,
        registered=now["registered"],
        active=now["active"],
        grace=now["grace"],
        lapsed=now["registered"] - now["active"] - now["grace"],
        new_registrations=now["new"],
        collected=now["collected"],
        collected_months=sum(t.months for t in now["by_source"].values()),
        by_source=now["by_source"],
        claims_filed=now["filed"],
        claims_paid=now["paid"],
        claims_paid_amount=now["paid_amount"],
        registered_change=now["registered"] - before["registered"],
        participants_change=now["active"] + now["grace"] - before["active"] - before["grace"],
        collected_change=now["collected"] - before["collected"],
    )


def expected_for(level: str, key: str, month: dt.date) -> Figures:
    """The expected figures of one area, by level and key, from every farmer in the database."""
    everyone = list(Farmer.objects.select_related("agent"))
    match level:
        case "KECAMATAN":
            farmers = [f for f in everyone if f.village_id.startswith(key + ".")]
            villages = list(Region.objects.filter(parent_id=key).values_list("code", flat=True))
            return expected_figures(month, farmers=farmers, villages=villages, kecamatan=key)
        case "DESA":
            return expected_figures(month, farmers=[f for f in everyone if f.village_id == key], villages=[key])
        case "AGENT":
            farmers = [f for f in everyone if f.agent and f.agent.code == key]
            villages = list(Agent.objects.get(code=key).villages.values_list("code", flat=True))
            return expected_figures(month, farmers=farmers, villages=villages)
    raise ValueError(level)
