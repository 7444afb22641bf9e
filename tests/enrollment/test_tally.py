"""The farmer tally behind the home page (enrollment/tally.py), per desa and per regency, says
what counting the farmers themselves says, after every kind of change a farmer goes through and
whether or not the regency rows were folded, and a rebuild restores it."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count, Q
from django.db.models.functions import Left
from django.urls import reverse
from django.utils import timezone

from bpjs_gateway import outbox
from bpjs_gateway.registry import operation
from contributions.insurer import PAY, payment_messages
from contributions.models import Payment, PaymentStatus
from contributions.services import payment_record
from enrollment import tally
from enrollment.insurer import REGISTER, registration_messages
from enrollment.models import Farmer, FarmerTally, RegencyTally
from enrollment.services import farmer_anonymise, farmer_erase
from monitoring.figures import home_summary
from sutasoma.months import month_start
from tests.conftest import MARIORIWAWO_VILLAGE, UMPUNGENG
from tests.enrollment.test_import import row, run_import

TODAY = dt.date(2026, 11, 30)


def tally_rows() -> set[tuple]:
    kept = FarmerTally.objects.exclude(farmers=0)
    keys = ("village_id", "registration_status", "paid_through", "anonymised", "payment_waiting")
    return set(kept.values_list(*keys, "farmers"))


def counted_rows() -> set[tuple]:
    farmers = (
        Farmer.objects.order_by()
        .values_list("village_id", "registration_status", "paid_through")
        .annotate(anonymised=Q(anonymised_at__isnull=False))
        .values_list("village_id", "registration_status", "paid_through", "anonymised", "payment_waiting")
        .annotate(n=Count("pk"))
    )
    return set(farmers)


KEYS = ("registration_status", "paid_through", "anonymised", "payment_waiting")


def regency_rows() -> Counter:
    """The regency tally, each key's rows summed as readers sum them."""
    rows = Counter()
    for *key, farmers in RegencyTally.objects.values_list("regency_id", *KEYS, "farmers"):
        rows[tuple(key)] += farmers
    return +rows  # without the keys whose changes cancel out


def counted_regency_rows() -> Counter:
    return Counter(
        {
            tuple(key): n
            for *key, n in Farmer.objects.order_by()
            .annotate(regency=Left("village_id", 5), anonymised=Q(anonymised_at__isnull=False))
            .values_list("regency", *KEYS)
            .annotate(n=Count("pk"))
        }
    )


def payment_waiting_is_the_payments() -> None:
    """Farmer.payment_waiting says what the payments say."""
    waiting = set(Payment.objects.filter(status=PaymentStatus.MENUNGGU).values_list("farmer_id", flat=True))
    assert set(Farmer.objects.filter(payment_waiting=True).values_list("pk", flat=True)) == waiting


def assert_tally_is_the_count(*users) -> None:
    """Row for row, and as every user's home page shows it: from the tally, and counted live."""
    payment_waiting_is_the_payments()
    assert tally_rows() == counted_rows()
    assert regency_rows() == counted_regency_rows()
    for user in users:
        from_tally = home_summary(user, today=TODAY)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(tally, "_kept", lambda: False)  # how SQLite counts: the farmers themselves
            counted = home_summary(user, today=TODAY)
        assert from_tally == counted
    # Folded, the regency rows say the same, one row per key.
    tally.regency_tally_fold()
    assert regency_rows() == counted_regency_rows()
    assert RegencyTally.objects.count() == len(counted_regency_rows())


@pytest.fixture
def everyone(agent_user, other_agent_user, koordinator_user, dinas_user, admin_user):
    return agent_user, other_agent_user, koordinator_user, dinas_user, admin_user


def kpj_arrives(farmer: Farmer, kpj: str) -> None:
    operation(REGISTER).done(farmer.pk, {"kpj": kpj})


