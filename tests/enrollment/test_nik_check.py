import pytest
from django.test import override_settings
from django.urls import reverse

from audit.models import AccessLog, Action


def check(client, nik):
    return client.post(reverse("enrollment:nik_check"), {"nik": nik}, headers={"HX-Request": "true"})


def text(response) -> str:
    return response.content.decode()


def test_it_confirms_a_valid_nik_and_offers_its_birth_date_and_sex(client, agent_user):
    client.force_login(agent_user)
    page = text(check(client, "7312044501900001"))
    assert "NIK valid: lahir 5 Januari 1990, perempuan" in page
    assert 'data-birth-date="1990-01-05"' in page and 'data-sex="P"' in page


def test_it_reads_digits_typed_on_another_keyboard(client, agent_user):
    client.force_login(agent_user)
    assert "NIK valid: lahir 5 Januari 1990" in text(check(client, "７３１２ ０４４５ ０１９０ ０００１"))


def test_it_explains_an_invalid_nik_once_all_16_digits_are_typed(client, agent_user):
    client.force_login(agent_user)
    assert "error" not in text(check(client, "73120445"))  # still typing
    assert "Tanggal lahir di dalam NIK" in text(check(client, "7312043201900001"))


def test_it_links_to_a_farmer_already_registered(client, agent_user, make_farmer):
    farmer = make_farmer(agent_user)
    client.force_login(agent_user)
    page = text(check(client, farmer.nik))
    assert "sudah terdaftar" in page and farmer.get_absolute_url() in page


def test_it_says_only_outside_your_area_beyond_the_agents_scope(client, other_agent_user, agent_user, make_farmer):
    farmer = make_farmer(agent_user)
    client.force_login(other_agent_user)
    page = text(check(client, farmer.nik))
    assert "di luar wilayah Anda" in page
    assert farmer.name not in page and farmer.get_absolute_url() not in page and "data-birth-date" not in page


def test_it_warns_but_accepts_a_nik_issued_in_another_regency(client, agent_user):
    client.force_login(agent_user)
    page = text(check(client, "7371014501900001"))  # Makassar
    assert "NIK valid" in page and "di luar kabupaten" in page


def test_it_keeps_the_nik_out_of_the_url(client, agent_user):
    client.force_login(agent_user)
    assert client.get(reverse("enrollment:nik_check"), {"nik": "7312044501900001"}).status_code == 405


@pytest.mark.parametrize("who", ["dinas_user", "koordinator_user", "admin_user"])
def test_it_answers_only_agents_who_register(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert check(client, "7312044501900001").status_code == 403


def test_it_logs_every_check_without_the_nik(client, agent_user, make_farmer):
    farmer = make_farmer(agent_user)
    client.force_login(agent_user)
    check(client, farmer.nik)
    check(client, "7312044501900002")
    entries = list(AccessLog.objects.filter(user=agent_user, action=Action.NIK_CHECK).order_by("id"))
    assert [e.subject for e in entries] == [f"petani:{farmer.pk}", ""]
    assert not any(farmer.nik in e.detail or farmer.nik in e.subject for e in entries)


@override_settings(LOOKUP_LIMIT=5)
def test_it_stops_answering_a_guesser_for_a_while(client, agent_user, make_farmer):
    farmer = make_farmer(agent_user)
    client.force_login(agent_user)
    for serial in range(2, 7):
        assert "NIK valid" in text(check(client, f"731204450190{serial:04d}"))
    page = text(check(client, farmer.nik))
    assert "Terlalu banyak pemeriksaan" in page and "sudah terdaftar" not in page
    assert AccessLog.objects.filter(user=agent_user, action=Action.NIK_CHECK).count() == 5
