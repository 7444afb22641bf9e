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
from monitoring.figures import home_summary


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Each role lands on its own home: a penyuluh's day, a BPP's kecamatan, Dinas' district."""
    summary = home_summary(request.user, today=timezone.localdate())
    return render(request, "monitoring/home.html", {"summary": summary, "is_agent": request.user.role == Role.PENYULUH})


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
