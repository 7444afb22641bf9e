"""Reads of claims, scoped like everything else through accounts.scope.region_filter."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateField,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import TruncMonth
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import User
from accounts.scope import region_filter
from claims.models import OPEN_STATUSES, Claim, ClaimKind, ClaimStatus
from wilayah.models import Region

# A claim more than this many whole days in one status is waiting on someone: shown as held up.
STUCK_DAYS = 14


def claims_for(user: User) -> QuerySet[Claim]:
    # By the claim's own copy of the farmer's desa (kept equal by a trigger, claims migration
    # 0004): an area's claims are found without joining its farmers.
    return Claim.objects.filter(region_filter(user, "village__code")).select_related("farmer__village")


def claim_for_user(user: User, pk: int) -> Claim:
    """The claim, or 404 when it does not exist *or* lies outside the user's scope."""
    return get_object_or_404(claims_for(user), pk=pk)


def _held_up_since(now: dt.datetime) -> dt.datetime:
    # More than 14 whole days is 15 or more: the number the page shows is never 14.
    return now - dt.timedelta(days=STUCK_DAYS + 1)


def open_claims(claims: QuerySet[Claim], *, now: dt.datetime) -> QuerySet[Claim]:
    """Claims not yet final, in the order of the workflow, the longest waiting first within a status.

    Each carries `age` (how long in its current status, a timedelta: `age.days` on the page) and
    `stuck` (more than STUCK_DAYS whole days). Both are computed by the database, so the filter
    on `stuck` and the ordering work over every page, not only the one shown."""
    held_up_since = _held_up_since(now)
    workflow = Case(
        *(When(status=status, then=Value(position)) for position, status in enumerate(ClaimStatus.values)),
        output_field=IntegerField(),
    )
    return (
        claims.filter(status__in=OPEN_STATUSES)
        .annotate(
            age=ExpressionWrapper(Value(now) - F("status_since"), output_field=DurationField()),
            stuck=Case(When(status_since__lte=held_up_since, then=True), default=False, output_field=BooleanField()),
            step=workflow,
        )
        .order_by("step", "status_since", "pk")
    )


@dataclass(frozen=True)
class OpenFigures:
    count: int
    stuck: int


@dataclass(frozen=True)
class ClaimTotals:
    """Counts and amounts paid, each row a dict: `count` claims, `paid_count` of them paid, `paid` rupiah."""

    overall: dict
    by_kind: list[dict]
    by_area: list[dict]  # per kecamatan, or per regency (`area`): `code`, `label` and the figures
    by_month: list[dict]  # `month`: the first day of the month the claim was reported, in WITA
    by_status: list[tuple[str, str, int]]  # (status, label, count), every status in workflow order
    # (status, kind) of the claims not yet final: how many, and how many of them are held up.
    open_by_status_kind: dict[tuple[str, str], OpenFigures]

    def open_figures(self, *, status: str = "", kind: str = "") -> OpenFigures:
        """The open claims of one status and kind ("" for any), as the list's filters choose them."""
        chosen = [
            figures
            for (row_status, row_kind), figures in self.open_by_status_kind.items()
            if status in ("", row_status) and kind in ("", row_kind)
        ]
        return OpenFigures(sum(f.count for f in chosen), sum(f.stuck for f in chosen))


def _figures(rows: list[dict]) -> dict:
    return {
        "count": sum(row["count"] for row in rows),
        "paid_count": sum(row["paid_count"] for row in rows),
        "paid": sum(row["paid"] for row in rows),
    }


def _grouped(rows: list[dict], key: Callable[[dict], Hashable]) -> dict[Hashable, dict]:
    groups: dict[Hashable, list[dict]] = {}
    for row in rows:
        groups.setdefault(key(row), []).append(row)
    return {value: _figures(members) for value, members in groups.items()}


# From a claim's desa to the area it is totalled by.
AREA_PATH = {Region.Level.KECAMATAN: "village__parent", Region.Level.KABUPATEN: "village__parent__parent"}


def claim_totals(
    claims: QuerySet[Claim], *, now: dt.datetime | None = None, area: Region.Level = Region.Level.KECAMATAN
) -> ClaimTotals:
    """What the claims of an area came to, in two grouped queries whatever the count: one by
    status, kind and month, folded here into the totals by each; one by kecamatan (or by regency,
    for a province: 24 rows, not 300), through the claim's desa. Neither needs the farmers."""
    paid = Q(status=ClaimStatus.DIBAYAR)
    figures = {
        "count": Count("pk"),
        "paid_count": Count("pk", filter=paid),
        "paid": Sum("paid_amount", filter=paid, default=0),
    }
    held_up = Q(status__in=OPEN_STATUSES, status_since__lte=_held_up_since(now or timezone.now()))
    plain = claims.select_related(None).order_by()  # the model's ordering would otherwise split the groups
    month = TruncMonth("created_at", output_field=DateField(), tzinfo=ZoneInfo(settings.TIME_ZONE))
    rows = list(
        plain.annotate(month=month)
        .values("status", "kind", "month")
        .annotate(**figures, stuck=Count("pk", filter=held_up))
    )
    by_status = _grouped(rows, lambda row: row["status"])
    by_month = _grouped(rows, lambda row: row["month"])
    open_figures: dict[tuple[str, str], OpenFigures] = {}
    for row in rows:
        if row["status"] in OPEN_STATUSES:
            key = (row["status"], row["kind"])
            so_far = open_figures.get(key, OpenFigures(0, 0))
            open_figures[key] = OpenFigures(so_far.count + row["count"], so_far.stuck + row["stuck"])
    return ClaimTotals(
        overall=_figures(rows),
        by_kind=[
            {"kind": kind, "label": ClaimKind(kind).label, **sums}
            for kind, sums in sorted(_grouped(rows, lambda row: row["kind"]).items())
        ],
        by_area=list(
            plain.values(code=F(AREA_PATH[area]), label=F(f"{AREA_PATH[area]}__name"))
            .annotate(**figures)
            .order_by("label")
        ),
        by_month=[{"month": month, **sums} for month, sums in sorted(by_month.items(), reverse=True)],
        by_status=[
            (status, label, by_status[status]["count"] if status in by_status else 0)
            for status, label in ClaimStatus.choices
        ],
        open_by_status_kind=open_figures,
    )
