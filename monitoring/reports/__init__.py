"""STUB of the report builders' single entry point, so the background exports can be built and
tested on their own branch; the real module replaces this file at merge."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from accounts.models import User

REPORTS = ("monev", "peserta", "iuran", "klaim")


class ReportError(ValueError):
    """A report that cannot be made as asked (an unknown name, a bad period), said in Indonesian."""


def render_report(
    name: str,
    *,
    user: User,
    month: dt.date,
    area: str = "",
    fmt: str = "pdf",
    progress: Callable[[int], None] | None = None,
) -> tuple[bytes, str]:
    if name not in REPORTS:
        raise ReportError(f"Laporan {name!r} tidak dikenal.")
    if progress:
        progress(50)
    return b"%PDF-1.4 stub", "laporan-stub.pdf"
