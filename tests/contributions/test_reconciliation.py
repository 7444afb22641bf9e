import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from contributions.models import Payment, ReconciliationRun
from contributions.reconciliation import Mismatch, ReconciliationUnavailable, reconcile_payments


def test_it_matches_todays_bookings_and_lists_the_differences(troubled_day, h2h):
    changed, lost = troubled_day
    report = reconcile_payments(timezone.localdate(), client=h2h)
    assert report.insurer_count == 3 and report.matched == 1
    [mismatch] = report.mismatched
    assert mismatch == Mismatch(changed.receipt_no, ("nominal",), mismatch.booked)
    assert mismatch.booked["nominal"] == 16_800 and mismatch.labels == "nominal"
    assert [r["ref_kanal"] for r in report.unknown_here] == [lost.receipt_no]
    assert report.missing_there == ["KW-HILANG"]


def test_it_pages_through_a_busy_day(paid_farmer, h2h, monkeypatch):
    monkeypatch.setattr("contributions.reconciliation.PAGE_SIZE", 2)
    for serial in range(1, 6):
        paid_farmer(serial)
    report = reconcile_payments(timezone.localdate(), client=h2h)
    assert report.insurer_count == 5 and report.matched == 5 and report.clean


def test_an_insurer_that_is_down_is_reported_not_taken_for_an_empty_day(h2h, clean_sandbox, db):
    clean_sandbox.faults(down=True)
    with pytest.raises(ReconciliationUnavailable):
        reconcile_payments(timezone.localdate(), client=h2h)


def test_the_command_prints_a_summary_and_stores_the_day(paid_farmer, insurer_is_the_sandbox, capsys):
    changed = paid_farmer(1)
    Payment.objects.filter(pk=changed.pk).update(amount=33_600, months=2, cash_received=33_600)
    call_command("reconcile_iuran", "--date", timezone.localdate().isoformat())
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    call_command("reconcile_iuran", "--date", yesterday.isoformat())
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"berbeda: {changed.receipt_no} (nominal)"
    assert out[1].endswith("BPJS 1, cocok 0, tidak ada di SUTASOMA 0, tidak ada di BPJS 0, berbeda 1")
    assert out[2] == f"{yesterday}: BPJS 0, cocok 0, tidak ada di SUTASOMA 0, tidak ada di BPJS 0, berbeda 0"
    today = ReconciliationRun.objects.get(day=timezone.localdate())
    assert [d.receipt_no for d in today.differences.all()] == [changed.receipt_no]
    assert not ReconciliationRun.objects.get(day=yesterday).differences.exists()
