"""Idempotent replays (docs/insurer-contract.md#idempotency)."""

from __future__ import annotations

import threading


def test_it_replays_the_original_answer_for_the_same_key_and_body(api, clean_sandbox, peserta_body):
    farmer = peserta_body()

    first = api.post("/peserta", farmer, key="daftar-hasnah")
    second = api.post("/peserta", farmer, key="daftar-hasnah")

    assert first.status_code == second.status_code == 201
    assert "X-Idempotent-Replay" not in first.headers
    assert second.headers["X-Idempotent-Replay"] == "true"
    assert second.content == first.content
    stats = clean_sandbox.stats()
    assert (stats["peserta"], stats["replays"]) == (1, 1)


def test_it_replays_a_refusal_as_it_was(api, peserta_body):
    farmer = peserta_body(penghasilan=1)

    first = api.post("/peserta", farmer, key="salah-sekali")
    second = api.post("/peserta", farmer, key="salah-sekali")

    assert first.status_code == second.status_code == 422
    assert second.content == first.content


def test_it_refuses_a_key_reused_with_another_body(api, clean_sandbox, peserta_body):
    api.post("/peserta", peserta_body(), key="satu-operasi")

    response = api.post("/peserta", peserta_body(), key="satu-operasi")

    assert response.status_code == 422
    assert [e["code"] for e in response.json()["errors"]] == ["IDEMPOTENCY_KEY_REUSED"]
    assert clean_sandbox.stats()["peserta"] == 1


def test_it_refuses_a_key_reused_on_another_path(api, register):
    kpj = register()
    body = {"kpj": kpj}
    api.post("/klaim", body, key="dipakai")

    response = api.post("/iuran", body, key="dipakai")

    assert response.status_code == 422
    assert [e["code"] for e in response.json()["errors"]] == ["IDEMPOTENCY_KEY_REUSED"]


def test_simultaneous_requests_with_one_key_run_once(make_client, clean_sandbox, peserta_body):
    farmer = peserta_body()
    responses = []
    start = threading.Barrier(8)

    def send():
        client = make_client()
        start.wait()
        responses.append(client.post("/peserta", farmer, key="serentak"))

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [r.status_code for r in responses] == [201] * 8
    assert len({r.json()["response"]["kpj"] for r in responses}) == 1
    assert sum("X-Idempotent-Replay" not in r.headers for r in responses) == 1
    stats = clean_sandbox.stats()
    assert (stats["peserta"], stats["replays"]) == (1, 7)
