"""How money, dates and identity numbers read in Soppeng: `Rp 16.800`, `5 Desember 2024`.

Plain functions, for Python and templates alike; sutasoma/templatetags/formatting.py only
registers them as filters."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from num2words import num2words

MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
MONTHS_SHORT = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")


# For charts and tight columns, where "Rp 1.234.567" does not fit: `Rp 1,2 jt`.
_MONEY_SCALES = ((1_000_000_000_000, "T"), (1_000_000_000, "M"), (1_000_000, "jt"), (1_000, "rb"))


def angka(value: float | None, decimals: int = 0) -> str:
    """`1.234`, `12,5`: a dot between thousands, a comma before decimals; trailing zero decimals
    are dropped, so a whole number never reads `12,0`."""
    if value is None:
        return "–"
    text = f"{value:,.{decimals}f}"
    if decimals:
        text = text.rstrip("0").rstrip(".")
    return text.translate(str.maketrans(",.", ".,"))


def rupiah(value: int | None) -> str:
    if value is None:
        return "–"
    return "Rp " + angka(int(value))


def rupiah_singkat(value: float | None) -> str:
    """`Rp 1,2 jt`, `Rp 250 rb`, `Rp 3 M`: an amount rounded to its scale, for chart axes."""
    if value is None:
        return "–"
    for size, suffix in _MONEY_SCALES:
        if abs(value) >= size:
            return f"Rp {angka(value / size, 1)} {suffix}"
    return rupiah(round(value))


def persen(value: float | None) -> str:
    """`87,5 %`: one decimal at most, a space before the sign as Indonesian style guides write it."""
    if value is None:
        return "–"
    return f"{angka(value, 1)} %"


def rupiah_words(value: int) -> str:
    """`enam belas ribu delapan ratus rupiah`: the amount in words, as a receipt must carry it."""
    return f"{num2words(int(value), lang='id')} rupiah"


def tanggal(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return "–"
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def tanggal_jam(value: dt.datetime | None) -> str:
    if value is None:
        return "–"
    local = timezone.localtime(value)
    return f"{tanggal(local)}, {local:%H.%M} WITA"


def bulan(value: dt.date | None) -> str:
    if value is None:
        return "–"
    return f"{MONTHS[value.month - 1]} {value.year}"


def bulan_singkat(value: dt.date | None) -> str:
    """`Agu 2025`: the month in three letters (Indonesian abbreviations), for chart axes."""
    if value is None:
        return "–"
    return f"{MONTHS_SHORT[value.month - 1]} {value.year}"


def masked_nik(value: str) -> str:
    """`7312••••••••0001`: enough to tell farmers apart in a list, not enough to misuse."""
    if not value or len(value) < 8:
        return value or ""
    return value[:4] + "•" * (len(value) - 8) + value[-4:]


def durasi(value: dt.timedelta | None) -> str:
    """`2 jam 5 menit`, `1 menit 34 detik`: how long something has waited, as people say it."""
    if value is None:
        return "–"
    seconds = int(value.total_seconds())
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, seconds = divmod(rest, 60)
    parts = [(days, "hari"), (hours, "jam"), (minutes, "menit"), (seconds, "detik")]
    words = [f"{n} {unit}" for n, unit in parts if n][:2]
    return " ".join(words) or "0 detik"
