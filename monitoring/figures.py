"""The figures of each role's home page: counts by cover status and by area, and who waits.

Counted from the farmer tally (enrollment/tally.py), so a province's home costs the same few
small queries as a desa's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import QuerySet

from accounts.models import Role, User
from contributions.visits import visit_count_q
from enrollment.cover import CoverStatus, cover_status_q
from enrollment.models import Farmer, RegistrationStatus
from enrollment.selectors import areas_for, farmers_for, villages_for
from enrollment.tally import farmer_counts, farmer_counts_by_area, farmer_counts_by_village
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
    counts = farmer_counts(
        user,
        to_visit=visit_count_q(today=today),
        **{status: cover_status_q(status, today=today) for status in CoverStatus},
    )
    total = counts.pop("total")
    to_visit = counts.pop("to_visit")
    areas, per_area = _areas(user)
    return HomeSummary(
        total=total,
        to_visit=to_visit,
        by_status=counts,
        waiting=list(farmers.filter(registration_status=RegistrationStatus.MENUNGGU_KPJ).order_by("-created_at")[:5]),
        refused=list(farmers.filter(registration_status=RegistrationStatus.DITOLAK).order_by("-updated_at")[:5]),
        areas=[AreaCount(area, per_area.get(area.code, 0)) for area in areas],
    )


def _areas(user: User) -> tuple[QuerySet[Region], Mapping[str, int]]:
    """The areas the home page counts farmers by, and how many each has."""
    if user.role in (Role.PENYULUH, Role.KOORDINATOR):
        return villages_for(user).order_by("code"), farmer_counts_by_village(user)
    # Dinas per kecamatan; an admin, who sees a whole province, per regency: 24 rows, not 300.
    level = Region.Level.KABUPATEN if user.role == Role.ADMIN else Region.Level.KECAMATAN
    return areas_for(user, level).order_by("code"), farmer_counts_by_area(user, level)
