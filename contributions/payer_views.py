"""Payers, managed by Dinas for their regency (an admin for any): list, add, edit, deactivate."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import Role
from accounts.permissions import role_required
from contributions.payer_forms import PayerForm
from contributions.selectors import payers_for

MANAGERS = (Role.DINAS, Role.ADMIN)


@role_required(*MANAGERS)
@require_GET
def payer_list(request: HttpRequest) -> HttpResponse:
    payers = payers_for(request.user).annotate(payment_count=Count("payments")).order_by("-is_active", "source", "name")
    return render(request, "contributions/payer_list.html", {"payers": payers})


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
