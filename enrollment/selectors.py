"""Reads and scoping. Every view reaches farmers and villages through these functions, so a
penyuluh sees only their desa, a koordinator their kecamatan and Dinas their regency."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import User
from accounts.scope import region_filter
from enrollment.cover import cover_status_q
from enrollment.models import Farmer
from wilayah.models import Region


def villages_for(user: User) -> QuerySet[Region]:
    return Region.objects.filter(region_filter(user, "code"), level=Region.Level.DESA)


def farmers_for(user: User) -> QuerySet[Farmer]:
    return Farmer.objects.filter(region_filter(user, "village__code")).select_related("village")


def farmer_for_user(user: User, pk: int) -> Farmer:
    """The farmer, or 404 when it does not exist *or* lies outside the user's scope."""
    return get_object_or_404(farmers_for(user), pk=pk)


def farmer_search(
    farmers: QuerySet[Farmer], *, query: str = "", village: str = "", status: str = "", today: dt.date
) -> QuerySet[Farmer]:
    """One search box for NIK, KPJ or name, as the agent types it."""
    query = query.strip()
    digits = query.replace(".", "").replace(" ", "")
    if digits.isdigit() and len(digits) >= 4:
        farmers = farmers.filter(Q(nik__startswith=digits) | Q(kpj__startswith=digits) | Q(no_kk=digits))
    elif query:
        farmers = farmers.filter(name__icontains=query)
    if village:
        farmers = farmers.filter(village_id=village)
    if status:
        farmers = farmers.filter(cover_status_q(status, today=today))
    return farmers


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
