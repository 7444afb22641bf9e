"""The monev rollup (monitoring/rollup.py) says what counting the farmers and payments says, on
every level of the dashboard and in the trends, after every kind of change the triggers see; and
a rebuild from scratch finds the rows the triggers kept."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from bpjs_gateway import outbox
from bpjs_gateway.registry import operation
from contributions.insurer import payment_messages
from contributions.models import Payment
from contributions.services import payment_record
from enrollment.insurer import REGISTER, registration_messages
from enrollment.models import Farmer
from enrollment.services import farmer_anonymise, farmer_erase
from monitoring import rollup
from monitoring.models import CollectedTally, Level, MonevTally
from monitoring.monev import area_figures
from monitoring.synthetic import generate
from monitoring.trends import area_trend
from sutasoma.months import add_months, month_start
from tests.conftest import MARIORIWAWO_VILLAGE
from tests.enrollment.test_import import row, run_import
from tests.monitoring.conftest import LALABATA
from wilayah.models import Region

AREAS = [(Level.KECAMATAN, "73.12"), (Level.DESA, "73.12"), (Level.DESA, LALABATA), (Level.AGENT, LALABATA)]


def kept_rows() -> set[tuple]:
    tally = MonevTally.objects.exclude(created=0, new_registrations=0, active=0, counted=0).values_list(
        "village_id", "agent_id", "registered", "month", "created", "new_registrations", "active", "counted"
    )
    collected = CollectedTally.objects.exclude(amount=0, months=0).values_list(
        "village_id", "agent_id", "month", "source", "amount", "months"
    )
    return set(tally) | set(collected)


def figures(*users) -> list:
    """Every level's figures for the months around now, and each user's trends."""
    this_month = month_start(timezone.localdate())
    months = [add_months(this_month, n) for n in range(-4, 2)]
    tables = [
        area_figures(level=level, within=Region.objects.get(code=within), month=month)
        for level, within in AREAS
        for month in months
    ]
    return tables + [area_trend(user, month=month) for user in users for month in (this_month, months[-1])]


def assert_rollup_is_the_count(*users) -> None:
    tallied = figures(*users)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(rollup, "kept", lambda: False)  # how SQLite counts: the farmers and payments
        counted = figures(*users)
    assert tallied == counted
    kept = kept_rows()
    rollup.rollup_rebuild()
    assert kept_rows() == kept, "the triggers kept what a full count finds"


@pytest.fixture
def watchers(koordinator_user, dinas_user, admin_user):
    return koordinator_user, dinas_user, admin_user


def test_the_monev_month_reads_the_same_from_the_rollup(monev_month, watchers):
    assert MonevTally.objects.exists() and CollectedTally.objects.exists()
    assert_rollup_is_the_count(*watchers)


def test_registrations_kpjs_refusals_and_payments_waiting_refused_or_confirmed(
    agent_user, other_agent_user, make_farmer, h2h, watchers
):
    confirmed, waiting, refused = (make_farmer(agent_user, serial=n) for n in (1, 2, 3))
    other = make_farmer(other_agent_user, serial=4)
    for farmer in (confirmed, waiting, other):
        outbox.send_message(registration_messages(farmer).get().pk, client=h2h)
    operation(REGISTER).refused(refused.pk, [{"kode": "NIK_TIDAK_VALID", "pesan": "NIK tidak valid"}])
    paid = payment_record(user=agent_user, farmer=confirmed, months=3, cash_received=50_400)
    outbox.send_message(payment_messages(paid).get().pk, client=h2h)
    payment_record(user=agent_user, farmer=waiting, months=1, cash_received=16_800)
    turned_down = payment_record(user=other_agent_user, farmer=other, months=2, cash_received=33_600)
    assert_rollup_is_the_count(*watchers)
    Payment.objects.filter(pk=turned_down.pk).update(status="DITOLAK")
    assert_rollup_is_the_count(*watchers)


def test_a_payment_received_late_counts_from_the_month_it_arrived(agent_user, make_farmer, h2h, watchers):
    farmer = make_farmer(agent_user, serial=1)
    outbox.send_message(registration_messages(farmer).get().pk, client=h2h)
    Farmer.objects.filter(pk=farmer.pk).update(created_at=timezone.now() - dt.timedelta(days=130))
    this_month = month_start(timezone.localdate())
    payment = payment_record(user=agent_user, farmer=farmer, months=2, cash_received=33_600)
    Payment.objects.filter(pk=payment.pk).update(
        start_month=add_months(this_month, -3), end_month=add_months(this_month, -2)
    )
    assert_rollup_is_the_count(*watchers)
    Payment.objects.filter(pk=payment.pk).update(paid_at=timezone.now() - dt.timedelta(days=100))
    assert_rollup_is_the_count(*watchers)


def test_anonymising_erasing_and_moving_farmers(agent_user, make_farmer, admin_user, h2h, watchers):
    kept, erased, moved = (make_farmer(agent_user, serial=n) for n in (1, 2, 3))
    for farmer in (kept, moved):
        outbox.send_message(registration_messages(farmer).get().pk, client=h2h)
        payment_record(user=agent_user, farmer=farmer, months=2, cash_received=33_600)
    farmer_anonymise(farmer=kept, by=admin_user, reason="permintaan petani")
    registration_messages(erased).delete()  # never reached the insurer: it may be erased
    farmer_erase(farmer=erased, by=admin_user, reason="permintaan petani")
    Farmer.objects.filter(pk=moved.pk).update(village_id=MARIORIWAWO_VILLAGE, agent=None)
    assert_rollup_is_the_count(*watchers)


def test_an_import_and_an_update_of_many_farmers_at_once(agent_user, watchers):
    report = run_import(agent_user, [row(serial) for serial in range(1, 6)])
    assert len(report.imported) == 5
    Farmer.objects.all().update(registration_status="TERDAFTAR")
    Farmer.objects.filter(nik__endswith="0002").update(kpj="24000000002")
    assert_rollup_is_the_count(*watchers)


def test_the_rebuild_command_restores_a_damaged_rollup(monev_month, watchers, capsys):
    MonevTally.objects.update(active=99)
    CollectedTally.objects.all().delete()
    call_command("rekap_monev")
    assert "rekap monev:" in capsys.readouterr().out
    assert_rollup_is_the_count(*watchers)


@pytest.mark.parametrize("bulk_from", [1, 10_000], ids=["triggers paused, one count", "triggers"])
def test_synthetic_farmers_read_the_same_from_the_rollup(soppeng, watchers, bulk_from):
    generate(petani=300, wilayah="73.12", seed=3, bulk_from=bulk_from)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'monitoring_monev_%%' AND tgenabled = 'O'")
        assert cursor.fetchone()[0] == 6, "every trigger is on again"
    assert_rollup_is_the_count(*watchers)
