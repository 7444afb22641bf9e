"""The insurer's business rules: WITA calendar, contribution amounts, cover and age.

Months are handled as integers (``year * 12 + month - 1``) so that "the month after" and
"the second month after" are plain arithmetic.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import UTC, date, datetime, timedelta, timezone

WITA = timezone(timedelta(hours=8), "WITA")

PENGHASILAN_MIN = 1_000_000
PENGHASILAN_MAX = 20_700_000
JKM_MONTHLY = 6_800
JUMLAH_BULAN_MAX = 12
AGE_MIN = 15
AGE_MAX = 65
TANGGAL_BAYAR_MAX_AGE = timedelta(days=62)
# The contract lets clocks disagree by 300 s for signatures; a payment stamped "now" by a
# client whose clock runs a little ahead must not look like a payment from the future.
CLOCK_TOLERANCE = timedelta(seconds=300)

AKTIF = "AKTIF"
TERDAFTAR = "TERDAFTAR"
TIDAK_AKTIF = "TIDAK_AKTIF"

_MONTH_RE = re.compile(r"([0-9]{4})-([0-9]{2})")


def wita_now(now: float) -> datetime:
    return datetime.fromtimestamp(now, UTC).astimezone(WITA)


def month_of(day: date) -> int:
    return day.year * 12 + day.month - 1


def parse_month(text: object) -> int | None:
    if not isinstance(text, str) or not (match := _MONTH_RE.fullmatch(text)):
        return None
    year, month = int(match[1]), int(match[2])
    if not 1 <= month <= 12 or year < 1:
        return None
    return year * 12 + month - 1


def format_month(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def monthly_contribution(penghasilan: int, program: Collection[str]) -> int:
    jkk = penghasilan * 1 // 100
    jht = penghasilan * 2 // 100 if "JHT" in program else 0
    return jkk + JKM_MONTHLY + jht


def coverage_status(lunas_sampai: int | None, month: int) -> str:
    """Status in ``month``: paid months and the grace month after them count as active."""
    if lunas_sampai is None:
        return TERDAFTAR
    return AKTIF if month <= lunas_sampai + 1 else TIDAK_AKTIF


def first_month_due(lunas_sampai: int | None, payment_month: int) -> int:
    """The only ``bulan_mulai`` a payment made in ``payment_month`` may start with."""
    if lunas_sampai is not None and coverage_status(lunas_sampai, payment_month) == AKTIF:
        return lunas_sampai + 1
    # Nothing paid yet, or lapsed: cover starts in the month of payment, never earlier.
    return payment_month


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
