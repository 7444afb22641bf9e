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
    # Monev (monitoring:dashboard) is the first button of the koordinator's, Dinas' and admin's
    # Beranda rather than an item: each of their bars already holds MAX_ITEMS.
    # Not the admin's: their Beranda searches farmers and its counts open the list, while the
    # Gateway and Audit pages are reached from nowhere else. A phone's bottom bar holds five items.
    NavItem("enrollment:farmer_list", "Petani", "users", EVERYONE - {Role.ADMIN}),
    # Registering (and Impor, a link on its page) is the first button of the penyuluh's Beranda
    # and of the Petani page, so it needs no item of its own.
    NavItem("contributions:visit_list", "Kunjungan", "pin", frozenset({Role.PENYULUH, Role.KOORDINATOR})),
    # Cash, payers, batches and reconciliation are listed on the Iuran page (contributions/index.py).
    NavItem("contributions:index", "Iuran", "wallet", EVERYONE),
    NavItem("claims:claim_list", "Klaim", "heart", EVERYONE),
    NavItem("monitoring:gateway_health", "Gateway", "signal", frozenset({Role.ADMIN})),
    NavItem("audit:log", "Audit", "shield", frozenset({Role.ADMIN, Role.DINAS})),
)


# A phone's bottom bar: more items than this no longer fit at 360 px with readable labels.
MAX_ITEMS = 5


def menu_for(role: str) -> list[NavItem]:
    return [item for item in MENU if role in item.roles]


def navigation(request: HttpRequest) -> dict:
    """Context processor: the signed-in user's menu."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_items": menu_for(user.role)}
