"""Reads of contributions, scoped like everything else through accounts.scope.region_filter."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User
from accounts.scope import region_filter
from contributions.models import Payment


def payments_for(user: User) -> QuerySet[Payment]:
    return Payment.objects.filter(region_filter(user, "farmer__village__code")).select_related("farmer")
