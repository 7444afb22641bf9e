"""The meeting notes of the monitoring dashboard (/monev/catatan/): the list of the month and the
month before, and a form for who may write. A fragment the dashboard loads and posts with HTMX,
and a small page of its own without HTMX."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts.models import Agent, Role
from accounts.permissions import role_required
from monitoring.area import Area, area_from_query, month_from_query
from monitoring.notes import FOLLOW_UP_MAX, PROBLEM_MAX, may_write_notes, note_write, notes_for
from sutasoma.fields import LineField
from wilayah.models import Region

TEMPLATE = "monitoring/notes.html"


class NoteForm(forms.Form):
    agent = forms.ModelChoiceField(
        label="Penyuluh",
        queryset=Agent.objects.none(),
        to_field_name="code",
        required=False,
        empty_label="Tidak untuk penyuluh tertentu",
        error_messages={"invalid_choice": "Pilih penyuluh dari daftar."},
    )
    village = forms.ModelChoiceField(
        label="Desa/kelurahan",
        queryset=Region.objects.none(),
        required=False,
        empty_label="Tidak untuk desa tertentu",
        error_messages={"invalid_choice": "Pilih desa/kelurahan dari daftar."},
    )
    problem = LineField(
        label="Masalah",
        max_length=PROBLEM_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Tuliskan masalah yang dibahas."},
    )
    follow_up = LineField(
        label="Tindak lanjut", max_length=FOLLOW_UP_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, kecamatan: Region, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = Agent.objects.filter(bpp__kecamatan=kecamatan).select_related("user", "bpp")
        self.fields["village"].queryset = Region.objects.filter(parent=kecamatan, level=Region.Level.DESA)


def _page_query(month: dt.date, area: Area) -> str:
    return urlencode({"bulan": f"{month:%Y-%m}", **area.query})


@role_required(Role.KOORDINATOR, Role.DINAS, Role.ADMIN)
@require_http_methods(["GET", "POST"])
def notes(request: HttpRequest) -> HttpResponse:
    month, month_error = month_from_query(request.GET.get("bulan", ""), today=timezone.localdate())
    area = area_from_query(request.user, request.GET)
    kecamatan = area.kecamatan
    writable = kecamatan is not None and may_write_notes(request.user, kecamatan)
    form = NoteForm(request.POST if request.method == "POST" else None, kecamatan=kecamatan) if writable else None
    saved = False
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("Pilih kecamatan yang boleh Anda tulisi catatan.")
        if month_error:
            form.add_error(None, month_error)  # never saved under another month than the one shown
        elif form.is_valid():
            try:
                note_write(by=request.user, month=month, kecamatan=kecamatan, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                saved = True
        if saved and not request.htmx:
            messages.success(request, "Catatan monev disimpan.")
            return redirect(f"{reverse('monitoring:notes')}?{_page_query(month, area)}")
        if saved:
            form = NoteForm(kecamatan=kecamatan)  # a fresh form for the next note
    context = {
        "area": area,
        "month": month,
        "month_error": month_error,
        "groups": notes_for(request.user, month=month, kecamatan=kecamatan),
        "form": form,
        "saved": saved,
        "query": _page_query(month, area),
    }
    return render(request, f"{TEMPLATE}#notes" if request.htmx else TEMPLATE, context)
