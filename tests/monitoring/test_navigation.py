from accounts.models import Role
from monitoring.navigation import MAX_ITEMS, menu_for


def test_no_role_has_more_items_than_a_phones_bottom_bar_holds():
    for role in Role.values:
        assert 0 < len(menu_for(role)) <= MAX_ITEMS, role
