"""The session store (sutasoma/sessions.py): Django's database sessions read with one statement.
Whatever reads the row must still refuse what Django's own read refuses."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from sutasoma.sessions import SessionStore

HOME = reverse("monitoring:home")


def signed_in_key(client, user) -> str:
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def test_it_is_the_session_engine(client, agent_user):
    assert settings.SESSION_ENGINE == "sutasoma.sessions"
    key = signed_in_key(client, agent_user)

    assert client.get(HOME).status_code == 200
    assert SessionStore(key).load()["_auth_user_id"] == str(agent_user.pk)


def test_an_expired_session_signs_nobody_in(client, agent_user):
    key = signed_in_key(client, agent_user)
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))

    response = client.get(HOME)

    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    store = SessionStore(key)
    assert store.load() == {}
    assert store.session_key is None  # a fresh key is made rather than the stale one reused


def test_a_session_ended_at_logout_signs_nobody_in_with_its_old_cookie(client, agent_user):
    key = signed_in_key(client, agent_user)
    client.post(reverse("accounts:logout"))
    client.cookies[settings.SESSION_COOKIE_NAME] = key

    response = client.get(HOME)

    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_a_row_whose_data_was_altered_is_ignored(client, agent_user, admin_user):
    key = signed_in_key(client, agent_user)
    forged = SessionStore(key).encode({"_auth_user_id": str(admin_user.pk)})[:-4] + "AAAA"  # signature broken
    Session.objects.filter(session_key=key).update(session_data=forged)

    assert SessionStore(key).load() == {}
    assert client.get(HOME).status_code == 302


def test_an_unknown_key_finds_nothing(db):
    store = SessionStore("x" * 32)

    assert store.load() == {}
    assert store.session_key is None
