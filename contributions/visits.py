"""Who a penyuluh should visit: farmers whose cover ends this month or next, is in its grace
month, or lapsed in the last three months, each with the contribution to collect and a WhatsApp
reminder. The cover rules are enrollment/cover.py's (docs/domain-rules.md#cover)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from itertools import groupby

from django.db.models import Case, Count, F, IntegerChoices, Model, Q, QuerySet, Value, When, Window
from django.db.models.functions import RowNumber

from accounts.models import Agent, User
from contributions.models import Rate
from contributions.rates import contribution, rate_on
from enrollment.cover import CoverStatus, cover_status, cover_status_q
from enrollment.models import Farmer, Sex
from enrollment.selectors import areas_for, in_area_q, villages_for
from enrollment.tally import farmer_counts_by_area, farmer_counts_by_village
from sutasoma.formatting import bulan, rupiah
from sutasoma.months import add_months, month_start
from sutasoma.paging import KeysetPage, keyset_page
from sutasoma.whatsapp import whatsapp_link
from wilayah.models import Region

EXPIRING_MONTHS_AHEAD = 1  # "expiring": lunas sampai is this month or next
LAPSED_MONTHS = 3  # lapsed in the last three months: paid through two to four months ago
VISIT_ORDER = ("rank", "name", "id")  # within a desa: the most urgent first, ascending for keyset paging


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
    count: int  # all the desa's farmers to visit, of which `visits` may be the first few


@dataclass(frozen=True)
class AgentVisits:
    agent: Agent | None  # None: desa no penyuluh is assigned to
    villages: list[VillageVisits]

    @property
    def count(self) -> int:
        return sum(group.count for group in self.villages)


@dataclass(frozen=True)
class AgentCount:
    """How many farmers a penyuluh (None: nobody) has to visit in each of their desa."""

    agent: Agent | None
    villages: list[tuple[Region, int]]

    @property
    def count(self) -> int:
        return sum(n for _, n in self.villages)


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


def _rank(today: dt.date) -> Case:
    """The order of urgency as one ascending number: the reasons, the lapsed last and by how long
    ago they lapsed, most recent first. Rank LAPSED and above are all Reason.LAPSED."""
    this_month = month_start(today)
    lapsed = [
        When(paid_through=add_months(this_month, -1 - months), then=Value(Reason.LAPSED + months - 1))
        for months in range(1, LAPSED_MONTHS + 1)
    ]
    return Case(
        When(cover_status_q(CoverStatus.MASA_TENGGANG, today=today), then=Value(Reason.GRACE)),
        When(paid_through=this_month, then=Value(Reason.ENDS_THIS_MONTH)),
        When(paid_through=add_months(this_month, 1), then=Value(Reason.ENDS_NEXT_MONTH)),
        *lapsed,
        default=Value(Reason.LAPSED + LAPSED_MONTHS),
    )


def visits_to_make(farmers: QuerySet[Farmer], *, today: dt.date) -> QuerySet[Farmer]:
    """The farmers of `farmers` (already scoped) to visit, each with its `rank` of urgency."""
    return farmers.filter(visit_window_q(today=today)).annotate(rank=_rank(today)).select_related("village")


def visit_list(
    farmers: QuerySet[Farmer], *, today: dt.date, agent: Agent | None = None, first: int | None = None
) -> list[VillageVisits]:
    """The farmers of `farmers` (already scoped) to visit, by desa, the most urgent first; with
    `first`, only that many of each desa, each desa still counting them all. `agent` is the
    penyuluh the reminders name."""
    rows = visits_to_make(farmers, today=today)
    if first is not None:
        in_village = {"partition_by": F("village_id"), "order_by": [F(field).asc() for field in VISIT_ORDER]}
        rows = rows.annotate(
            position=Window(RowNumber(), **in_village), in_village=Window(Count("pk"), partition_by=F("village_id"))
        ).filter(position__lte=first)
    rows = rows.order_by("village__name", "village_id", *VISIT_ORDER)
    groups, rate = [], rate_on(today)
    for village, farmers_of_village in groupby(rows, key=lambda farmer: farmer.village):
        visits = _visits(list(farmers_of_village), today=today, agent=agent, rate=rate)
        groups.append(VillageVisits(village, visits, visits[0].farmer.in_village if first is not None else len(visits)))
    return groups


def village_page(
    farmers: QuerySet[Farmer],
    village: Region,
    *,
    today: dt.date,
    size: int,
    after: Model | None = None,
    before: Model | None = None,
    agent: Agent | None = None,
) -> tuple[VillageVisits, KeysetPage]:
    """One page of a desa's farmers to visit, in the order of urgency, right after `after` or
    before `before` (rows of village_rows)."""
    rows = village_rows(farmers, village, today=today)
    page = keyset_page(rows, order=VISIT_ORDER, size=size, after=after, before=before)
    visits = _visits(page.object_list, today=today, agent=agent, rate=rate_on(today))
    return VillageVisits(village, visits, rows.count()), page


def village_rows(farmers: QuerySet[Farmer], village: Region, *, today: dt.date) -> QuerySet[Farmer]:
    """A desa's farmers to visit, among `farmers`: what its pages, and their cursors, come from."""
    return visits_to_make(farmers.filter(village=village), today=today)


