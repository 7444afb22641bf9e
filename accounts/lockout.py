"""What django-axes sees of a login attempt."""

from __future__ import annotations

import re

from django.http import HttpRequest

CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def axes_username(request: HttpRequest | None, credentials: dict | None) -> str | None:
    """The username django-axes records: cut to fit its column, without control characters.

    The login form already refuses such names; this keeps every other caller of authenticate()
    (the admin login among them) from turning an odd name into a database error.
    """
    raw = credentials.get("username") if credentials else getattr(request, "POST", {}).get("username")
    if raw is None:
        return None
    return CONTROL_CHARACTERS.sub("", str(raw))[:255]
