"""What a stranger types into the registration form: hidden characters, other scripts, text that
grows when uppercased, a formset that claims 300 heirs, another area's farmers."""

import datetime as dt

import pytest

from audit.models import AccessLog, Action
from enrollment.models import Farmer, Heir
from tests.conftest import MARIORIWAWO_VILLAGE, nik_for
from tests.enrollment.test_register import post


def page(response) -> str:
    return response.content.decode()


@pytest.mark.parametrize(
    "name",
    [
        "HAS\x00NAH",  # NUL: PostgreSQL refuses it
        "HAS\u200bNAH",  # zero-width space
        "\u202eHANSAH",  # right-to-left override: reads backwards on screen
        "HAS\x07NAH",  # a control character
    ],
)
def test_it_refuses_hidden_characters_in_a_name_at_the_field(client, agent_user, name):
    client.force_login(agent_user)
    response = post(client, name=name)
    assert response.status_code == 200
    assert "karakter tersembunyi" in page(response)
    assert not Farmer.objects.exists()


def test_it_saves_names_in_one_normal_form(client, agent_user):
    client.force_login(agent_user)
    post(client, name="  a\u0301ndi   hasnah ", birth_place="Soppeng\tRiaja")  # a + combining acute
    farmer = Farmer.objects.get()
    assert farmer.name == "\u00c1NDI HASNAH" and farmer.birth_place == "SOPPENG RIAJA"


def test_it_checks_the_length_of_a_heir_name_after_uppercasing(client, agent_user):
    client.force_login(agent_user)
    response = post(client, **{"ahli-0-name": "ß" * 60})  # 60 characters, 120 once uppercased
    assert response.status_code == 200 and "paling banyak 100 karakter" in page(response)
    assert not Farmer.objects.exists() and not Heir.objects.exists()


def test_it_checks_the_length_of_a_name_after_uppercasing(client, agent_user):
    client.force_login(agent_user)
    response = post(client, name="ŉ" * 60)  # ŉ uppercases to ʼN
    assert response.status_code == 200 and "paling banyak 100 karakter" in page(response)
    assert not Farmer.objects.exists()


def test_it_reads_a_nik_typed_in_full_width_or_arabic_indic_digits(client, agent_user):
    nik = nik_for(birth=dt.date(1990, 1, 5), female=True)
    full_width = "".join(chr(0xFF10 + int(d)) for d in nik)
    arabic_indic_kk = "".join(chr(0x0660 + int(d)) for d in "7312040101900001")
    client.force_login(agent_user)
    response = post(client, nik=full_width[:8] + " " + full_width[8:], no_kk=arabic_indic_kk)
    assert response.status_code == 302
    farmer = Farmer.objects.get()
    assert (farmer.nik, farmer.no_kk) == (nik, "7312040101900001")


@pytest.mark.parametrize("nik", ["7312O44501900001", "7312044501900001\u00b2", "+7312044501900001"])
def test_it_refuses_a_nik_with_anything_but_digits(client, agent_user, nik):
    client.force_login(agent_user)
    response = post(client, nik=nik)
    assert response.status_code == 200 and "NIK hanya boleh berisi angka" in page(response)


def test_it_saves_at_most_five_heirs_whatever_the_formset_claims(client, agent_user):
    heirs = {"ahli-TOTAL_FORMS": "300"}
    for i in range(300):
        heirs |= {f"ahli-{i}-name": f"AHLI {i}", f"ahli-{i}-relation": "ANAK", f"ahli-{i}-nik": ""}
    client.force_login(agent_user)
    response = post(client, **heirs)
    assert response.status_code == 200 and "5" in page(response)
    assert not Farmer.objects.exists() and not Heir.objects.exists()


def test_the_service_refuses_a_sixth_heir(agent_user):
    from django.core.exceptions import ValidationError

    from enrollment.services import HeirData, Registration, farmer_register
    from tests.conftest import registration_fields

    registration = Registration(
        fields=registration_fields(agent_user.agent.villages.first()),
        heirs=[HeirData(name=f"ANAK {i}", relation="ANAK") for i in range(6)],
    )
    with pytest.raises(ValidationError, match="Paling banyak 5"):
        farmer_register(user=agent_user, registration=registration)
    assert not Farmer.objects.exists()


def test_it_does_not_describe_a_likely_duplicate_outside_the_agents_area(
    client, agent_user, other_agent_user, make_farmer
):
    elsewhere = make_farmer(other_agent_user, village=None)  # HASNAH, 5 Jan 1990, in Marioriwawo
    assert elsewhere.village.code == MARIORIWAWO_VILLAGE
    client.force_login(agent_user)
    response = post(client, nik=nik_for(birth=dt.date(1990, 1, 5), female=True, serial=2))
    text = page(response)
    assert "di luar wilayah Anda" in text
    assert elsewhere.village.name not in text and elsewhere.nik[:4] + "••" not in text
    assert not Farmer.objects.exclude(pk=elsewhere.pk).exists()


def test_it_says_only_outside_your_area_for_a_nik_registered_elsewhere(
    client, agent_user, other_agent_user, make_farmer
):
    elsewhere = make_farmer(other_agent_user, name="BUNGA")
    client.force_login(agent_user)
    response = post(client, nik=elsewhere.nik, name="BUNGA")
    text = page(response)
    assert "sudah terdaftar di luar wilayah Anda" in text and elsewhere.get_absolute_url() not in text
    assert AccessLog.objects.filter(user=agent_user, action=Action.NIK_CHECK).exists()


def test_a_likely_duplicate_check_is_logged_and_limited_like_a_nik_check(
    client, agent_user, other_agent_user, make_farmer, settings
):
    make_farmer(other_agent_user)  # HASNAH, 5 Jan 1990, in another kecamatan
    client.force_login(agent_user)
    settings.LOOKUP_LIMIT = 2
    for serial in (2, 3):
        text = page(post(client, nik=nik_for(birth=dt.date(1990, 1, 5), female=True, serial=serial)))
        assert "di luar wilayah Anda" in text
    assert AccessLog.objects.filter(user=agent_user, action=Action.DUPLICATE_CHECK).count() == 2
    text = page(post(client, nik=nik_for(birth=dt.date(1990, 1, 5), female=True, serial=4)))
    assert "Terlalu banyak pemeriksaan" in text and "nama dan tanggal lahir yang sama di luar" not in text
    assert Farmer.objects.count() == 1
