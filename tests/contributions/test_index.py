import pytest
from django.urls import reverse


@pytest.mark.parametrize(
    ("who", "sees", "does_not_see"),
    [
        ("agent_user", ["Kunjungan", "Kas iuran", "Pembayaran kolektif"], ["Pembayar", "Rekonsiliasi"]),
        ("koordinator_user", ["Kunjungan", "Kas iuran", "Pembayaran kolektif"], ["Pembayar", "Rekonsiliasi"]),
        ("dinas_user", ["Kas iuran", "Pembayar", "Rekonsiliasi", "Pembayaran kolektif"], ["Kunjungan"]),
        ("admin_user", ["Kas iuran", "Pembayar", "Rekonsiliasi"], []),
    ],
)
def test_the_iuran_page_lists_the_contribution_pages_of_each_role(client, request, who, sees, does_not_see):
    client.force_login(request.getfixturevalue(who))
    page = client.get(reverse("contributions:index")).content.decode()
    assert all(f"<b>{title}</b>" in page for title in sees)
    assert not any(f"<b>{title}</b>" in page for title in does_not_see)


def test_the_menu_leads_to_the_iuran_page(client, dinas_user):
    client.force_login(dinas_user)
    page = client.get(reverse("monitoring:home")).content.decode()
    assert f'href="{reverse("contributions:index")}"' in page
