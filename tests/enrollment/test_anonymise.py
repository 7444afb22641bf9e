"""A farmer asks for their data to be erased (UU 27/2022): the identity goes everywhere it was
kept, while the KPJ and the money stay as the insurer and the books know them."""

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse

from audit.models import AccessLog, Action
from bpjs_gateway.models import OutboxMessage, OutboxState
from bpjs_gateway.outbox import resend_failed
from bpjs_gateway.registry import operation as registered_operation
from contributions.models import Payment
from contributions.services import payment_record
from enrollment.insurer import REGISTER, registration_messages
from enrollment.models import Farmer, Heir
from enrollment.services import farmer_anonymise, farmer_correct, farmer_erase
from tests.conftest import jpeg_bytes

KPJ = "23010000001"
# Everything make_farmer() records that identifies the person (tests/conftest.py).
OLD_VALUES = ["HASNAH", "7312044501900001", "7312040101900001", "081234567890", "POROS WATANSOPPENG", "ANDI BASO"]
OLD_VALUES += ["1990-01-05", "KT SIPATUO"]


def registration_messages_of(pk: int):
    return OutboxMessage.objects.filter(operation=REGISTER, subject_id=pk)


def insurer_accepts(farmer: Farmer) -> None:
    """What the outbox does on the insurer's 201, without a network."""
    message = registration_messages(farmer).get()
    with transaction.atomic():
        registered_operation(REGISTER).done(message.subject_id, {"kpj": KPJ})
    OutboxMessage.objects.filter(pk=message.pk).update(state=OutboxState.DONE, response={"kpj": KPJ})


def insurer_refuses(farmer: Farmer) -> None:
    registration_messages(farmer).update(state=OutboxState.FAILED)
    Farmer.objects.filter(pk=farmer.pk).update(registration_status="DITOLAK")


def everything_kept_about(pk: int) -> str:
    """Every stored value of the farmer, its heirs, their history and the bodies sent to the insurer."""
    rows = [
        *Farmer.objects.filter(pk=pk).values(),
        *Heir.objects.filter(farmer_id=pk).values(),
        *Farmer.history.filter(id=pk).values(),
        *Heir.history.filter(farmer_id=pk).values(),
    ]
    bodies = [bytes(b).decode() for b in registration_messages_of(pk).values_list("body", flat=True) if b]
    return json.dumps(rows, default=str) + "".join(bodies)


@pytest.fixture
def registered(agent_user, make_farmer) -> Farmer:
    """Registered at the insurer, with a KTP copy, a payment and an earlier change in its history."""
    farmer = make_farmer(agent_user)
    farmer.ktp_image.save("ktp.jpg", ContentFile(jpeg_bytes()), save=True)
    insurer_accepts(farmer)
    payment_record(user=agent_user, farmer=farmer, months=3, cash_received=100_000)
    farmer.refresh_from_db()
    return farmer


def test_nothing_of_the_old_identity_is_left_in_any_row(registered, admin_user, django_capture_on_commit_callbacks):
    assert all(value in everything_kept_about(registered.pk) for value in OLD_VALUES)  # the check can see them
    with django_capture_on_commit_callbacks(execute=True):
        farmer_anonymise(farmer=registered, by=admin_user, reason="Surat permintaan 12/2026")
    kept = everything_kept_about(registered.pk)
    assert [value for value in OLD_VALUES if value in kept] == []


def test_the_identity_is_replaced_by_placeholders_that_keep_the_statistics(registered, admin_user):
    farmer = farmer_anonymise(farmer=registered, by=admin_user, reason="Surat permintaan 12/2026")
    farmer.refresh_from_db()
    assert farmer.name == "DIANONIMKAN" and farmer.nik == "00" + str(farmer.pk).zfill(14)
    assert farmer.no_kk == "0" * 16 and farmer.birth_date == dt.date(1990, 1, 1)
    assert (farmer.birth_place, farmer.address, farmer.rt, farmer.rw, farmer.phone) == ("-", "-", "", "", "")
    assert farmer.anonymised_at is not None and not farmer.heirs.exists()


def test_the_kpj_and_the_payments_stay(registered, admin_user):
    farmer = farmer_anonymise(farmer=registered, by=admin_user, reason="Surat permintaan 12/2026")
    farmer.refresh_from_db()
    assert farmer.kpj == KPJ and farmer.registration_status == "TERDAFTAR" and farmer.sex == "P"
    assert farmer.village_id == registered.village_id
    payment = Payment.objects.get(farmer=farmer)
    assert (payment.months, payment.amount) == (3, registered.payments.get().amount) and payment.amount > 0
    assert payment.history.exists()  # the money's history holds no identity and is kept


def test_the_ktp_copy_is_deleted_from_storage(registered, admin_user, django_capture_on_commit_callbacks):
    storage, name = registered.ktp_image.storage, registered.ktp_image.name
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        farmer_anonymise(farmer=registered, by=admin_user, reason="Surat permintaan 12/2026")
    assert not storage.exists(name)
    assert not Farmer.objects.get(pk=registered.pk).ktp_image


def test_the_erasure_is_logged_with_who_and_why_and_kept_in_the_history(registered, admin_user):
    farmer_anonymise(farmer=registered, by=admin_user, reason="Surat permintaan 12/2026")
    entry = AccessLog.objects.get(action=Action.ERASE)
    assert (entry.user, entry.subject) == (admin_user, f"petani:{registered.pk}")
    assert entry.detail == "Surat permintaan 12/2026"
    last = Farmer.history.get(id=registered.pk)
    assert last.history_user == admin_user and last.anonymised_at is not None


