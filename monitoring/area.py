"""The area and month a monitoring page is about, from its query (`?bulan=2026-04&kecamatan=73.12.04
&desa=…&agen=…`), checked against the user's scope: an area outside it answers 404, like one that
does not exist.

Each parameter narrows the one before: a kecamatan, a desa in it, an agent serving it. None at all
is the user's whole area: a koordinator's kecamatan, Dinas' regency, for an admin the deployment's
regency.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db.models import Q
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404

from accounts.models import Agent, Role, User
from accounts.scope import regency_code_for
from contributions.cash import agents_for
from enrollment.selectors import villages_for
from sutasoma.formatting import bulan
from sutasoma.months import month_start
from wilayah.models import Region

# What a region or agent code may look like; anything else (a NUL byte, an essay) is simply not found.
_REGION_CODE = re.compile(r"[0-9]{2}(\.[0-9]{2,4}){0,3}")
_AGENT_CODE = re.compile(r"[A-Za-z0-9-]{1,20}")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
FIRST_YEAR = 2000  # before the programme: a typo, not a month anyone means


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


def area_for(user: User, *, kecamatan: str = "", desa: str = "", agent: str = "") -> Area:
    """The area of these codes ("" for none), or 404 when any lies outside the user's scope or
    they do not fit together (a desa of another kecamatan, an agent not serving the desa)."""
    kecamatan, desa = _found(_REGION_CODE, kecamatan), _found(_REGION_CODE, desa)
    agent = _found(_AGENT_CODE, agent)
    villages = villages_for(user)
    area_kecamatan = area_village = area_agent = None
    if kecamatan:
        if not villages.filter(parent_id=kecamatan).exists():
            raise Http404("Kecamatan ini di luar wilayah Anda.")
        area_kecamatan = Region.objects.select_related("parent").get(code=kecamatan)
    if desa:
        area_village = villages.select_related("parent__parent").filter(code=desa).first()
        if area_village is None or (kecamatan and area_village.parent_id != kecamatan):
            raise Http404("Desa ini di luar wilayah Anda.")
        area_kecamatan = area_village.parent
    if agent:
        area_agent = agents_for(user).select_related("bpp__kecamatan__parent").filter(code=agent).first()
        if (
            area_agent is None
            or (area_kecamatan and area_agent.bpp.kecamatan_id != area_kecamatan.code)
            or (area_village and not area_agent.villages.filter(pk=area_village.pk).exists())
        ):
            raise Http404("Penyuluh ini di luar wilayah Anda.")
        area_kecamatan = area_kecamatan or area_agent.bpp.kecamatan
    if area_kecamatan is None and user.role == Role.KOORDINATOR and user.bpp_id:
        area_kecamatan = user.bpp.kecamatan
    regency = area_kecamatan.parent if area_kecamatan else get_object_or_404(Region, code=regency_code_for(user))
    return Area(regency=regency, kecamatan=area_kecamatan, village=area_village, agent=area_agent)


def area_from_query(user: User, query: QueryDict) -> Area:
    return area_for(
        user,
        kecamatan=query.get("kecamatan", "").strip(),
        desa=query.get("desa", "").strip(),
        agent=query.get("agen", "").strip(),
    )


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
