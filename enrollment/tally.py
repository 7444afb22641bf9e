"""Farmer counts of a user's area by registration status, *lunas sampai* and desa: from
FarmerTally on PostgreSQL, where triggers keep it in the transaction of every change to a farmer
(docs/architecture.md#figures-at-scale), and from the farmers themselves on SQLite (`make run`).

Filters may name `registration_status`, `paid_through`, `anonymised` and `payment_waiting`, the
fields both share, so enrollment.cover.cover_status_q() and the visit window apply to either unchanged.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models import Aggregate, BooleanField, Count, Expression, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import Left

from accounts.models import User
from accounts.scope import region_filter
from enrollment.models import Farmer, FarmerTally
from wilayah.models import Region

# Kemendagri codes have fixed widths, so a kecamatan's or regency's code begins its desa's.
AREA_CODE_LENGTH = {Region.Level.KABUPATEN: len("73.12"), Region.Level.KECAMATAN: len("73.12.04")}


def _kept() -> bool:
    """PostgreSQL 15 or newer keeps the tally (its unique key has a NULL lunas sampai)."""
    return connection.features.supports_nulls_distinct_unique_constraints


def _counted(user: User, filter: Q | None = None) -> tuple[QuerySet, Aggregate]:
    """The rows of the user's area, and what counts their farmers (matching `filter`, if given)."""
    if _kept():
        rows = FarmerTally.objects.filter(region_filter(user, "village__code"))
        return rows, Sum("farmers", filter=filter, default=0)
    farmers = Farmer.objects.filter(region_filter(user, "village__code")).annotate(
        anonymised=ExpressionWrapper(Q(anonymised_at__isnull=False), output_field=BooleanField())
    )
    return farmers, Count("pk", filter=filter)


def farmer_counts_per_area(user: User, level: Region.Level, **filters: Q) -> dict[str, dict[str, int]]:
    """Per desa, kecamatan or regency (`level`) of the user's area: how many farmers match each
    filter, by name, and `total`; an area without farmers is absent. One pass over the rows, with
    filtered sums: a province's 100.000 tally rows take a third of the time that grouping them
    first would (27 against 80 ms at 1M farmers), and the areas come with the same pass."""
    rows, total = _counted(user)
    per_area = (
        rows.order_by()
        .values(key=_area_key(level))
        .annotate(total=total, **{name: _counted(user, q)[1] for name, q in filters.items()})
    )
    return {row.pop("key"): row for row in per_area if row["total"]}


def farmer_counts_by_village(user: User, where: Q | None = None) -> dict[str, int]:
    """How many farmers of the user's area (matching `where`, if given) live in each desa; a desa
    without any is absent."""
    return _counted_per(user, F("village_id"), where)


def farmer_counts_by_area(user: User, level: Region.Level, where: Q | None = None) -> dict[str, int]:
    """How many farmers of the user's area (matching `where`, if given) live in each kecamatan or
    regency (`level`), counted in the database: an admin's province is 24 rows, not 3.059."""
    return _counted_per(user, _area_key(level), where)


def _area_key(level: Region.Level) -> Expression | F:
    return F("village_id") if level == Region.Level.DESA else Left("village_id", AREA_CODE_LENGTH[level])


def _counted_per(user: User, key: Expression | F, where: Q | None) -> dict[str, int]:
    rows, count = _counted(user)
    per_key = rows.filter(where or Q()).order_by().values(key=key).annotate(n=count)
    return {row["key"]: row["n"] for row in per_key if row["n"]}


def tally_rebuild() -> int:
    """Count the tally again from the farmers (`manage.py rekap_petani`); returns its rows.
    Writers wait meanwhile (SHARE lock), readers do not; a no-op on SQLite."""
    if not _kept():
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("LOCK TABLE enrollment_farmer IN SHARE MODE")
        cursor.execute("DELETE FROM enrollment_farmertally")
        cursor.execute(
            "INSERT INTO enrollment_farmertally"
            " (village_id, registration_status, paid_through, anonymised, payment_waiting, farmers)"
            " SELECT village_id, registration_status, paid_through, anonymised_at IS NOT NULL, payment_waiting,"
            " COUNT(*) FROM enrollment_farmer GROUP BY 1, 2, 3, 4, 5"
        )
        return cursor.rowcount
