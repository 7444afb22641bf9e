"""Reads of contributions, scoped like everything else through accounts.scope.region_filter."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import Role, User
from accounts.scope import regency_code_for, region_filter
from contributions.models import Payer, Payment


def payments_for(user: User) -> QuerySet[Payment]:
    return Payment.objects.filter(region_filter(user, "farmer__village__code")).select_related("farmer")


def payers_for(user: User) -> QuerySet[Payer]:
    """The payers a user may see and pay with: Dinas and koordinator those of their regency, an
    admin all; an agent none (an agent records only the farmers' own money)."""
    payers = Payer.objects.select_related("regency", "village")
    if user.role == Role.ADMIN:
        return payers
    if (user.role == Role.DINAS and user.regency_id) or (user.role == Role.KOORDINATOR and user.bpp_id):
        return payers.filter(regency_id=regency_code_for(user))
    return payers.none()
