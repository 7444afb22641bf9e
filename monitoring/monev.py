"""The figures of the day-5 meeting (*monev*), per kecamatan/BPP, desa or penyuluh, for a month.

Every figure is counted by the database, a few grouped queries per level and month whatever the
number of farmers; Python only adds up per area the latest farmer count of each desa. On
PostgreSQL the farmer and payment figures come from the rollup its triggers keep
(monitoring/rollup.py), on SQLite from the farmers and payments themselves. The rules
(docs/domain-rules.md#cover, #targets) as counted here, all at the end of the month (WITA):

- *petani*: the latest FarmerCount of each desa as of the month's last day;
- *target*: the kecamatan's Target in force, otherwise DEFAULT_TARGET_PERCENT of its farmers,
  rounded half up; a desa's or a penyuluh's is always that percentage of their desa's farmers;
- *terdaftar*: farmers with a KPJ recorded by the month's end; *pendaftaran baru*: farmers
  recorded in the month and not refused by BPJS, with or without their KPJ yet;
- *aktif*: the month is covered by a payment not refused by BPJS and received by the month's
  end; *masa tenggang*: the month before is, the month is not; *tidak aktif*: the other
  registered farmers, those who never paid included. The achievement counts grace as active;
- *iuran terkumpul*: payments received in the month and not refused, by source;
- *klaim*: reported in the month, and paid in the month (the insurer's time of DIBAYAR);
- *perubahan*: against the previous month counted the same way at the same moment.

A month just ended is frozen on the 5th (monev_snapshot); the dashboard reads those rows for a
past month, live figures otherwise, and says which.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from accounts.models import Agent, Role, User
from claims.models import Claim, ClaimStatus
from contributions.models import FundSource, Payment, PaymentStatus
from enrollment.models import Farmer, RegistrationStatus
from monitoring import rollup
from monitoring.area import Area
from monitoring.models import CollectedTally, Level, MonevTally, Snapshot, Target
from monitoring.targets import default_target
from sutasoma.formatting import bulan
from sutasoma.months import add_months, month_start
from wilayah.models import FarmerCount, Region

# How many past months the dashboard offers besides the current one.
MONTHS_BACK = 12


@dataclass(frozen=True)
class SourceTotal:
    amount: int = 0
    months: int = 0


@dataclass(frozen=True)
class Change:
    """A figure against the previous month: `value` signed, `size` for the words."""

    value: int

    @property
    def size(self) -> int:
        return abs(self.value)


@dataclass(frozen=True)
class Figures:
    farmers: int
    target: int
    registered: int
    active: int
    grace: int
    lapsed: int
    new_registrations: int
    collected: int  # rupiah
    collected_months: int
    by_source: dict[str, SourceTotal]  # every FundSource, in its order
    claims_filed: int
    claims_paid: int
    claims_paid_amount: int
    registered_change: int
    participants_change: int
    collected_change: int
    rank: int | None = None  # among the regency's kecamatan/BPPs; kecamatan rows only

    @property
    def participants(self) -> int:
        """Active participants as the target counts them: the grace month included."""
        return self.active + self.grace

    @property
    def achievement(self) -> Decimal | None:
        """Percent of the target, one decimal; None without a target."""
        if not self.target:
            return None
        return (Decimal(self.participants * 100) / self.target).quantize(Decimal("0.1"), ROUND_HALF_UP)

    @property
    def sources(self) -> list[tuple[str, SourceTotal]]:
        """(label, total) of each source of funds, in FundSource's order."""
        return [(FundSource(source).label, total) for source, total in self.by_source.items()]

    @property
    def changes(self) -> dict[str, Change]:
        return {
            "registered": Change(self.registered_change),
            "participants": Change(self.participants_change),
            "collected": Change(self.collected_change),
        }

    def as_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> Figures:
        fields = {name: data[name] for name in cls.__dataclass_fields__}
        fields["by_source"] = {source: SourceTotal(**total) for source, total in data["by_source"].items()}
        return cls(**fields)


@dataclass(frozen=True)
class AreaRow:
    key: str  # a region code, or an agent's code
    name: str
    parent: str  # the kecamatan of a desa or penyuluh, the regency of a kecamatan
    figures: Figures


