"""Many rows, each with its own values, changed by one statement."""

from __future__ import annotations

from typing import Any

from django.db import connection, models


def update_rows(model: type[models.Model], rows: dict[Any, dict[str, Any]]) -> None:
    """Set each row's own values: pk -> {field: value}, the same fields for all.

    On PostgreSQL one `UPDATE … FROM (VALUES …)`: bulk_update's CASE per row and field costs
    more to build than the statement costs to run. Elsewhere (SQLite for `make run`) row by row.
    """
    if not rows:
        return
    if connection.vendor != "postgresql":
        for pk, values in rows.items():
            model._default_manager.filter(pk=pk).update(**values)
        return
    meta, quote = model._meta, connection.ops.quote_name
    fields = [meta.get_field(name) for name in next(iter(rows.values()))]
    one = "(" + ", ".join(f"%s::{field.cast_db_type(connection)}" for field in [meta.pk, *fields]) + ")"
    params: list[Any] = []
    for pk, values in rows.items():
        params += [pk, *(field.get_db_prep_save(values[field.name], connection) for field in fields)]
    assignments = [f"{quote(f.column)} = v.{quote(f.column)}" for f in fields]
    names = ", ".join(quote(f.column) for f in [meta.pk, *fields])
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(meta.db_table)} AS t SET {', '.join(assignments)} "
            f"FROM (VALUES {', '.join([one] * len(rows))}) AS v ({names}) "
            f"WHERE t.{quote(meta.pk.column)} = v.{quote(meta.pk.column)}",
            params,
        )
