"""The participant card for one farmer, and the public page its QR code opens."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from audit.models import Action
from audit.services import access_record
from enrollment.selectors import farmer_for_user
from monitoring.card import card_farmer, card_pdf, card_validity, card_verify_path


@require_GET
def participant_card(request: HttpRequest, pk: int) -> HttpResponse:
    farmer = farmer_for_user(request.user, pk)
    if not farmer.kpj or farmer.anonymised_at:
        raise Http404("Petani ini belum punya KPJ, jadi belum punya kartu peserta.")
    pdf = card_pdf(farmer, verify_url=request.build_absolute_uri(card_verify_path(farmer)), today=timezone.localdate())
    access_record(
        user=request.user,
        action=Action.EXPORT,
        subject=f"petani:{farmer.pk}",
        detail="kartu peserta (PDF)",
        ip_address=request.META.get("REMOTE_ADDR"),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="kartu-peserta-{farmer.kpj}.pdf"'
    return response


@login_not_required
@require_GET
def card_verify(request: HttpRequest, token: str) -> HttpResponse:
    """Public: whoever scans a card (a hospital, the insurer's branch) sees only whether it is valid."""
    farmer = card_farmer(token)
    today = timezone.localdate()
    validity = card_validity(farmer, today=today) if farmer else None
    response = render(request, "monitoring/card_verify.html", {"validity": validity, "today": today})
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
