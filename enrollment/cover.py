"""Cover as the insurer computes it (docs/insurer-contract.md), from *lunas sampai* (the last paid month).

Paid months are covered; the month right after is the grace month (*masa tenggang*), still
counted as active; from the second month after, the participant is *tidak aktif*.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q

from sutasoma.months import add_months, month_start


class CoverStatus(models.TextChoices):
    MENUNGGU_KPJ = "MENUNGGU_KPJ", "Menunggu KPJ"
    DITOLAK = "DITOLAK", "Ditolak BPJS"
    BELUM_BAYAR = "BELUM_BAYAR", "Belum bayar iuran"
    AKTIF = "AKTIF", "Aktif"
    MASA_TENGGANG = "MASA_TENGGANG", "Masa tenggang"
    TIDAK_AKTIF = "TIDAK_AKTIF", "Tidak aktif"


def cover_status(*, registration_status: str, paid_through: dt.date | None, today: dt.date) -> CoverStatus:
    if registration_status != "TERDAFTAR":
        return CoverStatus(registration_status)
    if paid_through is None:
        return CoverStatus.BELUM_BAYAR
    this_month = month_start(today)
    if paid_through >= this_month:
        return CoverStatus.AKTIF
    if paid_through == add_months(this_month, -1):
        return CoverStatus.MASA_TENGGANG
    return CoverStatus.TIDAK_AKTIF


def cover_status_q(status: str, *, today: dt.date, prefix: str = "") -> Q:
    """The same rule as cover_status(), as a filter the database can use on an index."""
    this_month = month_start(today)
    grace = add_months(this_month, -1)
    registered = Q(**{f"{prefix}registration_status": "TERDAFTAR"})
    paid = f"{prefix}paid_through"
    match status:
        case CoverStatus.MENUNGGU_KPJ | CoverStatus.DITOLAK:
            return Q(**{f"{prefix}registration_status": status})
        case CoverStatus.BELUM_BAYAR:
            return registered & Q(**{f"{paid}__isnull": True})
        case CoverStatus.AKTIF:
            return registered & Q(**{f"{paid}__gte": this_month})
        case CoverStatus.MASA_TENGGANG:
            return registered & Q(**{paid: grace})
        case CoverStatus.TIDAK_AKTIF:
            return registered & Q(**{f"{paid}__lt": grace})
    raise ValueError(f"unknown cover status {status!r}")
