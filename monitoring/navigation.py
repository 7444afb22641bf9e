"""The menu of each role, declared here and nowhere else: the bottom bar on a phone, the side
navigation on a wide screen (templates/partials/nav.html)."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest

from accounts.models import Role


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str
    icon: str  # a name in templates/partials/icon.html
    roles: frozenset[str]


EVERYONE = frozenset(Role.values)

MENU = (
    NavItem("monitoring:home", "Beranda", "home", EVERYONE),
    NavItem("enrollment:farmer_list", "Petani", "users", EVERYONE),
    NavItem("enrollment:farmer_register", "Daftar", "plus", frozenset({Role.PENYULUH})),
    NavItem("enrollment:farmer_import", "Impor", "upload", frozenset({Role.PENYULUH})),
    NavItem("monitoring:gateway_health", "Gateway", "signal", frozenset({Role.ADMIN})),
    NavItem("audit:log", "Audit", "shield", frozenset({Role.ADMIN, Role.DINAS})),
    NavItem("contributions:payer_list", "Pembayar", "wallet", frozenset({Role.ADMIN, Role.DINAS})),
)


def menu_for(role: str) -> list[NavItem]:
    return [item for item in MENU if role in item.roles]


def navigation(request: HttpRequest) -> dict:
    """Context processor: the signed-in user's menu."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_items": menu_for(user.role)}
