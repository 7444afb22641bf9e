"""The monthly monev PDF of the regency next to WeasyPrint's time for the same HTML: what the
report adds to the PDF engine it cannot do without."""

from __future__ import annotations

import time

from django.utils import timezone

import monitoring.reports.pdf as pdf
from accounts.models import User
from monitoring.reports import render_report


def report_times(admin: User) -> dict[str, float]:
    """Seconds for the monev PDF of the regency, and for WeasyPrint alone on the HTML it rendered."""
    rendered: list[str] = []
    weasyprint_html = pdf.HTML

    def keep(*, string: str):
        rendered.append(string)
        return weasyprint_html(string=string)

    pdf.HTML = keep
    month = timezone.localdate().replace(day=1)
    try:
        render_report("monev", user=admin, month=month, area="73.12")  # warms fonts and caches, as a server would
        started = time.perf_counter()
        render_report("monev", user=admin, month=month, area="73.12")
        whole = time.perf_counter() - started
    finally:
        pdf.HTML = weasyprint_html
    started = time.perf_counter()
    weasyprint_html(string=rendered[0]).write_pdf()
    alone = time.perf_counter() - started
    return {"report_s": round(whole, 2), "weasyprint_alone_s": round(alone, 2), "ratio": round(whole / alone, 2)}
