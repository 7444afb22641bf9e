"""The area and month a monitoring page is about, from its query (`?bulan=2026-04&kabupaten=73.12
&kecamatan=73.12.04&desa=…&agen=…`), checked against the user's scope: an area outside it answers
404, like one that does not exist. One resolver for the dashboard, its trends, notes and reports.

Each parameter narrows the one before: a kecamatan, a desa in it, an agent serving it. None at all
is the user's whole area: a koordinator's kecamatan (on the dashboard, the regency's ranking),
Dinas' regency, for an admin the deployment's regency.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace

from django.db.models import Q
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404

from accounts.models import Agent, Role, User
from accounts.scope import regency_code_for, region_filter
from sutasoma.formatting import bulan
from sutasoma.months import month_start
from wilayah.models import Region

# What a region or agent code may look like; anything else (a NUL byte, an essay) is simply not found.
_REGION_CODE = re.compile(r"[0-9]{2}(\.[0-9]{2,4}){0,3}")
_AGENT_CODE = re.compile(r"[A-Za-z0-9-]{1,20}")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
FIRST_YEAR = 2000  # before the programme: a typo, not a month anyone means
# area_for()'s arguments and the query parameters that carry them.
QUERY_PARAMETERS = {"kabupaten": "kabupaten", "kecamatan": "kecamatan", "desa": "desa", "agent": "agen"}


@dataclass(frozen=True)
class Area:
    regency: Region
    kecamatan: Region | None = None
    village: Region | None = None
    agent: Agent | None = None

    @property
    def name(self) -> str:
        parts = [str(place) for place in (self.kecamatan, self.village) if place] or [self.regency.name]
        if self.agent:
            parts.append(f"penyuluh {self.agent}")
        return ", ".join(parts)

    def farmers_q(self, path: str = "") -> Q:
        """The farmers of this area, as a filter on `path` + the farmer's fields (`"farmer__"`)."""
        if self.village:
            q = Q(**{f"{path}village": self.village})
        else:
            q = Q(**{f"{path}village__code__startswith": (self.kecamatan or self.regency).prefix})
        return q & Q(**{f"{path}agent": self.agent}) if self.agent else q

    def target_villages(self) -> Q:
        """The desa whose farmer counts make this area's target: an agent's own desa, unless one is chosen."""
        if self.village:
            return Q(code=self.village.code)
        if self.agent:
            return Q(pk__in=self.agent.villages.values("pk"))
        return Q(level=Region.Level.DESA, code__startswith=(self.kecamatan or self.regency).prefix)

    @property
    def query(self) -> dict[str, str]:
        """The parameters naming this area, for links and forms that stay on it."""
        codes = {"kecamatan": self.kecamatan, "desa": self.village, "agen": self.agent}
        return {key: place.code for key, place in codes.items() if place}

    @property
    def is_whole_kecamatans(self) -> bool:
        """A kecamatan or a regency: where a target set by Dinas replaces 35 % of the farmers."""
        return self.village is None and self.agent is None


def _found(pattern: re.Pattern, value: str) -> str:
    if value and not pattern.fullmatch(value):
        raise Http404("Wilayah tidak ditemukan.")
    return value


def area_for(user: User, *, kabupaten: str = "", kecamatan: str = "", desa: str = "", agent: str = "") -> Area:
    """The area these codes name ("" for none), each implied by the one below it (an agent's BPP,
    a desa's kecamatan). 404 for one that does not exist, does not lie where the others say, or
    lies outside the user's scope: a koordinator sees their regency's ranking but goes down only
    into their own kecamatan, Dinas their regency, an admin any regency (the deployment's by default)."""
    kabupaten, kecamatan, desa = (_found(_REGION_CODE, code) for code in (kabupaten, kecamatan, desa))
    agent = _found(_AGENT_CODE, agent)
    area_agent = get_object_or_404(Agent.objects.select_related("user", "bpp"), code=agent) if agent else None
    village = get_object_or_404(Region, code=desa, level=Region.Level.DESA) if desa else None
    kecamatan = kecamatan or (village.parent_id if village else area_agent.bpp.kecamatan_id if area_agent else "")
    area_kecamatan = None
    if kecamatan:
        area_kecamatan = get_object_or_404(Region, code=kecamatan, level=Region.Level.KECAMATAN, bpp__isnull=False)
        misplaced = (village and village.parent_id != kecamatan) or (
            area_agent and area_agent.bpp.kecamatan_id != kecamatan
        )
        if misplaced or not Region.objects.filter(region_filter(user, "code"), parent=area_kecamatan).exists():
            raise Http404("Wilayah ini di luar wilayah Anda.")
        if area_agent and village and not area_agent.villages.filter(pk=village.pk).exists():
            raise Http404("Penyuluh ini tidak bertugas di desa tersebut.")
    own_regency = regency_code_for(user)
    regency_code = area_kecamatan.parent_id if area_kecamatan else kabupaten or own_regency
    if (kabupaten and kabupaten != regency_code) or (user.role != Role.ADMIN and regency_code != own_regency):
        raise Http404("Wilayah ini di luar wilayah Anda.")
    regency = get_object_or_404(Region, code=regency_code, level=Region.Level.KABUPATEN)
    return Area(regency=regency, kecamatan=area_kecamatan, village=village, agent=area_agent)


def own_area(user: User, area: Area) -> Area:
    """A koordinator's whole area is their kecamatan, where the dashboard shows them the ranking."""
    if area.kecamatan is None and user.role == Role.KOORDINATOR and user.bpp_id:
        return replace(area, kecamatan=user.bpp.kecamatan)
    return area


def area_from_query(user: User, query: QueryDict) -> Area:
    """The area of a page's query (`?kecamatan=…&desa=…&agen=…`); none is the user's whole area."""
    codes = {name: query.get(parameter, "").strip() for name, parameter in QUERY_PARAMETERS.items()}
    return own_area(user, area_for(user, **codes))


def month_from_query(value: str, *, today: dt.date) -> tuple[dt.date, str]:
    """The month asked for (`2026-04`), or this month and why, for a value that is not one."""
    this_month = month_start(today)
    value = value.strip()
    if not value:
        return this_month, ""
    match = _MONTH.fullmatch(value)
    if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < FIRST_YEAR:
        return this_month, f"Bulan tidak dikenal; ditampilkan {bulan(this_month)}. Tulis bulan seperti 2026-04."
    month = dt.date(int(match[1]), int(match[2]), 1)
    if month > this_month:
        return this_month, f"{bulan(month)} belum berjalan; ditampilkan {bulan(this_month)}."
    return month, ""
