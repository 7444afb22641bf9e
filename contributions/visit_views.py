"""The visit list (*Kunjungan*): whom to remind of their contribution, per penyuluh."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.models import Role
from contributions import visits
from enrollment.selectors import farmers_for


@require_GET
def visit_list(request: HttpRequest) -> HttpResponse:
    """A penyuluh sees their own list; the others choose a penyuluh of their area (?agen=CODE),
    or see a koordinator's whole BPP by penyuluh, Dinas' regency as counts per kecamatan."""
    user = request.user
    today = timezone.localdate()
    context: dict = {"agents": None, "chosen": None, "sections": [], "overview": None, "by_agent": False}
    if user.role == Role.PENYULUH:
        agent = getattr(user, "agent", None)
        context["sections"] = [
            visits.AgentVisits(agent, visits.visit_list(farmers_for(user), today=today, agent=agent))
        ]
    else:
        agents = visits.agents_for(user)
        context["agents"] = agents
        if code := request.GET.get("agen", ""):
            # A penyuluh outside the user's area answers 404, like one that does not exist.
            chosen = get_object_or_404(agents, code=code)
            farmers = farmers_for(user).filter(village__in=chosen.villages.all())
            context["chosen"] = chosen
            context["sections"] = [visits.AgentVisits(chosen, visits.visit_list(farmers, today=today, agent=chosen))]
        elif user.role == Role.KOORDINATOR:
            context["sections"] = visits.visits_by_agent(user, today=today)
            context["by_agent"] = True
        else:
            context["overview"] = visits.visit_counts(user, today=today)
    context["total"] = sum(section.count for section in context["sections"])
    return render(request, "contributions/visit_list.html", context)
