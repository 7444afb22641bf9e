"""Keyset paging and a capped count, for lists that grow to a million rows.

A page starts right after (or ends right before) a row of the list, found through the index of
the list's order, instead of skipping an OFFSET of rows: the ten-thousandth page costs what the
first does. The count stops at a cap: past it a list reads "lebih dari 1.000", and counting every
row of a province on every page would cost more than the page itself.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Model, Q, QuerySet, Window
from django.db.models.expressions import OrderBy

COUNT_CAP = 1000
CURSOR_DIGITS = 18  # a bigint primary key has at most 19 digits; a longer "cursor" is no row


@dataclass(frozen=True)
class KeysetPage:
    object_list: list[Any]
    has_previous: bool
    has_next: bool
    total: int | None = None  # all the rows, when the page's query counted them on the way

    def __iter__(self) -> Iterator[Any]:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    @property
    def first_pk(self) -> Any:
        return self.object_list[0].pk

    @property
    def last_pk(self) -> Any:
        return self.object_list[-1].pk


def cursor_row(rows: QuerySet, value: str | None) -> Model | None:
    """The row a page starts after or ends before, from the link's `setelah`/`sebelum`: one of
    `rows` (so one the user may see, carrying the annotations the order uses), or none: a stale or
    made-up link then opens the first page."""
    if not value or not (value.isascii() and value.isdigit()) or len(value) > CURSOR_DIGITS:
        return None
    return rows.filter(pk=int(value)).first()


def _beyond(order: Sequence[str], row: Model, direction: str) -> Q:
    """Rows after (`gt`) or before (`lt`) `row` in `order`. The leading `>=` (or `<=`) on the first
    field lets the database start its index scan at the row instead of filtering from the top."""
    values = [getattr(row, field) for field in order]
    beyond = Q(**{f"{order[-1]}__{direction}": values[-1]})
    for field, value in zip(reversed(order[:-1]), reversed(values[:-1]), strict=True):
        beyond = Q(**{f"{field}__{direction}": value}) | (Q(**{field: value}) & beyond)
    return Q(**{f"{order[0]}__{direction}e": values[0]}) & beyond


def ordering(order: Sequence[str], *, descending: bool = False, by_index: bool = True) -> list[OrderBy]:
    """`order` as ORDER BY terms. `by_index=False` puts NULLs on the side no btree index sorts them
    to: the order of NOT NULL fields is the same, but PostgreSQL can no longer walk an index in
    that order. Under a LIMIT it walks one when it expects matches to come soon, and a name
    search's matches ("SITI…") sit together late in the name order, not spread through it."""
    if descending:
        return [F(field).desc(nulls_last=not by_index or None) for field in order]
    return [F(field).asc(nulls_first=not by_index or None) for field in order]


def keyset_page(
    rows: QuerySet,
    *,
    order: Sequence[str],
    size: int,
    after: Model | None = None,
    before: Model | None = None,
    by_index: bool = True,
) -> KeysetPage:
    """The page of `rows` (ordered by `order`, ascending, its last field unique) right after
    `after`, or right before `before`, or the first page. Going back past the start gives the
    first page whole, so the back link of page two always lands on a full page one."""
    if before is not None:
        backwards = rows.filter(_beyond(order, before, "lt")).order_by(
            *ordering(order, descending=True, by_index=by_index)
        )
        chunk = list(backwards[: size + 1])
        if len(chunk) > size:
            return KeysetPage(object_list=chunk[:size][::-1], has_previous=True, has_next=True)
        after = None
    start = rows if after is None else rows.filter(_beyond(order, after, "gt"))
    if after is None and not by_index:
        # Sorting without an index reads every match anyway: count them in the same pass.
        start = start.annotate(_total=Window(Count("pk")))
    chunk = list(start.order_by(*ordering(order, by_index=by_index))[: size + 1])
    total = (chunk[0]._total if chunk else 0) if after is None and not by_index else None
    return KeysetPage(object_list=chunk[:size], has_previous=after is not None, has_next=len(chunk) > size, total=total)


def capped_count(rows: QuerySet, page: KeysetPage, *, cap: int = COUNT_CAP, order: Sequence[OrderBy] = ()) -> int:
    """How many rows, counted no further than `cap + 1`: anything above `cap` reads as "more than".
    A page with no neighbour is the whole list, counted already. `order` is for filters that the
    database would otherwise match by walking an index in an order that meets them late."""
    if not page.has_previous and not page.has_next:
        return len(page)
    if page.total is not None:
        return min(page.total, cap + 1)
    return rows.order_by(*order)[: cap + 1].count()
