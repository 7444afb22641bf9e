from django.urls import reverse


def login(client, username, password="rahasia-uji-123"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR="10.1.2.3")


def test_each_role_lands_on_its_home_with_its_scope_in_the_header(client, agent_user, koordinator_user, dinas_user):
    for user, scope in (
        (agent_user, "1 desa/kelurahan"),
        (koordinator_user, "BPP Lalabata"),
        (dinas_user, "Kabupaten Soppeng"),
    ):
        response = login(client, user.username)
        assert response.status_code == 302 and response["Location"] == reverse("home")
        page = client.get(reverse("home")).content.decode()
        assert scope in page and user.get_role_display() in page and "Keluar" in page
        client.post(reverse("logout"))


def test_the_agents_home_offers_registration_and_the_search_box(client, agent_user):
    login(client, agent_user.username)
    page = client.get(reverse("home")).content.decode()
    assert reverse("farmer_register") in page and 'name="q"' in page
    assert "Desa Umpungeng" in page


def test_a_wrong_password_says_so_in_indonesian(client, agent_user):
    page = login(client, agent_user.username, "salah").content.decode()
    assert "kata sandi" in page.lower()


def test_guessing_passwords_locks_the_username_for_a_while(client, agent_user):
    for _ in range(5):
        login(client, agent_user.username, "tebakan")
    response = login(client, agent_user.username)  # the right password, too late
    assert response.status_code == 429
    assert "Terlalu banyak percobaan masuk" in response.content.decode()


def test_pages_need_a_login(client, soppeng):
    for name in ("home", "farmer_list"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
