from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import LoginView, PasswordChangeDoneView, PasswordChangeView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import csrf

from accounts.forms import LoginForm, SutasomaPasswordChangeForm


@method_decorator(login_not_required, name="dispatch")
class SutasomaLoginView(LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class SutasomaPasswordChangeView(PasswordChangeView):
    """Every role changes its own password; the session stays signed in afterwards."""

    form_class = SutasomaPasswordChangeForm
    success_url = reverse_lazy("accounts:password_change_done")
    template_name = "registration/password_change_form.html"


class SutasomaPasswordChangeDoneView(PasswordChangeDoneView):
    template_name = "registration/password_change_done.html"


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent after its token expired (an old tab, a session ended): say so, in Indonesian."""
    if settings.DEBUG:
        return csrf.csrf_failure(request, reason)  # Django's page explains the cause to a developer
    # The page the form was on, opened again, carries a fresh token; only our own pages qualify.
    referer = request.headers.get("referer", "")
    host, https = request.get_host(), request.is_secure()
    own = url_has_allowed_host_and_scheme(referer, allowed_hosts={host}, require_https=https)
    return render(request, "403_csrf.html", {"retry_url": referer if own else None}, status=403)
