"""Two rules for every request, kept in one place rather than in each view."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control


class NulByteInRequest(SuspiciousOperation):
    """PostgreSQL refuses NUL in text; a request carrying one is answered 400, never 500."""


def _has_nul(params) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in params.lists())


class PrivateDataMiddleware:
    """Refuse NUL bytes in the query string, and let no cache keep what a signed-in user was shown:
    every such page carries personal data or is one click from it (UU 27/2022)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Forms refuse NUL at the field; a path or a query string has no field to show it at.
        if "\x00" in request.path or _has_nul(request.GET):
            raise NulByteInRequest("NUL byte in request parameters")
        response = self.get_response(request)
        if request.user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response
