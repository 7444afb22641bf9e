"""Nothing an agent records is lost or sent twice, whatever the network and the insurer do.

Real Celery workers and beat on Redis, the real sandbox process with fault injection, and the
test database on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.db.models import Count
from django.utils import timezone

from bpjs_gateway.models import OutboxMessage, OutboxState
from contributions.models import Payment, PaymentStatus
from contributions.services import payment_record
from enrollment.models import Farmer
from enrollment.services import Registration, farmer_register
from tests.bpjs_gateway.workers import Processes, purge_broker, worker_env
from tests.conftest import registration_fields

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def processes(clean_sandbox, tmp_path):
    purge_broker()
    procs = Processes(worker_env(clean_sandbox), tmp_path)
    yield procs
    procs.stop_all()


def register_and_pay(agent_user, count: int, first_serial: int = 1) -> None:
    village = agent_user.agent.villages.first()
    for serial in range(first_serial, first_serial + count):
        birth = dt.date(1965 + serial % 40, serial % 12 + 1, serial % 28 + 1)
        fields = registration_fields(
            village, serial=serial, birth_date=birth, female=serial % 2 == 0, name=f"PETANI UJI {serial}"
        )
        farmer = farmer_register(user=agent_user, registration=Registration(fields=fields))
        payment_record(user=agent_user, farmer=farmer, months=serial % 3 + 1, cash_received=60_000)


def wait_for(condition, processes: Processes, timeout_s: float = 60, step_s: float = 0.25) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"condition not reached in {timeout_s}s\n{processes.logs()}")
        time.sleep(step_s)


def wait_until_drained(processes: Processes, expected: int, timeout_s: float = 300) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if OutboxMessage.objects.filter(state=OutboxState.DONE).count() == expected:
            return
        time.sleep(0.5)
    states = dict(OutboxMessage.objects.values_list("state").annotate(n=Count("pk")).order_by())
    pytest.fail(f"outbox not drained in {timeout_s}s: {states}\n{processes.logs()}")


def assert_everything_confirmed_once(sandbox, farmers: int) -> None:
    assert not OutboxMessage.objects.exclude(state=OutboxState.DONE).exists()
    assert Farmer.objects.filter(registration_status="TERDAFTAR", kpj__isnull=False).count() == farmers
    assert Payment.objects.filter(status=PaymentStatus.TERKONFIRMASI).exclude(transaction_no="").count() == farmers
    assert not Farmer.objects.filter(paid_through__isnull=True).exists()
    stats = sandbox.stats()
    assert (stats["peserta"], stats["iuran"], stats["duplicates_refused"]) == (farmers, farmers, 0), stats


def test_400_operations_through_faults_end_exactly_once(processes, clean_sandbox, agent_user):
    clean_sandbox.faults(error_rate=0.3, lost_response_rate=0.2, timeout_rate=0.05)
    processes.worker("w1")
    processes.worker("w2")
    processes.beat()
    register_and_pay(agent_user, 200)
    wait_until_drained(processes, 400)
    assert_everything_confirmed_once(clean_sandbox, 200)
    stats = clean_sandbox.stats()
    assert stats["replays"] > 0  # lost answers were recovered by replay, not by booking again
    assert stats["requests"] > 400  # faults really happened and were retried


def test_the_outbox_grows_while_the_insurer_is_down_and_drains_after(processes, clean_sandbox, agent_user):
    clean_sandbox.faults(down=True)
    first = processes.worker("w1")
    processes.beat()
    register_and_pay(agent_user, 20)  # agents keep working
    wait_for(lambda: OutboxMessage.objects.filter(operation="REGISTER", attempts__gte=2).count() == 20, processes)
    assert Farmer.objects.count() == 20
    assert OutboxMessage.objects.exclude(state=OutboxState.DONE).count() == 40
    processes.kill(first)  # and a worker dies meanwhile
    processes.worker("w2")
    clean_sandbox.faults()
    wait_until_drained(processes, 40)
    assert_everything_confirmed_once(clean_sandbox, 20)


def test_a_worker_killed_mid_request_loses_nothing(processes, clean_sandbox, agent_user):
    clean_sandbox.faults(latency_ms=400)
    victim = processes.worker("victim", concurrency=4)
    register_and_pay(agent_user, 30)
    wait_for(lambda: OutboxMessage.objects.filter(state=OutboxState.SENDING).exists(), processes, step_s=0.05)
    processes.kill(victim)
    in_flight = OutboxMessage.objects.filter(state=OutboxState.SENDING).count()
    assert in_flight > 0
    processes.worker("rescuer")
    processes.beat()
    wait_until_drained(processes, 60)
    assert_everything_confirmed_once(clean_sandbox, 30)


def test_catat_iuran_on_200_farmers_through_faults_confirms_each_once_with_the_insurers_lunas_sampai(
    processes, clean_sandbox, agent_user, tmp_path
):
    """A paper list of 200 payments entered by the command while the insurer errs, loses answers
    and times out: every payment is booked once, and BPJS's *lunas sampai* is ours for each KPJ."""
    from django.core.management import call_command

    from tests.sandbox_fixtures import SignedClient

    village = agent_user.agent.villages.first()
    farmers = []
    for serial in range(1, 201):
        birth = dt.date(1965 + serial % 40, serial % 12 + 1, serial % 28 + 1)
        fields = registration_fields(village, serial=serial, birth_date=birth, female=serial % 2 == 0)
        farmers.append(farmer_register(user=agent_user, registration=Registration(fields=fields)))
    clean_sandbox.faults(error_rate=0.3, lost_response_rate=0.2, timeout_rate=0.05)
    processes.worker("w1")
    processes.worker("w2")
    processes.beat()
    sheet = tmp_path / "buku-kuitansi.csv"
    sheet.write_text("nik,bulan\n" + "".join(f"{f.nik},{f.pk % 12 + 1}\n" for f in farmers))
    call_command("catat_iuran", str(sheet), "--agent", agent_user.username)  # before the KPJs: they wait

    wait_until_drained(processes, 400)
    assert_everything_confirmed_once(clean_sandbox, 200)
    assert Payment.objects.filter(batch__isnull=False).count() == 200
    clean_sandbox.faults()
    insurer = SignedClient(clean_sandbox.base_url, clean_sandbox.cons_id, clean_sandbox.secret)
    for farmer in Farmer.objects.all():
        booked = insurer.get(f"/peserta/{farmer.kpj}").json()["response"]["lunas_sampai"]
        assert booked == f"{farmer.paid_through:%Y-%m}", (farmer.kpj, booked, farmer.paid_through)
        payment = farmer.payments.get()
        assert farmer.paid_through == payment.end_month


