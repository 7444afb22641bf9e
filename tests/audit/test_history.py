"""Who changed a farmer's, an heir's or a payment's data, and what it was before."""

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from audit.history import create_with_history, update_with_history
from bpjs_gateway.models import OutboxMessage, OutboxState
from bpjs_gateway.registry import operation as registered_operation
from contributions.models import Payment
from contributions.services import payment_record
from enrollment.insurer import REGISTER, registration_messages
from enrollment.models import Farmer, Heir
from tests.conftest import UMPUNGENG, nik_for


def test_registering_a_farmer_records_who_registered_it_and_its_heirs(agent_user, make_farmer):
    farmer = make_farmer(agent_user)
    created = Farmer.history.get(id=farmer.pk)
    assert (created.history_type, created.history_user, created.name) == ("+", agent_user, "HASNAH")
    heir = Heir.history.get(farmer_id=farmer.pk)
    assert (heir.history_type, heir.history_user, heir.name) == ("+", agent_user, "ANDI BASO")


def test_a_save_that_changes_nothing_adds_no_history_row(agent_user, make_farmer):
    farmer = make_farmer(agent_user)  # the outbox re-saves the status it already had
    farmer.save()
    assert Farmer.history.filter(id=farmer.pk).count() == 1
    farmer.phone = "085200000000"
    farmer.save()
    assert Farmer.history.filter(id=farmer.pk).count() == 2


def test_a_correction_records_before_and_after_and_who(client, agent_user, make_farmer):
    farmer = make_farmer(agent_user)
    message = registration_messages(farmer).get()
    with transaction.atomic():
        registered_operation(REGISTER).refused(message.subject_id, [{"field": "nik", "code": "NIK_TIDAK_COCOK"}])
    OutboxMessage.objects.filter(pk=message.pk).update(state=OutboxState.FAILED)
    client.force_login(agent_user)
    new_nik = nik_for(birth=dt.date(1990, 1, 6), female=True, serial=9)
    response = client.post(
        reverse("enrollment:farmer_correct", args=[farmer.pk]),
        {
            "nik": new_nik,
            "no_kk": farmer.no_kk,
            "name": "HASNAH BINTI BASO",
            "birth_place": farmer.birth_place,
            "birth_date": "1990-01-06",
            "sex": "P",
            "address": farmer.address,
            "rt": farmer.rt,
            "rw": farmer.rw,
            "village": UMPUNGENG,
            "phone": farmer.phone,
            "occupation": "PETANI",
            "farmer_group": farmer.farmer_group,
            "income": "1000000",
        },
    )
    assert response.status_code == 302
    # Oldest first: registered, refused by the insurer (no user), corrected, queued again.
    rows = list(Farmer.history.filter(id=farmer.pk).order_by("history_date", "history_id"))
    assert [row.history_user for row in rows] == [agent_user, None, agent_user, agent_user]
    diffs = [{c.field: (c.old, c.new) for c in row.diff_against(row.prev_record).changes} for row in rows[1:]]
    refused, corrected, queued = diffs
    assert refused["registration_status"] == ("MENUNGGU_KPJ", "DITOLAK")
    assert corrected["nik"] == (farmer.nik, new_nik) and corrected["name"] == ("HASNAH", "HASNAH BINTI BASO")
    assert corrected["birth_date"] == (dt.date(1990, 1, 5), dt.date(1990, 1, 6))
    assert queued["registration_status"] == ("DITOLAK", "MENUNGGU_KPJ")


def test_a_payment_has_a_history(agent_user, make_farmer):
    farmer = make_farmer(agent_user)
    payment = payment_record(user=agent_user, farmer=farmer, months=2, cash_received=100_000)
    Payment.objects.get(pk=payment.pk).save()
    assert [h.history_type for h in payment.history.all()] == ["+"]


def _tracked(record, model):
    return {f.attname: getattr(record, f.attname) for f in model.history.model.tracked_fields}


def test_history_rows_written_by_the_database_hold_every_tracked_field(agent_user, make_farmer):
    farmer = make_farmer(agent_user)
    heirs = create_with_history(
        [Heir(farmer=farmer, name="SITI", relation="ANAK"), Heir(farmer=farmer, name="BASO", relation="SUAMI")],
        by=agent_user,
    )
    for heir in heirs:
        [row] = Heir.history.filter(id=heir.pk)
        assert (row.history_type, row.history_user, row.history_change_reason) == ("+", agent_user, None)
        assert _tracked(row, Heir) == _tracked(Heir.objects.get(pk=heir.pk), Heir)

    farmer.kpj, farmer.registration_status = "88000000001", "TERDAFTAR"
    update_with_history([farmer], ["kpj", "registration_status"], at=timezone.now())
    latest = Farmer.history.filter(id=farmer.pk).order_by("-history_id").first()
    assert (latest.history_type, latest.history_user, latest.kpj) == ("~", None, "88000000001")
    assert _tracked(latest, Farmer) == _tracked(Farmer.objects.get(pk=farmer.pk), Farmer)