def test_a_second_anonymisation_is_refused(registered, admin_user):
    farmer_anonymise(farmer=registered, by=admin_user, reason="Surat permintaan 12/2026")
    with pytest.raises(ValidationError, match="sudah dianonimkan"):
        farmer_anonymise(farmer=registered, by=admin_user, reason="lagi")


def test_a_reason_is_required(registered, admin_user):
    with pytest.raises(ValidationError, match="alasan"):
        farmer_anonymise(farmer=registered, by=admin_user, reason="  ")
    assert Farmer.objects.get(pk=registered.pk).anonymised_at is None


def test_a_registration_still_on_its_way_to_the_insurer_blocks_it(agent_user, admin_user, make_farmer):
    farmer = make_farmer(agent_user)
    assert registration_messages(farmer).get().state == OutboxState.PENDING
    with pytest.raises(ValidationError, match="Tunggu sampai pendaftaran selesai diproses BPJS"):
        farmer_anonymise(farmer=farmer, by=admin_user, reason="Surat permintaan 12/2026")
    farmer.refresh_from_db()
    assert farmer.name == "HASNAH" and farmer.anonymised_at is None and farmer.heirs.count() == 1


def test_an_anonymised_refused_registration_is_neither_corrected_nor_sent_again(agent_user, admin_user, make_farmer):
    farmer = make_farmer(agent_user)
    insurer_refuses(farmer)
    farmer_anonymise(farmer=farmer, by=admin_user, reason="Surat permintaan 12/2026")
    farmer.refresh_from_db()
    with pytest.raises(ValidationError, match="sudah dianonimkan"):
        farmer_correct(farmer=farmer, fields={"nik": "7312044501900001", "birth_date": dt.date(1990, 1, 5), "sex": "P"})
    with pytest.raises(ValidationError, match="sudah dianonimkan"):
        resend_failed(registration_messages(farmer).get().pk)
    assert registration_messages(farmer).count() == 1


def test_the_admin_resend_button_says_why_it_did_nothing(client, agent_user, admin_user, make_farmer):
    farmer = make_farmer(agent_user)
    insurer_refuses(farmer)
    farmer_anonymise(farmer=farmer, by=admin_user, reason="Surat permintaan 12/2026")
    client.force_login(admin_user)
    response = client.post(
        reverse("monitoring:outbox_resend", args=[registration_messages(farmer).get().pk]), follow=True
    )
    assert "tidak dapat dikirim ulang" in response.content.decode() and registration_messages(farmer).count() == 1


def test_the_command_anonymises_as_the_named_admin(registered, admin_user, capsys):
    call_command("anonimkan_petani", "--id", str(registered.pk), "--oleh", "admin.uji", "--alasan", "Surat 3/2026")
    assert Farmer.objects.get(pk=registered.pk).name == "DIANONIMKAN"
    assert AccessLog.objects.get(action=Action.ERASE).user == admin_user


def test_the_command_refuses_someone_who_is_not_admin(registered, agent_user):
    with pytest.raises(CommandError, match="bukan admin"):
        call_command("anonimkan_petani", "--id", str(registered.pk), "--oleh", "penyuluh.uji", "--alasan", "x")
    assert Farmer.objects.get(pk=registered.pk).anonymised_at is None


def test_the_admin_action_asks_for_a_reason_then_anonymises(client, registered, admin_user):
    client.force_login(admin_user)
    url = reverse("admin:enrollment_farmer_changelist")
    selection = {"action": "anonymise", "_selected_action": [registered.pk]}
    page = client.post(url, selection)
    assert page.status_code == 200 and "Alasan" in page.content.decode()
    assert Farmer.objects.get(pk=registered.pk).anonymised_at is None
    client.post(url, selection | {"post": "ya", "alasan": "Surat permintaan 12/2026"})
    assert Farmer.objects.get(pk=registered.pk).name == "DIANONIMKAN"


def test_a_farmer_the_insurer_never_saw_can_be_deleted_outright(
    agent_user, admin_user, make_farmer, django_capture_on_commit_callbacks
):
    farmer = make_farmer(agent_user)
    farmer.ktp_image.save("ktp.jpg", ContentFile(jpeg_bytes()), save=True)
    storage, name, pk = farmer.ktp_image.storage, farmer.ktp_image.name, farmer.pk
    with django_capture_on_commit_callbacks(execute=True):
        farmer_erase(farmer=farmer, by=admin_user, reason="Surat permintaan 12/2026")
    assert not Farmer.objects.filter(pk=pk).exists() and not registration_messages_of(pk).exists()
    assert not Farmer.history.filter(id=pk).exists() and not Heir.history.filter(farmer_id=pk).exists()
    assert not storage.exists(name)
    assert AccessLog.objects.get(action=Action.ERASE).subject == f"petani:{pk}"


def test_a_farmer_known_to_the_insurer_is_not_deleted_outright(registered, admin_user):
    with pytest.raises(ValidationError, match="hanya dianonimkan"):
        farmer_erase(farmer=registered, by=admin_user, reason="Surat permintaan 12/2026")
    assert Farmer.objects.filter(pk=registered.pk).exists()