@dataclass(frozen=True)
class MonevTable:
    month: dt.date
    level: Level
    rows: list[AreaRow]
    frozen_at: dt.datetime | None  # None: live figures

    def row(self, key: str) -> AreaRow | None:
        return next((row for row in self.rows if row.key == key), None)


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The month as [start, end) in WITA, the time the programme keeps."""
    wita = ZoneInfo(settings.TIME_ZONE)
    start = dt.datetime.combine(month, dt.time(), tzinfo=wita)
    return start, dt.datetime.combine(add_months(month, 1), dt.time(), tzinfo=wita)


def monev_months(*, today: dt.date) -> list[dt.date]:
    """The months the dashboard offers, newest first: this one and the twelve before."""
    this_month = month_start(today)
    return [add_months(this_month, -back) for back in range(MONTHS_BACK + 1)]


# --- Areas and how a farmer belongs to one --------------------------------------------------


def _key_path(level: Level) -> str:
    """From a farmer to the key of its area at this level."""
    return {Level.KECAMATAN: "village__parent_id", Level.DESA: "village_id", Level.AGENT: "agent__code"}[level]


def _farmers_within(level: Level, within: Region, prefix: str = "") -> Q:
    """The farmers (or, with prefix "farmer__", their payments and claims) counted below `within`:
    a regency or a kecamatan. A penyuluh's are their own farmers, wherever the BPP sent them."""
    if level != Level.AGENT:
        return Q(**{f"{prefix}village__code__startswith": within.prefix})
    if within.level == Region.Level.KECAMATAN:
        return Q(**{f"{prefix}agent__bpp__kecamatan_id": within.code})
    return Q(**{f"{prefix}agent__bpp__kecamatan__parent_id": within.code})


def _agents_within(within: Region) -> QuerySet[Agent]:
    if within.level == Region.Level.KECAMATAN:
        return Agent.objects.filter(bpp__kecamatan=within)
    return Agent.objects.filter(bpp__kecamatan__parent=within)


def _areas(level: Level, within: Region) -> list[tuple[str, str, str]]:
    """(key, name, parent) of each area at this level below `within`, in code order."""
    match level:
        case Level.KECAMATAN:
            kecamatan = Region.objects.filter(parent=within, level=Region.Level.KECAMATAN, bpp__isnull=False)
            return [(k.code, str(k), within.code) for k in kecamatan.order_by("code")]
        case Level.DESA:
            villages = Region.objects.filter(code__startswith=within.prefix, level=Region.Level.DESA)
            return [(v.code, str(v), v.parent_id) for v in villages.order_by("code")]
        case Level.AGENT:
            agents = _agents_within(within).select_related("user", "bpp")
            return [(a.code, str(a), a.bpp.kecamatan_id) for a in agents.order_by("code")]
    raise ValueError(f"unknown level {level!r}")


def _farmer_counts(level: Level, within: Region, *, month: dt.date) -> dict[str, int]:
    """The latest count of each desa as of the month's last day, added up per area."""
    last_day = add_months(month, 1) - dt.timedelta(days=1)
    latest = FarmerCount.objects.filter(village=OuterRef("pk"), as_of__lte=last_day).order_by("-as_of")
    per_desa = dict(
        Region.objects.filter(code__startswith=within.prefix, level=Region.Level.DESA)
        .annotate(n=Subquery(latest.values("count")[:1]))
        .values_list("code", "n")
    )
    totals: dict[str, int] = {}
    if level == Level.AGENT:
        served = Agent.villages.through.objects.filter(agent__in=_agents_within(within))
        pairs = served.values_list("agent__code", "region_id")
    else:
        pairs = ((code.rsplit(".", 1)[0] if level == Level.KECAMATAN else code, code) for code in per_desa)
    for key, village in pairs:
        totals[key] = totals.get(key, 0) + (per_desa.get(village) or 0)
    return totals


def _targets(keys: list[str], *, month: dt.date) -> dict[str, int]:
    """The Target in force for each kecamatan in the month, where Dinas set one."""
    targets = Target.objects.filter(kecamatan_id__in=keys, valid_from__lte=month).order_by("kecamatan_id", "valid_from")
    return dict(targets.values_list("kecamatan_id", "value"))  # the latest per kecamatan wins


# --- Counting one month ------------------------------------------------------------------------


