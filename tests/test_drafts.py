"""The key the phone seals form drafts with (sutasoma/drafts.py): one per session, gone at logout,
so a draft left on the phone cannot be opened by whoever holds it next (tests/e2e/test_field_form.py
checks the phone's side)."""

from __future__ import annotations

import base64
import re

from django.urls import reverse

REGISTER = reverse("enrollment:farmer_register")


def key_on_the_page(client) -> str:
    response = client.get(REGISTER)
    assert "no-store" in response["Cache-Control"]  # the key is never kept by the browser's cache
    return re.search(r'data-draft-key="([^"]+)"', response.content.decode()).group(1)


def test_a_session_keeps_one_key_of_256_bits(client, agent_user):
    client.force_login(agent_user)
    key = key_on_the_page(client)
    assert len(base64.b64decode(key)) == 32
    assert key_on_the_page(client) == key


def test_the_key_dies_at_logout(client, agent_user):
    client.force_login(agent_user)
    before = key_on_the_page(client)

    client.post(reverse("accounts:logout"))
    client.force_login(agent_user)

    assert key_on_the_page(client) != before


def test_each_agent_has_their_own_key(client, agent_user, neighbour_agent_user):
    client.force_login(agent_user)
    mine = key_on_the_page(client)
    client.force_login(neighbour_agent_user)
    assert key_on_the_page(client) != mine


def test_a_form_sent_back_for_correction_offers_no_draft_over_it(client, agent_user):
    client.force_login(agent_user)
    assert "data-draft-offer" in client.get(REGISTER).content.decode()
    page = client.post(REGISTER, {"submission_token": "6f1c1d2e-0000-4000-8000-000000000001"}).content.decode()
    assert 'data-draft-key="' in page and "data-draft-offer" not in page
