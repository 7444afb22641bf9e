"""A backlog goes out in batches at the pace of the insurer's answers, and an outage's backlog
goes as soon as the insurer answers again, not when each row's back-off runs out."""

import datetime as dt
import time

import pytest
from django.utils import timezone

from bpjs_gateway import health, outbox, queue
from bpjs_gateway import tasks as gateway_tasks
from bpjs_gateway.client import H2HClient
from bpjs_gateway.models import OutboxMessage, OutboxState, RequestLog
from enrollment.insurer import registration_messages
from enrollment.models import Farmer


@pytest.fixture
def client(clean_sandbox):
    return H2HClient(
        base_url=clean_sandbox.base_url, cons_id=clean_sandbox.cons_id, secret=clean_sandbox.secret, timeout=1
    )


def backlog(agent_user, make_farmer, count: int) -> list[OutboxMessage]:
    farmers = [make_farmer(agent_user, serial=serial, name=f"PETANI ANTRE {serial}") for serial in range(1, count + 1)]
    return [registration_messages(farmer).get() for farmer in farmers]


def backed_off(message: OutboxMessage, *, status: int | None, seconds: int = 300) -> None:
    """As after an attempt answered with `status` (None: no answer) and a long back-off."""
    OutboxMessage.objects.filter(pk=message.pk).update(
        attempts=5, last_status=status, next_attempt_at=timezone.now() + dt.timedelta(seconds=seconds)
    )


def test_a_drain_sends_every_due_row_once_in_batches(agent_user, make_farmer, client, clean_sandbox):
    messages = backlog(agent_user, make_farmer, 7)
    assert outbox.drain(budget_s=60, client=client, batch=3) == 7
    assert set(OutboxMessage.objects.values_list("state", "attempts")) == {(OutboxState.DONE, 1)}
    assert RequestLog.objects.filter(outcome="ok").count() == 7
    assert Farmer.objects.filter(kpj__isnull=False, registration_status="TERDAFTAR").count() == 7
    assert clean_sandbox.stats()["peserta"] == 7
    assert outbox.send_message(messages[0].pk, client=client).state == "skipped"  # its own task finds it done


def test_a_drain_stops_after_a_retry_and_gives_back_the_rows_it_did_not_send(
    agent_user, make_farmer, client, clean_sandbox
):
    backlog(agent_user, make_farmer, 5)
    clean_sandbox.faults(error_rate=1.0)
    # The first answer is a retry; the second call was already on the wire beside it.
    assert outbox.drain(budget_s=60, client=client, batch=5, in_flight=2) == 2
    retried = OutboxMessage.objects.filter(attempts=1)
    assert retried.count() == 2 and not retried.exclude(state=OutboxState.PENDING).exists()
    assert not retried.filter(next_attempt_at__lte=timezone.now()).exists()
    # The other three were claimed with them but never sent: as they were, with no attempt on record.
    untouched = OutboxMessage.objects.exclude(attempts=1)
    assert set(untouched.values_list("state", "attempts", "lease_until")) == {(OutboxState.PENDING, 0, None)}
    assert untouched.count() == 3
    assert RequestLog.objects.count() == 2 and clean_sandbox.stats()["requests"] == 2


def test_rows_claimed_together_are_leased_for_their_turn(agent_user, make_farmer):
    backlog(agent_user, make_farmer, 3)
    claimed = outbox._claim(limit=3)
    leases = list(OutboxMessage.objects.order_by("lease_until").values_list("lease_until", flat=True))
    one = outbox._lease()
    assert [c.attempts for c in claimed] == [1, 1, 1]
    assert leases[1] - leases[0] == one and leases[2] - leases[1] == one
    assert RequestLog.objects.filter(message__state=OutboxState.SENDING).count() == 3


def test_only_an_outages_backlog_is_released(agent_user, make_farmer):
    down, lost, timed_out, refused_500, rate_limited, due = backlog(agent_user, make_farmer, 6)
    backed_off(down, status=503)
    backed_off(lost, status=502)
    backed_off(timed_out, status=None)
    backed_off(refused_500, status=500)  # the insurer answered, and failed on this row
    backed_off(rate_limited, status=429)  # its Retry-After is the insurer's pace
    released = outbox.release_backlog(limit=10)
    # Due already: nothing to release.
    assert sorted(released) == sorted([down.pk, lost.pk, timed_out.pk]) and due.pk not in released
    now = timezone.now()
    assert OutboxMessage.objects.filter(pk__in=released, next_attempt_at__lte=now).count() == 3
    assert OutboxMessage.objects.filter(pk__in=[refused_500.pk, rate_limited.pk], next_attempt_at__gt=now).count() == 2


def test_the_release_is_bounded_and_takes_the_longest_waiting_first(agent_user, make_farmer):
    messages = backlog(agent_user, make_farmer, 3)
    for message in messages:
        backed_off(message, status=503)
    assert outbox.release_backlog(limit=2) == [messages[0].pk, messages[1].pk]
    assert outbox.release_backlog(limit=2) == [messages[2].pk]


