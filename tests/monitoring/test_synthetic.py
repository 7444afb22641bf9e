"""gen_synthetic: farmers that pass the project's own rules, marked synthetic, that the pages show."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import Agent, User
from claims.models import Claim, ClaimEvent
from contributions.models import Payment, PaymentStatus
from contributions.rates import monthly_contribution
from enrollment.models import Farmer, Heir, RegencyTally, RegistrationStatus
from enrollment.nik import parse_nik, registration_problems
from monitoring.synthetic import AGENT_PREFIX, SyntheticRefused, generate, synthetic_farmers
from sutasoma.months import add_months

pytestmark = pytest.mark.django_db

SOPPENG = "73.12"


@pytest.fixture
def made(soppeng):
    return generate(petani=500, wilayah=SOPPENG, seed=5)


def test_it_makes_the_farmers_asked_for_with_heirs_payments_and_claims(made):
    assert made.farmers == Farmer.objects.count() == synthetic_farmers().count() == 500
    assert made.heirs == Heir.objects.count() > 500
    assert made.payments == Payment.objects.count() > 1000
    assert made.claims == Claim.objects.count() > 0
    assert made.claim_events == ClaimEvent.objects.count()


def test_every_nik_passes_the_nik_rules_and_matches_birth_date_sex_and_kecamatan(made):
    farmers = list(Farmer.objects.select_related("village"))
    assert len({f.nik for f in farmers}) == len(farmers)
    for farmer in farmers:
        registered_on = timezone.localdate(farmer.created_at)
        assert (
            registration_problems(nik=farmer.nik, birth_date=farmer.birth_date, sex=farmer.sex, today=registered_on)
            == {}
        ), farmer.nik
        info = parse_nik(farmer.nik, today=timezone.localdate())
        assert (info.birth_date, info.sex) == (farmer.birth_date, farmer.sex)
        assert info.kecamatan_code == farmer.village.parent_id
        assert 5001 <= int(farmer.nik[-4:]) <= 8999
        assert len(farmer.no_kk) == 16 and farmer.no_kk.isdigit() and farmer.no_kk[:6] == farmer.nik[:6]
    for nik in Heir.objects.exclude(nik="").values_list("nik", flat=True):
        parse_nik(nik, today=timezone.localdate())


def test_the_farmers_spread_over_the_villages_of_the_chosen_regency_unevenly(made):
    per_village = defaultdict(int)
    for code in Farmer.objects.values_list("village_id", flat=True):
        assert code.startswith(SOPPENG + ".")
        per_village[code] += 1
    assert len(per_village) > 50  # Soppeng has 70 villages
    assert max(per_village.values()) > 2 * min(per_village.values())


def test_statuses_kpjs_and_agents_are_those_of_registered_synthetic_farmers(made):
    statuses = defaultdict(int)
    for farmer in Farmer.objects.select_related("agent__user").prefetch_related("agent__villages"):
        statuses[farmer.registration_status] += 1
        assert farmer.is_demo
        assert farmer.agent.code.startswith(AGENT_PREFIX)
        assert farmer.village_id in {v.code for v in farmer.agent.villages.all()}
        assert farmer.registered_by == farmer.agent.user
        if farmer.registration_status == RegistrationStatus.TERDAFTAR:
            assert len(farmer.kpj) == 11 and farmer.kpj.startswith("88")
        else:
            assert farmer.kpj is None
        assert (farmer.insurer_errors != []) == (farmer.registration_status == RegistrationStatus.DITOLAK)
    assert statuses[RegistrationStatus.TERDAFTAR] > 0.85 * 500
    assert statuses[RegistrationStatus.MENUNGGU_KPJ] > 0
    assert 0 < statuses[RegistrationStatus.DITOLAK] < 0.05 * 500


def test_paid_through_is_the_last_confirmed_month_and_payments_follow_the_rules(made):
    payments = defaultdict(list)
    rates = {}
    for payment in Payment.objects.select_related("farmer").order_by("paid_at", "id"):
        payments[payment.farmer_id].append(payment)
        assert payment.end_month == add_months(payment.start_month, payment.months - 1)
        assert payment.amount == payment.months * payment.monthly_amount <= payment.cash_received
        paid_on = timezone.localdate(payment.paid_at)
        key = (payment.farmer.income, paid_on)
        if key not in rates:
            rates[key] = monthly_contribution(payment.farmer.income, on=paid_on)
        assert payment.monthly_amount == rates[key]
        assert payment.start_month >= paid_on.replace(day=1) - dt.timedelta(days=31)  # cover is never bought back
        assert (payment.confirmed_at is not None) == (payment.status == PaymentStatus.TERKONFIRMASI)
    for farmer in Farmer.objects.all():
        own = payments[farmer.pk]
        confirmed = [p.end_month for p in own if p.status == PaymentStatus.TERKONFIRMASI]
        assert farmer.paid_through == max(confirmed, default=None)
        if farmer.registration_status == RegistrationStatus.DITOLAK:
            assert own == []
        if farmer.registration_status == RegistrationStatus.MENUNGGU_KPJ:
            assert all(p.status == PaymentStatus.MENUNGGU for p in own)
        kept = [p for p in own if p.status != PaymentStatus.DITOLAK]
        for before, after in zip(kept, kept[1:], strict=False):
            assert after.start_month > before.end_month  # no month paid twice


def test_a_claims_timeline_ends_in_its_status(made):
    for claim in Claim.objects.prefetch_related("events"):
        events = list(claim.events.all())
        assert events[0].status == "DILAPORKAN"
        assert events[-1].status == claim.status
        assert events[-1].at == claim.status_since
        assert claim.incident_date <= timezone.localdate(claim.created_at)
        assert claim.farmer.paid_through is not None
        assert claim.village_id == claim.farmer.village_id  # the claims list scopes and totals by it


def test_the_pages_show_the_synthetic_farmers(made, client):
    dinas = User.objects.get(username="sintetis.dinas.7312")
    client.force_login(dinas)
    farmer = Farmer.objects.filter(registration_status=RegistrationStatus.TERDAFTAR).first()
    listed = client.get(reverse("enrollment:farmer_list"))
    assert listed.status_code == 200
    assert Farmer.objects.order_by("name", "id").first().name in listed.content.decode()
    found = client.get(reverse("enrollment:farmer_list"), {"q": farmer.nik})
    assert found.status_code == 200 and farmer.name in found.content.decode()
    detail = client.get(reverse("enrollment:farmer_detail", args=[farmer.pk]))
    assert detail.status_code == 200 and farmer.nik in detail.content.decode()
    assert client.get(reverse("monitoring:dashboard")).status_code == 200
    assert client.get(reverse("claims:claim_list")).status_code == 200
    claim = Claim.objects.first()
    assert client.get(reverse("claims:claim_detail", args=[claim.pk])).status_code == 200
    penyuluh = Agent.objects.filter(code__startswith=AGENT_PREFIX, farmers__isnull=False).first().user
    client.force_login(penyuluh)
    assert client.get(reverse("monitoring:home")).status_code == 200
    assert client.get(reverse("enrollment:farmer_list")).status_code == 200


def test_it_refuses_a_database_with_real_farmers_unless_forced(soppeng, agent_user, make_farmer):
    real = make_farmer(agent_user)
    with pytest.raises(CommandError, match="1 petani sungguhan"):
        call_command("gen_synthetic", "--petani", "50", "--wilayah", SOPPENG)
    assert Farmer.objects.count() == 1
    call_command("gen_synthetic", "--petani", "50", "--wilayah", SOPPENG, "--force")
    assert Farmer.objects.count() == 51
    call_command("gen_synthetic", "--hapus")
    assert list(Farmer.objects.all()) == [real]
    assert User.objects.filter(username__startswith="sintetis.").count() == 0


def test_a_rerun_after_hapus_makes_the_same_farmers(soppeng):
    generate(petani=300, wilayah=SOPPENG, seed=9)
    first = list(Farmer.objects.order_by("created_at", "nik").values_list("nik", "name", "village_id", "paid_through"))
    call_command("gen_synthetic", "--hapus", "--petani", "300", "--wilayah", SOPPENG, "--seed", "9")
    again = list(Farmer.objects.order_by("created_at", "nik").values_list("nik", "name", "village_id", "paid_through"))
    assert again == first
    assert Farmer.objects.count() == 300


def test_a_second_run_adds_farmers_with_new_niks(made):
    generate(petani=400, wilayah=SOPPENG, seed=5)
    assert Farmer.objects.values("nik").distinct().count() == Farmer.objects.count() == 900


def test_it_leaves_the_regency_tally_summed_one_row_per_key(made):
    generate(petani=400, wilayah=SOPPENG, seed=5)  # its COPY appends to the first run's keys
    key = ("regency_id", "registration_status", "paid_through", "anonymised", "payment_waiting")
    keys = list(RegencyTally.objects.values_list(*key))
    assert len(keys) == len(set(keys))
    assert sum(RegencyTally.objects.values_list("farmers", flat=True)) == Farmer.objects.count() == 900


def test_the_bulk_load_builds_every_index_and_key_again(soppeng):
    def schema():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE tablename IN "
                "('enrollment_farmer', 'enrollment_heir', 'contributions_payment', 'claims_claim', 'claims_claimevent')"
            )
            indexes = sorted(row[0] for row in cursor.fetchall())
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid IN "
                "('enrollment_farmer'::regclass, 'contributions_payment'::regclass, 'claims_claimevent'::regclass)"
            )
            return indexes, sorted(cursor.fetchall())

    before = schema()
    generate(petani=200, wilayah=SOPPENG, seed=2, bulk_from=1)
    assert schema() == before
    assert Farmer.objects.count() == 200
    Farmer.objects.create(  # the sequence moved past the ids chosen by the load
        **{f: getattr(Farmer.objects.first(), f) for f in ("no_kk", "name", "birth_place", "birth_date", "sex")},
        nik="7312044101900001",
        address="X",
        village_id="73.12.04.2009",
        consent_at=timezone.now(),
        consent_recorded_by=User.objects.first(),
        registered_by=User.objects.first(),
    )


def test_it_refuses_a_wilayah_outside_sulawesi_selatan(soppeng):
    with pytest.raises(CommandError, match="--wilayah"):
        call_command("gen_synthetic", "--petani", "5", "--wilayah", "31.71")


def test_the_service_refuses_real_data_too(soppeng, agent_user, make_farmer):
    make_farmer(agent_user)
    with pytest.raises(SyntheticRefused):
        generate(petani=5, wilayah=SOPPENG)
