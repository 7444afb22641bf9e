"""The monev dashboard (/monev/): the day-5 meeting's figures, from the regency down to one
penyuluh's farmers. HTMX swaps the part below the menu and pushes its address, so the back
button works; without JavaScript every link and the month picker load the whole page."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.models import Role
from accounts.permissions import role_required
from accounts.scope import regency_code_for
from monitoring.area import QUERY_PARAMETERS, Area, area_for
from monitoring.models import Level
from monitoring.monev import dashboard_for, monev_months
from sutasoma.formatting import bulan
from sutasoma.months import add_months

AREA_FIELDS = ("kabupaten", "kecamatan", "desa", "agen")
# The parameter a row of each level drills into.
DRILL = {Level.KECAMATAN: "kecamatan", Level.DESA: "desa", Level.AGENT: "agen"}


class MonevFilter(forms.Form):
    bulan = forms.ChoiceField(
        label="Bulan",
        required=False,
        error_messages={"invalid_choice": "Pilih bulan dari daftar: bulan ini atau 12 bulan sebelumnya."},
    )
    kabupaten = forms.CharField(max_length=13, required=False)
    kecamatan = forms.CharField(max_length=13, required=False)
    desa = forms.CharField(max_length=13, required=False)
    agen = forms.CharField(max_length=20, required=False)

    def __init__(self, *args, months: list[dt.date], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["bulan"].choices = [(f"{month:%Y-%m}", bulan(month)) for month in months]


def _link(**params: str) -> str:
    query = urlencode({name: value for name, value in params.items() if value})
    return f"{reverse('monitoring:dashboard')}?{query}"


def _breadcrumbs(place: Area, *, month: str, own_regency: str) -> list[tuple[str, str]]:
    """(label, address) from the regency down to where the user is; the last one is the page."""
    # The regency is named in the address only when it is not the user's own (an admin's choice).
    regency = "" if place.regency.code == own_regency else place.regency.code
    crumbs = [(str(place.regency), _link(bulan=month, kabupaten=regency))]
    if place.kecamatan:
        crumbs.append((str(place.kecamatan), _link(bulan=month, kecamatan=place.kecamatan.code)))
    if place.village:
        crumbs.append((str(place.village), _link(bulan=month, desa=place.village.code)))
    if place.agent:
        crumbs.append((f"Penyuluh {place.agent}", _link(bulan=month, agen=place.agent.code)))
    return crumbs


def _row_link(level: Level, key: str, *, month: str, under_desa: str) -> str:
    """Where a row drills to; a penyuluh's row under a desa keeps the desa for the breadcrumbs."""
    params = {"bulan": month, DRILL[level]: key}
    if level == Level.AGENT:
        params["desa"] = under_desa
    return _link(**params)


@role_required(Role.KOORDINATOR, Role.DINAS, Role.ADMIN)
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    months = monev_months(today=today)
    form = MonevFilter(request.GET, months=months)
    form.is_valid()
    if any(name in form.errors for name in AREA_FIELDS):
        raise Http404("Wilayah tidak dikenal.")
    chosen = form.cleaned_data.get("bulan")
    month = dt.date.fromisoformat(f"{chosen}-01") if chosen else months[0]
    area = {name: form.cleaned_data[name] for name in AREA_FIELDS if form.cleaned_data[name]}
    place = area_for(request.user, **{name: area.get(parameter, "") for name, parameter in QUERY_PARAMETERS.items()})
    board = dashboard_for(request.user, place, month=month, today=today)

    month_param = f"{month:%Y-%m}"
    under_desa = place.village.code if place.village else ""
    sections = [
        (
            section,
            [
                (row, _row_link(section.level, row.key, month=month_param, under_desa=under_desa))
                for row in section.rows
            ],
        )
        for section in board.sections
    ]
    area_query = urlencode({"bulan": month_param, **area})
    context = {
        "form": form,
        "board": board,
        "place": place,
        "sections": sections,
        "previous_month": add_months(month, -1),
        "is_current_month": month == months[0],
        "crumbs": _breadcrumbs(place, month=month_param, own_regency=regency_code_for(request.user)),
        "area_fields": area,
        "area_query": area_query,
        "agent_villages": place.agent.villages.order_by("code") if place.agent else [],
    }
    template = "monitoring/dashboard.html"
    if request.htmx and request.htmx.target == "monev" and not request.htmx.history_restore_request:
        template += "#monev"
    response = render(request, template, context)
    if request.htmx:
        response["HX-Push-Url"] = f"{request.path}?{area_query}"
    return response
