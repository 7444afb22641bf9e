"""Reads and scoping. Every view reaches farmers and villages through these functions, so a
penyuluh sees only their desa, a koordinator their kecamatan and Dinas their regency."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import Role, User
from accounts.scope import region_filter
from enrollment.cover import cover_status_q
from enrollment.models import Farmer
from wilayah.models import Region

DESA_CODE_DOTS = 3  # 73.12.04.2009


def villages_for(user: User) -> QuerySet[Region]:
    return Region.objects.filter(region_filter(user, "code"), level=Region.Level.DESA)


def areas_for(user: User, level: Region.Level) -> QuerySet[Region]:
    """The kecamatan or regencies (`level`) with a desa the user may see."""
    areas = Region.objects.filter(level=Region.Level.KECAMATAN, code__in=villages_for(user).values("parent"))
    if level == Region.Level.KECAMATAN:
        return areas
    return Region.objects.filter(level=Region.Level.KABUPATEN, code__in=areas.values("parent"))


def farmers_for(user: User) -> QuerySet[Farmer]:
    return Farmer.objects.filter(region_filter(user, "village__code")).select_related("village")


def farmer_for_user(user: User, pk: int, *related: str) -> Farmer:
    """The farmer, or 404 when it does not exist *or* lies outside the user's scope; `related`
    are more relations the page shows, read in the same query."""
    farmers = farmers_for(user)
    return get_object_or_404(farmers.select_related(*related) if related else farmers, pk=pk)


def in_area_q(code: str, village_code: str) -> Q:
    """`village_code` lies in the region `code`: that desa, or a desa under that kecamatan or regency."""
    if code.count(".") == DESA_CODE_DOTS:
        return Q(**{village_code: code})
    return Q(**{f"{village_code}__startswith": code + "."})


# How long each identity number is: a whole NIK or KK number, a KPJ (docs/domain-rules.md).
NIK_LENGTH = 16
KPJ_LENGTH = 11
# Shorter digit runs than this are too common a prefix to be a search.
MIN_PREFIX = 4


def _as_number(query: str) -> str | None:
    """The digits of a query typed as a number (`7312 0445`, `7312.04`), if it is one long enough."""
    digits = query.strip().replace(".", "").replace(" ", "")
    return digits if digits.isdigit() and len(digits) >= MIN_PREFIX else None


def identity_number_q(digits: str) -> Q:
    """Farmers whose NIK, KK number or KPJ the digits are, or begin. Routed by length so that each
    branch is one index lookup: a 16-digit number is a whole NIK or KK (a KPJ is shorter), an
    11-digit one a whole KPJ or the start of a NIK, anything shorter the start of either."""
    if len(digits) == NIK_LENGTH:
        return Q(nik=digits) | Q(no_kk=digits)
    if len(digits) > KPJ_LENGTH:
        return Q(nik__startswith=digits)
    if len(digits) == KPJ_LENGTH:
        return Q(kpj=digits) | Q(nik__startswith=digits)
    return Q(nik__startswith=digits) | Q(kpj__startswith=digits)


# pg_trgm indexes runs of three characters: a shorter name search matches most farmers anyway.
TRIGRAM = 3


def searches_by_trigram(query: str) -> bool:
    """Whether `query` is a name search the trigram index serves: its matches then come from that
    index and are sorted, rather than met while walking the farmers in name order (see
    sutasoma/paging.py `ordering`)."""
    return len(query.strip()) >= TRIGRAM and _as_number(query) is None


def name_match_count(farmers: QuerySet[Farmer], *, cap: int) -> int:
    """How many farmers a name search matches, counted no further than `cap + 1`, through the
    trigram index. Left to itself PostgreSQL counts a province's matches by walking the name
    index, and a common name's (SITI…) sit together late in that order: 800.000 rows read to
    count 1.001 (1,2 s). The trigram index finds them at once (45 ms)."""
    rows = farmers.order_by()[: cap + 1]
    if connection.vendor != "postgresql":
        return rows.count()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("SET LOCAL enable_indexonlyscan = off")
        try:
            return rows.count()
        finally:
            # Back to what the session had: the page's own query walks an index.
            cursor.execute("SET LOCAL enable_indexscan TO DEFAULT")
            cursor.execute("SET LOCAL enable_indexonlyscan TO DEFAULT")


def farmer_search(
    farmers: QuerySet[Farmer],
    *,
    query: str = "",
    area: str = "",
    status: str = "",
    today: dt.date,
) -> QuerySet[Farmer]:
    """One search box for NIK, KPJ or name, as the agent types it; `area` is a region code
    (kabupaten, kecamatan or desa) the farmers' desa lies in."""
    query = query.strip()
    if digits := _as_number(query):
        farmers = farmers.filter(identity_number_q(digits))
    elif query:
        farmers = farmers.filter(name__icontains=query)
    if area:
        farmers = farmers.filter(in_area_q(area, "village__code"))
    if status:
        farmers = farmers.filter(cover_status_q(status, today=today))
    return farmers


