"""The amount comes from the dated rate table, for any period, and a new rate never rewrites an old payment."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from bpjs_gateway import outbox
from contributions.insurer import payment_messages
from contributions.models import Payment, PaymentStatus, Rate
from contributions.rates import monthly_contribution
from contributions.services import payment_quote, payment_record
from enrollment.insurer import registration_messages
from enrollment.models import MAX_INCOME, MIN_INCOME, Farmer

BEFORE = dt.date(2026, 6, 30)


@pytest.mark.parametrize(
    ("income", "monthly"),
    [(MIN_INCOME, 16_800), (1_500_000, 21_800), (2_345_678, 30_256), (MAX_INCOME, 213_800)],
)
def test_the_monthly_amount_is_one_percent_of_income_plus_jkm(soppeng, income, monthly):
    assert monthly_contribution(income, on=BEFORE) == monthly


@pytest.mark.parametrize("months", range(1, 13))
def test_a_payment_costs_the_monthly_amount_times_its_months(agent_user, make_farmer, months):
    farmer = make_farmer(agent_user)
    assert payment_quote(farmer, months=months, paid_on=BEFORE).amount == 16_800 * months


def test_a_new_rate_applies_from_its_date_and_rewrites_no_past_payment(agent_user, make_farmer):
    farmer = make_farmer(agent_user)
    Farmer.objects.filter(pk=farmer.pk).update(registration_status="TERDAFTAR", kpj="24010000001")
    farmer.refresh_from_db()
    old = payment_record(
        user=agent_user, farmer=farmer, months=1, cash_received=16_800, paid_at=dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    )
    Rate.objects.create(valid_from=dt.date(2026, 7, 1), jkk_basis_points=100, jkm_amount=7_500)
    assert monthly_contribution(MIN_INCOME, on=BEFORE) == 16_800
    assert monthly_contribution(MIN_INCOME, on=dt.date(2026, 7, 1)) == 17_500
    new = payment_record(
        user=agent_user, farmer=farmer, months=2, cash_received=35_000, paid_at=dt.datetime(2026, 7, 2, tzinfo=dt.UTC)
    )
    old.refresh_from_db()
    assert (old.monthly_amount, old.amount) == (16_800, 16_800)
    assert (new.monthly_amount, new.amount) == (17_500, 35_000)


def test_an_amount_the_insurer_refuses_is_shown_with_what_to_do(client, agent_user, make_farmer, h2h):
    # Our table says Rp 17.500 from today; the insurer still counts Rp 16.800: NOMINAL_TIDAK_SESUAI.
    farmer = make_farmer(agent_user)
    outbox.send_message(registration_messages(farmer).get().pk, client=h2h)
    Rate.objects.create(valid_from=timezone.localdate(), jkm_amount=7_500)
    farmer.refresh_from_db()
    payment = payment_record(user=agent_user, farmer=farmer, months=1, cash_received=17_500)
    outbox.send_message(payment_messages(payment).get().pk, client=h2h)
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.DITOLAK
    assert [e["code"] for e in payment.insurer_errors] == ["NOMINAL_TIDAK_SESUAI"]
    client.force_login(agent_user)
    page = client.get(reverse("contributions:receipt", args=[payment.receipt_no])).content.decode()
    assert "Nominal iuran tidak sesuai" in page and "Periksa penghasilan petani" in page
    assert Payment.objects.count() == 1
