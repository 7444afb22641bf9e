"""Reporting a claim on a phone, completing its documents, sending it, and following it."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Role
from accounts.permissions import role_required
from claims import services
from claims.forms import ClaimForm, DocumentForm
from claims.models import REQUIRED_DOCUMENTS, Benefit, ClaimStatus, DocumentKind, DocumentStatus
from claims.selectors import claim_for_user, claims_for
from enrollment.ktp import CONTENT_TYPES
from enrollment.selectors import farmer_for_user
from sutasoma.tokens import submission_token


@role_required(Role.PENYULUH)
@require_http_methods(["GET", "POST"])
def claim_new(request: HttpRequest, farmer_pk: int) -> HttpResponse:
    farmer = farmer_for_user(request.user, farmer_pk)
    token = submission_token(request)
    if request.htmx and request.htmx.target == "coverage":
        return render(request, "claims/claim_new.html#coverage", _coverage(farmer, request.GET.get("incident_date")))
    if request.method == "POST":
        if earlier := claims_for(request.user).filter(submission_token=token).first():
            return redirect(earlier)  # sent twice
        form = ClaimForm(request.POST)
        if form.is_valid():
            try:
                claim = services.claim_report(
                    user=request.user, farmer=farmer, fields=form.cleaned_data, submission_token=token
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, "Klaim dicatat. Lengkapi dokumennya, lalu ajukan ke BPJS.")
                return redirect(claim)
    else:
        form = ClaimForm(initial={"incident_date": timezone.localdate()})
    context = {"farmer": farmer, "form": form, "token": token}
    context |= _coverage(farmer, form["incident_date"].value())
    return render(request, "claims/claim_new.html", context)


def _coverage(farmer, value: object) -> dict:
    try:
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    except ValueError:
        return {"coverage": None}
    return {"coverage": services.claim_coverage(farmer, day), "incident_date": day}


@require_GET
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    claim = claim_for_user(request.user, pk)
    documents = {d.kind: d for d in claim.documents.all()}
    checklist = [(DocumentKind(kind), documents.get(kind)) for kind in REQUIRED_DOCUMENTS[claim.kind]]
    is_agent = request.user.role == Role.PENYULUH
    return render(
        request,
        "claims/claim_detail.html",
        {
            "claim": claim,
            "checklist": checklist,
            "coverage": services.claim_coverage(claim.farmer, claim.incident_date),
            "events": claim.events.select_related("by"),
            "benefits": _benefits(claim.kind, claim.incident_date),
            "can_edit_documents": is_agent and claim.status in (ClaimStatus.DILAPORKAN, ClaimStatus.DOKUMEN_LENGKAP),
            "can_replace_refused": is_agent and bool(claim.claim_no),
            "can_submit": is_agent and claim.status == ClaimStatus.DOKUMEN_LENGKAP,
            "document_form": DocumentForm(),
            "refused": DocumentStatus.DITOLAK,
        },
    )


def _benefits(kind: str, day: dt.date) -> list[Benefit]:
    """The benefits in force on the incident date, one per name (the latest before it)."""
    latest: dict[str, Benefit] = {}
    for benefit in Benefit.objects.filter(kind=kind, valid_from__lte=day).order_by("order", "-valid_from"):
        latest.setdefault(benefit.name, benefit)
    return list(latest.values())


@role_required(Role.PENYULUH)
@require_POST
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    claim = claim_for_user(request.user, pk)
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Pilih foto atau PDF dokumen lebih dulu.")
        return redirect(claim)
    kind = form.cleaned_data["kind"]
    try:
        services.document_upload(user=request.user, claim=claim, kind=kind, upload=form.cleaned_data["file"])
    except ValidationError as exc:
        messages.error(request, f"{DocumentKind(kind).label}: {' '.join(exc.messages)}")
    else:
        messages.success(request, f"{DocumentKind(kind).label} tersimpan.")
    return redirect(claim)


@role_required(Role.PENYULUH)
@require_POST
def claim_submit(request: HttpRequest, pk: int) -> HttpResponse:
    claim = claim_for_user(request.user, pk)
    try:
        services.claim_submit(user=request.user, claim=claim)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Klaim diajukan ke BPJS. Statusnya diperbarui di halaman ini.")
    return redirect(claim)


@require_GET
def document_file(request: HttpRequest, pk: int, kind: str) -> FileResponse:
    claim = claim_for_user(request.user, pk)
    document = get_object_or_404(claim.documents, kind=kind)
    extension = document.file.name.rsplit(".", 1)[-1].lower()
    if CONTENT_TYPES.get(extension) is None:
        raise Http404("Dokumen tidak ditemukan.")
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404("Berkas dokumen tidak ditemukan.") from None
    response = FileResponse(
        handle,
        content_type=CONTENT_TYPES[extension],
        as_attachment=extension == "pdf",
        filename=f"klaim-{claim.pk}-{kind.lower()}.{extension}",
    )
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    return response
