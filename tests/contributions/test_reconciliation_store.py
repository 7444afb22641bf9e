import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from contributions.models import DifferenceKind, Payment, ReconciliationDifference, ReconciliationRun
from contributions.reconciliation import difference_resolve, reconcile_payments, reconciliation_store
from contributions.tasks import reconcile_yesterday_task


def kinds(run: ReconciliationRun) -> dict[str, ReconciliationDifference]:
    return {d.kind: d for d in run.differences.all()}


def test_a_day_is_stored_with_each_difference_and_our_payment_where_the_receipt_is_ours(troubled_day, h2h):
    changed, lost = troubled_day
    run = reconciliation_store(reconcile_payments(timezone.localdate(), client=h2h))
    assert (run.day, run.insurer_count, run.matched) == (timezone.localdate(), 3, 1)
    found = kinds(run)
    assert set(found) == set(DifferenceKind.values)
    mismatched = found[DifferenceKind.MISMATCHED]
    assert (mismatched.receipt_no, mismatched.payment_id) == (changed.receipt_no, changed.pk)
    assert mismatched.detail["berbeda"] == ["nominal"]
    assert mismatched.detail["sutasoma"]["nominal"] == 33_600 and mismatched.detail["bpjs"]["nominal"] == 16_800
    unknown = found[DifferenceKind.UNKNOWN_HERE]
    assert (unknown.receipt_no, unknown.payment) == (lost.receipt_no, None)
    assert unknown.detail["sutasoma"] is None and unknown.detail["bpjs"]["kpj"] == lost.farmer.kpj
    missing = found[DifferenceKind.MISSING_THERE]
    assert (missing.receipt_no, missing.payment_id, missing.detail["bpjs"]) == ("KW-HILANG", lost.pk, None)
    assert not any(d.resolved_at for d in found.values())


def test_running_the_same_day_again_keeps_what_was_resolved_and_duplicates_nothing(troubled_day, h2h, dinas_user):
    changed, lost = troubled_day
    day = timezone.localdate()
    run = reconciliation_store(reconcile_payments(day, client=h2h))
    mismatched = kinds(run)[DifferenceKind.MISMATCHED]
    difference_resolve(user=dinas_user, difference_id=mismatched.pk, note="BPJS memperbaiki nominal")
    # Meanwhile the lost receipt was put right: its two differences are gone on the next run.
    Payment.objects.filter(pk=lost.pk).update(receipt_no=lost.receipt_no)
    for _ in range(2):
        again = reconciliation_store(reconcile_payments(day, client=h2h))
    assert again.pk == run.pk and ReconciliationRun.objects.count() == 1
    assert again.matched == 2
    [kept] = again.differences.all()
    assert kept.pk == mismatched.pk  # still found, but resolved: not opened again
    assert (kept.resolution, kept.resolved_by) == ("BPJS memperbaiki nominal", dinas_user)


def test_a_new_run_replaces_open_differences_with_what_it_finds_now(troubled_day, h2h):
    changed, _ = troubled_day
    day = timezone.localdate()
    reconciliation_store(reconcile_payments(day, client=h2h))
    Payment.objects.filter(pk=changed.pk).update(amount=16_800, months=1, cash_received=16_800)
    run = reconciliation_store(reconcile_payments(day, client=h2h))
    assert set(kinds(run)) == {DifferenceKind.UNKNOWN_HERE, DifferenceKind.MISSING_THERE}
    assert ReconciliationDifference.objects.count() == 2


def test_the_nightly_task_stores_yesterdays_differences(troubled_day, insurer_is_the_sandbox, monkeypatch):
    today = timezone.localdate()
    # The sandbox books today; the task reconciles "yesterday", so the night is moved a day on.
    monkeypatch.setattr("contributions.tasks.timezone.localdate", lambda: today + dt.timedelta(days=1))
    reconcile_yesterday_task()
    run = ReconciliationRun.objects.get()
    assert run.day == today and run.differences.count() == 3


def test_resolving_needs_a_note_and_keeps_the_first_resolution(troubled_day, h2h, admin_user, dinas_user):
    run = reconciliation_store(reconcile_payments(timezone.localdate(), client=h2h))
    difference = kinds(run)[DifferenceKind.UNKNOWN_HERE]
    with pytest.raises(ValidationError):
        difference_resolve(user=admin_user, difference_id=difference.pk, note="   ")
    first = difference_resolve(user=admin_user, difference_id=difference.pk, note="Dicatat dari buku kertas")
    second = difference_resolve(user=dinas_user, difference_id=difference.pk, note="Lain")
    assert (second.resolution, second.resolved_by, second.resolved_at) == (
        "Dicatat dari buku kertas",
        admin_user,
        first.resolved_at,
    )


def test_only_admin_and_dinas_in_scope_can_resolve(troubled_day, h2h, agent_user, koordinator_user):
    run = reconciliation_store(reconcile_payments(timezone.localdate(), client=h2h))
    for user in (agent_user, koordinator_user):
        for difference in run.differences.all():
            with pytest.raises(ReconciliationDifference.DoesNotExist):
                difference_resolve(user=user, difference_id=difference.pk, note="coba")
    assert not run.differences.filter(resolved_at__isnull=False).exists()
