from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied

from accounts.models import Role


def role_required(*roles: Role) -> Callable:
    """Only these roles may use the view; others get 403 (the page exists, just not for them)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.user.role not in roles:
                raise PermissionDenied("Halaman ini bukan untuk peran Anda.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
