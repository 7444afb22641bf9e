"""Targets: what each area should reach, and Dinas setting a kecamatan's own (docs/domain-rules.md#targets)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.models import Role, User
from monitoring.models import DEFAULT_TARGET_PERCENT, Target
from sutasoma.months import month_start
from wilayah.models import Region

MAX_TARGET = 1_000_000


def default_target(farmers: int) -> int:
    """DEFAULT_TARGET_PERCENT of the farmers, rounded half up (a 0.5 farmer counts)."""
    return (farmers * DEFAULT_TARGET_PERCENT + 50) // 100


def may_set_targets(user: User, kecamatan: Region) -> bool:
    """Dinas of the kecamatan's regency, or an admin."""
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.DINAS and bool(user.regency_id) and kecamatan.parent_id == user.regency_id


def target_set(*, by: User, kecamatan: Region, month: dt.date, value: int) -> Target:
    """A kecamatan's target from `month` on; setting it again for the same month replaces it."""
    if not may_set_targets(by, kecamatan):
        raise PermissionDenied("Target ditetapkan oleh Dinas kabupaten ini.")
    if not 0 < value <= MAX_TARGET:
        raise ValidationError({"value": f"Target harus 1 sampai {MAX_TARGET:,} peserta.".replace(",", ".")})
    with transaction.atomic():
        target, _ = Target.objects.update_or_create(
            kecamatan=kecamatan, valid_from=month_start(month), defaults={"value": value, "set_by": by}
        )
    return target
