"""A report as an A4 PDF (WeasyPrint): the district's header, the period, who made it and when,
"Halaman X dari Y" from the @page counters, the tables and, in the monev report, the charts."""

from __future__ import annotations

from django.template.loader import render_to_string

from monitoring.reports.document import Report
from sutasoma.pdf import pdf_from_html

# Wide tables (the monev figures have thirteen columns) need the page turned.
LANDSCAPE = ("monev", "iuran")


def report_pdf(report: Report) -> bytes:
    html = render_to_string("monitoring/reports/report.html", {"report": report, "landscape": report.name in LANDSCAPE})
    return pdf_from_html(html)
