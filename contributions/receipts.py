"""The *kuitansi*: what the farmer keeps as proof of the cash handed to the agent."""

from __future__ import annotations

from django.template.loader import render_to_string
from weasyprint import HTML

from contributions.models import Payment


def receipt_context(payment: Payment) -> dict:
    village = payment.farmer.village
    return {
        "payment": payment,
        "farmer": payment.farmer,
        "village": village,
        "kecamatan": village.parent,
        "regency": village.parent.parent,
        "change": payment.cash_received - payment.amount,
        "end_month": payment.end_month,
    }


def receipt_pdf(payment: Payment) -> bytes:
    """A5, one page, with the same content as the printable page; the fonts are the system's."""
    html = render_to_string("contributions/receipt_pdf.html", receipt_context(payment))
    return HTML(string=html).write_pdf()