def _covered(month: dt.date, *, paid_by: dt.datetime) -> Exists:
    """The farmer has a payment, not refused and received before `paid_by`, that covers `month`."""
    payments = Payment.objects.filter(
        farmer=OuterRef("pk"), start_month__lte=month, end_month__gte=month, paid_at__lt=paid_by
    ).exclude(status=PaymentStatus.DITOLAK)
    return Exists(payments)


def _month_counts(level: Level, within: Region, *, month: dt.date) -> tuple[dict[str, dict], dict[str, dict]]:
    """Each area's plain counts for the month and for the month before (without claims: only the
    other figures are compared), as {key: {figure: value}}; areas with nothing are absent."""
    months: dict[dt.date, dict[str, dict]] = {month: {}, add_months(month, -1): {}}

    def put(counts: dict[str, dict], area: str | None, **figures: object) -> None:
        if area is not None:  # farmers without a penyuluh have no row at the agent level
            counts.setdefault(area, {}).update(figures)

    farmers, payments = (_tallied if rollup.kept() else _counted)(level, within, months=list(months))
    for row in farmers:
        put(months[row.pop("month")], row.pop("area"), **row)
    for row in payments:
        put(months[row["month"]], row["area"], **{f"source:{row['source']}": SourceTotal(row["amount"], row["months"])})

    start, end = month_bounds(month)
    filed = Q(created_at__gte=start, created_at__lt=end)
    paid = Q(status=ClaimStatus.DIBAYAR, status_since__gte=start, status_since__lt=end)
    claims_per_area = (
        Claim.objects.filter(_farmers_within(level, within, "farmer__"))
        .filter(filed | paid)
        .order_by()
        .values(area=F(f"farmer__{_key_path(level)}"))
        .annotate(
            claims_filed=Count("pk", filter=filed),
            claims_paid=Count("pk", filter=paid),
            claims_paid_amount=Sum("paid_amount", filter=paid, default=0),
        )
    )
    for row in claims_per_area:
        put(months[month], row.pop("area"), **row)
    return months[month], months[add_months(month, -1)]


def _tallied(level: Level, within: Region, *, months: list[dt.date]) -> tuple[list[dict], QuerySet]:
    """The farmer figures and the collections per area, month and source, from the rollup kept
    by PostgreSQL (monitoring/rollup.py): what _counted() counts, from a few thousand rows."""
    key = _key_path(level)
    registered = Q(registered=True)
    figures = {}
    for i, month in enumerate(months):
        this_month = Q(month=month)
        figures |= {
            f"registered{i}": Sum("created", filter=registered & Q(month__lte=month), default=0),
            f"active{i}": Sum("active", filter=registered & this_month, default=0),
            f"grace{i}": Sum(F("counted") - F("active"), filter=registered & this_month, default=0),
            f"new_registrations{i}": Sum("new_registrations", filter=this_month, default=0),
        }
    per_area = (
        MonevTally.objects.filter(_farmers_within(level, within), month__lte=max(months))
        .order_by()
        .values(area=F(key))
        .annotate(**figures)
    )
    names = ("registered", "active", "grace", "new_registrations")
    farmers = [
        {"month": month, "area": row["area"], **{name: row[f"{name}{i}"] for name in names}}
        for row in per_area
        for i, month in enumerate(months)
    ]
    payments = (
        CollectedTally.objects.filter(_farmers_within(level, within), month__in=months)
        .order_by()
        .values("month", "source", area=F(key))
        .annotate(amount=Sum("amount"), months=Sum("months"))
    )
    return farmers, payments