def test_registrations_are_counted_in_their_desa_as_waiting_for_a_kpj(everyone, make_farmer):
    agent, other = everyone[:2]
    make_farmer(agent, serial=1)
    make_farmer(agent, serial=2)
    make_farmer(other, serial=3)
    assert FarmerTally.objects.get(village_id=UMPUNGENG, registration_status="MENUNGGU_KPJ").farmers == 2
    assert FarmerTally.objects.get(village_id=MARIORIWAWO_VILLAGE).farmers == 1
    assert_tally_is_the_count(*everyone)


def test_a_kpj_arriving_moves_the_farmer_to_terdaftar(everyone, make_farmer):
    farmer = make_farmer(everyone[0], serial=1)
    make_farmer(everyone[0], serial=2)
    kpj_arrives(farmer, "12345678901")
    assert_tally_is_the_count(*everyone)
    assert home_summary(everyone[3], today=TODAY).by_status["BELUM_BAYAR"] == 1


def test_a_refusal_moves_the_farmer_to_ditolak(everyone, make_farmer):
    farmer = make_farmer(everyone[0], serial=1)
    operation(REGISTER).refused(farmer.pk, [{"kode": "NIK_TIDAK_VALID", "pesan": "NIK tidak valid"}])
    assert_tally_is_the_count(*everyone)
    assert home_summary(everyone[4], today=TODAY).by_status["DITOLAK"] == 1


def test_payments_move_lunas_sampai_and_a_payment_waiting_for_the_insurer_is_not_a_visit(everyone, make_farmer, h2h):
    agent = everyone[0]
    paid, waiting = make_farmer(agent, serial=1), make_farmer(agent, serial=2)
    for farmer in (paid, waiting):
        outbox.send_message(registration_messages(farmer).get().pk, client=h2h)
        payment = payment_record(user=agent, farmer=farmer, months=1, cash_received=16_800)
        outbox.send_message(payment_messages(payment).get().pk, client=h2h)
    payment_record(user=agent, farmer=waiting, months=1, cash_received=16_800)  # the next month, not sent yet
    assert_tally_is_the_count(*everyone)
    summary = home_summary(agent, today=timezone.localdate())
    assert summary.by_status["AKTIF"] == 2
    assert summary.to_visit == 1  # both are paid up to this month only; the second waits for BPJS


def test_a_payment_refused_or_resent_or_confirmed_in_a_batch_moves_the_farmer_in_and_out_of_the_visits(
    everyone, make_farmer, h2h
):
    agent, today = everyone[0], timezone.localdate()
    farmers = [make_farmer(agent, serial=serial) for serial in (1, 2, 3)]
    for farmer in farmers:
        outbox.send_message(registration_messages(farmer).get().pk, client=h2h)
    Farmer.objects.update(paid_through=month_start(today))  # cover ends this month: all three to visit
    assert home_summary(agent, today=today).to_visit == 3
    payments = [payment_record(user=agent, farmer=farmer, months=1, cash_received=16_800) for farmer in farmers]
    assert_tally_is_the_count(*everyone)
    assert home_summary(agent, today=today).to_visit == 0  # each has a payment waiting for BPJS

    operation(PAY).refused(payments[0].pk, [{"kode": "NOMINAL_TIDAK_SESUAI", "pesan": "nominal"}])
    assert_tally_is_the_count(*everyone)
    assert home_summary(agent, today=today).to_visit == 1  # refused: the farmer is to be visited again

    operation(PAY).resend(payments[0].pk)
    assert_tally_is_the_count(*everyone)
    assert home_summary(agent, today=today).to_visit == 0

    # The drain's batch hook confirms two payments at once; the farmer who paid again meanwhile
    # stays out of the visits until that payment is confirmed too.
    payment_record(user=agent, farmer=farmers[2], months=1, cash_received=16_800)
    operation(PAY).done_many([(payments[1].pk, {}), (payments[2].pk, {})])
    assert_tally_is_the_count(*everyone)
    assert [Farmer.objects.get(pk=f.pk).payment_waiting for f in farmers] == [True, False, True]
    assert home_summary(agent, today=today).to_visit == 1  # the second: paid up to next month only


