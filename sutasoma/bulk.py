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


def insert_rows(rows: list[models.Model]) -> list[models.Model]:
    """bulk_create() of new rows of one model, their pks set.

    On PostgreSQL one `INSERT … SELECT FROM UNNEST` of an array per column, whatever the columns:
    Django's own UNNEST insert leaves out tables with a binary column, and the outbox bodies of an
    import batch were then spelled out as 6.500 quoted literals (0,1 ms per imported row).
    Elsewhere (SQLite for `make run`) bulk_create().
    """
    if not rows:
        return rows
    if connection.vendor != "postgresql":
        return type(rows[0])._default_manager.bulk_create(rows)
    meta, quote = rows[0]._meta, connection.ops.quote_name
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    columns = [[field.get_db_prep_save(field.pre_save(row, True), connection) for row in rows] for field in fields]
    arrays = ", ".join(f"%s::{field.cast_db_type(connection).split('(')[0]}[]" for field in fields)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(field.column) for field in fields)})"
            f" SELECT * FROM UNNEST({arrays}) RETURNING {quote(meta.pk.column)}",
            columns,
        )
        for row, (pk,) in zip(rows, cursor.fetchall(), strict=True):
            row.pk, row._state.adding, row._state.db = pk, False, connection.alias
    return rows