def _counted(level: Level, within: Region, *, months: list[dt.date]) -> tuple[list[dict], list[dict]]:
    """The farmer figures and the collections per area, month and source, counted from the
    farmers and their payments (SQLite, `make run`)."""
    farmers, payments = [], []
    for month in months:
        start, end = month_bounds(month)
        key = _key_path(level)
        covered, covered_before = _covered(month, paid_by=end), _covered(add_months(month, -1), paid_by=end)
        registered = Q(kpj__isnull=False)
        per_area = (
            Farmer.objects.filter(_farmers_within(level, within), created_at__lt=end)
            .order_by()
            .values(area=F(key))
            .annotate(
                registered=Count("pk", filter=registered),
                active=Count("pk", filter=registered & Q(covered)),
                grace=Count("pk", filter=registered & Q(covered_before) & ~Q(covered)),
                new_registrations=Count(
                    "pk", filter=Q(created_at__gte=start) & ~Q(registration_status=RegistrationStatus.DITOLAK)
                ),
            )
        )
        collected = (
            Payment.objects.filter(_farmers_within(level, within, "farmer__"), paid_at__gte=start, paid_at__lt=end)
            .exclude(status=PaymentStatus.DITOLAK)
            .order_by()
            .values("source", area=F(f"farmer__{key}"))
            .annotate(amount=Sum("amount"), months=Sum("months"))
        )
        farmers += [{**row, "month": month} for row in per_area]
        payments += [{**row, "month": month} for row in collected]
    return farmers, payments


def _figures(now: dict, before: dict, *, farmers: int, target: int) -> Figures:
    by_source = {source: now.get(f"source:{source}", SourceTotal()) for source in FundSource.values}
    collected = sum(total.amount for total in by_source.values())
    collected_before = sum(before.get(f"source:{source}", SourceTotal()).amount for source in FundSource.values)
    registered, active, grace = now.get("registered", 0), now.get("active", 0), now.get("grace", 0)
    return Figures(
        farmers=farmers,
        target=target,
        registered=registered,
        active=active,
        grace=grace,
        lapsed=registered - active - grace,
        new_registrations=now.get("new_registrations", 0),
        collected=collected,
        collected_months=sum(total.months for total in by_source.values()),
        by_source=by_source,
        claims_filed=now.get("claims_filed", 0),
        claims_paid=now.get("claims_paid", 0),
        claims_paid_amount=now.get("claims_paid_amount", 0),
        registered_change=registered - before.get("registered", 0),
        participants_change=active + grace - before.get("active", 0) - before.get("grace", 0),
        collected_change=collected - collected_before,
    )


def _ranked(rows: list[AreaRow]) -> list[AreaRow]:
    """Rank by achievement, highest first; equal achievements share a rank (1, 2, 2, 4), and an
    area without a target has none. Exact fractions, so two BPPs shown at 45,3 % can differ."""

    def score(row: AreaRow) -> Fraction | None:
        figures = row.figures
        return Fraction(figures.participants, figures.target) if figures.target else None

    scores = sorted((s for row in rows if (s := score(row)) is not None), reverse=True)
    ranks = {s: scores.index(s) + 1 for s in scores}
    return [replace(row, figures=replace(row.figures, rank=ranks.get(score(row)))) for row in rows]


def area_figures(*, level: Level, within: Region, month: dt.date) -> list[AreaRow]:
    """Live figures of each area at `level` below `within` (a regency, or for desa and penyuluh
    also a kecamatan) for the month: the kecamatan/BPPs of a regency ranked among themselves."""
    areas = _areas(level, within)
    farmers = _farmer_counts(level, within, month=month)
    targets = _targets([key for key, _, _ in areas], month=month) if level == Level.KECAMATAN else {}
    now, before = _month_counts(level, within, month=month)
    rows = [
        AreaRow(
            key=key,
            name=name,
            parent=parent,
            figures=_figures(
                now.get(key, {}),
                before.get(key, {}),
                farmers=farmers.get(key, 0),
                target=targets.get(key, default_target(farmers.get(key, 0))),
            ),
        )
        for key, name, parent in areas
    ]
    return _ranked(rows) if level == Level.KECAMATAN else rows


def total(rows: list[AreaRow]) -> Figures:
    """The rows added up (a regency's kecamatan): its target is the sum of theirs."""
    fields = [name for name in Figures.__dataclass_fields__ if name not in ("by_source", "rank")]
    sums = {name: sum(getattr(row.figures, name) for row in rows) for name in fields}
    by_source = {
        source: SourceTotal(
            sum(row.figures.by_source[source].amount for row in rows),
            sum(row.figures.by_source[source].months for row in rows),
        )
        for source in FundSource.values
    }
    return Figures(**sums, by_source=by_source)


# --- Frozen or live ----------------------------------------------------------------------------


