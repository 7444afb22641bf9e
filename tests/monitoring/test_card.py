"""The participant card and the public page its QR code opens."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from audit.models import AccessLog, Action
from enrollment.models import Farmer
from monitoring.card import card_farmer, card_token
from sutasoma.formatting import tanggal
from sutasoma.months import add_months, month_start

pytestmark = pytest.mark.django_db
KPJ = "25012345678"


@pytest.fixture
def member(agent_user, make_farmer) -> Farmer:
    """A registered farmer, paid through this month."""
    farmer = make_farmer(agent_user, name="HASNAH BINTI LATIF")
    Farmer.objects.filter(pk=farmer.pk).update(
        kpj=KPJ, registration_status="TERDAFTAR", paid_through=month_start(timezone.localdate())
    )
    farmer.refresh_from_db()
    return farmer


def test_the_card_pdf_holds_the_kpj_the_programmes_and_a_qr_code(client, agent_user, member):
    client.force_login(agent_user)
    response = client.get(reverse("monitoring:participant_card", args=[member.pk]))
    assert response["Content-Type"] == "application/pdf"
    pdf = PdfReader(io.BytesIO(response.content))
    assert len(pdf.pages) == 1
    text = pdf.pages[0].extract_text()
    assert KPJ in text and "HASNAH BINTI LATIF" in text and "JKK, JKM" in text and "Aktif" in text
    width_mm = float(pdf.pages[0].mediabox.width) / 72 * 25.4
    assert round(width_mm) == 86  # card-sized, not A4
    # The QR is drawn as vector lines (segno's SVG path): a plain text card draws none.
    assert pdf.pages[0].get_contents().get_data().count(b" l\n") > 50
    assert AccessLog.objects.filter(user=agent_user, action=Action.EXPORT, subject=f"petani:{member.pk}").exists()


def test_the_qr_points_to_the_public_verification_page_of_this_card(client, agent_user, member, monkeypatch):
    from monitoring import card

    urls = []
    monkeypatch.setattr(card, "card_qr_svg", lambda url: urls.append(url) or "")
    client.force_login(agent_user)
    client.get(reverse("monitoring:participant_card", args=[member.pk]))
    # The token carries its signing time: compare what it opens, not its letters.
    [url] = urls
    prefix = "http://testserver" + reverse("monitoring:card_verify", args=["TOKEN"]).removesuffix("TOKEN/")
    assert url.startswith(prefix) and card_farmer(url.removeprefix(prefix).rstrip("/")) == member


def test_the_qr_svg_is_inline_svg_without_a_script():
    from monitoring.card import card_qr_svg

    svg = card_qr_svg("https://sutasoma.example/cek/abc/")
    assert svg.startswith("<svg") and "<script" not in svg and "<path" in svg


def test_a_farmer_out_of_scope_or_without_kpj_has_no_card(client, other_agent_user, agent_user, member, make_farmer):
    client.force_login(other_agent_user)
    assert client.get(reverse("monitoring:participant_card", args=[member.pk])).status_code == 404
    waiting = make_farmer(agent_user, serial=2)
    client.force_login(agent_user)
    assert client.get(reverse("monitoring:participant_card", args=[waiting.pk])).status_code == 404


def test_the_farmer_page_links_the_card_only_for_a_farmer_with_a_kpj(client, agent_user, member, make_farmer):
    client.force_login(agent_user)
    link = reverse("monitoring:participant_card", args=[member.pk])
    assert link in client.get(member.get_absolute_url()).text
    waiting = make_farmer(agent_user, serial=2)
    assert "Kartu peserta (PDF)" not in client.get(waiting.get_absolute_url()).text


def test_anyone_without_signing_in_sees_that_a_paid_card_is_valid_and_until_when(client, member):
    response = client.get(reverse("monitoring:card_verify", args=[card_token(member)]))
    assert response.status_code == 200
    assert "Kartu berlaku" in response.text
    # Covered through the grace month after the last paid one (enrollment/cover.py).
    assert tanggal(add_months(member.paid_through, 2) - dt.timedelta(days=1)) in response.text
    assert "H. B. L." in response.text


def test_the_verification_page_leaks_no_nik_name_address_or_kpj(client, member):
    text = client.get(reverse("monitoring:card_verify", args=[card_token(member)])).text
    for secret in (member.nik, member.name, "HASNAH", member.address, member.phone, KPJ, member.no_kk):
        assert secret not in text


def test_a_card_whose_cover_lapsed_shows_as_not_valid(client, member):
    lapsed = add_months(month_start(timezone.localdate()), -3)
    Farmer.objects.filter(pk=member.pk).update(paid_through=lapsed)
    response = client.get(reverse("monitoring:card_verify", args=[card_token(member)]))
    assert response.status_code == 200
    assert "Kartu tidak berlaku" in response.text and "Kartu berlaku" not in response.text


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # the signature changed
        lambda token: "MQ" + token[token.index(":") :],  # another farmer's pk, the same signature
        lambda token: "1",  # a counted number
    ],
)
def test_a_tampered_or_guessed_token_shows_an_unknown_card(client, member, tamper):
    response = client.get(reverse("monitoring:card_verify", args=[tamper(card_token(member))]))
    assert response.status_code == 200
    assert "Kartu tidak dikenal" in response.text


def test_a_token_signed_for_another_purpose_is_not_a_card(client, member):
    from django.core import signing

    response = client.get(reverse("monitoring:card_verify", args=[signing.dumps(member.pk)]))
    assert "Kartu tidak dikenal" in response.text
