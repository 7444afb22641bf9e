"""The gateway's client against the real sandbox process: signing, skew, verdicts."""

import time

import pytest

from bpjs_gateway.client import H2HClient, Verdict
from bpjs_gateway.queue import encode


@pytest.fixture
def client(clean_sandbox):
    return H2HClient(
        base_url=clean_sandbox.base_url, cons_id=clean_sandbox.cons_id, secret=clean_sandbox.secret, timeout=2
    )


def register(client, peserta_body, key="reg-1", **overrides):
    return client.call("POST", "/api/bpu/v1/peserta", body=encode(peserta_body(**overrides)), idempotency_key=key)


def test_it_registers_and_reads_back_the_kpj(client, peserta_body):
    outcome = register(client, peserta_body)
    assert outcome.verdict is Verdict.OK and outcome.status == 201
    kpj = outcome.response["kpj"]
    assert len(kpj) == 11 and kpj.isdigit()
    status = client.call("GET", f"/api/bpu/v1/peserta/{kpj}")
    assert status.verdict is Verdict.OK and status.response["status"] == "TERDAFTAR"


def test_a_wrong_secret_is_a_permanent_refusal(clean_sandbox, peserta_body):
    wrong = H2HClient(
        base_url=clean_sandbox.base_url, cons_id=clean_sandbox.cons_id, secret="not-the-secret", timeout=2
    )
    outcome = register(wrong, peserta_body)
    assert outcome.verdict is Verdict.PERMANENT and (outcome.status, outcome.code) == (401, "SIGNATURE_INVALID")
    assert clean_sandbox.stats()["peserta"] == 0


def test_it_re_signs_with_the_insurers_clock_after_a_timestamp_refusal(clean_sandbox, peserta_body):
    slow_clock = H2HClient(
        base_url=clean_sandbox.base_url,
        cons_id=clean_sandbox.cons_id,
        secret=clean_sandbox.secret,
        timeout=2,
        clock=lambda: time.time() - 900,
    )
    outcome = register(slow_clock, peserta_body)
    assert outcome.verdict is Verdict.OK, outcome
    assert 880 < slow_clock.skew < 920
    assert clean_sandbox.stats()["peserta"] == 1


def test_a_replay_after_a_lost_answer_is_flagged_and_books_nothing_twice(client, clean_sandbox, peserta_body):
    farmer = peserta_body()
    clean_sandbox.faults(lost_response_rate=1.0)
    lost = client.call("POST", "/api/bpu/v1/peserta", body=encode(farmer), idempotency_key="reg-lost")
    assert lost.verdict is Verdict.RETRY and lost.status == 502
    clean_sandbox.faults()
    again = client.call("POST", "/api/bpu/v1/peserta", body=encode(farmer), idempotency_key="reg-lost")
    assert again.verdict is Verdict.OK and again.replay
    assert clean_sandbox.stats()["peserta"] == 1


@pytest.mark.parametrize(
    ("faults", "status", "code"),
    [
        ({"error_rate": 1.0}, 500, None),
        ({"down": True}, 503, None),
        ({"timeout_rate": 1.0}, None, "TIMEOUT"),
    ],
)
def test_transient_failures_are_retried_later(client, clean_sandbox, peserta_body, faults, status, code):
    clean_sandbox.faults(**faults)
    client.timeout = 0.5
    outcome = register(client, peserta_body)
    assert outcome.verdict is Verdict.RETRY and outcome.status == status
    if code:
        assert outcome.code == code


def test_a_rate_limit_answer_carries_the_wait(client, clean_sandbox, peserta_body):
    clean_sandbox.faults(rate_limit_per_s=1)
    outcomes = [register(client, peserta_body, key=f"rl-{i}") for i in range(4)]
    limited = [o for o in outcomes if o.status == 429]
    assert limited and all(o.verdict is Verdict.RETRY and o.retry_after >= 1 for o in limited)


def test_a_field_error_is_permanent_with_the_insurers_codes(client, peserta_body):
    outcome = register(client, peserta_body, penghasilan=500_000)
    assert outcome.verdict is Verdict.PERMANENT and outcome.status == 422
    assert "PENGHASILAN_TIDAK_VALID" in {e["code"] for e in outcome.errors}


def test_a_connection_refused_is_retried(peserta_body):
    nowhere = H2HClient(base_url="http://127.0.0.1:9", cons_id="X", secret="y", timeout=1)
    outcome = register(nowhere, peserta_body)
    assert outcome.verdict is Verdict.RETRY and outcome.code == "CONNECTION_ERROR"
