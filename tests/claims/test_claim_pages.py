"""The agent's pages: report, documents, submit; and who else may see a claim and its files."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from claims.insurer import claim_messages
from claims.models import REQUIRED_DOCUMENTS, Claim, ClaimStatus
from enrollment.models import Farmer
from tests.claims.conftest import photo

TOKEN = "8c0c1d2e-0000-4000-8000-000000000001"


def report(client, farmer, **overrides):
    data = {
        "submission_token": TOKEN,
        "kind": "JKM",
        "incident_date": timezone.localdate().isoformat(),
        "place": "Sawah Umpungeng",
        "description": "Meninggal dunia tertimpa pohon",
        "reporter_name": "andi baso",
        "reporter_relation": "SUAMI",
        "reporter_phone": "0812-3456-7891",
        "beneficiary_name": "andi baso",
        "bank_name": "bri",
        "bank_account": "0123 4567 8901 234",
        "bank_account_holder": "andi baso",
    } | overrides
    return client.post(reverse("claims:claim_new", args=[farmer.pk]), data)


@pytest.fixture
def registered(agent_user, make_farmer) -> Farmer:
    farmer = make_farmer(agent_user)
    Farmer.objects.filter(pk=farmer.pk).update(registration_status="TERDAFTAR", kpj="24010000001")
    farmer.refresh_from_db()
    return farmer


def test_an_agent_reports_a_claim_and_lands_on_it(client, agent_user, registered):
    client.force_login(agent_user)
    response = report(client, registered)
    claim = Claim.objects.get()
    assert response.status_code == 302 and response["Location"] == claim.get_absolute_url()
    assert (claim.reporter_name, claim.reporter_phone, claim.bank_account) == (
        "ANDI BASO",
        "081234567891",
        "012345678901234",
    )
    page = client.get(claim.get_absolute_url()).content.decode()
    assert "Dilaporkan" in page and "belum ada" in page and "Santunan kematian" in page and "Rp 20.000.000" in page


def test_the_form_says_at_once_whether_the_farmer_was_covered(client, agent_user, registered):
    client.force_login(agent_user)
    answer = client.get(
        reverse("claims:claim_new", args=[registered.pk]),
        {"incident_date": timezone.localdate().isoformat()},
        headers={"HX-Request": "true", "HX-Target": "coverage"},
    ).content.decode()
    assert "Tidak dalam perlindungan" in answer and "belum pernah membayar" in answer and "<html" not in answer


def test_a_double_submit_reports_one_claim(client, agent_user, registered):
    client.force_login(agent_user)
    report(client, registered)
    report(client, registered)
    assert Claim.objects.count() == 1


def test_a_jkm_report_without_the_bank_account_is_refused_at_the_field(client, agent_user, registered):
    client.force_login(agent_user)
    response = report(client, registered, bank_account="")
    assert response.status_code == 200 and "Wajib untuk klaim JKM" in response.content.decode()
    assert not Claim.objects.exists()


def test_documents_are_uploaded_and_a_complete_claim_can_be_submitted_once(client, agent_user, registered):
    client.force_login(agent_user)
    report(client, registered)
    claim = Claim.objects.get()
    upload = reverse("claims:document_upload", args=[claim.pk])
    for kind in REQUIRED_DOCUMENTS[claim.kind]:
        client.post(upload, {"kind": kind, "file": photo(kind)})
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.DOKUMEN_LENGKAP
    # The farmer never paid: the page says so and nothing is sent.
    response = client.post(reverse("claims:claim_submit", args=[claim.pk]), follow=True)
    assert "tidak dalam perlindungan" in response.content.decode() and not claim_messages(claim).exists()


def test_a_file_that_is_not_a_document_is_refused_with_a_message(client, agent_user, registered):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(agent_user)
    report(client, registered)
    claim = Claim.objects.get()
    html = SimpleUploadedFile("ktp.jpg", b"<html><script>alert(1)</script></html>", content_type="image/jpeg")
    response = client.post(
        reverse("claims:document_upload", args=[claim.pk]), {"kind": "KTP", "file": html}, follow=True
    )
    assert "Berkas bukan foto atau PDF" in response.content.decode() and not claim.documents.exists()


def test_another_villages_claim_and_its_documents_are_404(client, agent_user, other_agent_user, dinas_user, registered):
    client.force_login(agent_user)
    report(client, registered)
    claim = Claim.objects.get()
    client.post(reverse("claims:document_upload", args=[claim.pk]), {"kind": "KTP", "file": photo("KTP")})
    urls = [claim.get_absolute_url(), reverse("claims:document_file", args=[claim.pk, "KTP"])]
    assert all(client.get(url).status_code == 200 for url in urls)
    client.force_login(other_agent_user)
    assert all(client.get(url).status_code == 404 for url in urls)
    assert client.post(reverse("claims:claim_submit", args=[claim.pk])).status_code == 404
    upload = client.post(reverse("claims:document_upload", args=[claim.pk]), {"kind": "KK", "file": photo("KK")})
    assert upload.status_code == 404 and claim.documents.count() == 1
    client.force_login(dinas_user)
    assert (
        client.get(urls[1])["Cache-Control"] == "no-store, private"
        or "no-store" in client.get(urls[1])["Cache-Control"]
    )
