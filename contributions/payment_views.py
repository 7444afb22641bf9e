"""Recording a farmer's contribution on a home visit, and its receipt."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import Role
from accounts.permissions import role_required
from contributions import services
from contributions.forms import MONTH_CHOICES, PaymentForm
from contributions.insurer import ADVICE
from contributions.models import Payment
from contributions.receipts import receipt_context, receipt_pdf
from contributions.selectors import payments_for
from enrollment.cover import cover_status
from enrollment.selectors import farmer_for_user
from sutasoma.tokens import submission_token


def _months_asked(request: HttpRequest) -> int:
    """The months chosen so far (the quote is redrawn as the agent picks), 1 when unclear."""
    for name in ("other_months", "months"):
        value = request.GET.get(name, "")
        if value.isdigit() and 1 <= int(value) <= 12:
            return int(value)
    return 1


@role_required(Role.PENYULUH)
@require_http_methods(["GET", "POST"])
def payment_new(request: HttpRequest, farmer_pk: int) -> HttpResponse:
    farmer = farmer_for_user(request.user, farmer_pk)
    today = timezone.localdate()
    token = submission_token(request)
    if request.method == "POST":
        if earlier := payments_for(request.user).filter(submission_token=token).first():
            return redirect("contributions:receipt", receipt_no=earlier.receipt_no)  # sent twice
        form = PaymentForm(request.POST)
        if form.is_valid():
            try:
                payment = services.payment_record(
                    user=request.user,
                    farmer=farmer,
                    months=form.cleaned_data["months"],
                    cash_received=form.cleaned_data["cash_received"],
                    submission_token=token,
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, f"Iuran {payment.months} bulan dicatat. Berikan kuitansi kepada petani.")
                return redirect("contributions:receipt", receipt_no=payment.receipt_no)
        months = form.cleaned_data.get("months") if hasattr(form, "cleaned_data") else None
    else:
        months = _months_asked(request)
        form = PaymentForm(initial={"months": months if months in dict(MONTH_CHOICES) else None})
    quote = services.payment_quote(farmer, months=months or 1, paid_on=today)
    template = "contributions/payment_new.html"
    if request.htmx and request.htmx.target == "quote":
        template += "#quote"
    return render(
        request,
        template,
        {
            "farmer": farmer,
            "form": form,
            "token": token,
            "quote": quote,
            "cover": cover_status(
                registration_status=farmer.registration_status, paid_through=farmer.paid_through, today=today
            ),
        },
    )


def _payment_for(request: HttpRequest, receipt_no: str) -> Payment:
    return get_object_or_404(
        payments_for(request.user).select_related("farmer__village__parent__parent", "recorded_by__agent"),
        receipt_no=receipt_no,
    )


@require_GET
def receipt(request: HttpRequest, receipt_no: str) -> HttpResponse:
    payment = _payment_for(request, receipt_no)
    context = receipt_context(payment) | {"advice": [ADVICE.get(e.get("code"), "") for e in payment.insurer_errors]}
    return render(request, "contributions/receipt.html", context)


@require_GET
def receipt_download(request: HttpRequest, receipt_no: str) -> HttpResponse:
    payment = _payment_for(request, receipt_no)
    response = HttpResponse(receipt_pdf(payment), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="kuitansi-{payment.receipt_no}.pdf"'
    return response


@require_GET
def farmer_payments(request: HttpRequest, farmer_pk: int) -> HttpResponse:
    """The farmer's payments, for the farmer page (loaded there by HTMX; a page of its own without it)."""
    farmer = farmer_for_user(request.user, farmer_pk)
    payments = payments_for(request.user).filter(farmer=farmer).order_by("-paid_at")[:24]
    template = "contributions/farmer_payments.html"
    if request.htmx:
        template += "#payments"
    may_record = request.user.role == Role.PENYULUH and not services.payment_refusal(farmer)
    return render(request, template, {"farmer": farmer, "payments": payments, "may_record": may_record})