def test_while_the_insurer_is_down_the_probe_releases_nothing_and_says_so(
    agent_user, make_farmer, client, clean_sandbox
):
    (message,) = backlog(agent_user, make_farmer, 1)
    backed_off(message, status=503)
    clean_sandbox.faults(down=True)
    assert health.probe_and_release(client=client) == []
    probe = RequestLog.objects.get(operation=health.PROBE)
    assert (probe.http_status, probe.outcome, probe.released) == (503, "retry", 0)
    assert OutboxMessage.objects.get(pk=message.pk).next_attempt_at > timezone.now()


def test_once_the_insurer_answers_the_probe_releases_the_backlog_on_record(
    agent_user, make_farmer, client, clean_sandbox
):
    messages = backlog(agent_user, make_farmer, 2)
    for message in messages:
        backed_off(message, status=None)
    assert sorted(health.probe_and_release(client=client)) == sorted(m.pk for m in messages)
    probe = RequestLog.objects.get(operation=health.PROBE)
    assert (probe.http_status, probe.released) == (404, 2)  # a participant no one has: it answers
    assert clean_sandbox.stats()["peserta"] == 0  # the probe changed nothing at the insurer
    # The probe is not an operation: the Gateway page neither counts it as a success nor as a refusal.
    summary = health.gateway_health_summary()
    assert summary.last_success is None and summary.failures_by_code == []


def test_without_a_backlog_the_insurer_is_not_asked(agent_user, make_farmer, client, clean_sandbox):
    backlog(agent_user, make_farmer, 1)  # due now, not backed off
    assert health.probe_and_release(client=client) == []
    assert not RequestLog.objects.exists() and clean_sandbox.stats()["requests"] == 0


def test_a_batchs_registrations_are_recorded_as_saves_would_record_them(agent_user, make_farmer, client, clean_sandbox):
    """One farmer update and one history insert for the batch, yet each farmer has its KPJ, its
    history row of the change, and its waiting payment released with the KPJ."""
    from contributions.insurer import payment_messages
    from contributions.services import payment_record

    messages = backlog(agent_user, make_farmer, 4)
    waiting = payment_record(
        user=agent_user, farmer=Farmer.objects.get(pk=messages[0].subject_id), months=1, cash_received=20_000
    )
    assert payment_messages(waiting).get().state == OutboxState.WAITING
    # The payment released by the batch goes in the same drain.
    assert outbox.drain(budget_s=60, client=client, batch=4, in_flight=2) == 5
    for farmer in Farmer.objects.all():
        # The paid farmer has one more row after it, of its payment's paid_through.
        (registered,) = farmer.history.filter(registration_status="TERDAFTAR", paid_through__isnull=True)
        assert (registered.history_type, registered.kpj) == ("~", farmer.kpj) and farmer.kpj
    released = payment_messages(waiting).get()
    kpj = Farmer.objects.get(pk=messages[0].subject_id).kpj
    assert released.state == OutboxState.DONE and kpj.encode() in bytes(released.body)


def test_a_drain_records_a_batch_in_a_few_statements_not_per_row(
    agent_user, make_farmer, client, django_assert_max_num_queries
):
    backlog(agent_user, make_farmer, 20)
    # Claim (5) and record (7) a batch, one claim that finds nothing: not ~10 per row.
    with django_assert_max_num_queries(20):
        assert outbox.drain(budget_s=60, client=client, batch=20, in_flight=4) == 20
    assert Farmer.objects.filter(registration_status="TERDAFTAR").count() == 20


def test_an_answer_whose_row_another_worker_took_over_is_not_recorded_in_a_batch(agent_user, make_farmer, client):
    """Our lease ran out and another worker claimed the row again: its answer counts, not ours."""
    backlog(agent_user, make_farmer, 3)
    claimed = outbox._claim(limit=3, in_flight=3)
    taken = claimed[1]
    OutboxMessage.objects.filter(pk=taken.pk).update(attempts=taken.attempts + 1)  # as a second claim leaves it
    outbox._record_many([(row, outbox._call(client, row)) for row in claimed])
    assert OutboxMessage.objects.filter(state=OutboxState.DONE).count() == 2
    assert OutboxMessage.objects.get(pk=taken.pk).state == OutboxState.SENDING
    assert Farmer.objects.get(pk=taken.subject_id).registration_status == "MENUNGGU_KPJ"
    assert RequestLog.objects.filter(outcome="ok").count() == 3  # every attempt made is on record


def test_when_an_apps_batch_change_fails_the_batch_is_recorded_row_by_row(agent_user, make_farmer, client, monkeypatch):
    import dataclasses

    from bpjs_gateway import registry
    from enrollment.insurer import REGISTER

    def broken(answers):
        raise RuntimeError("bug in a batch hook")

    monkeypatch.setitem(
        registry._OPERATIONS, REGISTER, dataclasses.replace(registry.operation(REGISTER), done_many=broken)
    )
    backlog(agent_user, make_farmer, 3)
    assert outbox.drain(budget_s=60, client=client, batch=3, in_flight=3) == 3
    assert set(OutboxMessage.objects.values_list("state", flat=True)) == {OutboxState.DONE}
    assert Farmer.objects.filter(registration_status="TERDAFTAR").count() == 3


