from django.urls import reverse

from accounts.models import Role
from monitoring.navigation import MAX_ITEMS, menu_for


def test_no_role_has_more_items_than_a_phones_bottom_bar_holds():
    for role in Role.values:
        assert 0 < len(menu_for(role)) <= MAX_ITEMS, role


def test_every_role_finds_klaim_in_its_menu(client, agent_user, koordinator_user, dinas_user, admin_user):
    claims = reverse("claims:claim_list")
    for user in (agent_user, koordinator_user, dinas_user, admin_user):
        client.force_login(user)
        assert f'href="{claims}"' in client.get(reverse("monitoring:home")).content.decode(), user.role


def test_a_penyuluh_registers_from_the_first_button_of_beranda_and_of_the_petani_page(client, agent_user):
    client.force_login(agent_user)
    button = f'<a class="btn primary block" href="{reverse("enrollment:farmer_register")}">Daftarkan petani</a>'
    for page in ("monitoring:home", "enrollment:farmer_list"):
        assert button in client.get(reverse(page)).content.decode(), page


def test_the_admin_reaches_the_farmers_from_beranda_and_keeps_gateway_and_audit_in_the_menu(client, admin_user):
    assert [item.label for item in menu_for(Role.ADMIN)] == ["Beranda", "Iuran", "Klaim", "Gateway", "Audit"]
    client.force_login(admin_user)
    home = client.get(reverse("monitoring:home")).content.decode()
    assert f'action="{reverse("enrollment:farmer_list")}"' in home  # the search box
    assert f'class="tile" href="{reverse("enrollment:farmer_list")}"' in home
