"""HTML to PDF with WeasyPrint, for receipts, participant cards and reports."""

from __future__ import annotations


def pdf_from_html(html: str) -> bytes:
    # WeasyPrint and its font stack are some 20 MB in each process that imports them; most web
    # requests never make a PDF, so a worker loads it on its first one.
    from weasyprint import HTML

    return HTML(string=html).write_pdf()
