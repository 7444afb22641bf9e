"""Reads of claims, scoped like everything else through accounts.scope.region_filter."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import User
from accounts.scope import region_filter
from claims.models import Claim


def claims_for(user: User) -> QuerySet[Claim]:
    return Claim.objects.filter(region_filter(user, "farmer__village__code")).select_related("farmer__village")


def claim_for_user(user: User, pk: int) -> Claim:
    """The claim, or 404 when it does not exist *or* lies outside the user's scope."""
    return get_object_or_404(claims_for(user), pk=pk)
