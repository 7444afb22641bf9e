"""Dinas sets a kecamatan's target instead of 35 % of its farmers."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts.models import Role
from accounts.permissions import role_required
from accounts.scope import regency_code_for
from monitoring.models import Target
from monitoring.targets import MAX_TARGET, target_set
from sutasoma.months import month_start
from wilayah.models import Region


class TargetForm(forms.Form):
    kecamatan = forms.CharField(max_length=13, widget=forms.HiddenInput)
    value = forms.IntegerField(label="Target peserta aktif", min_value=1, max_value=MAX_TARGET)


@role_required(Role.DINAS, Role.ADMIN)
@require_http_methods(["GET", "POST"])
def targets(request: HttpRequest) -> HttpResponse:
    regency = get_object_or_404(Region, code=regency_code_for(request.user), level=Region.Level.KABUPATEN)
    month = month_start(timezone.localdate())
    if request.method == "POST":
        form = TargetForm(request.POST)
        if form.is_valid():
            kecamatan = get_object_or_404(
                Region, code=form.cleaned_data["kecamatan"], parent=regency, level=Region.Level.KECAMATAN
            )
            try:
                target_set(by=request.user, kecamatan=kecamatan, month=month, value=form.cleaned_data["value"])
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, f"Target {kecamatan} disimpan, berlaku mulai bulan ini.")
            return redirect("monitoring:targets")
        messages.error(request, "Target harus bilangan bulat 1 atau lebih.")
        return redirect("monitoring:targets")
    kecamatans = Region.objects.filter(parent=regency, level=Region.Level.KECAMATAN).order_by("name")
    in_force = {
        t.kecamatan_id: t
        for t in Target.objects.filter(kecamatan__in=kecamatans, valid_from__lte=month).order_by("valid_from")
    }
    rows = [(kecamatan, in_force.get(kecamatan.code)) for kecamatan in kecamatans]
    return render(request, "monitoring/targets.html", {"regency": regency, "rows": rows, "month": month})
