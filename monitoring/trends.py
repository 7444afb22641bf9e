"""Twelve months of an area's figures for the trend charts: participants at each month's end,
achievement against the target, and contributions collected.

A month's participants are the farmers whose payments, received by the end of that month (WITA),
cover it (*aktif*) or cover only the month before (*masa tenggang*, still counted as active:
docs/domain-rules.md#cover). A payment refused by BPJS covers nothing. Everything is aggregated in
SQL: on PostgreSQL from the rollup its triggers keep (monitoring/rollup.py), elsewhere one query
over the payments for all twelve months (a filtered aggregate per month); one over the farmer
counts, one for the targets; never a loop over farmers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear
from django.utils import timezone
from django.utils.safestring import SafeString

from accounts.models import User
from accounts.scope import region_filter
from contributions.models import Payment, PaymentStatus
from monitoring import rollup
from monitoring.area import Area, area_for, own_area
from monitoring.charts import MONEY, PERCENT, bar_chart, line_chart
from monitoring.models import CollectedTally, MonevTally, Target
from monitoring.targets import default_target
from sutasoma.formatting import bulan_singkat
from sutasoma.months import add_months
from wilayah.models import FarmerCount, Region

TREND_MONTHS = 12


@dataclass(frozen=True)
class TrendPoint:
    month: dt.date
    active: int  # covered by a payment in this month
    grace: int  # covered in the month before only: in their grace month
    target: int
    collected: int  # Rp received during the month
    collected_months: int  # months of cover those payments bought

    @property
    def participants(self) -> int:
        """Active participants as the target counts them: grace month included."""
        return self.active + self.grace

    @property
    def achievement(self) -> float | None:
        """Participants as a percentage of the target; None where no target can be set (no farmer count)."""
        return 100 * self.participants / self.target if self.target else None


def _month_number(month: dt.date) -> int:
    return month.year * 12 + month.month - 1


def _wita_start(month: dt.date) -> dt.datetime:
    """Midnight WITA at the start of the month: where a payment's `paid_at` falls in a month."""
    return timezone.make_aware(dt.datetime.combine(month, dt.time()), timezone.get_default_timezone())


def _payment_figures(user: User, area: Area, months: list[dt.date]) -> dict[str, int]:
    return (_tallied if rollup.kept() else _counted)(user, area, months)


def _tallied(user: User, area: Area, months: list[dt.date]) -> dict[str, int]:
    """_counted() from the rollup kept by PostgreSQL (monitoring/rollup.py): a few hundred rows."""
    scope = region_filter(user, "village__code") & area.farmers_q()
    per_month = {month: i for i, month in enumerate(months)}
    figures = {f"{name}{i}": 0 for i in range(len(months)) for name in ("active", "counted", "collected", "months")}
    farmers = MonevTally.objects.filter(scope, month__in=months).order_by().values("month")
    for row in farmers.annotate(active=Sum("active"), counted=Sum("counted")):
        i = per_month[row["month"]]
        figures[f"active{i}"], figures[f"counted{i}"] = row["active"], row["counted"]
    collected = CollectedTally.objects.filter(scope, month__in=months).order_by().values("month")
    for row in collected.annotate(amount=Sum("amount"), months=Sum("months")):
        i = per_month[row["month"]]
        figures[f"collected{i}"], figures[f"months{i}"] = row["amount"], row["months"]
    return figures


def _counted(user: User, area: Area, months: list[dt.date]) -> dict[str, int]:
    """Counted from the payments themselves (SQLite, `make run`)."""
    payments = (
        Payment.objects.filter(region_filter(user, "farmer__village__code"), area.farmers_q("farmer__"))
        .exclude(status=PaymentStatus.DITOLAK)
        # Months as integers, so "covers month n" is first <= n <= last whatever the year.
        .alias(first=ExtractYear("start_month") * 12 + ExtractMonth("start_month") - 1)
        .alias(last=F("first") + F("months") - 1)
    )
    start, end = _wita_start(months[0]), _wita_start(add_months(months[-1], 1))
    relevant = Q(last__gte=_month_number(months[0]) - 1) | Q(paid_at__gte=start)
    figures = {}
    for i, month in enumerate(months):
        n = _month_number(month)
        month_end = _wita_start(add_months(month, 1))
        known = Q(paid_at__lt=month_end)
        paid_in = Q(paid_at__gte=_wita_start(month), paid_at__lt=month_end)
        figures[f"active{i}"] = Count("farmer", distinct=True, filter=known & Q(first__lte=n, last__gte=n))
        figures[f"counted{i}"] = Count("farmer", distinct=True, filter=known & Q(first__lte=n, last__gte=n - 1))
        figures[f"collected{i}"] = Coalesce(Sum("amount", filter=paid_in), 0)
        figures[f"months{i}"] = Coalesce(Sum("months", filter=paid_in), 0)
    return payments.filter(relevant, paid_at__lt=end).aggregate(**figures)