def test_a_batchs_payments_are_confirmed_with_their_history_and_the_farmers_lunas_sampai(
    agent_user, make_farmer, client
):
    from contributions.models import Payment, PaymentStatus
    from contributions.services import payment_record

    backlog(agent_user, make_farmer, 3)
    assert outbox.drain(budget_s=60, client=client) == 3
    for months, farmer in enumerate(Farmer.objects.order_by("pk"), start=1):
        payment_record(user=agent_user, farmer=farmer, months=months, cash_received=60_000)
    assert outbox.drain(budget_s=60, client=client, batch=3, in_flight=3) == 3
    for payment in Payment.objects.select_related("farmer"):
        assert payment.status == PaymentStatus.TERKONFIRMASI and payment.transaction_no and payment.confirmed_at
        assert payment.farmer.paid_through == payment.end_month
        (confirmed,) = payment.history.filter(status=PaymentStatus.TERKONFIRMASI)
        assert confirmed.transaction_no == payment.transaction_no
        assert payment.farmer.history.filter(paid_through=payment.end_month).count() == 1


@pytest.fixture
def queued(monkeypatch) -> list[str]:
    """What the hand-over puts on the broker: 'row <pk>' for a row's own task, 'drain' for a drain."""
    tasks: list[str] = []
    monkeypatch.setattr(gateway_tasks.send_outbox_message_task, "delay", lambda pk: tasks.append(f"row {pk}"))
    monkeypatch.setattr(gateway_tasks.drain_outbox_task, "delay", lambda: tasks.append("drain"))
    return tasks


def test_one_row_gets_its_own_task_and_a_backlog_one_drain_per_batch_up_to_the_workers(queued, settings):
    settings.BPJS_OUTBOX_DRAIN_BATCH, settings.BPJS_OUTBOX_DRAINS = 50, 4
    gateway_tasks.hand_over([7])
    assert queued == ["row 7"]
    queued.clear()
    gateway_tasks.hand_over(list(range(1, 52)))  # 51 rows: two batches
    assert queued == ["drain", "drain"]
    queued.clear()
    gateway_tasks.hand_over(list(range(1, 5001)))  # 100 batches, but 4 processes
    assert queued == ["drain"] * 4
    queued.clear()
    gateway_tasks.hand_over([])
    assert queued == []


def test_a_drain_that_spends_its_budget_queues_the_next_and_one_that_empties_the_outbox_does_not(
    queued, monkeypatch, settings
):
    settings.BPJS_OUTBOX_DRAIN_S = 0.05
    monkeypatch.setattr(gateway_tasks.outbox, "drain", lambda budget_s: time.sleep(budget_s) or 40)
    assert gateway_tasks.drain_outbox_task() == 40
    assert queued == ["drain"]
    queued.clear()
    monkeypatch.setattr(gateway_tasks.outbox, "drain", lambda budget_s: 0)
    assert gateway_tasks.drain_outbox_task() == 0
    assert queued == []


def test_an_import_hands_its_registrations_over_as_drains_on_commit(
    queued, agent_user, make_farmer, django_capture_on_commit_callbacks
):
    farmers = [make_farmer(agent_user, serial=serial, name=f"PETANI IMPOR {serial}") for serial in range(1, 4)]
    with django_capture_on_commit_callbacks(execute=True):
        queue.enqueue_many(operation="REGISTER", payloads={farmer.pk: {"nik": farmer.nik} for farmer in farmers})
    assert queued == ["drain"]


def test_messages_enqueued_together_are_stored_as_one_enqueued_alone(agent_user, make_farmer):
    farmers = [make_farmer(agent_user, serial=serial, name=f"PETANI BERSAMA {serial}") for serial in range(1, 4)]
    payloads = {farmer.pk: {"nik": farmer.nik, "nama": "ÁNDI ß"} for farmer in farmers}
    together = queue.enqueue_many(operation="REGISTER", payloads=payloads)
    alone = queue.enqueue(operation="REGISTER", subject_id=farmers[0].pk, payload=payloads[farmers[0].pk])

    kept = ("operation", "method", "path", "content_type", "state", "attempts", "last_error_code", "errors")
    [stored_alone] = OutboxMessage.objects.filter(pk=alone.pk).values(*kept, "body")
    for message, farmer in zip(together, farmers, strict=True):
        stored = OutboxMessage.objects.get(pk=message.pk)  # the pk given back is the row's
        assert stored.subject_id == farmer.pk and stored.created_at is not None
        assert bytes(stored.body) == queue.encode(payloads[farmer.pk])
        assert {name: getattr(stored, name) for name in kept} == {name: stored_alone[name] for name in kept}
    ours = OutboxMessage.objects.filter(pk__in=[m.pk for m in [*together, alone]])
    assert len({m.idempotency_key for m in ours}) == 4
