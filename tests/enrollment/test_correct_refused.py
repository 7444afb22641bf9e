"""The insurer refused a registration: the agent sees why, corrects it and sends it again."""

import datetime as dt

from django.urls import reverse

from bpjs_gateway.models import OutboxState
from enrollment.insurer import registration_messages
from enrollment.models import Farmer
from tests.conftest import UMPUNGENG, nik_for


def refuse(farmer, code="NIK_TIDAK_COCOK"):
    registration_messages(farmer).update(state=OutboxState.FAILED, last_error_code=code)
    Farmer.objects.filter(pk=farmer.pk).update(
        registration_status="DITOLAK",
        insurer_errors=[{"field": "nik", "code": code, "pesan": "NIK tidak cocok dengan tanggal lahir."}],
    )


def correction(farmer, **overrides):
    data = {
        "nik": farmer.nik,
        "no_kk": farmer.no_kk,
        "name": farmer.name,
        "birth_place": farmer.birth_place,
        "birth_date": farmer.birth_date.isoformat(),
        "sex": farmer.sex,
        "address": farmer.address,
        "rt": "1",
        "rw": "2",
        "village": UMPUNGENG,
        "phone": farmer.phone,
        "occupation": "PETANI",
        "farmer_group": "",
        "income": "1000000",
    }
    return data | overrides


def test_the_refusal_shows_on_the_farmer_with_a_way_to_correct_it(client, agent_user, make_farmer):
    farmer = make_farmer(agent_user)
    refuse(farmer)
    client.force_login(agent_user)
    page = client.get(farmer.get_absolute_url()).content.decode()
    assert "Ditolak BPJS" in page and "NIK tidak cocok" in page
    assert reverse("enrollment:farmer_correct", args=[farmer.pk]) in page


def test_a_correction_is_saved_and_sent_again_with_a_new_key(client, agent_user, make_farmer):
    farmer = make_farmer(agent_user)
    old_key = registration_messages(farmer).get().idempotency_key
    refuse(farmer)
    client.force_login(agent_user)
    new_nik = nik_for(birth=dt.date(1990, 1, 6), female=True, serial=9)
    response = client.post(
        reverse("enrollment:farmer_correct", args=[farmer.pk]), correction(farmer, nik=new_nik, birth_date="1990-01-06")
    )
    assert response.status_code == 302
    farmer.refresh_from_db()
    assert farmer.nik == new_nik and farmer.registration_status == "MENUNGGU_KPJ" and farmer.insurer_errors == []
    pending = registration_messages(farmer).get(state=OutboxState.PENDING)
    assert pending.idempotency_key != old_key and new_nik.encode() in bytes(pending.body)


def test_a_bad_correction_is_refused_at_the_field_and_nothing_is_sent(client, agent_user, make_farmer):
    farmer = make_farmer(agent_user)
    refuse(farmer)
    client.force_login(agent_user)
    url = reverse("enrollment:farmer_correct", args=[farmer.pk])
    response = client.post(url, correction(farmer, birth_date="1991-01-05"))
    assert response.status_code == 200 and "Tanggal lahir tidak cocok dengan NIK" in response.content.decode()
    assert not registration_messages(farmer).filter(state=OutboxState.PENDING).exists()


def test_only_refused_registrations_are_corrected_here(client, agent_user, make_farmer):
    farmer = make_farmer(agent_user)
    client.force_login(agent_user)
    response = client.get(reverse("enrollment:farmer_correct", args=[farmer.pk]))
    assert response.status_code == 302 and registration_messages(farmer).count() == 1


def test_another_villages_agent_cannot_correct(client, agent_user, other_agent_user, make_farmer):
    farmer = make_farmer(agent_user)
    refuse(farmer)
    client.force_login(other_agent_user)
    assert client.get(reverse("enrollment:farmer_correct", args=[farmer.pk])).status_code == 404
