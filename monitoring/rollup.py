"""Where the monev and trend figures come from: the rollup (MonevTally, CollectedTally) that
PostgreSQL triggers keep in the transaction of every change to a farmer or a payment
(docs/architecture.md#figures-at-scale), or, on SQLite (`make run`), the farmers and payments
themselves. Both give the same figures; tests/monitoring/test_rollup.py holds them to it."""

from __future__ import annotations

from django.db import connection, transaction

from monitoring.models import MonevTally


def kept() -> bool:
    """PostgreSQL 15 or newer keeps the rollup (its unique keys have a NULL penyuluh)."""
    return connection.features.supports_nulls_distinct_unique_constraints


def rollup_rebuild() -> int:
    """Count the rollup again from the farmers and payments (`manage.py rekap_monev`); returns
    its rows. Writers wait meanwhile (SHARE locks), readers do not; a no-op on SQLite."""
    if not kept():
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT monitoring_monev_rebuild()")
    return MonevTally.objects.count()