def _targets(area: Area, months: list[dt.date]) -> list[int]:
    """Each month's target: for a kecamatan the one Dinas set valid then, else 35 % of its
    farmers as last counted by that month's end; a regency's is the sum of its kecamatans'; a
    desa's or an agent's 35 % of the farmers of their desa."""

    def counted(month: dt.date) -> Subquery:
        latest = FarmerCount.objects.filter(village=OuterRef("pk"), as_of__lt=add_months(month, 1)).order_by("-as_of")
        return Subquery(latest.values("count")[:1])

    farmers = {
        row.pop("parent_id"): row
        for row in Region.objects.filter(area.target_villages())
        .values("parent_id")
        .order_by()
        .annotate(**{f"farmers{i}": Sum(counted(month)) for i, month in enumerate(months)})
    }
    if not area.is_whole_kecamatans:
        return [default_target(sum(row[f"farmers{i}"] or 0 for row in farmers.values())) for i in range(len(months))]

    kecamatans = Q(kecamatan=area.kecamatan) if area.kecamatan else Q(kecamatan__parent=area.regency)
    set_by_dinas: dict[str, list[Target]] = {}
    for target in Target.objects.filter(kecamatans, valid_from__lte=months[-1]).order_by("valid_from"):
        set_by_dinas.setdefault(target.kecamatan_id, []).append(target)
    totals = []
    for i, month in enumerate(months):
        total = 0
        for code in farmers.keys() | set_by_dinas.keys():
            valid = [t.value for t in set_by_dinas.get(code, []) if t.valid_from <= month]
            total += valid[-1] if valid else default_target(farmers.get(code, {}).get(f"farmers{i}") or 0)
        totals.append(total)
    return totals


@dataclass(frozen=True)
class Chart:
    title: str
    svg: SafeString


def trend_charts(points: list[TrendPoint]) -> list[Chart]:
    """The dashboard's three trend charts; the same SVG goes into the monev PDF."""

    def series(value: Callable[[TrendPoint], float | None]) -> list[tuple[str, float | None]]:
        return [(bulan_singkat(p.month), value(p)) for p in points]

    participants, achievement, collected = (
        "Peserta aktif (termasuk masa tenggang)",
        "Capaian terhadap target",
        "Iuran terkumpul",
    )
    return [
        Chart(participants, line_chart(series(lambda p: p.participants), title=participants, unit="peserta")),
        Chart(achievement, line_chart(series(lambda p: p.achievement), title=achievement, unit=PERCENT, goal=100)),
        Chart(collected, bar_chart(series(lambda p: p.collected), title=collected, unit=MONEY)),
    ]


def area_trend(user: User, *, month: dt.date, kecamatan: str = "", desa: str = "", agent: str = "") -> list[TrendPoint]:
    """The TREND_MONTHS months ending with `month` for the area of these codes ("" for none: the
    user's whole area); 404 for an area outside the user's scope (monitoring/area.py)."""
    return trend_for(
        user, area=own_area(user, area_for(user, kecamatan=kecamatan, desa=desa, agent=agent)), month=month
    )


def trend_for(user: User, *, area: Area, month: dt.date) -> list[TrendPoint]:
    """area_trend() for an area already resolved (and checked) by monitoring.area.area_for()."""
    months = [add_months(month, i - TREND_MONTHS + 1) for i in range(TREND_MONTHS)]
    figures = _payment_figures(user, area, months)
    targets = _targets(area, months)
    return [
        TrendPoint(
            month=m,
            active=figures[f"active{i}"],
            grace=figures[f"counted{i}"] - figures[f"active{i}"],
            target=targets[i],
            collected=figures[f"collected{i}"],
            collected_months=figures[f"months{i}"],
        )
        for i, m in enumerate(months)
    ]
