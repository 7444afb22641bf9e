"""Injected faults and the control API (docs/insurer-contract.md#sandbox)."""

from __future__ import annotations

import socket
import threading
import time

import pytest
import requests

OFF = {
    "error_rate": 0.0,
    "lost_response_rate": 0.0,
    "latency_ms": 0,
    "timeout_rate": 0.0,
    "down": False,
    "rate_limit_per_s": None,
}


def test_down_refuses_every_call_with_503(api, clean_sandbox, peserta_body):
    clean_sandbox.faults(down=True)

    reading = api.get("/peserta/12345678901")
    writing = api.post("/peserta", peserta_body())

    assert (reading.status_code, writing.status_code) == (503, 503)
    assert reading.headers["Retry-After"] == "1"
    assert reading.json()["metaData"]["code"] == "503"
    assert clean_sandbox.stats()["peserta"] == 0


def test_an_error_answers_500_and_stores_nothing(api, clean_sandbox, peserta_body):
    farmer = peserta_body()
    clean_sandbox.faults(error_rate=1.0)

    failed = api.post("/peserta", farmer, key="coba-lagi")
    assert failed.status_code == 500
    assert clean_sandbox.stats()["peserta"] == 0

    clean_sandbox.faults()
    retried = api.post("/peserta", farmer, key="coba-lagi")
    assert retried.status_code == 201
    assert "X-Idempotent-Replay" not in retried.headers


def test_a_lost_answer_is_committed_and_the_retry_gets_the_replay(api, clean_sandbox, peserta_body):
    farmer = peserta_body()
    clean_sandbox.faults(lost_response_rate=1.0)

    lost = api.post("/peserta", farmer, key="jawaban-hilang")
    assert lost.status_code == 502
    assert clean_sandbox.stats()["peserta"] == 1

    clean_sandbox.faults()
    retried = api.post("/peserta", farmer, key="jawaban-hilang")
    assert retried.status_code == 201
    assert retried.headers["X-Idempotent-Replay"] == "true"
    assert clean_sandbox.stats()["peserta"] == 1


def test_a_held_answer_outlasts_the_client_and_the_retry_gets_the_replay(api, clean_sandbox, peserta_body):
    farmer = peserta_body()
    clean_sandbox.faults(timeout_rate=1.0)

    with pytest.raises(requests.exceptions.Timeout):
        api.post("/peserta", farmer, key="lama-sekali", timeout=1)

    clean_sandbox.faults()
    retried = api.post("/peserta", farmer, key="lama-sekali")
    assert retried.status_code == 201
    assert retried.headers["X-Idempotent-Replay"] == "true"
    assert clean_sandbox.stats()["peserta"] == 1


def test_a_held_answer_does_not_hold_up_other_requests(clean_sandbox, make_client, peserta_body):
    clean_sandbox.faults(timeout_rate=1.0)
    held = {}

    def send():
        started = time.monotonic()
        held["response"] = make_client().post("/peserta", peserta_body(), timeout=10)
        held["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=send)
    thread.start()
    deadline = time.monotonic() + 5
    while clean_sandbox.stats()["peserta"] == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    clean_sandbox.faults()

    started = time.monotonic()
    other = make_client().get("/peserta/12345678901")
    assert other.status_code == 404
    assert time.monotonic() - started < 1

    thread.join()
    assert held["response"].status_code == 201
    assert held["seconds"] >= 2.5


def test_a_rate_limit_answers_429_with_retry_after(api, clean_sandbox):
    clean_sandbox.faults(rate_limit_per_s=2)

    responses = [api.get("/peserta/12345678901") for _ in range(10)]

    limited = [r for r in responses if r.status_code == 429]
    assert limited
    assert all(int(r.headers["Retry-After"]) >= 1 for r in limited)
    assert {r.status_code for r in responses} == {404, 429}


def test_latency_delays_every_answer(api, clean_sandbox):
    clean_sandbox.faults(latency_ms=300)

    started = time.monotonic()
    api.get("/peserta/12345678901")

    assert time.monotonic() - started >= 0.3


def test_a_fault_call_replaces_the_whole_configuration(clean_sandbox):
    clean_sandbox.faults(down=True, latency_ms=10, rate_limit_per_s=5)

    assert clean_sandbox.faults(error_rate=0.5) == OFF | {"error_rate": 0.5}


@pytest.mark.parametrize("config", [{"error_rate": 1.5}, {"down": "yes"}, {"latency_ms": -1}, {"eror_rate": 0.1}])
def test_it_refuses_a_malformed_fault_configuration(clean_sandbox, config):
    response = requests.post(f"{clean_sandbox.base_url}/_sandbox/faults", json=config, timeout=5)

    assert response.status_code == 422


def test_faults_leave_the_control_api_alone(clean_sandbox):
    clean_sandbox.faults(down=True, error_rate=1.0)

    assert clean_sandbox.stats()["requests"] == 0


def test_reset_forgets_everything(api, clean_sandbox, register):
    register()
    clean_sandbox.faults(down=True)

    clean_sandbox.reset()

    assert clean_sandbox.stats() == {
        "peserta": 0,
        "iuran": 0,
        "klaim": 0,
        "requests": 0,
        "replays": 0,
        "duplicates_refused": 0,
        "documents_received": 0,
        "documents_replaced": 0,
        "claims_same_incident": 0,
    }
    assert api.get("/peserta/12345678901").status_code == 404


def _outward_address() -> str | None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # UDP connect sends nothing; it only picks a route
        except OSError:
            return None
        address = probe.getsockname()[0]
    return None if address.startswith("127.") else address


def test_the_control_api_answers_only_on_loopback(spawn_sandbox):
    address = _outward_address()
    if address is None:
        pytest.skip("this machine has no address besides loopback")
    sandbox = spawn_sandbox(extra_args=["--host", "0.0.0.0", "--cons-id", "X", "--secret", "Y"])
    port = sandbox.base_url.rsplit(":", 1)[1]

    response = requests.get(f"http://{address}:{port}/_sandbox/stats", timeout=5)

    assert response.status_code == 403
