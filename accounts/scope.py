"""The one scoping rule: which part of the region tree a user may see.

Every list of farmers, villages, payments or claims is filtered through region_filter(), with the
path from that model to a village's code: a penyuluh sees the desa assigned to them, a
koordinator their BPP's kecamatan, Dinas their regency, an admin everything. Region codes are
dotted Kemendagri codes, so "everything in a kecamatan" is a prefix match on an indexed key.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q

from accounts.models import Role, User


def region_filter(user: User, village_code: str) -> Q:
    """A filter on `village_code` (e.g. "code", "village__code", "farmer__village__code") for what
    `user` may see; matches nothing for a user with no anchor."""
    match user.role:
        case Role.ADMIN:
            return Q()
        case Role.DINAS if user.regency_id:
            return Q(**{f"{village_code}__startswith": user.regency_id + "."})
        case Role.KOORDINATOR if user.bpp_id:
            return Q(**{f"{village_code}__startswith": user.bpp.kecamatan_id + "."})
        case Role.PENYULUH if (agent := getattr(user, "agent", None)) is not None:
            return Q(**{f"{village_code}__in": agent.villages.values("code")})
    return Q(**{f"{village_code}__in": []})


def regency_code_for(user: User) -> str:
    """The regency a user works in (dotted code); admins default to the deployment's own."""
    match user.role:
        case Role.DINAS if user.regency_id:
            return user.regency_id
        case Role.KOORDINATOR if user.bpp_id:
            return user.bpp.kecamatan.parent_id
        case Role.PENYULUH if getattr(user, "agent", None):
            return user.agent.bpp.kecamatan.parent_id
    return settings.DEFAULT_REGENCY_CODE