def test_claims_and_their_documents_arrive_once_through_faults_and_are_followed_to_payment(
    processes, clean_sandbox, agent_user
):
    """Ten death claims of five documents each, filed while the insurer errs, loses answers and
    times out: ten claims and fifty documents at the insurer, none filed or uploaded twice."""
    from bpjs_gateway.client import H2HClient
    from claims.models import REQUIRED_DOCUMENTS, Claim, ClaimStatus
    from claims.polling import claim_poll
    from claims.services import claim_report, claim_submit, document_upload
    from tests.claims.conftest import photo
    from tests.claims.test_claim_flow import JKM_FIELDS

    processes.worker("w1")
    processes.worker("w2")
    processes.beat()
    register_and_pay(agent_user, 10)
    wait_until_drained(processes, 20)
    for farmer in Farmer.objects.all():
        farmer.refresh_from_db()
        claim = claim_report(
            user=agent_user, farmer=farmer, fields=JKM_FIELDS | {"incident_date": timezone.localdate()}
        )
        for kind in REQUIRED_DOCUMENTS["JKM"]:
            document_upload(user=agent_user, claim=claim, kind=kind, upload=photo(f"{kind}{farmer.pk}"))
    clean_sandbox.faults(error_rate=0.3, lost_response_rate=0.2, timeout_rate=0.05)
    for claim in Claim.objects.all():
        claim_submit(user=agent_user, claim=claim)
    wait_until_drained(processes, 20 + 10 + 50)

    stats = clean_sandbox.stats()
    assert (stats["klaim"], stats["claims_same_incident"]) == (10, 0), stats
    assert (stats["documents_received"], stats["documents_replaced"]) == (50, 0), stats
    clean_sandbox.faults()
    insurer = H2HClient(
        base_url=clean_sandbox.base_url, cons_id=clean_sandbox.cons_id, secret=clean_sandbox.secret, timeout=5
    )
    for claim in Claim.objects.all():
        assert claim.status == ClaimStatus.DITERIMA and set(claim.documents.values_list("status", flat=True)) == {
            "TERKIRIM"
        }
        clean_sandbox.advance(claim.claim_no, status="DIBAYAR", nominal=42_000_000)
        assert claim_poll(claim.pk, client=insurer) == ClaimStatus.DIBAYAR


def test_after_an_outage_the_backlog_goes_once_the_insurer_answers_not_when_its_back_off_ends(
    clean_sandbox, agent_user, tmp_path
):
    """Twenty registrations and their payments wait through an outage with a back-off of five to
    ten minutes: the probe sees the insurer answer again and the whole backlog goes, once each."""
    from django.db.models import Min

    from bpjs_gateway.health import PROBE
    from bpjs_gateway.models import RequestLog

    purge_broker()
    env = worker_env(
        clean_sandbox,
        BPJS_OUTBOX_BACKOFF_BASE_S="600",
        BPJS_OUTBOX_BACKOFF_CAP_S="600",
        BPJS_OUTBOX_PROBE_EVERY_S="1",
    )
    processes = Processes(env, tmp_path)
    try:
        clean_sandbox.faults(down=True)
        processes.worker("w1")
        processes.beat()
        register_and_pay(agent_user, 20)
        backed_off = OutboxMessage.objects.filter(operation="REGISTER", state=OutboxState.PENDING, attempts=1)
        wait_for(lambda: backed_off.count() == 20, processes)
        back_off_ends = backed_off.aggregate(first=Min("next_attempt_at"))["first"]
        assert back_off_ends > timezone.now() + dt.timedelta(minutes=4)
        clean_sandbox.faults()
        wait_until_drained(processes, 40)
        assert_everything_confirmed_once(clean_sandbox, 20)
        assert not OutboxMessage.objects.filter(completed_at__gte=back_off_ends).exists()
        assert RequestLog.objects.filter(operation=PROBE, released=20).exists()
    finally:
        processes.stop_all()
