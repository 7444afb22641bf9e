"""The trend charts of the monitoring dashboard (/monev/tren/): a fragment the dashboard loads with
HTMX for its month and area, and a small page of its own without HTMX."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.models import Role
from accounts.permissions import role_required
from monitoring.area import area_from_query, month_from_query
from monitoring.trends import trend_charts, trend_for
from sutasoma.months import month_start

MONITORS = (Role.KOORDINATOR, Role.DINAS, Role.ADMIN)
TEMPLATE = "monitoring/trends.html"


@role_required(*MONITORS)
@require_GET
def trends(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    month, month_error = month_from_query(request.GET.get("bulan", ""), today=today)
    area = area_from_query(request.user, request.GET)
    points = trend_for(request.user, area=area, month=month)
    context = {
        "area": area,
        "month": month,
        "month_error": month_error,
        "is_current": month == month_start(today),
        "points": points,
        "charts": trend_charts(points),
    }
    return render(request, f"{TEMPLATE}#trends" if request.htmx else TEMPLATE, context)
