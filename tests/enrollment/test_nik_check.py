from django.urls import reverse


def check(client, nik):
    return client.get(reverse("nik_check"), {"nik": nik}, headers={"HX-Request": "true"}).content.decode()


def test_it_confirms_a_valid_nik_and_offers_its_birth_date_and_sex(client, agent_user):
    client.force_login(agent_user)
    page = check(client, "7312044501900001")
    assert "NIK valid: lahir 5 Januari 1990, perempuan" in page
    assert 'data-birth-date="1990-01-05"' in page and 'data-sex="P"' in page


def test_it_explains_an_invalid_nik_once_all_16_digits_are_typed(client, agent_user):
    client.force_login(agent_user)
    assert "error" not in check(client, "73120445")  # still typing
    assert "Tanggal lahir di dalam NIK" in check(client, "7312043201900001")


def test_it_links_to_a_farmer_already_registered(client, agent_user, make_farmer):
    farmer = make_farmer(agent_user)
    client.force_login(agent_user)
    page = check(client, farmer.nik)
    assert "sudah terdaftar" in page and farmer.get_absolute_url() in page


def test_it_names_no_one_outside_the_agents_scope(client, other_agent_user, agent_user, make_farmer):
    farmer = make_farmer(agent_user)
    client.force_login(other_agent_user)
    page = check(client, farmer.nik)
    assert "sudah terdaftar oleh penyuluh lain" in page and farmer.name not in page


def test_it_warns_but_accepts_a_nik_issued_in_another_regency(client, agent_user):
    client.force_login(agent_user)
    page = check(client, "7371014501900001")  # Makassar
    assert "NIK valid" in page and "di luar kabupaten" in page