def test_anonymising_and_erasing_leave_the_counts_right(everyone, make_farmer, admin_user, h2h):
    agent = everyone[0]
    kept, erased = make_farmer(agent, serial=1), make_farmer(agent, serial=2)
    outbox.send_message(registration_messages(kept).get().pk, client=h2h)
    Farmer.objects.filter(pk=kept.pk).update(paid_through=dt.date(2026, 11, 1))
    farmer_anonymise(farmer=kept, by=admin_user, reason="permintaan petani")
    registration_messages(erased).delete()  # never reached the insurer: it may be erased
    farmer_erase(farmer=erased, by=admin_user, reason="permintaan petani")
    assert_tally_is_the_count(*everyone)
    summary = home_summary(agent, today=TODAY)
    assert (summary.total, summary.by_status["AKTIF"], summary.to_visit) == (1, 1, 0)


def test_an_import_and_an_update_of_many_farmers_at_once_are_counted(everyone):
    report = run_import(everyone[0], [row(serial) for serial in range(1, 6)])
    assert len(report.imported) == 5
    Farmer.objects.filter(nik__endswith="0002").update(village_id=MARIORIWAWO_VILLAGE)
    Farmer.objects.all().update(registration_status="TERDAFTAR", paid_through=dt.date(2026, 10, 1))
    assert_tally_is_the_count(*everyone)


def test_the_rebuild_command_restores_a_damaged_tally(everyone, make_farmer, capsys):
    make_farmer(everyone[0], serial=1)
    make_farmer(everyone[0], serial=2)
    FarmerTally.objects.update(farmers=99)
    FarmerTally.objects.create(
        village_id=MARIORIWAWO_VILLAGE, registration_status="DITOLAK", anonymised=False, farmers=7
    )
    RegencyTally.objects.update(farmers=99)
    call_command("rekap_petani")
    assert "rekap petani: 1 baris" in capsys.readouterr().out
    assert_tally_is_the_count(*everyone)


def test_the_home_page_shows_the_tallied_figures_per_kecamatan_to_dinas(client, everyone, make_farmer):
    make_farmer(everyone[0], serial=1)
    make_farmer(everyone[1], serial=2)
    client.force_login(everyone[3])
    page = client.get(reverse("monitoring:home")).content.decode()
    assert "<b>2</b><span>petani terdaftar</span>" in page
    assert '<td class="num">1</td>' in page


def test_an_admin_sees_the_farmers_per_regency(client, everyone, make_farmer, soppeng):
    make_farmer(everyone[0], serial=1)
    make_farmer(everyone[1], serial=2)
    client.force_login(everyone[4])
    page = client.get(reverse("monitoring:home")).content.decode()
    assert "Per kabupaten/kota" in page
    assert f'<tr><td>{soppeng}</td><td class="num">2</td></tr>' in page


@pytest.mark.django_db(transaction=True)
def test_writers_in_one_regency_wait_neither_for_each_other_nor_for_a_fold(
    agent_user, neighbour_agent_user, make_farmer, admin_user
):
    """Two desa of Soppeng: while one transaction holds its change to the regency's counts, another
    desa's change to the same counts and a fold go through (a wait would hit the lock timeout)."""
    first, second = make_farmer(agent_user, serial=1), make_farmer(neighbour_agent_user, serial=2)
    held, release = threading.Event(), threading.Event()

    def refuse_and_hold() -> None:
        try:
            with transaction.atomic():
                Farmer.objects.filter(pk=first.pk).update(registration_status="DITOLAK")
                held.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    holder = threading.Thread(target=refuse_and_hold)
    holder.start()
    try:
        assert held.wait(timeout=30)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '5s'")
            Farmer.objects.filter(pk=second.pk).update(registration_status="DITOLAK")
            tally.regency_tally_fold()
    finally:
        release.set()
        holder.join(timeout=30)
    assert regency_rows() == counted_regency_rows() == Counter({("73.12", "DITOLAK", None, False, False): 2})
    assert home_summary(admin_user, today=TODAY).by_status["DITOLAK"] == 2
