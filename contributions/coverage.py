"""Was a farmer covered on a given day? Claims ask it of an incident date (docs/domain-rules.md#cover).

Answered from the payments the insurer confirmed, month by month, so a lapse and a restart leave
the gap between them uncovered, as the insurer counts it; `lunas sampai` alone cannot tell.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from contributions.models import Payment, PaymentStatus
from enrollment.models import Farmer, RegistrationStatus
from sutasoma.formatting import bulan
from sutasoma.months import add_months, month_start


@dataclass(frozen=True)
class Coverage:
    covered: bool
    reason: str  # for the agent and the family, in Indonesian


def _paid_months(payments: list[Payment]) -> set[dt.date]:
    return {add_months(p.start_month, i) for p in payments for i in range(p.months)}


def covered_on(farmer: Farmer, day: dt.date) -> Coverage:
    if farmer.registration_status != RegistrationStatus.TERDAFTAR:
        return Coverage(False, "Pendaftaran belum diterima BPJS pada tanggal itu.")
    month = month_start(day)
    payments = list(farmer.payments.exclude(status=PaymentStatus.DITOLAK))
    confirmed = _paid_months([p for p in payments if p.status == PaymentStatus.TERKONFIRMASI])
    if month in confirmed:
        return Coverage(True, f"Iuran {bulan(month)} sudah dibayar dan dikonfirmasi BPJS.")
    if month in _paid_months(payments):
        return Coverage(False, f"Iuran {bulan(month)} sudah dicatat tetapi belum dikonfirmasi BPJS.")
    if not confirmed:
        return Coverage(False, "Petani belum pernah membayar iuran yang dikonfirmasi BPJS.")
    if month < min(confirmed):
        return Coverage(False, f"Kejadian sebelum bulan pertama yang dibayar ({bulan(min(confirmed))}).")
    if add_months(month, -1) in confirmed:
        return Coverage(
            False, f"{bulan(month)} adalah masa tenggang: bulan setelah lunas sampai tidak ditanggung untuk klaim."
        )
    return Coverage(False, f"Kepesertaan tidak aktif pada {bulan(month)}: iuran bulan itu tidak dibayar.")
