from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Role
from accounts.permissions import role_required
from bpjs_gateway.health import gateway_health_summary
from bpjs_gateway.models import OutboxMessage, OutboxState
from bpjs_gateway.outbox import resend_failed
from contributions.cash import OVERDUE_LABEL, agent_cash, agents_for
from monitoring.figures import home_summary


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Each role lands on its own home: a penyuluh's day, a BPP's kecamatan, Dinas' district."""
    today = timezone.localdate()
    is_agent = request.user.role == Role.PENYULUH
    context = {"summary": home_summary(request.user, today=today), "is_agent": is_agent}
    if is_agent:
        context.update(cash=agent_cash(agents_for(request.user), today=today), overdue_label=OVERDUE_LABEL)
    return render(request, "monitoring/home.html", context)


@role_required(Role.ADMIN)
@require_GET
def gateway_health(request: HttpRequest) -> HttpResponse:
    return render(request, "monitoring/gateway.html", {"health": gateway_health_summary()})


@role_required(Role.ADMIN)
@require_POST
def outbox_resend(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(OutboxMessage, pk=pk, state__in=[OutboxState.FAILED, OutboxState.RESENT])
    try:
        resent = resend_failed(message.pk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if resent:
            messages.success(request, "Dikirim ulang ke BPJS dengan data terbaru.")
        else:
            messages.info(request, "Sudah dikirim ulang sebelumnya; tidak dikirim dua kali.")
    return redirect("monitoring:gateway_health")
