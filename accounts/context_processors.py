from __future__ import annotations

from django.http import HttpRequest

from accounts.models import Role


def navigation(request: HttpRequest) -> dict:
    """The bottom bar / side navigation of the signed-in user's role."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    items = [("home", "Beranda", "home"), ("farmer_list", "Petani", "users")]
    if user.role == Role.PENYULUH:
        items.append(("farmer_register", "Daftar", "plus"))
        items.append(("farmer_import", "Impor", "upload"))
    if user.role in (Role.ADMIN,) or user.is_staff:
        items.append(("gateway_health", "Gateway", "signal"))
    if user.role in (Role.ADMIN, Role.DINAS):
        items.append(("audit_log", "Audit", "shield"))
    return {"nav_items": items}
