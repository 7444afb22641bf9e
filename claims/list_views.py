"""The claims list (*Klaim*): open claims of the user's area, the held-up ones marked, and totals."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.models import Role
from claims.models import OPEN_STATUSES, ClaimKind, ClaimStatus
from claims.selectors import STUCK_DAYS, claim_totals, claims_for, open_claims
from sutasoma.paging import cursor_row, keyset_page
from wilayah.models import Region

PAGE_SIZE = 25
LIST_ORDER = ("step", "status_since", "pk")  # open_claims' order: the workflow, then the longest waiting
# A value from an old or edited link: said at the field, and the list shown unfiltered.
UNKNOWN_CHOICE = {"invalid_choice": "Pilihan ini tidak dikenal; ditampilkan semua."}


class ClaimFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status",
        choices=[("", "Semua"), *((s, ClaimStatus(s).label) for s in OPEN_STATUSES)],
        required=False,
        error_messages=UNKNOWN_CHOICE,
    )
    jenis = forms.ChoiceField(
        label="Jenis klaim",
        choices=[("", "Semua"), *ClaimKind.choices],
        required=False,
        error_messages=UNKNOWN_CHOICE,
    )

    def filters(self) -> dict[str, str]:
        """The valid filters that are set; a value typed into the address bar by hand is ignored."""
        self.is_valid()
        return {key: value for key, value in self.cleaned_data.items() if value}


@require_GET
def claim_list(request: HttpRequest) -> HttpResponse:
    form = ClaimFilterForm(request.GET)
    filters = form.filters()
    claims = claims_for(request.user)
    chosen = claims
    if "status" in filters:
        chosen = chosen.filter(status=filters["status"])
    if "jenis" in filters:
        chosen = chosen.filter(kind=filters["jenis"])
    now = timezone.now()
    # The page's 25 claims fetch their farmers afterwards: sorted with every farmer joined, an
    # admin's page would join a province's farmers before taking 25.
    waiting = open_claims(chosen.select_related(None), now=now).prefetch_related("farmer__village")
    # Of every claim of the area, paid and refused ones too: the filters choose the list only.
    # An admin's province per regency, as on the home page; a regency or a BPP per kecamatan.
    area = Region.Level.KABUPATEN if request.user.role == Role.ADMIN else Region.Level.KECAMATAN
    totals = claim_totals(claims, now=now, area=area)
    figures = totals.open_figures(status=filters.get("status", ""), kind=filters.get("jenis", ""))
    page = keyset_page(
        waiting,
        order=LIST_ORDER,
        size=PAGE_SIZE,
        after=cursor_row(waiting, request.GET.get("setelah")),
        before=cursor_row(waiting, request.GET.get("sebelum")),
    )
    return render(
        request,
        "claims/list.html",
        {
            "form": form,
            "page": page,
            "count": figures.count,
            "filtered": bool(filters),
            "filters": urlencode(filters),
            "stuck_count": figures.stuck,
            "stuck_days": STUCK_DAYS,
            "totals": totals,
            "per_regency": area == Region.Level.KABUPATEN,
        },
    )
