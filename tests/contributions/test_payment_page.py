"""An agent records a farmer's contribution on a home visit and hands over the receipt."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from contributions.insurer import payment_messages
from contributions.models import Payment, PaymentStatus
from enrollment.models import Farmer
from sutasoma.months import add_months

TOKEN = "7b0c1d2e-0000-4000-8000-000000000001"


@pytest.fixture
def farmer(agent_user, make_farmer) -> Farmer:
    farmer = make_farmer(agent_user)
    Farmer.objects.filter(pk=farmer.pk).update(registration_status="TERDAFTAR", kpj="24010000001")
    farmer.refresh_from_db()
    return farmer


def pay(client, farmer, **overrides):
    data = {"submission_token": TOKEN, "months": "3", "cash_received": "50400", "cash_confirmed": "on"} | overrides
    return client.post(reverse("contributions:payment_new", args=[farmer.pk]), data)


def test_an_agent_records_three_months_and_lands_on_the_receipt(client, agent_user, farmer):
    client.force_login(agent_user)
    response = pay(client, farmer)
    payment = Payment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("contributions:receipt", args=[payment.receipt_no])
    assert (payment.months, payment.amount, payment.recorded_by) == (3, 50_400, agent_user)
    assert payment_messages(payment).get().state == "PENDING"  # the farmer has a KPJ: it goes at once
    page = client.get(response["Location"]).content.decode()
    assert "Rp 50.400" in page and "Lima puluh ribu empat ratus rupiah" in page and payment.receipt_no in page


def test_the_form_shows_the_amount_in_figures_and_words_for_the_months_chosen(client, agent_user, farmer):
    client.force_login(agent_user)
    page = client.get(reverse("contributions:payment_new", args=[farmer.pk]), {"months": "6"}).content.decode()
    assert "Rp 100.800" in page and "seratus ribu delapan ratus rupiah" in page
    quote = client.get(
        reverse("contributions:payment_new", args=[farmer.pk]),
        {"months": "1", "other_months": "12"},
        headers={"HX-Request": "true", "HX-Target": "quote"},
    ).content.decode()
    assert "Rp 201.600" in quote and "<html" not in quote


def test_a_double_tap_or_a_resubmit_records_one_payment(client, agent_user, farmer):
    client.force_login(agent_user)
    first, second = pay(client, farmer), pay(client, farmer)
    assert Payment.objects.count() == 1 and first["Location"] == second["Location"]


def test_too_little_cash_is_refused_at_the_field_and_nothing_is_saved(client, agent_user, farmer):
    client.force_login(agent_user)
    response = pay(client, farmer, cash_received="50000")
    assert response.status_code == 200 and "kurang dari iuran Rp 50.400" in response.content.decode()
    assert not Payment.objects.exists()


@pytest.mark.parametrize("months", ["0", "13", "-1", "tiga", "1e1"])
def test_months_outside_one_to_twelve_are_refused(client, agent_user, farmer, months):
    client.force_login(agent_user)
    response = pay(client, farmer, months="", other_months=months)
    assert response.status_code == 200 and not Payment.objects.exists()


def test_months_typed_in_another_scripts_digits_are_read(client, agent_user, farmer):
    client.force_login(agent_user)
    pay(client, farmer, months="", other_months="٣")
    assert Payment.objects.get().months == 3


def test_the_cash_must_be_confirmed_as_received(client, agent_user, farmer):
    client.force_login(agent_user)
    response = pay(client, farmer, cash_confirmed="")
    assert "uang yang sudah di tangan" in response.content.decode() and not Payment.objects.exists()


def test_another_agents_farmer_cannot_be_paid_for(client, other_agent_user, farmer):
    client.force_login(other_agent_user)
    assert pay(client, farmer).status_code == 404 and not Payment.objects.exists()


def test_the_receipt_is_not_shown_outside_the_scope(client, agent_user, other_agent_user, dinas_user, farmer):
    client.force_login(agent_user)
    receipt = pay(client, farmer)["Location"]
    client.force_login(other_agent_user)
    assert client.get(receipt).status_code == 404
    client.force_login(dinas_user)
    assert client.get(receipt).status_code == 200


def test_the_receipt_pdf_carries_the_farmer_the_months_and_the_amount_in_words(client, agent_user, farmer):
    client.force_login(agent_user)
    receipt = pay(client, farmer)["Location"]
    payment = Payment.objects.get()
    Payment.objects.filter(pk=payment.pk).update(status=PaymentStatus.TERKONFIRMASI, transaction_no="TRX-0001")
    response = client.get(reverse("contributions:receipt_pdf", args=[payment.receipt_no]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert client.get(receipt).status_code == 200
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    text = " ".join(text.split())
    for expected in (
        payment.receipt_no,
        farmer.name,
        "24010000001",
        "Rp 50.400",
        "Lima puluh ribu empat ratus rupiah",
        "TRX-0001",
        "Penyuluh",
    ):
        assert expected in text, expected


def test_a_payment_refused_by_the_insurer_says_why_and_what_to_do(client, agent_user, farmer):
    client.force_login(agent_user)
    receipt = pay(client, farmer)["Location"]
    Payment.objects.update(
        status=PaymentStatus.DITOLAK,
        insurer_errors=[{"field": "nominal", "code": "NOMINAL_TIDAK_SESUAI", "pesan": "Nominal iuran tidak sesuai."}],
    )
    page = client.get(receipt).content.decode()
    assert "Ditolak BPJS" in page and "Nominal iuran tidak sesuai" in page and "Periksa penghasilan petani" in page


def test_the_farmer_page_lists_the_payments_and_offers_the_form_to_agents(client, agent_user, koordinator_user, farmer):
    client.force_login(agent_user)
    pay(client, farmer)
    payment = Payment.objects.get()
    listing_url = reverse("contributions:farmer_payments", args=[farmer.pk])
    assert listing_url in client.get(farmer.get_absolute_url()).content.decode()  # loaded there by HTMX
    listing = client.get(listing_url, headers={"HX-Request": "true"}).content.decode()
    assert payment.receipt_no in listing and "Rp 50.400" in listing
    assert reverse("contributions:payment_new", args=[farmer.pk]) in listing
    client.force_login(koordinator_user)
    listing = client.get(listing_url, headers={"HX-Request": "true"}).content.decode()
    assert reverse("contributions:payment_new", args=[farmer.pk]) not in listing


def test_no_payment_button_for_a_farmer_the_insurer_refused(client, agent_user, farmer):
    Farmer.objects.filter(pk=farmer.pk).update(registration_status="DITOLAK")
    client.force_login(agent_user)
    listing = client.get(reverse("contributions:farmer_payments", args=[farmer.pk])).content.decode()
    assert reverse("contributions:payment_new", args=[farmer.pk]) not in listing


def test_a_second_payment_continues_after_the_first(client, agent_user, farmer):
    client.force_login(agent_user)
    pay(client, farmer)
    pay(client, farmer, submission_token="7b0c1d2e-0000-4000-8000-000000000002", months="1", cash_received="16800")
    first, second = Payment.objects.order_by("paid_at")
    assert second.start_month == add_months(first.start_month, 3)


def test_the_receipt_can_be_sent_to_the_farmers_whatsapp(client, agent_user, farmer):
    from urllib.parse import unquote

    client.force_login(agent_user)
    receipt = pay(client, farmer)["Location"]
    page = client.get(receipt).content.decode()
    payment = Payment.objects.get()
    link = page.split('href="https://wa.me/', 1)[1].split('"', 1)[0]
    number, text = link.split("?text=", 1)
    text = unquote(text.replace("&amp;", "&"))
    assert number == "6281234567890"
    assert payment.receipt_no in text and "Rp 50.400" in text and "lima puluh ribu empat ratus rupiah" in text
    assert "24010000001" in text
