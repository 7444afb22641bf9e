import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from contributions.models import DifferenceKind, ReconciliationDifference
from contributions.reconciliation import NOTE_REQUIRED, WHAT_TO_DO, reconcile_payments, reconciliation_store
from wilayah.loader import load_wilayah
from wilayah.models import Region

PAGE = reverse("contributions:reconciliation_list")


@pytest.fixture
def differences(troubled_day, h2h) -> dict[str, ReconciliationDifference]:
    run = reconciliation_store(reconcile_payments(timezone.localdate(), client=h2h))
    return {d.kind: d for d in run.differences.all()}


@pytest.fixture
def makassar_dinas(soppeng) -> User:
    load_wilayah(regency_codes=["73.71"])
    return User.objects.create_user(
        username="dinas.makassar", role=Role.DINAS, regency=Region.objects.get(code="73.71")
    )


def resolve_url(difference: ReconciliationDifference) -> str:
    return reverse("contributions:reconciliation_resolve", args=[difference.pk])


def note(difference: ReconciliationDifference, text: str) -> dict[str, str]:
    return {f"selisih-{difference.pk}-resolution": text}


def test_admin_sees_each_difference_with_both_sides_and_what_to_do(client, admin_user, differences):
    client.force_login(admin_user)
    page = client.get(PAGE).content.decode()
    mismatched = differences[DifferenceKind.MISMATCHED]
    assert mismatched.receipt_no in page and mismatched.payment.farmer.name in page
    assert "SUTASOMA Rp 33.600 · BPJS Rp 16.800 <b" in page  # the amount that differs, marked
    for kind in DifferenceKind.values:
        assert WHAT_TO_DO[kind] in page
    assert page.count("Tandai selesai") == 3


def test_dinas_of_another_regency_sees_none_of_soppengs_differences(client, makassar_dinas, dinas_user, differences):
    client.force_login(makassar_dinas)
    page = client.get(PAGE).content.decode()
    assert not any(d.receipt_no in page for d in differences.values())
    assert "Tidak ada selisih terbuka" in page
    client.force_login(dinas_user)
    page = client.get(PAGE).content.decode()
    assert all(d.receipt_no in page for d in differences.values())


def test_agents_and_koordinators_are_refused(client, agent_user, koordinator_user, differences):
    mismatched = differences[DifferenceKind.MISMATCHED]
    for user in (agent_user, koordinator_user):
        client.force_login(user)
        assert client.get(PAGE).status_code == 403
        assert client.post(resolve_url(mismatched), note(mismatched, "x")).status_code == 403


def test_resolving_needs_a_note_and_records_who_and_when(client, dinas_user, differences):
    difference = differences[DifferenceKind.MISMATCHED]
    client.force_login(dinas_user)
    refused = client.post(resolve_url(difference), note(difference, "  "))
    assert refused.status_code == 200 and NOTE_REQUIRED in refused.content.decode()
    difference.refresh_from_db()
    assert difference.resolved_at is None
    done = client.post(resolve_url(difference) + "?status=semua", note(difference, " BPJS  memperbaiki nominal "))
    assert done.status_code == 302 and done["Location"] == PAGE + "?status=semua"
    difference.refresh_from_db()
    assert (difference.resolution, difference.resolved_by) == ("BPJS memperbaiki nominal", dinas_user)
    assert timezone.now() - difference.resolved_at < dt.timedelta(minutes=1)


def test_a_second_submit_changes_nothing(client, admin_user, dinas_user, differences):
    difference = differences[DifferenceKind.UNKNOWN_HERE]
    client.force_login(dinas_user)
    client.post(resolve_url(difference), note(difference, "Dicatat dari buku kertas"))
    client.force_login(admin_user)
    again = client.post(resolve_url(difference), note(difference, "Lain"), follow=True)
    assert "sudah diselesaikan sebelumnya" in again.content.decode()
    difference.refresh_from_db()
    assert (difference.resolution, difference.resolved_by) == ("Dicatat dari buku kertas", dinas_user)


def test_with_htmx_only_the_row_comes_back(client, admin_user, differences):
    difference = differences[DifferenceKind.MISSING_THERE]
    client.force_login(admin_user)
    invalid = client.post(
        resolve_url(difference), note(difference, ""), headers={"HX-Request": "true"}
    ).content.decode()
    assert invalid.strip().startswith(f'<tr id="selisih-{difference.pk}"') and NOTE_REQUIRED in invalid
    done = client.post(resolve_url(difference), note(difference, "Sudah dibukukan"), headers={"HX-Request": "true"})
    row = done.content.decode()
    assert "<h1" not in row and "Sudah dibukukan" in row and "Tandai selesai" not in row


def test_resolved_differences_leave_the_open_list_and_stay_under_all(client, admin_user, differences):
    difference = differences[DifferenceKind.MISMATCHED]
    client.force_login(admin_user)
    client.post(resolve_url(difference), note(difference, "Kuitansi kertas benar"))
    assert f'id="selisih-{difference.pk}"' not in client.get(PAGE).content.decode()
    everything = client.get(PAGE, {"status": "semua"}).content.decode()
    assert f'id="selisih-{difference.pk}"' in everything and "Kuitansi kertas benar" in everything


def test_dinas_of_another_regency_cannot_resolve_soppengs_difference(client, makassar_dinas, differences):
    client.force_login(makassar_dinas)
    for difference in differences.values():
        assert client.post(resolve_url(difference), note(difference, "coba")).status_code == 404
    assert not ReconciliationDifference.objects.filter(resolved_at__isnull=False).exists()


def test_a_page_without_runs_says_so(client, dinas_user):
    client.force_login(dinas_user)
    assert "Belum ada rekonsiliasi" in client.get(PAGE).content.decode()


@pytest.mark.parametrize("text", ["sudah\u200bdicek", "x" * 201])
def test_a_note_with_hidden_characters_or_too_long_is_refused_at_the_field(client, admin_user, differences, text):
    difference = differences[DifferenceKind.MISMATCHED]
    client.force_login(admin_user)
    response = client.post(resolve_url(difference), note(difference, text))
    assert response.status_code == 200
    assert f'id="id_selisih-{difference.pk}-resolution-error"' in response.content.decode()
    difference.refresh_from_db()
    assert difference.resolved_at is None
