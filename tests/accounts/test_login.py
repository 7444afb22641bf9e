import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from accounts.lockout import axes_username
from wilayah.models import Region

WRONG = "Nama pengguna atau kata sandi salah"


def login(client, username, password="rahasia-uji-123"):
    return client.post(reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR="10.1.2.3")


def test_each_role_lands_on_its_home_with_its_scope_in_the_header(client, agent_user, koordinator_user, dinas_user):
    for user, scope in (
        (agent_user, "Penyuluh · Desa Umpungeng"),
        (koordinator_user, "BPP Lalabata"),
        (dinas_user, "Kabupaten Soppeng"),
    ):
        response = login(client, user.username)
        assert response.status_code == 302 and response["Location"] == reverse("monitoring:home")
        page = client.get(reverse("monitoring:home")).content.decode()
        assert scope in page and user.get_role_display() in page and "Keluar" in page
        client.post(reverse("accounts:logout"))


def test_an_agent_of_several_desa_sees_the_first_by_name_and_how_many_more(agent_user):
    agent_user.agent.villages.add(*Region.objects.filter(parent_id="73.12.04", level=Region.Level.DESA)[:3])
    count = agent_user.agent.villages.count()
    first = agent_user.agent.villages.order_by("name").first()
    assert agent_user.scope_label == f"{first} +{count - 1}"


def test_the_agents_home_offers_registration_and_the_search_box(client, agent_user):
    login(client, agent_user.username)
    page = client.get(reverse("monitoring:home")).content.decode()
    assert reverse("enrollment:farmer_register") in page and 'name="q"' in page
    assert "Desa Umpungeng" in page


def test_a_wrong_password_says_so_in_indonesian(client, agent_user):
    page = login(client, agent_user.username, "salah").content.decode()
    assert WRONG in page


@pytest.mark.parametrize(
    "username",
    ["x" * 5000, "p" * 151, "penyuluh.uji\x00", "\x00" * 300, "penyuluh\x1buji"],
    ids=["5000 characters", "151 characters", "NUL", "300 NULs", "escape"],
)
def test_a_name_no_account_can_have_gets_the_wrong_password_answer_and_is_not_recorded(client, agent_user, username):
    client.raise_request_exception = False
    response = login(client, username)
    page = response.content.decode()
    assert response.status_code == 200
    assert WRONG in page and 'aria-invalid="true"' in page
    assert username not in page  # not echoed back into the form
    assert not AccessAttempt.objects.exists()


def test_the_longest_possible_username_is_still_checked_as_usual(client, agent_user):
    response = login(client, "p" * 150)
    assert response.status_code == 200 and WRONG in response.content.decode()
    assert AccessAttempt.objects.get().username == "p" * 150


def test_odd_names_elsewhere_are_cut_to_fit_axes_rather_than_crash(client, soppeng):
    # The admin login does not use our form: axes' own username reader has to cope.
    client.raise_request_exception = False
    response = client.post("/admin/login/", {"username": "y" * 5000, "password": "x"}, REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    assert AccessAttempt.objects.get().username == "y" * 255
    assert axes_username(None, {"username": "a\x00b\x7fc"}) == "abc"


def test_guessing_passwords_locks_the_username_for_a_while(client, agent_user):
    for _ in range(5):
        login(client, agent_user.username, "tebakan")
    response = login(client, agent_user.username)  # the right password, too late
    assert response.status_code == 429
    page = response.content.decode()
    assert "Terlalu banyak percobaan masuk" in page
    assert "Tunggu <b>15 menit</b>" in page and "Hubungi admin SUTASOMA" in page


def test_odd_names_before_do_not_stop_the_lockout_of_a_real_one(client, agent_user):
    client.raise_request_exception = False
    for odd in ("x" * 5000, "penyuluh.uji\x00"):
        assert login(client, odd, "tebakan").status_code == 200
    for _ in range(4):  # the odd names did not count towards the five
        assert login(client, agent_user.username, "tebakan").status_code == 200
    assert login(client, agent_user.username, "tebakan").status_code == 429
    assert login(client, agent_user.username).status_code == 429


def test_the_locked_out_page_tells_the_configured_wait(client, agent_user, settings):
    settings.AXES_COOLOFF_TIME = 2.0  # hours, as AXES_COOLOFF_HOURS gives it
    for _ in range(6):
        response = login(client, agent_user.username, "tebakan")
    assert response.status_code == 429 and "Tunggu <b>2 jam</b>" in response.content.decode()


def test_pages_need_a_login(client, soppeng):
    for name in ("monitoring:home", "enrollment:farmer_list"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
