import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from bpjs_gateway import outbox
from bpjs_gateway.client import H2HClient
from contributions.insurer import payment_messages
from contributions.models import Payment
from contributions.reconciliation import ReconciliationUnavailable, reconcile_payments
from contributions.services import payment_record
from enrollment.insurer import registration_messages


@pytest.fixture
def client(clean_sandbox):
    return H2HClient(
        base_url=clean_sandbox.base_url, cons_id=clean_sandbox.cons_id, secret=clean_sandbox.secret, timeout=2
    )


def paid_farmer(agent_user, make_farmer, client, serial):
    farmer = make_farmer(agent_user, serial=serial)
    outbox.send_message(registration_messages(farmer).get().pk, client=client)
    payment = payment_record(user=agent_user, farmer=farmer, months=1, cash_received=16_800)
    outbox.send_message(payment_messages(payment).get().pk, client=client)
    payment.refresh_from_db()
    return payment


def test_it_matches_todays_bookings_and_lists_the_differences(agent_user, make_farmer, client, api):
    matched = paid_farmer(agent_user, make_farmer, client, 1)
    changed = paid_farmer(agent_user, make_farmer, client, 2)
    Payment.objects.filter(pk=changed.pk).update(amount=33_600, months=2, cash_received=33_600)
    lost = paid_farmer(agent_user, make_farmer, client, 3)
    Payment.objects.filter(pk=lost.pk).update(receipt_no="KW-HILANG")
    report = reconcile_payments(timezone.localdate(), client=client)
    assert report.insurer_count == 3 and report.matched == 1
    assert report.mismatched == [(changed.receipt_no, "nominal")]
    assert [r["ref_kanal"] for r in report.unknown_here] == [lost.receipt_no]
    assert report.missing_there == ["KW-HILANG"]
    assert matched.transaction_no


def test_it_pages_through_a_busy_day(agent_user, make_farmer, client, monkeypatch):
    monkeypatch.setattr("contributions.reconciliation.PAGE_SIZE", 2)
    for serial in range(1, 6):
        paid_farmer(agent_user, make_farmer, client, serial)
    report = reconcile_payments(timezone.localdate(), client=client)
    assert report.insurer_count == 5 and report.matched == 5 and report.clean


def test_an_insurer_that_is_down_is_reported_not_taken_for_an_empty_day(client, clean_sandbox, db):
    clean_sandbox.faults(down=True)
    with pytest.raises(ReconciliationUnavailable):
        reconcile_payments(timezone.localdate(), client=client)


def test_the_command_prints_a_summary(agent_user, make_farmer, client, settings, clean_sandbox, capsys):
    settings.BPJS_H2H_BASE_URL, settings.BPJS_H2H_CONS_ID = clean_sandbox.base_url, clean_sandbox.cons_id
    settings.BPJS_H2H_SECRET = clean_sandbox.secret
    from bpjs_gateway.client import default_client

    default_client.cache_clear()
    try:
        paid_farmer(agent_user, make_farmer, client, 1)
        call_command("reconcile_iuran", "--date", timezone.localdate().isoformat())
        yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
        call_command("reconcile_iuran", "--date", yesterday)
    finally:
        default_client.cache_clear()
    out = capsys.readouterr().out.splitlines()
    assert out[0].endswith("BPJS 1, cocok 1, tidak ada di SUTASOMA 0, tidak ada di BPJS 0, berbeda 0")
    assert out[1] == f"{yesterday}: BPJS 0, cocok 0, tidak ada di SUTASOMA 0, tidak ada di BPJS 0, berbeda 0"
