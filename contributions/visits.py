"""Who a penyuluh should visit: farmers whose cover ends this month or next, is in its grace
month, or lapsed in the last three months, each with the contribution to collect and a WhatsApp
reminder. The cover rules are enrollment/cover.py's (docs/domain-rules.md#cover)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from itertools import groupby

from django.db.models import Case, IntegerChoices, Q, QuerySet, Value, When

from accounts.models import Agent, User
from contributions.rates import monthly_contribution
from enrollment.cover import CoverStatus, cover_status, cover_status_q
from enrollment.models import Farmer, Sex
from enrollment.selectors import farmers_for, villages_for
from enrollment.tally import farmer_counts_by_village
from sutasoma.formatting import bulan, rupiah
from sutasoma.months import add_months, month_start
from sutasoma.whatsapp import whatsapp_link
from wilayah.models import Region

EXPIRING_MONTHS_AHEAD = 1  # "expiring": lunas sampai is this month or next
LAPSED_MONTHS = 3  # lapsed in the last three months: paid through two to four months ago


class Reason(IntegerChoices):
    """Why a farmer is on the list, in the order of urgency; the label says what the cover
    status beside it does not."""

    # Still counted active, but an accident now is not covered, and next month the farmer lapses.
    GRACE = 0, "kecelakaan bulan ini tidak ditanggung"
    ENDS_THIS_MONTH = 1, "habis bulan ini"
    ENDS_NEXT_MONTH = 2, "habis bulan depan"
    LAPSED = 3, "mulai lagi dari bulan bayar"


@dataclass(frozen=True)
class Visit:
    farmer: Farmer
    status: CoverStatus
    reason: Reason
    monthly_amount: int
    due_month: dt.date  # the first month the next payment buys
    whatsapp_url: str | None


@dataclass(frozen=True)
class VillageVisits:
    village: Region
    visits: list[Visit]


@dataclass(frozen=True)
class AgentVisits:
    agent: Agent | None  # None: desa no penyuluh is assigned to
    villages: list[VillageVisits]

    @property
    def count(self) -> int:
        return sum(len(group.visits) for group in self.villages)


@dataclass(frozen=True)
class KecamatanVisits:
    kecamatan: Region
    count: int
    agents: list[tuple[Agent, int]]


def visit_window_q(*, today: dt.date) -> Q:
    """Farmers to visit, as a filter on Farmer. Left out: anonymised farmers (no name or phone
    to find them by) and those whose payment already waits for the insurer's confirmation."""
    return visit_cover_q(today=today) & Q(anonymised_at__isnull=True, payment_waiting=False)


def visit_count_q(*, today: dt.date) -> Q:
    """visit_window_q() as a filter on the farmer tally (enrollment/tally.py)."""
    return visit_cover_q(today=today) & Q(anonymised=False, payment_waiting=False)


def visit_cover_q(*, today: dt.date) -> Q:
    """The part of the visit window that registration status and lunas sampai decide alone."""
    this_month = month_start(today)
    expiring = cover_status_q(CoverStatus.AKTIF, today=today) & Q(
        paid_through__lte=add_months(this_month, EXPIRING_MONTHS_AHEAD)
    )
    grace = cover_status_q(CoverStatus.MASA_TENGGANG, today=today)
    # Inactive from the second month after lunas sampai, so the last three months of lapse
    # go back to a lunas sampai LAPSED_MONTHS + 1 months ago.
    lapsed = cover_status_q(CoverStatus.TIDAK_AKTIF, today=today) & Q(
        paid_through__gte=add_months(this_month, -1 - LAPSED_MONTHS)
    )
    return expiring | grace | lapsed


def visit_list(farmers: QuerySet[Farmer], *, today: dt.date, agent: Agent | None = None) -> list[VillageVisits]:
    """The farmers of `farmers` (already scoped) to visit, by desa, the most urgent first;
    `agent` is the penyuluh the reminders name."""
    this_month = month_start(today)
    urgency = Case(
        When(cover_status_q(CoverStatus.MASA_TENGGANG, today=today), then=Value(Reason.GRACE)),
        When(paid_through=this_month, then=Value(Reason.ENDS_THIS_MONTH)),
        When(paid_through=add_months(this_month, 1), then=Value(Reason.ENDS_NEXT_MONTH)),
        default=Value(Reason.LAPSED),
    )
    rows = (
        farmers.filter(visit_window_q(today=today))
        .annotate(urgency=urgency)
        .select_related("village")
        # Within a reason lunas sampai is one month, except for the lapsed: most recent first.
        .order_by("village__name", "village_id", "urgency", "-paid_through", "name", "pk")
    )
    amounts: dict[int, int] = {}  # most farmers declare the same income: one rate lookup for them all
    groups = []
    for village, in_village in groupby(rows, key=lambda farmer: farmer.village):
        visits = []
        for farmer in in_village:
            if farmer.income not in amounts:
                amounts[farmer.income] = monthly_contribution(farmer.income, on=today)
            visits.append(
                _visit(farmer, reason=Reason(farmer.urgency), amount=amounts[farmer.income], today=today, agent=agent)
            )
        groups.append(VillageVisits(village, visits))
    return groups


