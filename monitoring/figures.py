"""The figures of each role's home page: counts by cover status and by area, and who waits.

Aggregated in SQL over the user's scope, so a regency's home costs the same few queries as a desa's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count

from accounts.models import Role, User
from contributions.visits import visit_window_q
from enrollment.cover import CoverStatus, cover_status_q
from enrollment.models import Farmer, RegistrationStatus
from enrollment.selectors import farmers_for, villages_for
from wilayah.models import Region


@dataclass(frozen=True)
class AreaCount:
    area: Region
    farmers: int


@dataclass(frozen=True)
class HomeSummary:
    total: int
    to_visit: int  # contributions/visits.py: cover ending soon, in grace, or lapsed lately
    by_status: dict[str, int]
    waiting: list[Farmer]
    refused: list[Farmer]
    areas: list[AreaCount]


def home_summary(user: User, *, today: dt.date) -> HomeSummary:
    farmers = farmers_for(user)
    counts = farmers.aggregate(
        total=Count("pk"),
        to_visit=Count("pk", filter=visit_window_q(today=today)),
        **{status: Count("pk", filter=cover_status_q(status, today=today)) for status in CoverStatus},
    )
    total = counts.pop("total")
    to_visit = counts.pop("to_visit")
    if user.role in (Role.PENYULUH, Role.KOORDINATOR):
        areas = villages_for(user).annotate(n=Count("farmers")).order_by("code")
    else:
        areas = (
            Region.objects.filter(level=Region.Level.KECAMATAN, code__in=villages_for(user).values("parent"))
            .annotate(n=Count("children__farmers"))
            .order_by("code")
        )
    return HomeSummary(
        total=total,
        to_visit=to_visit,
        by_status=counts,
        waiting=list(farmers.filter(registration_status=RegistrationStatus.MENUNGGU_KPJ).order_by("-created_at")[:5]),
        refused=list(farmers.filter(registration_status=RegistrationStatus.DITOLAK).order_by("-updated_at")[:5]),
        areas=[AreaCount(area, area.n) for area in areas],
    )
