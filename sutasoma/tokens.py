"""The one-time token a form carries, so a double tap or a resend on a bad connection saves once."""

from __future__ import annotations

import uuid

from django.http import HttpRequest


def submission_token(request: HttpRequest) -> uuid.UUID:
    """The token the form was rendered with, or a fresh one for a first view (or a forged value)."""
    try:
        return uuid.UUID(request.POST.get("submission_token", ""))
    except ValueError:
        return uuid.uuid4()
