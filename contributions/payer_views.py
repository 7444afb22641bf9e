"""Payers, managed by Dinas for their regency (an admin for any): list, add, edit, deactivate."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Case, Count, IntegerField, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import Role
from accounts.permissions import role_required
from contributions.models import Payment
from contributions.payer_forms import PayerForm
from contributions.selectors import payers_for
from sutasoma.paging import cursor_row, keyset_page

MANAGERS = (Role.DINAS, Role.ADMIN)


PAGE_SIZE = 25
# Active payers first, then by kind and name; `retired` is 1 for a payer no longer active.
LIST_ORDER = ("retired", "source", "name", "pk")


@role_required(*MANAGERS)
@require_GET
def payer_list(request: HttpRequest) -> HttpResponse:
    """A province has a dana desa payer per village (3.059) and millions of payments: the list
    pages, and counts the payments of the page's payers only."""
    payers = payers_for(request.user).annotate(
        retired=Case(When(is_active=True, then=Value(0)), default=Value(1), output_field=IntegerField())
    )
    page = keyset_page(
        payers,
        order=LIST_ORDER,
        size=PAGE_SIZE,
        after=cursor_row(payers, request.GET.get("setelah")),
        before=cursor_row(payers, request.GET.get("sebelum")),
    )
    counts = dict(
        Payment.objects.filter(payer__in=[payer.pk for payer in page])
        .order_by()
        .values_list("payer")
        .annotate(n=Count("*"))  # not a column: PostgreSQL counts the index entries alone
    )
    for payer in page:
        payer.payment_count = counts.get(payer.pk, 0)
    return render(request, "contributions/payer_list.html", {"page": page})


@role_required(*MANAGERS)
@require_http_methods(["GET", "POST"])
def payer_new(request: HttpRequest) -> HttpResponse:
    form = PayerForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid() and (payer := form.save_for()):
        messages.success(request, f"Pembayar ditambahkan: {payer}.")
        return redirect("contributions:payer_list")
    return render(request, "contributions/payer_form.html", {"form": form})


@role_required(*MANAGERS)
@require_http_methods(["GET", "POST"])
def payer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    payer = get_object_or_404(payers_for(request.user), pk=pk)
    form = PayerForm(request.POST or None, instance=payer, user=request.user)
    if request.method == "POST" and form.is_valid() and (saved := form.save_for()):
        state = "" if saved.is_active else " (tidak aktif)"
        messages.success(request, f"Pembayar disimpan: {saved}{state}.")
        return redirect("contributions:payer_list")
    return render(request, "contributions/payer_form.html", {"form": form, "payer": payer})
