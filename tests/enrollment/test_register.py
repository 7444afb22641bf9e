import datetime as dt
import io

import pytest
from django.urls import reverse
from PIL import Image

from bpjs_gateway.models import OutboxMessage
from enrollment.insurer import REGISTER, registration_messages
from enrollment.models import Farmer
from tests.conftest import UMPUNGENG, jpeg_bytes, nik_for


def form_data(**overrides) -> dict:
    data = {
        "submission_token": "6f1c1d2e-0000-4000-8000-000000000001",
        "nik": nik_for(birth=dt.date(1990, 1, 5), female=True),
        "no_kk": "7312040101900001",
        "name": "hasnah",
        "birth_place": "Soppeng",
        "birth_date": "1990-01-05",
        "sex": "P",
        "address": "Jl. Poros",
        "rt": "1",
        "rw": "2",
        "village": UMPUNGENG,
        "phone": "+62 812-3456-7890",
        "occupation": "PETANI",
        "farmer_group": "",
        "income": "1000000",
        "consent": "on",
        "ahli-TOTAL_FORMS": "2",
        "ahli-INITIAL_FORMS": "0",
        "ahli-MIN_NUM_FORMS": "0",
        "ahli-MAX_NUM_FORMS": "5",
        "ahli-0-name": "Andi Baso",
        "ahli-0-relation": "SUAMI",
        "ahli-0-nik": "",
        "ahli-1-name": "",
        "ahli-1-relation": "",
        "ahli-1-nik": "",
    }
    data.update(overrides)
    return data


def post(client, **overrides):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = form_data(**overrides)
    if "ktp_upload" not in data:
        data["ktp_upload"] = SimpleUploadedFile("ktp.jpg", jpeg_bytes(), content_type="image/jpeg")
    return client.post(reverse("enrollment:farmer_register"), data)


def test_it_registers_a_farmer_and_queues_it_for_the_insurer(client, agent_user):
    client.force_login(agent_user)
    response = post(client)
    farmer = Farmer.objects.get()
    assert response.status_code == 302 and response["Location"] == farmer.get_absolute_url()
    assert farmer.name == "HASNAH" and farmer.rt == "001" and farmer.phone == "081234567890"
    assert farmer.registration_status == "MENUNGGU_KPJ"
    assert farmer.consent_recorded_by == agent_user and farmer.consent_at is not None
    assert farmer.agent == agent_user.agent
    assert [(h.name, h.relation) for h in farmer.heirs.all()] == [("ANDI BASO", "SUAMI")]
    message = registration_messages(farmer).get()
    assert message.operation == REGISTER and message.state == "PENDING"
    assert b'"kode_wilayah":"7312042009"' in bytes(message.body)


def test_it_strips_exif_from_the_ktp_photo(client, agent_user):
    client.force_login(agent_user)
    post(client)
    farmer = Farmer.objects.get()
    with farmer.ktp_image.open("rb") as f, Image.open(io.BytesIO(f.read())) as image:
        assert image.format == "JPEG"
        assert not image.getexif()
    assert farmer.ktp_image.name.startswith("ktp/") and farmer.nik not in farmer.ktp_image.name


def test_it_refuses_a_file_that_is_not_an_image(client, agent_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(agent_user)
    response = post(
        client, ktp_upload=SimpleUploadedFile("ktp.jpg", b"MZ\x90\x00 not a photo", content_type="image/jpeg")
    )
    assert response.status_code == 200
    assert "bukan foto atau PDF" in response.content.decode()
    assert not Farmer.objects.exists()


def test_it_keeps_what_was_typed_and_says_what_is_wrong(client, agent_user):
    client.force_login(agent_user)
    response = post(client, birth_date="1990-01-06", sex="L", phone="12ab")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Tanggal lahir tidak cocok dengan NIK" in page
    assert "Jenis kelamin tidak cocok dengan NIK" in page
    assert "Nomor HP tidak valid" in page
    assert 'value="hasnah"' in page  # kept as typed
    assert not Farmer.objects.exists() and not OutboxMessage.objects.exists()


def test_it_refuses_a_farmer_older_than_65(client, agent_user):
    client.force_login(agent_user)
    nik = nik_for(birth=dt.date(1950, 3, 3), female=False)
    response = post(client, nik=nik, birth_date="1950-03-03", sex="L")
    assert "Usia peserta harus 15–65 tahun" in response.content.decode()
    assert not Farmer.objects.exists()


def test_it_saves_once_when_the_same_form_is_sent_twice(client, agent_user):
    client.force_login(agent_user)
    first = post(client)
    second = post(client)
    assert Farmer.objects.count() == 1 and OutboxMessage.objects.count() == 1
    assert second.status_code == 302 and second["Location"] == first["Location"]


def test_it_points_to_the_farmer_who_already_has_the_nik(client, agent_user, make_farmer):
    existing = make_farmer(agent_user)
    client.force_login(agent_user)
    response = post(client, submission_token="6f1c1d2e-0000-4000-8000-000000000002")
    page = response.content.decode()
    assert "NIK ini sudah terdaftar" in page and existing.get_absolute_url() in page
    assert Farmer.objects.count() == 1


def test_it_warns_about_a_likely_duplicate_until_the_agent_confirms(client, agent_user, make_farmer):
    make_farmer(agent_user)  # HASNAH, 5 Jan 1990, serial 0001
    client.force_login(agent_user)
    other_nik = nik_for(birth=dt.date(1990, 1, 5), female=True, serial=2)
    response = post(client, nik=other_nik, submission_token="6f1c1d2e-0000-4000-8000-000000000003")
    assert "Mungkin sudah terdaftar dengan NIK lain" in response.content.decode()
    assert Farmer.objects.count() == 1
    response = post(
        client, nik=other_nik, confirm_not_duplicate="on", submission_token="6f1c1d2e-0000-4000-8000-000000000003"
    )
    assert response.status_code == 302 and Farmer.objects.count() == 2


def test_it_offers_only_the_agents_own_villages(client, agent_user):
    client.force_login(agent_user)
    response = post(client, village="73.12.01.2003")
    assert "Pilih salah satu" in response.content.decode() or "pilihan yang valid" in response.content.decode()
    assert not Farmer.objects.exists()


@pytest.mark.parametrize("role_fixture", ["dinas_user", "koordinator_user"])
def test_it_is_only_for_agents(client, request, role_fixture):
    client.force_login(request.getfixturevalue(role_fixture))
    assert client.get(reverse("enrollment:farmer_register")).status_code == 403


def test_it_sends_the_anonymous_to_login(client, soppeng):
    response = client.get(reverse("enrollment:farmer_register"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_the_service_refuses_a_heir_without_a_known_relation_and_saves_nothing(agent_user):
    from django.core.exceptions import ValidationError

    from enrollment.services import HeirData, Registration, farmer_register
    from tests.conftest import registration_fields

    registration = Registration(
        fields=registration_fields(agent_user.agent.villages.first()),
        heirs=[HeirData(name="ANDI BASO", relation="TETANGGA")],
    )
    with pytest.raises(ValidationError, match="ahli waris"):
        farmer_register(user=agent_user, registration=registration)
    assert not Farmer.objects.exists() and not OutboxMessage.objects.exists()


def test_the_heir_nik_says_once_that_it_may_stay_empty(client, agent_user):
    client.force_login(agent_user)
    page = client.get(reverse("enrollment:farmer_register")).content.decode()
    assert page.count('NIK ahli waris <span class="muted">(boleh kosong)</span></label>') == 2  # two heir rows
    assert "(boleh kosong) <span" not in page and "(boleh kosong) (boleh kosong)" not in page
