"""How money, dates and identity numbers read in Soppeng: `Rp 16.800`, `5 Desember 2024`.

Plain functions, for Python and templates alike; sutasoma/templatetags/formatting.py only
registers them as filters."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

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


def angka(value: int | None) -> str:
    """`20.000`: a count, with dots between the thousands."""
    if value is None:
        return "–"
    return f"{int(value):,}".replace(",", ".")


def rupiah(value: int | None) -> str:
    if value is None:
        return "–"
    return "Rp " + angka(value)


def persen(value: Decimal | None) -> str:
    """`45,3%`: a share with one decimal (half up), a comma for the decimal point."""
    if value is None:
        return "–"
    return f"{Decimal(value).quantize(Decimal('0.1'), ROUND_HALF_UP)}".replace(".", ",") + "%"


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
