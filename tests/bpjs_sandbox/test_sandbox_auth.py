"""Signature, timestamp and idempotency-key checks, and the envelope (docs/insurer-contract.md#signing)."""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime

import pytest


def codes(response) -> list[str]:
    return [error["code"] for error in response.json()["errors"]]


def test_it_answers_in_the_envelope_with_a_date_header(api):
    response = api.get("/peserta/12345678901")

    assert response.status_code == 404
    body = response.json()
    assert body["metaData"]["code"] == "404"
    assert body["metaData"]["message"]
    assert body["response"] is None
    assert codes(response) == ["PESERTA_TIDAK_DITEMUKAN"]
    assert abs(parsedate_to_datetime(response.headers["Date"]).timestamp() - time.time()) < 5


def test_it_refuses_a_wrong_secret(api):
    response = api.get("/peserta/12345678901", secret="not-the-secret")

    assert response.status_code == 401
    assert codes(response) == ["SIGNATURE_INVALID"]


def test_it_refuses_an_unknown_consumer(api):
    api.cons_id = "LUWU01"

    response = api.get("/peserta/12345678901")

    assert response.status_code == 401
    assert codes(response) == ["SIGNATURE_INVALID"]


def test_it_refuses_a_stale_timestamp(api):
    response = api.get("/peserta/12345678901", timestamp=int(time.time()) - 301)

    assert response.status_code == 401
    assert codes(response) == ["TIMESTAMP_INVALID"]


def test_it_refuses_a_timestamp_from_the_future(api):
    response = api.get("/peserta/12345678901", timestamp=int(time.time()) + 301)

    assert codes(response) == ["TIMESTAMP_INVALID"]


def test_it_tolerates_a_clock_a_few_minutes_off(api):
    response = api.get("/peserta/12345678901", timestamp=int(time.time()) - 250)

    assert response.status_code == 404


def test_the_signature_covers_the_query_string(api):
    stamp = int(time.time())
    signed_without_query = api.get("/rekonsiliasi/iuran", timestamp=stamp).request.headers["X-Signature"]

    response = api.get(
        "/rekonsiliasi/iuran",
        params={"tanggal": "2026-11-24"},
        timestamp=stamp,
        headers={"X-Signature": signed_without_query},
    )

    assert response.status_code == 401
    assert codes(response) == ["SIGNATURE_INVALID"]


def test_the_signature_covers_the_body(api, peserta_body):
    stamp = int(time.time())
    farmer = peserta_body()
    signature = api.post("/peserta", farmer, key="body-a", timestamp=stamp).request.headers["X-Signature"]

    response = api.post(
        "/peserta",
        farmer | {"nama": "ORANG LAIN"},
        key="body-b",
        timestamp=stamp,
        headers={"X-Signature": signature},
    )

    assert response.status_code == 401


def test_it_requires_an_idempotency_key_on_post(api, peserta_body):
    response = api.request("POST", "/peserta", json=peserta_body())

    assert response.status_code == 400
    assert codes(response) == ["IDEMPOTENCY_KEY_INVALID"]


@pytest.mark.parametrize("key", ["has space", "x" * 65, "ümlaut", ""])
def test_it_refuses_a_malformed_idempotency_key(api, peserta_body, key):
    response = api.post("/peserta", peserta_body(), key=None, headers={"X-Idempotency-Key": key})

    assert response.status_code == 400
    assert codes(response) == ["IDEMPOTENCY_KEY_INVALID"]


def test_it_takes_a_64_character_key(api, peserta_body):
    response = api.post("/peserta", peserta_body(), key="A-z_9" * 12 + "abcd")

    assert response.status_code == 201


def test_it_answers_an_unknown_path_with_404_in_the_envelope(api):
    response = api.get("/tidak/ada")

    assert response.status_code == 404
    assert response.json()["metaData"]["code"] == "404"
    assert response.json()["response"] is None


def test_it_answers_a_wrong_method_with_405(api):
    response = api.request("DELETE", "/peserta/12345678901")

    assert response.status_code == 405


def test_it_counts_every_api_request_but_not_the_control_calls(api, clean_sandbox):
    api.get("/peserta/12345678901")
    api.get("/peserta/12345678901", secret="wrong")
    api.get("/tidak/ada")
    clean_sandbox.stats()

    assert clean_sandbox.stats()["requests"] == 3
