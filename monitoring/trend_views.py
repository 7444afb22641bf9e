"""The trend charts of the monitoring dashboard (/monev/tren/): a fragment the dashboard loads with
HTMX for its month and area, and a small page of its own without HTMX."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET

from accounts.models import Role
from accounts.permissions import role_required
from monitoring.area import area_from_query, month_from_query
from monitoring.charts import MONEY, PERCENT, bar_chart, line_chart
from monitoring.trends import TrendPoint, trend_for
from sutasoma.formatting import bulan_singkat
from sutasoma.months import month_start

MONITORS = (Role.KOORDINATOR, Role.DINAS, Role.ADMIN)
TEMPLATE = "monitoring/trends.html"


@dataclass(frozen=True)
class Chart:
    title: str
    svg: SafeString


def _charts(points: list[TrendPoint]) -> list[Chart]:
    def series(value: Callable[[TrendPoint], float | None]) -> list[tuple[str, float | None]]:
        return [(bulan_singkat(p.month), value(p)) for p in points]

    participants, achievement, collected = (
        "Peserta aktif (termasuk masa tenggang)",
        "Capaian terhadap target",
        "Iuran terkumpul",
    )
    return [
        Chart(participants, line_chart(series(lambda p: p.participants), title=participants, unit="peserta")),
        Chart(achievement, line_chart(series(lambda p: p.achievement), title=achievement, unit=PERCENT, goal=100)),
        Chart(collected, bar_chart(series(lambda p: p.collected), title=collected, unit=MONEY)),
    ]


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
        "charts": _charts(points),
    }
    return render(request, f"{TEMPLATE}#trends" if request.htmx else TEMPLATE, context)