@dataclass(frozen=True)
class AreaLevel:
    """One select of the area filter: its query parameter, label, the regions offered and the one chosen."""

    name: str
    label: str
    options: list[Region]
    selected: str


# (query parameter, label, region level, parts of the dotted code).
_LEVELS = {
    "kabupaten": ("Kabupaten/kota", Region.Level.KABUPATEN, 2),
    "kecamatan": ("Kecamatan", Region.Level.KECAMATAN, 3),
    "desa": ("Desa/kelurahan", Region.Level.DESA, 4),
}
# The area filter walks down the region tree from the user's scope, one select per level, so no
# page lists a province's 3.059 villages: an admin picks a regency first, Dinas a kecamatan.
_AREA_LEVELS = {Role.ADMIN: ("kabupaten", "kecamatan", "desa"), Role.DINAS: ("kecamatan", "desa")}


def area_filter(user: User, data: Mapping[str, str]) -> tuple[list[AreaLevel], str]:
    """The area filter's selects for `user`, and the region code to filter by ("" for everything
    in scope). A level missing from `data` (a link with only `?desa=`) follows from the deeper code;
    one sent empty ("Semua") clears the levels below it; a code outside the user's scope or not
    under the level above is ignored."""
    names = _AREA_LEVELS.get(user.role, ("desa",))
    wanted = ""
    for name in names:
        if name not in data:
            continue
        if not data[name] or (wanted and not data[name].startswith(wanted + ".")):
            break
        wanted = data[name]
    levels: list[AreaLevel] = []
    chosen = ""
    for name in names:
        label, level, parts = _LEVELS[name]
        options = Region.objects.filter(region_filter(user, "code"), level=level)
        options = list(options.filter(parent_id=chosen) if chosen else options)
        code = ".".join(wanted.split(".")[:parts]) if wanted.count(".") + 1 >= parts else ""
        selected = code if any(region.code == code for region in options) else ""
        levels.append(AreaLevel(name=name, label=label, options=options, selected=selected))
        if not selected:
            break  # "Semua" at this level: nothing below it to narrow down yet
        chosen = selected
    return levels, chosen


def likely_duplicates(*, name: str, birth_date: dt.date, nik: str) -> QuerySet[Farmer]:
    """Same name and birth date under another NIK: often one person registered twice."""
    return Farmer.objects.filter(name__iexact=name.strip(), birth_date=birth_date).exclude(nik=nik)


@dataclass(frozen=True)
class Matches:
    """What a user may learn of farmers matching a check: those in their scope in full, the
    rest only as a count. Name, birth date, desa and a masked NIK of someone outside the
    user's area would together give away the whole NIK."""

    in_scope: list[Farmer]
    outside: int

    def __bool__(self) -> bool:
        return bool(self.in_scope or self.outside)


def _split_by_scope(user: User, matches: QuerySet[Farmer], limit: int = 3) -> Matches:
    scope = farmers_for(user).values("pk")
    return Matches(in_scope=list(matches.filter(pk__in=scope)[:limit]), outside=matches.exclude(pk__in=scope).count())


def duplicates_for(user: User, *, name: str, birth_date: dt.date, nik: str, exclude_pk: int | None = None) -> Matches:
    matches = likely_duplicates(name=name, birth_date=birth_date, nik=nik).exclude(pk=exclude_pk)
    return _split_by_scope(user, matches.select_related("village"))


def nik_holder_for(user: User, *, nik: str, exclude_pk: int | None = None) -> Matches:
    """Whether a NIK is registered (to another record than `exclude_pk`), and to whom if in scope."""
    return _split_by_scope(user, Farmer.objects.filter(nik=nik).exclude(pk=exclude_pk).select_related("village"), 1)
