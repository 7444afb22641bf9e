"""Where the monev and trend figures come from: the rollup (MonevTally, CollectedTally) that
PostgreSQL triggers keep in the transaction of every change to a farmer or a payment
(docs/architecture.md#figures-at-scale), or, on SQLite (`make run`), the farmers and payments
themselves. Both give the same figures; tests/monitoring/test_rollup.py holds them to it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

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


# The tables whose triggers keep the rollup, and the names the triggers carry (migration 0004).
TRIGGERS = {"enrollment_farmer": "farmers", "contributions_payment": "payments"}


@contextmanager
def rollup_paused() -> Iterator[None]:
    """For a bulk load inside one transaction (gen_synthetic without its indexes): the triggers
    off meanwhile, one full count at the end. A failure rolls back the switch with the load."""

    def switch(state: str) -> None:
        with connection.cursor() as cursor:
            for table, name in TRIGGERS.items():
                for op in ("insert", "update", "delete"):
                    cursor.execute(f"ALTER TABLE {table} {state} TRIGGER monitoring_monev_{name}_{op}")

    if not kept():
        yield
        return
    switch("DISABLE")
    yield
    switch("ENABLE")
    rollup_rebuild()