def _visit(farmer: Farmer, *, reason: Reason, amount: int, today: dt.date, agent: Agent | None) -> Visit:
    status = cover_status(registration_status=farmer.registration_status, paid_through=farmer.paid_through, today=today)
    # Cover is never bought backwards: a lapsed participant restarts from the month of payment
    # (contributions.services.next_start_month).
    due_month = month_start(today) if status == CoverStatus.TIDAK_AKTIF else add_months(farmer.paid_through, 1)
    text = reminder_text(farmer=farmer, monthly_amount=amount, due_month=due_month, agent=agent)
    return Visit(
        farmer=farmer,
        status=status,
        reason=reason,
        monthly_amount=amount,
        due_month=due_month,
        whatsapp_url=whatsapp_link(farmer.phone, text),
    )


def reminder_text(*, farmer: Farmer, monthly_amount: int, due_month: dt.date, agent: Agent | None) -> str:
    greeting = "Ibu" if farmer.sex == Sex.P else "Bapak"
    text = (
        f"Assalamualaikum {greeting} {farmer.name}, iuran BPJS Ketenagakerjaan (JKK-JKM) Anda "
        f"{rupiah(monthly_amount)} per bulan untuk {bulan(due_month)}. "
        f"Perlindungan Anda sampai {bulan(farmer.paid_through)}."
    )
    if agent is not None:
        text += f" Hubungi penyuluh Anda: {agent.user.get_full_name() or agent.user.username}."
    return text


def agents_for(user: User) -> QuerySet[Agent]:
    """The penyuluh working in the user's area: those with a desa in it."""
    assigned = Agent.villages.through.objects.filter(region__in=villages_for(user)).values("agent")
    return Agent.objects.filter(pk__in=assigned).select_related("user", "bpp").order_by("bpp__kecamatan_id", "code")


def visits_by_agent(user: User, *, today: dt.date) -> list[AgentVisits]:
    """A koordinator's whole BPP: each penyuluh's list, then the desa nobody is assigned to."""
    farmers = farmers_for(user)
    sections = [
        AgentVisits(agent, visit_list(farmers.filter(village__in=agent.villages.all()), today=today, agent=agent))
        for agent in agents_for(user)
    ]
    unassigned = AgentVisits(None, visit_list(farmers.filter(village__agents__isnull=True), today=today))
    return [*sections, unassigned] if unassigned.villages else sections


def visits_per_village(user: User, *, today: dt.date) -> dict[str, int]:
    """How many farmers of each desa of the user's area to visit, from the farmer tally."""
    return farmer_counts_by_village(user, visit_count_q(today=today))


def visit_counts(user: User, *, today: dt.date) -> list[KecamatanVisits]:
    """Dinas' and the admin's view: how many farmers to visit per kecamatan and per penyuluh."""
    per_village = visits_per_village(user, today=today)
    per_kecamatan: dict[str, int] = defaultdict(int)
    for village, n in per_village.items():
        per_kecamatan[village.rsplit(".", 1)[0]] += n
    agents = list(agents_for(user))
    per_agent: dict[int, int] = defaultdict(int)
    for agent_id, village in Agent.villages.through.objects.filter(agent__in=agents).values_list("agent", "region"):
        per_agent[agent_id] += per_village.get(village, 0)
    kecamatan_codes = set(per_kecamatan) | {agent.bpp.kecamatan_id for agent in agents}
    return [
        KecamatanVisits(
            kecamatan,
            per_kecamatan.get(kecamatan.code, 0),
            [(agent, per_agent[agent.pk]) for agent in agents if agent.bpp.kecamatan_id == kecamatan.code],
        )
        for kecamatan in Region.objects.filter(code__in=kecamatan_codes).order_by("code")
    ]
