"""Every URL of the project, requested as every kind of user, inside and outside the object's
scope. A view added without a rule here fails `test_every_url_has_a_rule`: deciding who may see a
page is part of writing it."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.models import Role, User
from bpjs_gateway.models import OutboxState
from contributions.models import DifferenceKind, FundSource, Payer, Payment, PaymentBatch, ReconciliationRun
from enrollment import kept_ktp
from enrollment.insurer import registration_messages
from enrollment.ktp import KtpFile
from enrollment.models import Farmer, ImportJob, ImportState
from enrollment.services import HeirData, Registration, farmer_register
from monitoring.card import card_token
from monitoring.export_jobs import export_run
from monitoring.exports import export_request
from monitoring.models import ExportJob
from tests.conftest import jpeg_bytes, registration_fields
from wilayah.loader import load_wilayah
from wilayah.models import Bpp, Region

ANON = "anonim"
# Everyone the sweep signs in as; "agen" owns the farmer the object URLs point at.
USERS = (
    ANON,
    "agen",
    "agen_tetangga",  # same BPP, another desa
    "agen_lain",  # another kecamatan
    "koordinator",
    "koordinator_lain",
    "dinas",
    "dinas_lain",  # another regency
    "admin",
)
SIGNED_IN = USERS[1:]
AGENTS = ("agen", "agen_tetangga", "agen_lain")
SEES_THE_FARMER = ("agen", "koordinator", "dinas", "admin")
MONITORS = ("koordinator", "koordinator_lain", "dinas", "dinas_lain", "admin")  # the monev dashboard's users

LOGIN = "login-redirect"  # 302 to the login page
OK, REDIRECT, FORBIDDEN, NOT_FOUND, NOT_ALLOWED = 200, 302, 403, 404, 405


def expect(*, everyone: object = None, **per_user: object) -> dict[str, object]:
    return {user: per_user.get(user, everyone) for user in USERS}


def signed_in(answer: object, **per_user: object) -> dict[str, object]:
    return expect(everyone=answer, anonim=LOGIN, **per_user)


def only(users: tuple[str, ...], answer: object, otherwise: object) -> dict[str, object]:
    return signed_in(otherwise, **dict.fromkeys(users, answer))


def object_scoped(answer_in_scope: object, roles: tuple[str, ...] = SIGNED_IN) -> dict[str, object]:
    """In scope: the answer. Out of scope: 404, as if the farmer did not exist. Wrong role: 403."""
    rules = signed_in(FORBIDDEN)
    for user in roles:
        rules[user] = answer_in_scope if user in SEES_THE_FARMER else NOT_FOUND
    return rules


# name -> (method, expected answer per user)
RULES: dict[str, tuple[str, dict[str, object]]] = {
    "monitoring:home": ("GET", signed_in(OK)),
    "accounts:password_change": ("GET", signed_in(OK)),
    "accounts:password_change_done": ("GET", signed_in(OK)),
    "accounts:login": ("GET", expect(everyone=REDIRECT, anonim=OK)),
    "accounts:logout": ("POST", expect(everyone=REDIRECT, anonim=LOGIN)),
    "enrollment:farmer_list": ("GET", signed_in(OK)),
    "enrollment:farmer_register": ("GET", only(AGENTS, OK, FORBIDDEN)),
    "enrollment:nik_check": ("POST", only(AGENTS, OK, FORBIDDEN)),
    # Reads only the photo sent with the request (400 without one); stores and shows nothing else.
    "enrollment:ktp_read": ("POST", only(AGENTS, 400, FORBIDDEN)),
    "enrollment:farmer_import": ("GET", only(AGENTS, OK, FORBIDDEN)),
    "enrollment:farmer_import_template": ("GET", only(AGENTS, OK, FORBIDDEN)),
    # An import's report is its uploader's alone, even within the same BPP.
    "enrollment:import_status": ("GET", only(AGENTS, NOT_FOUND, FORBIDDEN) | {"agen": OK}),
    "enrollment:farmer_detail": ("GET", object_scoped(OK)),
    "enrollment:farmer_ktp": ("GET", object_scoped(OK)),
    "enrollment:farmer_correct": ("GET", object_scoped(OK, roles=AGENTS)),
    # A KTP kept for `agen`'s form: the token finds it for `agen` only (tests/enrollment/test_kept_ktp.py).
    "enrollment:kept_ktp": ("GET", only(AGENTS, NOT_FOUND, FORBIDDEN) | {"agen": OK}),
    "monitoring:gateway_health": ("GET", only(("admin",), OK, FORBIDDEN)),
    "monitoring:outbox_resend": ("POST", only(("admin",), REDIRECT, FORBIDDEN)),
    # Everyone signed in: each sees the farmers of their own area (tests/contributions/test_visits.py).
    "contributions:visit_list": ("GET", signed_in(OK)),
    # Dinas of every regency may open it; what each sees is scoped inside (tests/audit/).
    "audit:log": ("GET", only(("dinas", "dinas_lain", "admin"), OK, FORBIDDEN)),
    "contributions:index": ("GET", signed_in(OK)),
    "claims:claim_new": ("GET", object_scoped(OK, roles=AGENTS)),
    "claims:claim_detail": ("GET", object_scoped(OK)),
    "claims:document_file": ("GET", object_scoped(OK)),
    # Agents only; the submit of an incomplete claim says why and redirects back to it.
    "claims:claim_submit": ("POST", object_scoped(REDIRECT, roles=AGENTS)),
    "claims:document_upload": ("POST", object_scoped(REDIRECT, roles=AGENTS)),
    "contributions:payment_new": ("GET", object_scoped(OK, roles=AGENTS)),
    "contributions:farmer_payments": ("GET", object_scoped(OK)),
    "contributions:receipt": ("GET", object_scoped(OK)),
    "contributions:receipt_pdf": ("GET", object_scoped(OK)),
    # Everyone has a cash page; each sees their own agents (tests/contributions/test_deposits.py).
    "contributions:cash_overview": ("GET", signed_in(OK)),
    # The URL names `agen`: their coordinator, Dinas and admin record deposits; agents never.
    "contributions:deposit_new": (
        "GET",
        object_scoped(OK, roles=("koordinator", "koordinator_lain", "dinas", "dinas_lain", "admin")),
    ),
    # Every Dinas may open the page; the rows each sees are scoped inside (tests/contributions/).
    "contributions:reconciliation_list": ("GET", only(("dinas", "dinas_lain", "admin"), OK, FORBIDDEN)),
    # A difference without a payment belongs to the deployment's regency (Soppeng); an empty note
    # is refused on the page (200) and changes nothing.
    "contributions:reconciliation_resolve": (
        "POST",
        signed_in(FORBIDDEN, dinas=OK, dinas_lain=NOT_FOUND, admin=OK),
    ),
    # Payers are managed by Dinas (their own regency's) and the admin.
    "contributions:payer_list": ("GET", only(("dinas", "dinas_lain", "admin"), OK, FORBIDDEN)),
    "contributions:payer_new": ("GET", only(("dinas", "dinas_lain", "admin"), OK, FORBIDDEN)),
    "contributions:payer_edit": ("GET", object_scoped(OK, roles=("dinas", "dinas_lain", "admin"))),
    "contributions:batch_new": ("GET", signed_in(OK)),
    "contributions:batch_detail": ("GET", object_scoped(OK)),
    # Everyone signed in: each sees the claims of their own area (tests/claims/test_lists.py).
    "claims:claim_list": ("GET", signed_in(OK)),
    # The dashboard's fragments: with no area asked for, each sees their own (tests/monitoring/).
    "monitoring:trends": ("GET", only(MONITORS, OK, FORBIDDEN)),
    "monitoring:targets": ("GET", only(("dinas", "dinas_lain", "admin"), OK, FORBIDDEN)),
    "monitoring:notes": ("GET", only(MONITORS, OK, FORBIDDEN)),
    # The monev dashboard: coordinators, Dinas (each their own regency) and admins; never an agent.
    # Drilling outside one's scope answers 404 (tests/monitoring/test_dashboard.py).
    "monitoring:dashboard": (
        "GET",
        only(("koordinator", "koordinator_lain", "dinas", "dinas_lain", "admin"), OK, FORBIDDEN),
    ),
    # Reports: coordinators, Dinas and admins; a job is its owner's alone (the sweep's job is Dinas').
    "monitoring:reports": ("GET", only(MONITORS, OK, FORBIDDEN)),
    "monitoring:export_status": ("GET", only(MONITORS, NOT_FOUND, FORBIDDEN) | {"dinas": OK}),
    "monitoring:export_download": ("GET", only(MONITORS, NOT_FOUND, FORBIDDEN) | {"dinas": OK}),
    # The card of a farmer with a KPJ: whoever sees the farmer (tests/monitoring/test_card.py).
    "monitoring:participant_card": ("GET", object_scoped(OK)),
    # Public: the QR of a card opens it without signing in, and it shows only validity.
    "monitoring:card_verify": ("GET", expect(everyone=OK)),
}
ADMIN_SITE = "admin:index"


def _names(patterns, namespace: str = "") -> Iterator[str]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue  # Django's admin: staff only, checked as a whole below
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _names(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield namespace + entry.name


def test_every_url_has_a_rule():
    assert set(_names(get_resolver().url_patterns)) == set(RULES)


@pytest.fixture
def people(agent_user, neighbour_agent_user, other_agent_user, koordinator_user, dinas_user, admin_user):
    load_wilayah(regency_codes=["73.71"])  # Makassar: another regency's Dinas
    other_bpp = Bpp.objects.get(kecamatan_id="73.12.01")

    def user(username: str, **fields) -> User:
        return User.objects.create_user(username=username, password="rahasia-uji-123", **fields)

    return {
        "agen": agent_user,
        "agen_tetangga": neighbour_agent_user,
        "agen_lain": other_agent_user,
        "koordinator": koordinator_user,
        "koordinator_lain": user("koordinator.lain", role=Role.KOORDINATOR, bpp=other_bpp),
        "dinas": dinas_user,
        "dinas_lain": user("dinas.makassar", role=Role.DINAS, regency=Region.objects.get(code="73.71")),
        "admin": admin_user,
    }


@pytest.fixture
def refused_farmer(agent_user) -> Farmer:
    """A farmer of `agen`, with a KTP photo, refused by the insurer (so it can be corrected and resent)."""
    from django.core.files.base import ContentFile

    farmer = farmer_register(
        user=agent_user,
        registration=Registration(
            fields=registration_fields(agent_user.agent.villages.first()),
            heirs=[HeirData(name="ANDI BASO", relation="SUAMI")],
            ktp=KtpFile(ContentFile(jpeg_bytes(with_exif=False), name="ktp.jpg"), "image/jpeg"),
        ),
    )
    Farmer.objects.filter(pk=farmer.pk).update(registration_status="DITOLAK")
    registration_messages(farmer).update(state=OutboxState.FAILED)
    return farmer


def _receipt_no(farmer: Farmer) -> str:
    """A receipt of the farmer's, written as the insurer's refusal left it (no new payment is taken)."""
    import datetime as dt

    from django.utils import timezone

    payment, _ = Payment.objects.get_or_create(
        farmer=farmer,
        defaults={
            "receipt_no": "KW-SWEEP-1",
            "start_month": dt.date(2026, 1, 1),
            "months": 1,
            "end_month": dt.date(2026, 1, 1),
            "monthly_amount": 16_800,
            "amount": 16_800,
            "cash_received": 16_800,
            "paid_at": timezone.now(),
            "recorded_by": farmer.registered_by,
        },
    )
    return payment.receipt_no


def _claim(farmer: Farmer):
    """A claim of the farmer with its KTP document, written directly (a refused farmer has no KPJ)."""
    from django.core.files.base import ContentFile

    from claims.models import Claim, ClaimDocument

    claim, _ = Claim.objects.get_or_create(
        farmer=farmer,
        defaults={
            "village_id": farmer.village_id,
            "kind": "JKK",
            "incident_date": dt.date(2026, 1, 5),
            "place": "SAWAH",
            "description": "Terluka",
            "reporter_name": "ANDI",
            "reporter_relation": "SUAMI",
            "reporter_phone": "081234567891",
            "reported_by": farmer.registered_by,
        },
    )
    if not claim.documents.exists():
        document = ClaimDocument(claim=claim, kind="KTP", content_type="image/jpeg", sha256="0" * 64, size=1)
        document.file.save("ktp.jpg", ContentFile(jpeg_bytes(with_exif=False)), save=False)
        document.uploaded_by = farmer.registered_by
        document.save()
    return claim


def _url(name: str, farmer: Farmer) -> str:
    if name == "claims:document_file":
        return reverse(name, args=[_claim(farmer).pk, "KTP"])
    if name in ("claims:claim_detail", "claims:claim_submit", "claims:document_upload"):
        return reverse(name, args=[_claim(farmer).pk])
    if name in (
        "claims:claim_new",
        "enrollment:farmer_detail",
        "enrollment:farmer_ktp",
        "enrollment:farmer_correct",
        "contributions:payment_new",
        "contributions:farmer_payments",
    ):
        return reverse(name, args=[farmer.pk])
    if name in ("contributions:receipt", "contributions:receipt_pdf"):
        return reverse(name, args=[_receipt_no(farmer)])
    if name == "contributions:deposit_new":
        return reverse(name, args=[farmer.agent.code])
    if name == "contributions:reconciliation_resolve":
        run = ReconciliationRun.objects.create(
            day=timezone.localdate(), ran_at=timezone.now(), insurer_count=1, matched=0
        )
        return reverse(name, args=[run.differences.create(kind=DifferenceKind.UNKNOWN_HERE, receipt_no="KW-BPJS").pk])
    if name == "enrollment:kept_ktp":
        token = uuid.uuid4()
        ktp = KtpFile(ContentFile(jpeg_bytes(with_exif=False), name="ktp.jpg"), "image/jpeg")
        kept_ktp.keep(user=farmer.registered_by, token=token, ktp=ktp)
        return reverse(name, args=[token])
    if name == "monitoring:outbox_resend":
        return reverse(name, args=[registration_messages(farmer).get().pk])
    if name == "contributions:payer_edit":
        return reverse(name, args=[_payer(farmer).pk])
    if name == "contributions:batch_detail":
        return reverse(name, args=[_batch(farmer).pk])
    if name in ("monitoring:export_status", "monitoring:export_download"):
        return reverse(name, args=[_export_job(farmer).pk])
    if name == "enrollment:import_status":
        return reverse(name, args=[_import_job(farmer).pk])
    if name in ("monitoring:participant_card", "monitoring:card_verify"):
        Farmer.objects.filter(pk=farmer.pk).update(kpj="25000000001")
        return reverse(name, args=[farmer.pk if name == "monitoring:participant_card" else card_token(farmer)])
    return reverse(name)


def _export_job(farmer: Farmer) -> ExportJob:
    """A finished report of the regency's Dinas user."""
    dinas = User.objects.get(username="dinas.uji")
    job = export_request(user=dinas, name="monev", month=dt.date(2026, 1, 1), area="", fmt="pdf", token=uuid.uuid4())
    export_run(job.pk)
    return job


