"""Reading the audit trail: who looked at personal data, and who changed it, within a viewer's scope.

This app sits below the domain apps and imports none of them: the tracked histories are named
here as app labels and field paths, and resolved through the app registry.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db.models import F, Model, Q, QuerySet, Value
from django.utils import timezone

from accounts.models import Role, User
from audit.models import AccessLog

SUBJECT_PREFIX = "petani:"
MASKED_FIELDS = frozenset({"nik", "no_kk"})
HISTORY_TYPES = {"+": "Dibuat", "~": "Diubah", "-": "Dihapus"}


@dataclass(frozen=True)
class Tracked:
    """One history table on the audit page and how to reach the farmer each of its rows is about."""

    model: str  # app label and model name of the historical model
    label: str
    farmer_field: str  # the farmer's id on a history row
    village_field: str  # the lookup of that farmer's desa code (Region's pk is the dotted code)


TRACKED = (
    Tracked("enrollment.HistoricalFarmer", "Petani", "id", "village__code"),
    Tracked("enrollment.HistoricalHeir", "Ahli waris", "farmer_id", "farmer__village__code"),
    Tracked("contributions.HistoricalPayment", "Pembayaran iuran", "farmer_id", "farmer__village__code"),
)


@dataclass(frozen=True)
class Filters:
    username: str = ""
    action: str = ""  # an Action value for access, a history type (+ ~ -) for changes
    subject: str = ""
    since: dt.date | None = None
    until: dt.date | None = None


def farmer_id_of(subject: str) -> int | None:
    """`petani:42` → 42; anything else → None."""
    number = subject.removeprefix(SUBJECT_PREFIX)
    return int(number) if subject.startswith(SUBJECT_PREFIX) and number.isdigit() else None


def _acting_user_in_regency(user_field: str, regency_id: str) -> Q:
    # The acting user's own anchor: an agent's BPP, a koordinator's BPP, a Dinas regency.
    prefix = regency_id + "."
    return (
        Q(**{f"{user_field}__agent__bpp__kecamatan__code__startswith": prefix})
        | Q(**{f"{user_field}__bpp__kecamatan__code__startswith": prefix})
        | Q(**{f"{user_field}__regency": regency_id})
    )


def _period(field_name: str, filters: Filters) -> Q:
    # Whole local days, as the viewer thinks of them, compared on the indexed timestamp.
    q = Q()
    if filters.since:
        q &= Q(**{f"{field_name}__gte": _local_midnight(filters.since)})
    if filters.until:
        q &= Q(**{f"{field_name}__lt": _local_midnight(filters.until + dt.timedelta(days=1))})
    return q


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def access_entries(viewer: User, filters: Filters) -> QuerySet[AccessLog]:
    """Access log entries the viewer may see, newest first. Dinas sees what people of its regency did."""
    entries = AccessLog.objects.select_related("user")
    if viewer.role == Role.DINAS:
        entries = entries.filter(_acting_user_in_regency("user", viewer.regency_id))
    elif viewer.role != Role.ADMIN:
        return entries.none()
    if filters.username:
        entries = entries.filter(user__username__icontains=filters.username)
    if filters.action:
        entries = entries.filter(action=filters.action)
    if filters.subject:
        entries = entries.filter(subject=filters.subject)
    return entries.filter(_period("at", filters)).order_by("-at", "-id")


def change_rows(viewer: User, filters: Filters) -> QuerySet:
    """One row (`kind`, `history_id`, `history_date`, `farmer_pk`) per change the viewer may see,
    newest first, across all tracked histories: a single query, so it pages like one table."""
    parts = []
    farmer_id = farmer_id_of(filters.subject) if filters.subject else None
    for kind, tracked in enumerate(TRACKED):
        # No ordering inside the parts: SQLite (`make run`) refuses it in a UNION.
        rows = apps.get_model(tracked.model)._default_manager.order_by()
        if viewer.role == Role.DINAS:
            in_regency = Q(**{f"{tracked.village_field}__startswith": viewer.regency_id + "."})
            rows = rows.filter(in_regency | _acting_user_in_regency("history_user", viewer.regency_id))
        elif viewer.role != Role.ADMIN:
            rows = rows.none()
        if filters.username:
            rows = rows.filter(history_user__username__icontains=filters.username)
        if filters.action:
            rows = rows.filter(history_type=filters.action)
        if filters.subject:
            rows = rows.filter(**{tracked.farmer_field: farmer_id}) if farmer_id is not None else rows.none()
        rows = rows.filter(_period("history_date", filters))
        parts.append(
            rows.annotate(kind=Value(kind), farmer_pk=F(tracked.farmer_field)).values(
                "history_id", "history_date", "kind", "farmer_pk"
            )
        )
    first, *rest = parts
    return first.union(*rest, all=True).order_by("-history_date", "-history_id")


@dataclass
class Change:
    """One field's old and new value; `style` tells the template how to show them (masked NIK, date…)."""

    field: str
    old: Any
    new: Any
    style: str = "plain"


@dataclass
class ChangeEntry:
    at: dt.datetime
    user: User | None
    kind: str
    record: str
    farmer_id: int | None
    action: str
    is_farmer: bool = False  # the record is the farmer itself, not one of its heirs or payments
    reason: str = ""
    changes: list[Change] = field(default_factory=list)

    @property
    def subject(self) -> str:
        return f"{SUBJECT_PREFIX}{self.farmer_id}" if self.farmer_id is not None else ""


def change_entries(rows: Iterable[dict[str, Any]]) -> list[ChangeEntry]:
    """The page's rows as the audit page shows them: who, what, and each field's old → new."""
    rows = list(rows)
    wanted: dict[int, list[int]] = defaultdict(list)
    for row in rows:
        wanted[row["kind"]].append(row["history_id"])
    records = {}
    for kind, ids in wanted.items():
        model = apps.get_model(TRACKED[kind].model)
        for record in model._default_manager.filter(history_id__in=ids).select_related("history_user"):
            records[kind, record.history_id] = record
    return [_entry(TRACKED[row["kind"]], records[row["kind"], row["history_id"]]) for row in rows]


def _entry(tracked: Tracked, record: Model) -> ChangeEntry:
    farmer_id = getattr(record, tracked.farmer_field)
    entry = ChangeEntry(
        at=record.history_date,
        user=record.history_user,
        kind=tracked.label,
        record=f"{tracked.label} #{record.id}",
        farmer_id=farmer_id,
        is_farmer=tracked.farmer_field == "id",
        action=HISTORY_TYPES.get(record.history_type, record.history_type),
        reason=record.history_change_reason or "",
    )
    if record.history_type == "~" and (previous := record.prev_record) is not None:
        model = type(record)
        entry.changes = [
            Change(
                field=str(model._meta.get_field(change.field).verbose_name),
                old=_plain(change.old),
                new=_plain(change.new),
                style=_style(change.field, change.new if change.new not in (None, "") else change.old),
            )
            for change in record.diff_against(previous).changes
        ]
    return entry


def _style(name: str, value: Any) -> str:
    if name in MASKED_FIELDS:
        return "nik"
    if name.startswith("ktp"):
        return "file"  # a path says nothing to a reader
    if isinstance(value, dt.datetime):
        return "when"
    if isinstance(value, dt.date):
        return "day"
    return "plain"


def _plain(value: Any) -> Any:
    # The insurer's errors are a list of dicts: their codes are what a reader can compare.
    if isinstance(value, list):
        return ", ".join(str(item.get("code", "")) if isinstance(item, dict) else str(item) for item in value)
    return value
