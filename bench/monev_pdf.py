"""The monthly monev PDF of the regency next to WeasyPrint's time for the same HTML: what the
report adds to the PDF engine it cannot do without."""

from __future__ import annotations

import time

from django.utils import timezone

import monitoring.reports.pdf as pdf
from accounts.models import User
from monitoring.reports import render_report
from sutasoma.pdf import pdf_from_html


def report_times(admin: User) -> dict[str, float]:
    """Seconds for the monev PDF of the regency, and for WeasyPrint alone on the HTML it rendered."""
    rendered: list[str] = []

    def keep(html: str) -> bytes:
        rendered.append(html)
        return pdf_from_html(html)

    pdf.pdf_from_html = keep
    month = timezone.localdate().replace(day=1)
    try:
        render_report("monev", user=admin, month=month, area="73.12")  # warms fonts and caches, as a server would
        started = time.perf_counter()
        render_report("monev", user=admin, month=month, area="73.12")
        whole = time.perf_counter() - started
    finally:
        pdf.pdf_from_html = pdf_from_html
    started = time.perf_counter()
    pdf_from_html(rendered[0])
    alone = time.perf_counter() - started
    return {"report_s": round(whole, 2), "weasyprint_alone_s": round(alone, 2), "ratio": round(whole / alone, 2)}