def _import_job(farmer: Farmer) -> ImportJob:
    """A finished import of `agen`, who registered the farmer."""
    return ImportJob.objects.create(
        user=farmer.registered_by, filename="daftar.csv", state=ImportState.DONE, submission_token=uuid.uuid4()
    )


def _payer(farmer: Farmer) -> Payer:
    """A sponsor in the farmer's regency (Soppeng)."""
    return Payer.objects.create(
        source=FundSource.SPONSOR, name="SPONSOR UJI", regency_id="73.12", created_by=farmer.registered_by
    )


def _batch(farmer: Farmer) -> PaymentBatch:
    """A batch that paid for the farmer: written directly, since a refused farmer cannot be paid."""
    batch = PaymentBatch.objects.create(reference="UJI-1", source=FundSource.MANDIRI, recorded_by=farmer.registered_by)
    Payment.objects.create(
        receipt_no="KW-UJI-1",
        farmer=farmer,
        start_month=dt.date(2025, 1, 1),
        months=1,
        end_month=dt.date(2025, 1, 1),
        monthly_amount=16_800,
        amount=16_800,
        cash_received=16_800,
        paid_at=timezone.now(),
        recorded_by=farmer.registered_by,
        batch=batch,
    )
    return batch


@pytest.mark.parametrize("name", sorted(RULES))
def test_each_url_answers_each_user_as_its_rule_says(client, people, refused_farmer, name):
    method, rules = RULES[name]
    url = _url(name, refused_farmer)
    answers = {}
    for who in USERS:
        client.logout()
        if who != ANON:
            client.force_login(people[who])
        response = client.post(url) if method == "POST" else client.get(url)
        answer = response.status_code
        if answer == 302 and response["Location"].startswith(reverse("accounts:login")) and who == ANON:
            answer = LOGIN
        answers[who] = answer
        # Mutations must not leak into the next user's request.
        registration_messages(refused_farmer).update(state=OutboxState.FAILED)
    assert answers == rules


def test_django_admin_is_for_staff_only(client, people):
    url = reverse(ADMIN_SITE)
    assert client.get(url).status_code == 302
    for who in SIGNED_IN:
        client.force_login(people[who])
        expected = 200 if who == "admin" else 302
        assert client.get(url).status_code == expected, who
