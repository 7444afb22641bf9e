"""The *kuitansi*: what the farmer keeps as proof of the cash handed to the agent."""

from __future__ import annotations

from django.template.loader import render_to_string

from contributions.models import Payment
from sutasoma.formatting import bulan, rupiah, rupiah_words, tanggal
from sutasoma.pdf import pdf_from_html
from sutasoma.whatsapp import whatsapp_link


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
        "share_link": whatsapp_link(payment.farmer.phone, receipt_share_text(payment)),
    }


def receipt_share_text(payment: Payment) -> str:
    """What the farmer receives on WhatsApp: enough to prove the payment without the app."""
    text = (
        f"Kuitansi iuran BPJS Ketenagakerjaan {payment.receipt_no}: {payment.farmer.name}, "
        f"KPJ {payment.farmer.kpj or '(menunggu dari BPJS)'}, iuran {payment.months} bulan "
        f"{bulan(payment.start_month)}–{bulan(payment.end_month)}, {rupiah(payment.amount)} "
        f"({rupiah_words(payment.amount)}), diterima {tanggal(payment.paid_at)}."
    )
    if payment.transaction_no:
        text += f" Nomor transaksi BPJS: {payment.transaction_no}."
    return text


def receipt_pdf(payment: Payment) -> bytes:
    """A5, one page, with the same content as the printable page; the fonts are the system's."""
    html = render_to_string("contributions/receipt_pdf.html", receipt_context(payment))
    return pdf_from_html(html)