def _visits(farmers: list[Farmer], *, today: dt.date, agent: Agent | None, rate: Rate) -> list[Visit]:
    # The rate looked up once per page: per desa and income it was 8 queries of the agent's list.
    return [
        _visit(
            farmer,
            reason=Reason(min(farmer.rank, Reason.LAPSED)),
            amount=contribution(farmer.income, rate=rate),
            today=today,
            agent=agent,
        )
        for farmer in farmers
    ]


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


def agents_for(user: User, area: str = "") -> QuerySet[Agent]:
    """The penyuluh working in the user's area, or in the region `area` of it: those with a desa there."""
    assigned = Agent.villages.through.objects.filter(region__in=_villages_in(user, area)).values("agent")
    return Agent.objects.filter(pk__in=assigned).select_related("user", "bpp").order_by("bpp__kecamatan_id", "code")


def _villages_in(user: User, area: str) -> QuerySet[Region]:
    villages = villages_for(user)
    return villages.filter(in_area_q(area, "code")) if area else villages


def _villages_by_agent(agents: QuerySet[Agent] | list[Agent]) -> dict[int, list[str]]:
    """The desa (codes) of each of `agents`."""
    villages: dict[int, list[str]] = defaultdict(list)
    for agent_id, village in Agent.villages.through.objects.filter(agent__in=agents).values_list("agent", "region"):
        villages[agent_id].append(village)
    return villages


def visits_by_agent(user: User, *, today: dt.date) -> list[AgentCount]:
    """A koordinator's whole BPP: how many farmers each penyuluh has to visit in each of their
    desa, then the desa nobody is assigned to that have some. Counts only: a BPP has thousands of
    farmers to visit, and each list opens on its own page."""
    per_village = visits_per_village(user, today=today)
    villages = {village.code: village for village in villages_for(user).order_by("name", "code")}
    agents = list(agents_for(user))
    theirs = _villages_by_agent(agents)
    sections = [
        AgentCount(agent, [(villages[code], per_village.get(code, 0)) for code in villages if code in theirs[agent.pk]])
        for agent in agents
    ]
    assigned = {code for codes in theirs.values() for code in codes}
    unassigned = [
        (village, per_village[code])
        for code, village in villages.items()
        if code not in assigned and per_village.get(code)
    ]
    return [*sections, AgentCount(None, unassigned)] if unassigned else sections


def visits_per_village(user: User, *, today: dt.date, area: str = "") -> dict[str, int]:
    """How many farmers of each desa of the user's area, or of the region `area` of it, to visit,
    from the farmer tally."""
    within = in_area_q(area, "village__code") if area else Q()
    return farmer_counts_by_village(user, visit_count_q(today=today) & within)


def visits_per_regency(user: User, *, today: dt.date) -> list[tuple[Region, int]]:
    """The admin's view of a whole province: how many farmers to visit per regency. Each regency
    opens on visit_counts(); listing the province's ~300 kecamatan and ~1.200 penyuluh on one page
    would make it 180 KB."""
    per_regency = farmer_counts_by_area(user, Region.Level.KABUPATEN, visit_count_q(today=today))
    regencies = areas_for(user, Region.Level.KABUPATEN).order_by("code")
    return [(regency, per_regency.get(regency.code, 0)) for regency in regencies]


def visit_counts(user: User, *, today: dt.date, area: str = "") -> list[KecamatanVisits]:
    """Dinas' view, and the admin's of one regency (`area`): how many farmers to visit per
    kecamatan and per penyuluh."""
    per_village = visits_per_village(user, today=today, area=area)
    per_kecamatan: dict[str, int] = defaultdict(int)
    for village, n in per_village.items():
        per_kecamatan[village.rsplit(".", 1)[0]] += n
    agents = list(agents_for(user, area))
    per_agent: dict[int, int] = {
        agent_id: sum(per_village.get(village, 0) for village in codes)
        for agent_id, codes in _villages_by_agent(agents).items()
    }
    by_kecamatan: dict[str, list[tuple[Agent, int]]] = defaultdict(list)
    for agent in agents:
        by_kecamatan[agent.bpp.kecamatan_id].append((agent, per_agent.get(agent.pk, 0)))
    return [
        KecamatanVisits(kecamatan, per_kecamatan.get(kecamatan.code, 0), by_kecamatan.get(kecamatan.code, []))
        for kecamatan in Region.objects.filter(code__in=set(per_kecamatan) | set(by_kecamatan)).order_by("code")
    ]
