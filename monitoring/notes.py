"""*Catatan monev*: the problems a BPP meeting raises, per agent or desa, and what is to be done.

The koordinator of the kecamatan's BPP writes them (Dinas of its regency and an admin may too).
A month's notes are shown again beside the next month's figures, where the next meeting checks
the follow-ups.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Agent, Role, User
from enrollment.selectors import villages_for
from monitoring.models import MeetingNote
from sutasoma.formatting import bulan
from sutasoma.months import add_months, month_start
from sutasoma.text import TextProblem, normalise_line
from wilayah.models import Region

PROBLEM_MAX = MeetingNote._meta.get_field("problem").max_length
FOLLOW_UP_MAX = MeetingNote._meta.get_field("follow_up").max_length
NOT_YOURS = "Hanya koordinator BPP kecamatan ini, Dinas kabupatennya atau admin yang dapat menulis catatan monev."


@dataclass(frozen=True)
class MonthNotes:
    month: dt.date
    notes: list[MeetingNote]


def may_write_notes(user: User, kecamatan: Region) -> bool:
    match user.role:
        case Role.ADMIN:
            return True
        case Role.DINAS:
            return user.regency_id is not None and user.regency_id == kecamatan.parent_id
        case Role.KOORDINATOR:
            return user.bpp_id is not None and user.bpp.kecamatan_id == kecamatan.code
    return False


def _line(value: str, *, field: str, limit: int, errors: dict[str, str]) -> str:
    """The rule of sutasoma/fields.py LineField, for callers that do not come through a form."""
    try:
        value = normalise_line(value or "")
    except TextProblem as exc:
        errors[field] = str(exc)
        return ""
    if len(value) > limit:
        errors[field] = f"Paling banyak {limit} karakter (terisi {len(value)})."
    return value


def note_write(
    *,
    by: User,
    month: dt.date,
    kecamatan: Region,
    agent: Agent | None = None,
    village: Region | None = None,
    problem: str,
    follow_up: str = "",
) -> MeetingNote:
    """Record a note of the month's meeting, in one transaction. Idempotent: the same note sent
    twice (a double tap, a resend on a bad connection) is saved once and the first returned."""
    if kecamatan.level != Region.Level.KECAMATAN:
        raise ValueError(f"{kecamatan.code} is not a kecamatan")
    if not may_write_notes(by, kecamatan):
        raise PermissionDenied(NOT_YOURS)
    month = month_start(month)
    errors: dict[str, str] = {}
    if month > month_start(timezone.localdate()):
        errors["__all__"] = f"{bulan(month)} belum berjalan; catatan ditulis untuk bulan yang sudah dibahas."
    if agent is not None and agent.bpp.kecamatan_id != kecamatan.code:
        errors["agent"] = f"Penyuluh ini bukan dari {kecamatan}."
    if village is not None and (village.level != Region.Level.DESA or village.parent_id != kecamatan.code):
        errors["village"] = f"Desa/kelurahan ini bukan di {kecamatan}."
    problem = _line(problem, field="problem", limit=PROBLEM_MAX, errors=errors)
    follow_up = _line(follow_up, field="follow_up", limit=FOLLOW_UP_MAX, errors=errors)
    if not problem and "problem" not in errors:
        errors["problem"] = "Tuliskan masalah yang dibahas."
    if errors:
        raise ValidationError(errors)
    fields = {
        "month": month,
        "kecamatan": kecamatan,
        "agent": agent,
        "village": village,
        "problem": problem,
        "follow_up": follow_up,
        "written_by": by,
    }
    with transaction.atomic():
        # One writer per kecamatan at a time: the second of two identical requests waits here for
        # the first, then finds its note instead of saving another. The note has no token column;
        # an identical note from the same writer for the same meeting is never wanted twice.
        Region.objects.select_for_update().get(pk=kecamatan.pk)
        if earlier := MeetingNote.objects.filter(**fields).first():
            return earlier
        return MeetingNote.objects.create(**fields)


def notes_for(user: User, *, month: dt.date, kecamatan: Region | None) -> list[MonthNotes]:
    """The notes of `month` and of the month before (whose follow-ups this meeting checks), for one
    kecamatan or, with None, every kecamatan in the user's scope; newest first."""
    month = month_start(month)
    previous = add_months(month, -1)
    notes = (
        MeetingNote.objects.filter(kecamatan__in=villages_for(user).values("parent_id"), month__in=[month, previous])
        .select_related("kecamatan", "village", "agent__user", "written_by")
        .order_by("-month", "kecamatan_id", "-written_at", "-pk")
    )
    if kecamatan is not None:
        notes = notes.filter(kecamatan=kecamatan)
    rows = list(notes)
    return [MonthNotes(m, [note for note in rows if note.month == m]) for m in (month, previous)]
