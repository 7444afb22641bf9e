"""The visit list (*Kunjungan*): whom to remind of their contribution, per penyuluh."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.models import Role
from contributions import visits
from enrollment.models import Farmer
from enrollment.selectors import areas_for, farmers_for, villages_for
from sutasoma.paging import cursor_row
from wilayah.models import Region

FIRST_PER_VILLAGE = 10  # an agent's page: the most urgent of each desa, the rest a tap away
PAGE_SIZE = 25  # a desa's own list
VILLAGE_CODE = re.compile(r"[0-9]{2}\.[0-9]{2}\.[0-9]{2}\.[0-9]{4}")
REGENCY_CODE = re.compile(r"[0-9]{2}\.[0-9]{2}")


@require_GET
def visit_list(request: HttpRequest) -> HttpResponse:
    """A penyuluh sees the most urgent farmers of each of their desa, and a desa's whole list
    (?desa=CODE) page by page. The others choose a penyuluh of their area (?agen=CODE) and see
    the same; without one a koordinator sees their BPP and Dinas their regency, as counts. The
    admin sees the province as counts per regency, and a regency (?wilayah=CODE) as Dinas does."""
    user = request.user
    today = timezone.localdate()
    agent = None
    if user.role == Role.PENYULUH:
        agent = getattr(user, "agent", None)
    elif code := request.GET.get("agen", ""):
        # A penyuluh outside the user's area answers 404, like one that does not exist.
        agent = get_object_or_404(visits.agents_for(user), code=code)
    farmers = farmers_for(user)
    villages = villages_for(user)
    if agent is not None and user.role != Role.PENYULUH:
        farmers = farmers.filter(village__in=agent.villages.all())
        villages = villages.filter(agents=agent)
    context: dict = {"agent": agent, "chosen": agent if user.role != Role.PENYULUH else None}
    if agent is not None and user.role == Role.ADMIN:
        # Back from a penyuluh to the kecamatan of their regency, where the admin found them.
        context["summary"] = urlencode({"wilayah": agent.bpp.kecamatan_id.rsplit(".", 1)[0]})
    if "desa" in request.GET:
        return _village(request, farmers, villages, today=today, context=context)
    if agent is not None or user.role == Role.PENYULUH:
        groups = visits.visit_list(farmers, today=today, agent=agent, first=FIRST_PER_VILLAGE)
        context["section"] = visits.AgentVisits(agent, groups)
    elif user.role == Role.KOORDINATOR:
        context["by_agent"] = visits.visits_by_agent(user, today=today)
    elif (regency := _regency(request)) is None and user.role == Role.ADMIN:
        context["regencies"] = visits.visits_per_regency(user, today=today)
    else:
        area = regency.code if regency else ""
        context |= {"regency": regency, "overview": visits.visit_counts(user, today=today, area=area)}
    return render(request, "contributions/visit_list.html", context)


def _regency(request: HttpRequest) -> Region | None:
    """The regency chosen (?wilayah=CODE), if any; one outside the user's area is a 404."""
    if "wilayah" not in request.GET:
        return None
    code = request.GET["wilayah"]
    if not REGENCY_CODE.fullmatch(code):
        raise Http404("Kabupaten/kota tidak ditemukan.")
    return get_object_or_404(areas_for(request.user, Region.Level.KABUPATEN), code=code)


def _village(
    request: HttpRequest, farmers: QuerySet[Farmer], villages: QuerySet[Region], *, today: dt.date, context: dict
) -> HttpResponse:
    """One desa's farmers to visit, page by page; a desa outside the list's scope is a 404."""
    code = request.GET.get("desa", "")
    if not VILLAGE_CODE.fullmatch(code):
        raise Http404("Desa tidak ditemukan.")
    village = get_object_or_404(villages, code=code)
    rows = visits.village_rows(farmers, village, today=today)
    group, page = visits.village_page(
        farmers,
        village,
        today=today,
        size=PAGE_SIZE,
        after=cursor_row(rows, request.GET.get("setelah")),
        before=cursor_row(rows, request.GET.get("sebelum")),
        agent=context["agent"],
    )
    query = {"agen": context["chosen"].code} if context["chosen"] else {}
    context |= {
        "group": group,
        "page": page,
        "query": urlencode(query | {"desa": village.code}),
        "back": urlencode(query),
    }
    # "Berikutnya" swaps the list in place (HTMX) and keeps the address shareable.
    template = "contributions/visit_list.html" + ("#village" if request.htmx else "")
    return render(request, template, context)
