"""The outbox against the real sandbox: results land on the farmer and the payment."""

import datetime as dt

import pytest
from django.utils import timezone

from bpjs_gateway import outbox
from bpjs_gateway.client import H2HClient
from bpjs_gateway.models import OutboxMessage, OutboxState, RequestLog
from contributions.insurer import payment_messages
from contributions.models import PaymentStatus
from contributions.services import payment_record
from enrollment.insurer import registration_messages
from enrollment.models import Farmer


@pytest.fixture
def client(clean_sandbox):
    return H2HClient(
        base_url=clean_sandbox.base_url, cons_id=clean_sandbox.cons_id, secret=clean_sandbox.secret, timeout=1
    )


def send(message, client):
    return outbox.send_message(message.pk, client=client)


def test_a_registration_comes_back_with_a_kpj(agent_user, make_farmer, client):
    farmer = make_farmer(agent_user)
    result = send(registration_messages(farmer).get(), client)
    farmer.refresh_from_db()
    assert result.state == OutboxState.DONE
    assert farmer.registration_status == "TERDAFTAR" and len(farmer.kpj) == 11
    log = RequestLog.objects.get()
    assert (log.http_status, log.outcome, log.path) == (201, "ok", "/api/bpu/v1/peserta")


def test_a_nik_already_at_the_insurer_links_the_existing_kpj(agent_user, make_farmer, client, clean_sandbox, api):
    farmer = make_farmer(agent_user)
    body = bytes(registration_messages(farmer).get().body)
    first = api.request(
        "POST", "/peserta", data=body, key="registered-elsewhere", headers={"Content-Type": "application/json"}
    )
    assert first.status_code == 201
    send(registration_messages(farmer).get(), client)
    farmer.refresh_from_db()
    assert farmer.kpj == first.json()["response"]["kpj"] and farmer.registration_status == "TERDAFTAR"
    assert clean_sandbox.stats()["duplicates_refused"] == 1


def test_a_refusal_is_shown_in_indonesian_and_not_retried(agent_user, make_farmer, client, clean_sandbox):
    farmer = make_farmer(agent_user)
    message = registration_messages(farmer).get()
    message.body = bytes(message.body).replace(b'"penghasilan":1000000', b'"penghasilan":500000')
    message.save()
    assert send(message, client).state == OutboxState.FAILED
    farmer.refresh_from_db()
    assert farmer.registration_status == "DITOLAK"
    assert farmer.insurer_errors[0]["code"] == "PENGHASILAN_TIDAK_VALID"
    assert "Penghasilan harus antara" in farmer.insurer_errors[0]["pesan"]
    assert send(message, client).state == "skipped"  # a refused row is not sent again by itself
    assert clean_sandbox.stats()["requests"] == 1


def test_a_transient_error_schedules_a_retry_with_the_same_key(agent_user, make_farmer, client, clean_sandbox):
    farmer = make_farmer(agent_user)
    message = registration_messages(farmer).get()
    clean_sandbox.faults(error_rate=1.0)
    result = send(message, client)
    message.refresh_from_db()
    assert result.state == OutboxState.PENDING and 1 <= result.retry_in <= 2
    assert message.attempts == 1 and message.next_attempt_at > timezone.now()
    assert send(message, client).state == "skipped"  # not due yet
    clean_sandbox.faults()
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    assert send(message, client).state == OutboxState.DONE
    message.refresh_from_db()
    assert message.attempts == 2 and message.idempotency_key.startswith("reg-")


def test_a_lost_answer_is_resent_and_replayed_not_duplicated(agent_user, make_farmer, client, clean_sandbox):
    farmer = make_farmer(agent_user)
    message = registration_messages(farmer).get()
    clean_sandbox.faults(lost_response_rate=1.0)
    assert send(message, client).state == OutboxState.PENDING
    clean_sandbox.faults()
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    assert send(message, client).state == OutboxState.DONE
    stats = clean_sandbox.stats()
    assert (stats["peserta"], stats["replays"]) == (1, 1)
    assert RequestLog.objects.filter(replay=True).count() == 1


def test_a_payment_waits_for_the_kpj_then_sets_lunas_sampai(agent_user, make_farmer, client, clean_sandbox):
    farmer = make_farmer(agent_user)
    payment = payment_record(user=agent_user, farmer=farmer, months=3, cash_received=50_400)
    pay_message = payment_messages(payment).get()
    assert pay_message.state == OutboxState.WAITING and pay_message.body is None
    assert send(pay_message, client).state == "skipped"  # no KPJ yet
    send(registration_messages(farmer).get(), client)  # the KPJ releases the payment, with its body
    pay_message.refresh_from_db()
    assert pay_message.state == OutboxState.PENDING and b'"kpj":"' in bytes(pay_message.body)
    assert send(pay_message, client).state == OutboxState.DONE
    payment.refresh_from_db()
    farmer.refresh_from_db()
    this_month = timezone.localdate().replace(day=1)
    assert payment.status == PaymentStatus.TERKONFIRMASI and payment.transaction_no
    assert payment.amount == 50_400 and payment.start_month == this_month
    assert farmer.paid_through == dt.date(
        this_month.year + (this_month.month + 1) // 12, (this_month.month + 1) % 12 + 1, 1
    )
    assert clean_sandbox.stats()["iuran"] == 1


def test_an_expired_lease_lets_another_worker_take_the_row(agent_user, make_farmer, client):
    farmer = make_farmer(agent_user)
    message = registration_messages(farmer).get()
    # A worker claimed it and died mid-request: SENDING with a lease in the past.
    OutboxMessage.objects.filter(pk=message.pk).update(
        state=OutboxState.SENDING, attempts=1, lease_until=timezone.now() - dt.timedelta(seconds=1)
    )
    assert send(message, client).state == OutboxState.DONE
    assert Farmer.objects.get(pk=farmer.pk).kpj


def test_resending_a_refused_registration_uses_the_corrected_data_and_a_new_key(
    agent_user, make_farmer, client, clean_sandbox
):
    farmer = make_farmer(agent_user)
    message = registration_messages(farmer).get()
    message.body = bytes(message.body).replace(b'"kode_wilayah":"7312042009"', b'"kode_wilayah":"7399000000"')
    message.save()
    send(message, client)
    assert outbox.resend_failed(message.pk)
    new = registration_messages(farmer).get(state=OutboxState.PENDING)
    assert new.pk != message.pk and new.idempotency_key != message.idempotency_key
    assert send(new, client).state == OutboxState.DONE
    farmer.refresh_from_db()
    assert farmer.registration_status == "TERDAFTAR" and farmer.insurer_errors == []


def test_the_sweep_finds_rows_whose_task_was_lost(agent_user, make_farmer, settings):
    settings.BPJS_OUTBOX_SWEEP_GRACE_S = 0
    farmer = make_farmer(agent_user)
    assert outbox.due_message_ids() == [registration_messages(farmer).get().pk]


def test_a_payment_taken_after_the_kpj_goes_at_once_with_its_body(agent_user, make_farmer):
    farmer = make_farmer(agent_user)
    Farmer.objects.filter(pk=farmer.pk).update(kpj="24010000009", registration_status="TERDAFTAR")
    farmer.refresh_from_db()
    payment = payment_record(user=agent_user, farmer=farmer, months=1, cash_received=16_800)
    message = payment_messages(payment).get()
    assert message.state == OutboxState.PENDING and b'"kpj":"24010000009"' in bytes(message.body)


def test_an_operation_no_app_registered_is_an_error_not_a_silent_drop():
    from bpjs_gateway.registry import operation

    with pytest.raises(LookupError, match="KLAIM"):
        operation("KLAIM")
