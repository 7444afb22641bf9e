"""The figures of each role's home page: counts by cover status and by area, and who waits.

Counted from the farmer tally (enrollment/tally.py), so a province's home costs the same few
small queries as a desa's.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.db.models import QuerySet

from accounts.models import Role, User
from contributions.visits import visit_count_q
from enrollment.cover import CoverStatus, cover_status_q
from enrollment.models import Farmer, RegistrationStatus
from enrollment.selectors import areas_for, farmers_for, villages_for
from enrollment.tally import farmer_counts_per_area
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
    areas, level = _areas(user)
    statuses = {status: cover_status_q(status, today=today) for status in CoverStatus}
    per_area = farmer_counts_per_area(user, level, to_visit=visit_count_q(today=today), **statuses)
    counts = Counter()
    for figures in per_area.values():
        counts.update(figures)
    return HomeSummary(
        total=counts["total"],
        to_visit=counts["to_visit"],
        by_status={status: counts[status] for status in statuses},
        waiting=list(farmers.filter(registration_status=RegistrationStatus.MENUNGGU_KPJ).order_by("-created_at")[:5]),
        refused=list(farmers.filter(registration_status=RegistrationStatus.DITOLAK).order_by("-updated_at")[:5]),
        areas=[AreaCount(area, per_area.get(area.code, {}).get("total", 0)) for area in areas],
    )


def _areas(user: User) -> tuple[QuerySet[Region], Region.Level]:
    """The areas the home page counts farmers by, and their level."""
    if user.role in (Role.PENYULUH, Role.KOORDINATOR):
        return villages_for(user).order_by("code"), Region.Level.DESA
    # Dinas per kecamatan; an admin, who sees a whole province, per regency: 24 rows, not 300.
    level = Region.Level.KABUPATEN if user.role == Role.ADMIN else Region.Level.KECAMATAN
    return areas_for(user, level).order_by("code"), level