def monev_table(*, level: Level, within: Region, month: dt.date, today: dt.date) -> MonevTable:
    """The figures the meeting discusses: those frozen for a past month that was frozen (an area
    added since has no row), live figures for the current month and a past month nobody froze."""
    frozen_at = None
    if month < month_start(today):
        frozen_at = Snapshot.objects.filter(month=month).aggregate(at=Max("frozen_at"))["at"]
    if frozen_at is None:
        return MonevTable(month, level, area_figures(level=level, within=within, month=month), frozen_at=None)
    names = {key: name for key, name, _ in _areas(level, within)}
    frozen = Snapshot.objects.filter(month=month, level=level, figures__parent=within.code).order_by("key")
    rows = [AreaRow(s.key, names.get(s.key, s.key), s.figures["parent"], Figures.from_json(s.figures)) for s in frozen]
    return MonevTable(month, level, rows, frozen_at=frozen_at)


def monev_snapshot(month: dt.date) -> int:
    """Freeze the month's figures of every level in every regency that has BPPs; returns the
    number of areas. Idempotent: a second run writes the same figures over the same rows.
    Only a month that has ended: the current one's figures are still moving."""
    if month != month_start(month) or month >= month_start(timezone.localdate()):
        raise ValidationError(f"Hanya bulan yang sudah berakhir yang dapat dibekukan, bukan {bulan(month)}.")
    frozen_at = timezone.now()
    regencies = Region.objects.filter(level=Region.Level.KABUPATEN, children__bpp__isnull=False).distinct()
    written = 0
    with transaction.atomic():
        for regency in regencies.order_by("code"):
            for level in Level:
                for row in area_figures(level=level, within=regency, month=month):
                    Snapshot.objects.update_or_create(
                        month=month,
                        level=level,
                        key=row.key,
                        defaults={"figures": {"parent": row.parent, **row.figures.as_json()}, "frozen_at": frozen_at},
                    )
                    written += 1
    return written


# --- Where the user looks ----------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    title: str
    level: Level
    rows: list[AreaRow]


@dataclass(frozen=True)
class Dashboard:
    month: dt.date
    headline: AreaRow | None  # the area drilled into, or the regency's total
    sections: list[Section]
    ranked_among: int  # the number of kecamatan/BPPs a rank is out of
    frozen_at: dt.datetime | None  # None: live figures


def dashboard_for(user: User, place: Area, *, month: dt.date, today: dt.date) -> Dashboard:
    """What the dashboard shows at a place: a regency's kecamatan (a koordinator only their own,
    with its rank), a kecamatan's desa and penyuluh, a desa's penyuluh, or one penyuluh."""

    def table(level: Level, within: Region) -> MonevTable:
        tables.append(result := monev_table(level=level, within=within, month=month, today=today))
        return result

    tables: list[MonevTable] = []
    kecamatan, ranked_among = place.kecamatan, 0
    if place.agent is not None:
        headline, sections = table(Level.AGENT, kecamatan).row(place.agent.code), []
    elif place.village is not None:
        serving = set(place.village.agents.values_list("code", flat=True))
        agents = [row for row in table(Level.AGENT, kecamatan).rows if row.key in serving]
        headline = table(Level.DESA, kecamatan).row(place.village.code)
        sections = [Section("Penyuluh yang bertugas di desa ini", Level.AGENT, agents)]
    else:
        ranking = table(Level.KECAMATAN, place.regency)  # the ranks need every kecamatan
        ranked_among = len(ranking.rows)
        if kecamatan is not None:
            headline = ranking.row(kecamatan.code)
            sections = [
                Section("Per desa/kelurahan", Level.DESA, table(Level.DESA, kecamatan).rows),
                Section("Per penyuluh", Level.AGENT, table(Level.AGENT, kecamatan).rows),
            ]
        elif user.role == Role.KOORDINATOR:
            headline = None
            own = ranking.row(user.bpp.kecamatan_id)
            sections = [Section("BPP Anda", Level.KECAMATAN, [own] if own else [])]
        else:
            headline = AreaRow(place.regency.code, str(place.regency), "", total(ranking.rows))
            sections = [Section("Per kecamatan/BPP", Level.KECAMATAN, ranking.rows)]
    frozen = [t.frozen_at for t in tables]  # one run freezes every level of a month at once
    return Dashboard(
        month=month,
        headline=headline,
        sections=sections,
        ranked_among=ranked_among,
        frozen_at=max(frozen) if all(frozen) else None,
    )
