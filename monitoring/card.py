"""The participant card (*kartu peserta*): a card-sized PDF with a QR code to a public page that
says only whether the card is valid and until when.

The QR carries a token signed with the project's secret key and its own salt: a card cannot be
forged nor the cards of others found by counting, and the page shows no NIK, name or address.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import segno
from django.core import signing
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from enrollment.cover import CoverStatus, cover_status
from enrollment.models import Farmer
from sutasoma.months import add_months
from sutasoma.pdf import pdf_from_html

CARD_SALT = "monitoring.card.verify"
PROGRAMMES = ("JKK", "JKM")
# Paid months and the grace month after them are covered (enrollment/cover.py).
VALID_STATUSES = (CoverStatus.AKTIF, CoverStatus.MASA_TENGGANG)


def card_token(farmer: Farmer) -> str:
    return signing.dumps(farmer.pk, salt=CARD_SALT)


def card_farmer(token: str) -> Farmer | None:
    """The farmer of a card token, or None for a tampered, unknown or withdrawn card."""
    try:
        pk = signing.loads(token, salt=CARD_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(pk, int):
        return None
    return Farmer.objects.filter(pk=pk, kpj__isnull=False, anonymised_at__isnull=True).first()


@dataclass(frozen=True)
class CardValidity:
    valid: bool
    paid_through: dt.date | None
    valid_until: dt.date | None  # the last day of the grace month
    initials: str


def card_validity(farmer: Farmer, *, today: dt.date) -> CardValidity:
    status = cover_status(registration_status=farmer.registration_status, paid_through=farmer.paid_through, today=today)
    until = add_months(farmer.paid_through, 2) - dt.timedelta(days=1) if farmer.paid_through else None
    return CardValidity(
        valid=status in VALID_STATUSES,
        paid_through=farmer.paid_through,
        valid_until=until,
        initials=" ".join(f"{word[0]}." for word in farmer.name.split() if word),
    )


def card_qr_svg(url: str) -> SafeString:
    """The QR as inline SVG: segno writes only the code's path, no user text."""
    return mark_safe(segno.make(url, error="m").svg_inline(scale=3, border=2))  # noqa: S308


def card_pdf(farmer: Farmer, *, verify_url: str, today: dt.date) -> bytes:
    status = cover_status(registration_status=farmer.registration_status, paid_through=farmer.paid_through, today=today)
    html = render_to_string(
        "monitoring/card_pdf.html",
        {
            "farmer": farmer,
            "status": status,
            "programmes": PROGRAMMES,
            "qr": card_qr_svg(verify_url),
            "verify_url": verify_url,
            "today": today,
        },
    )
    return pdf_from_html(html)


def card_verify_path(farmer: Farmer) -> str:
    return reverse("monitoring:card_verify", args=[card_token(farmer)])
