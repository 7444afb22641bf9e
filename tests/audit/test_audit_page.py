"""The audit page: admin sees everything, Dinas its own regency, nobody else anything."""

import datetime as dt

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Agent, Role, User
from audit.models import AccessLog, Action
from audit.services import access_record
from bpjs_gateway.models import OutboxState
from bpjs_gateway.registry import operation as registered_operation
from enrollment.insurer import REGISTER, registration_messages
from enrollment.services import farmer_correct
from tests.conftest import nik_for
from wilayah.loader import load_wilayah
from wilayah.models import Bpp, Region

URL = reverse("audit:log")


@pytest.fixture
def sidrap_agent(soppeng) -> User:
    """An agent of another regency (Sidenreng Rappang, 73.14)."""
    load_wilayah(regency_codes=["73.14"])
    village = Region.objects.filter(level=Region.Level.DESA, code__startswith="73.14.").first()
    user = User.objects.create(username="penyuluh.sidrap", role=Role.PENYULUH)
    agent = Agent.objects.create(user=user, code="AG7314-0101", bpp=Bpp.objects.get(kecamatan=village.parent))
    agent.villages.set([village])
    return user


@pytest.fixture
def two_regencies(agent_user, sidrap_agent, make_farmer):
    """A farmer and a look at a KTP in Soppeng, and the same in Sidrap."""
    soppeng_farmer = make_farmer(agent_user)
    sidrap_farmer = make_farmer(sidrap_agent, nik=nik_for(birth=dt.date(1990, 1, 5), female=True, regency="7314"))
    access_record(user=agent_user, action=Action.VIEW_KTP, subject=f"petani:{soppeng_farmer.pk}")
    access_record(user=sidrap_agent, action=Action.VIEW_KTP, subject=f"petani:{sidrap_farmer.pk}")
    return soppeng_farmer, sidrap_farmer


def access_users(client, **params) -> list[str]:
    response = client.get(URL, {"tab": "akses", **params})
    assert response.status_code == 200
    return [entry.user.username for entry in response.context["entries"]]


def changed_farmers(client, **params) -> set[int]:
    response = client.get(URL, {"tab": "perubahan", **params})
    assert response.status_code == 200
    return {entry.farmer_id for entry in response.context["entries"]}


def test_admin_sees_every_regency(client, admin_user, two_regencies):
    soppeng_farmer, sidrap_farmer = two_regencies
    client.force_login(admin_user)
    assert sorted(access_users(client)) == ["penyuluh.sidrap", "penyuluh.uji"]
    assert changed_farmers(client) == {soppeng_farmer.pk, sidrap_farmer.pk}


def test_dinas_does_not_see_another_regencys_entries(client, dinas_user, two_regencies):
    soppeng_farmer, _ = two_regencies
    client.force_login(dinas_user)
    assert access_users(client) == ["penyuluh.uji"]
    assert changed_farmers(client) == {soppeng_farmer.pk}


def test_dinas_sees_what_an_outsider_changed_on_its_farmers(client, dinas_user, admin_user, two_regencies):
    soppeng_farmer, _ = two_regencies
    soppeng_farmer.phone = "085200000000"
    soppeng_farmer._history_user = admin_user
    soppeng_farmer.save()
    client.force_login(dinas_user)
    response = client.get(URL, {"tab": "perubahan", "pengguna": "admin"})
    assert [(e.user, e.farmer_id) for e in response.context["entries"]] == [(admin_user, soppeng_farmer.pk)]


@pytest.mark.parametrize("who", ["koordinator_user", "agent_user"])
def test_koordinator_and_penyuluh_are_refused(client, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(URL).status_code == 403
    assert client.get(URL, {"tab": "perubahan"}).status_code == 403


def test_an_anonymous_visitor_is_sent_to_login(client, soppeng):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_the_audit_item_is_in_the_menu_of_admin_and_dinas_only(client, admin_user, dinas_user, agent_user):
    for user, shown in [(admin_user, True), (dinas_user, True), (agent_user, False)]:
        client.force_login(user)
        assert (f'href="{URL}"' in client.get(reverse("monitoring:home")).content.decode()) is shown


def test_filtering_by_subject_keeps_one_farmers_entries(client, admin_user, two_regencies):
    soppeng_farmer, _ = two_regencies
    client.force_login(admin_user)
    subject = f"petani:{soppeng_farmer.pk}"
    assert access_users(client, subjek=subject) == ["penyuluh.uji"]
    assert changed_farmers(client, subjek=subject) == {soppeng_farmer.pk}
    response = client.get(URL, {"tab": "perubahan", "subjek": subject})
    assert {e.kind for e in response.context["entries"]} == {"Petani", "Ahli waris"}


def test_a_subject_that_names_no_farmer_is_explained(client, admin_user, soppeng):
    client.force_login(admin_user)
    response = client.get(URL, {"tab": "perubahan", "subjek": "Hasnah"})
    assert "Tulis seperti petani:42" in response.content.decode() and response.context["entries"] is None


def test_filtering_by_action_and_date(client, admin_user, agent_user, soppeng):
    access_record(user=agent_user, action=Action.VIEW_NIK, subject="petani:1")
    old = access_record(user=agent_user, action=Action.VIEW_KTP, subject="petani:1")
    AccessLog.objects.filter(pk=old.pk).update(at=timezone.now() - dt.timedelta(days=10))
    client.force_login(admin_user)
    assert len(access_users(client, tindakan=Action.VIEW_KTP)) == 1
    today = timezone.localdate().isoformat()
    response = client.get(URL, {"dari": today, "sampai": today})
    assert [e.action for e in response.context["entries"]] == [Action.VIEW_NIK]


def test_a_change_shows_old_and_new_with_the_nik_masked(client, admin_user, agent_user, make_farmer):
    farmer = make_farmer(agent_user)
    with transaction.atomic():
        registered_operation(REGISTER).refused(
            registration_messages(farmer).get().subject_id, [{"field": "nik", "code": "NIK_TIDAK_COCOK"}]
        )
    registration_messages(farmer).update(state=OutboxState.FAILED)
    farmer.refresh_from_db()
    new_nik = nik_for(birth=dt.date(1990, 1, 6), female=True, serial=9)
    fields = {"nik": new_nik, "birth_date": dt.date(1990, 1, 6), "sex": "P", "name": "HASNAH BINTI BASO"}
    farmer_correct(farmer=farmer, fields=fields)
    client.force_login(admin_user)
    page = client.get(URL, {"tab": "perubahan"}).content.decode()
    assert "HASNAH → HASNAH BINTI BASO" in " ".join(page.split())
    assert "7312••••••••0001" in page and "7312••••••••0009" in page
    assert farmer.nik not in page and new_nik not in page
    assert "5 Januari 1990" in page and "6 Januari 1990" in page


def test_pages_of_25_keep_the_filters_in_the_links(client, admin_user, agent_user, soppeng):
    for n in range(30):
        access_record(user=agent_user, action=Action.NIK_CHECK, subject=f"petani:{n}")
    client.force_login(admin_user)
    response = client.get(URL, {"tab": "akses", "pengguna": "penyuluh"})
    assert len(response.context["entries"]) == 25
    assert "tab=akses&amp;pengguna=penyuluh&amp;halaman=2" in response.content.decode()
    second = client.get(URL, {"tab": "akses", "pengguna": "penyuluh", "halaman": 2})
    assert len(second.context["entries"]) == 5
