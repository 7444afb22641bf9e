"""Reports for Dinas as a PDF or a workbook (issue 18): one entry point, render_report(), for the
download page, the background job and `manage.py laporan`.

A report is scoped like the dashboard (monitoring.area.area_for): Dinas their regency, an admin
any, a koordinator only their own kecamatan or a desa in it. Anything outside answers the same
ReportError as an area that does not exist. Every export is written to the access log.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from django.http import Http404
from django.utils import timezone

from accounts.models import Role, User
from audit.models import Action
from audit.services import access_record
from monitoring.area import area_for
from monitoring.reports.builders import BUILDERS, Scope
from monitoring.reports.document import Report
from monitoring.reports.excel import report_xlsx
from monitoring.reports.pdf import report_pdf
from sutasoma.formatting import bulan
from sutasoma.months import month_start

REPORTS = ("monev", "peserta", "iuran", "klaim")
FORMATS = ("pdf", "xlsx")
MAY_EXPORT = (Role.KOORDINATOR, Role.DINAS, Role.ADMIN)
FIRST_MONTH = dt.date(2000, 1, 1)  # before the programme: a typo, not a month anyone means
# A regency (73.12), a kecamatan (73.12.04) or a desa (73.12.04.2009).
_AREA = re.compile(r"[0-9]{2}\.[0-9]{2}(\.[0-9]{2}(\.[0-9]{4})?)?")
_PLACE_PARAMETER = {1: "kabupaten", 2: "kecamatan", 3: "desa"}
OUTSIDE = "Wilayah {code} tidak ditemukan atau di luar wilayah Anda."


class ReportError(ValueError):
    """A report that cannot be made as asked; the message says why, in Indonesian."""


def scope_for(user: User, *, month: dt.date, area: str = "") -> Scope:
    """Where the report looks: the area's code checked against the user's scope; "" is the user's
    whole area (a koordinator's kecamatan)."""
    if user.role not in MAY_EXPORT:
        raise ReportError("Laporan hanya dapat dibuat oleh koordinator BPP, Dinas atau admin.")
    today = timezone.localdate()
    month = month_start(month)
    if month > month_start(today) or month < FIRST_MONTH:
        raise ReportError(f"{bulan(month)} belum berjalan atau di luar masa program.")
    area = area.strip()
    if area and not _AREA.fullmatch(area):
        raise ReportError(f"Kode wilayah {area!r} tidak dikenal. Tulis misalnya 73.12 atau 73.12.04.")
    if not area and user.role == Role.KOORDINATOR and user.bpp_id:
        area = user.bpp.kecamatan_id
    try:
        place = area_for(user, **({_PLACE_PARAMETER[area.count(".")]: area} if area else {}))
    except Http404:
        raise ReportError(OUTSIDE.format(code=area)) from None
    if user.role == Role.KOORDINATOR and place.kecamatan is None:
        # The dashboard shows a koordinator the regency's ranking, never the regency's figures.
        raise ReportError(OUTSIDE.format(code=area))
    return Scope(user=user, place=place, month=month, today=today)


def render_report(
    name: str,
    *,
    user: User,
    month: dt.date,
    area: str = "",
    fmt: str = "pdf",
    progress: Callable[[int], None] | None = None,
) -> tuple[bytes, str]:
    """(file bytes, file name like 'laporan-monev-2026-11-73.12.pdf') of one report for `user`;
    ReportError for a bad name, format, month or an area outside the user's scope. Logs one
    EXPORT entry; calls progress(percent) now and then, 100 at the end."""
    if name not in REPORTS:
        raise ReportError(f"Laporan {name!r} tidak dikenal. Pilih salah satu: {', '.join(REPORTS)}.")
    if fmt not in FORMATS:
        raise ReportError(f"Format {fmt!r} tidak dikenal. Pilih pdf atau xlsx.")
    report_progress = progress or (lambda percent: None)
    scope = scope_for(user, month=month, area=area)
    report_progress(5)
    title, build = BUILDERS[name]
    content = build(scope, report_progress)
    report = Report(
        name=name,
        title=title,
        regency=scope.place.regency.name,
        area=str(scope.region),
        area_code=scope.region.code,
        month=scope.month,
        tables=content.tables,
        charts=content.charts,
        notes=list(content.notes),
        generated_by=user.get_full_name() or user.username,
        generated_at=timezone.now(),
    )
    report_progress(75)
    data = report_pdf(report) if fmt == "pdf" else report_xlsx(report)
    access_record(
        user=user,
        action=Action.EXPORT,
        subject=f"laporan:{name}",
        detail=f"bulan={scope.month:%Y-%m} wilayah={scope.region.code} format={fmt}",
    )
    report_progress(100)
    return data, f"laporan-{name}-{scope.month:%Y-%m}-{scope.region.code}.{fmt}"
