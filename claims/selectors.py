"""Reads of claims, scoped like everything else through accounts.scope.region_filter."""

from __future__ import annotations

import datetime as dt
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

from accounts.models import User
from accounts.scope import region_filter
from claims.models import OPEN_STATUSES, Claim, ClaimKind, ClaimStatus

# A claim more than this many whole days in one status is waiting on someone: shown as held up.
STUCK_DAYS = 14


def claims_for(user: User) -> QuerySet[Claim]:
    return Claim.objects.filter(region_filter(user, "farmer__village__code")).select_related("farmer__village")


def claim_for_user(user: User, pk: int) -> Claim:
    """The claim, or 404 when it does not exist *or* lies outside the user's scope."""
    return get_object_or_404(claims_for(user), pk=pk)


def open_claims(claims: QuerySet[Claim], *, now: dt.datetime) -> QuerySet[Claim]:
    """Claims not yet final, in the order of the workflow, the longest waiting first within a status.

    Each carries `age` (how long in its current status, a timedelta: `age.days` on the page) and
    `stuck` (more than STUCK_DAYS whole days). Both are computed by the database, so the filter
    on `stuck` and the ordering work over every page, not only the one shown."""
    # More than 14 whole days is 15 or more: the number the page shows is never 14.
    held_up_since = now - dt.timedelta(days=STUCK_DAYS + 1)
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
class ClaimTotals:
    """Counts and amounts paid, each row a dict: `count` claims, `paid_count` of them paid, `paid` rupiah."""

    overall: dict
    by_kind: list[dict]
    by_kecamatan: list[dict]
    by_month: list[dict]  # `month`: the first day of the month the claim was reported, in WITA
    by_status: list[tuple[str, str, int]]  # (status, label, count), every status in workflow order


def claim_totals(claims: QuerySet[Claim]) -> ClaimTotals:
    """What the claims of an area came to, grouped by the database (five queries, whatever the count)."""
    paid = Q(status=ClaimStatus.DIBAYAR)
    figures = {
        "count": Count("pk"),
        "paid_count": Count("pk", filter=paid),
        "paid": Sum("paid_amount", filter=paid, default=0),
    }
    plain = claims.order_by()  # the model's ordering would otherwise split the groups
    month = TruncMonth("created_at", output_field=DateField(), tzinfo=ZoneInfo(settings.TIME_ZONE))
    by_status = plain.aggregate(**{status: Count("pk", filter=Q(status=status)) for status in ClaimStatus.values})
    return ClaimTotals(
        overall=plain.aggregate(**figures),
        by_kind=[
            {**row, "label": ClaimKind(row["kind"]).label}
            for row in plain.values("kind").annotate(**figures).order_by("kind")
        ],
        by_kecamatan=list(
            plain.values(code=F("farmer__village__parent"), label=F("farmer__village__parent__name"))
            .annotate(**figures)
            .order_by("label")
        ),
        by_month=list(plain.annotate(month=month).values("month").annotate(**figures).order_by("-month")),
        by_status=[(status, label, by_status[status]) for status, label in ClaimStatus.choices],
    )
