"""Payers, managed by Dinas for their own regency: a village fund per desa, sponsors, the regency."""

from __future__ import annotations

import pytest
from django.urls import reverse

from contributions.batches import BatchError, BatchRow, batch_record
from contributions.models import FundSource, Payer
from tests.conftest import MARIORIWAWO_VILLAGE, UMPUNGENG

MAKASSAR_VILLAGE = "73.71.01.1001"


def village_fund_form(village: str = UMPUNGENG, **overrides) -> dict:
    return {"source": FundSource.DANA_DESA, "village": village, "name": "", **overrides}


def add(client, data: dict):
    return client.post(reverse("contributions:payer_new"), data)


def test_dinas_adds_a_village_fund_named_after_its_desa_in_their_own_regency(client, dinas_user):
    client.force_login(dinas_user)

    response = add(client, village_fund_form(contact_name="Kepala Desa", phone="+62 812-3456-7890"))

    assert response.status_code == 302
    payer = Payer.objects.get()
    assert (payer.name, payer.regency, payer.village_id, payer.phone, payer.created_by, payer.is_active) == (
        "Dana Desa Umpungeng",
        dinas_user.regency,
        UMPUNGENG,
        "081234567890",
        dinas_user,
        True,
    )
    assert "Dana Desa Umpungeng" in client.get(reverse("contributions:payer_list")).content.decode()


def test_a_second_village_fund_for_the_same_desa_is_a_message_at_the_desa_field(client, dinas_user):
    client.force_login(dinas_user)
    add(client, village_fund_form())

    response = add(client, village_fund_form(name="Dana Desa Lagi"))

    assert response.status_code == 200
    assert response.context["form"].errors == {"village": ["Desa Umpungeng sudah punya pembayar dana desa."]}
    assert Payer.objects.count() == 1


def test_a_village_fund_must_name_its_desa_and_a_sponsor_its_name(client, dinas_user):
    client.force_login(dinas_user)

    fund = add(client, village_fund_form(village=""))
    sponsor = add(client, {"source": FundSource.SPONSOR, "name": "  "})

    assert "village" in fund.context["form"].errors
    assert sponsor.context["form"].errors == {"name": ["Nama pembayar wajib diisi."]}
    assert not Payer.objects.exists()


def test_a_sponsor_belongs_to_no_desa(client, dinas_user):
    client.force_login(dinas_user)

    add(client, {"source": FundSource.SPONSOR, "name": "Koperasi Tani", "village": UMPUNGENG})

    assert Payer.objects.get().village is None


def test_dinas_cannot_name_a_desa_of_another_regency(client, makassar_dinas):
    client.force_login(makassar_dinas)

    response = add(client, village_fund_form(village=UMPUNGENG))

    assert "village" in response.context["form"].errors
    assert not Payer.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"), [("name", "Sponsor\x00Palsu"), ("name", "A\u202eB"), ("phone", "0812-abc"), ("name", "x" * 201)]
)
def test_hostile_text_is_a_message_at_its_field(client, dinas_user, field, value):
    client.force_login(dinas_user)

    response = add(client, {"source": FundSource.SPONSOR, "name": "Sponsor", field: value})

    assert response.status_code == 200 and field in response.context["form"].errors
    assert not Payer.objects.exists()


def test_each_dinas_sees_and_edits_only_their_own_regencys_payers(client, sponsor, makassar_dinas):
    client.force_login(makassar_dinas)

    listed = client.get(reverse("contributions:payer_list")).content.decode()
    edit = reverse("contributions:payer_edit", args=[sponsor.pk])

    assert "BANK SULSELBAR" not in listed
    assert client.get(edit).status_code == 404
    assert client.post(edit, {"source": FundSource.SPONSOR, "name": "DIAMBIL", "is_active": "on"}).status_code == 404
    sponsor.refresh_from_db()
    assert sponsor.name == "BANK SULSELBAR"


def test_dinas_deactivates_a_payer_which_then_cannot_pay(client, agent_user, dinas_user, sponsor, make_farmer):
    client.force_login(dinas_user)

    response = client.post(
        reverse("contributions:payer_edit", args=[sponsor.pk]), {"source": FundSource.SPONSOR, "name": "BANK SULSELBAR"}
    )

    assert response.status_code == 302
    sponsor.refresh_from_db()
    assert not sponsor.is_active
    with pytest.raises(BatchError):
        batch_record(
            user=dinas_user,
            reference="TRF-1",
            source=FundSource.SPONSOR,
            payer=sponsor,
            rows=[BatchRow(2, make_farmer(agent_user).nik, "1")],
        )
    assert "tidak aktif" in client.get(reverse("contributions:payer_list")).content.decode()


def test_a_payer_that_has_paid_keeps_its_kind_and_desa(client, agent_user, dinas_user, make_farmer):
    fund = Payer.objects.create(
        source=FundSource.DANA_DESA,
        name="Dana Desa Umpungeng",
        regency=dinas_user.regency,
        village_id=UMPUNGENG,
        created_by=dinas_user,
    )
    batch_record(
        user=dinas_user,
        reference="TRF-1",
        source=FundSource.DANA_DESA,
        payer=fund,
        rows=[BatchRow(2, make_farmer(agent_user).nik, "1")],
    )
    client.force_login(dinas_user)

    client.post(
        reverse("contributions:payer_edit", args=[fund.pk]),
        {
            "source": FundSource.SPONSOR,
            "village": MARIORIWAWO_VILLAGE,
            "name": "Dana Desa Umpungeng",
            "is_active": "on",
        },
    )

    fund.refresh_from_db()
    assert (fund.source, fund.village_id) == (FundSource.DANA_DESA, UMPUNGENG)


def test_the_admin_picks_the_regency_and_the_desa_must_lie_in_it(client, admin_user, makassar_dinas):
    client.force_login(admin_user)

    wrong = add(client, village_fund_form(regency="73.71"))
    right = add(client, village_fund_form(village=MAKASSAR_VILLAGE, regency="73.71"))

    assert "village" in wrong.context["form"].errors
    assert right.status_code == 302
    assert Payer.objects.get().regency_id == "73.71"
    client.force_login(makassar_dinas)
    assert Payer.objects.get().name in client.get(reverse("contributions:payer_list")).content.decode()


@pytest.mark.parametrize("who", ["agent_user", "koordinator_user"])
def test_agents_and_koordinators_do_not_manage_payers(client, request, who):
    client.force_login(request.getfixturevalue(who))

    assert client.get(reverse("contributions:payer_list")).status_code == 403
    assert add(client, village_fund_form()).status_code == 403
    assert not Payer.objects.exists()


def test_the_list_pages_active_payers_first_and_back_again(client, dinas_user):
    regency = dinas_user.regency
    for n in range(30):
        Payer.objects.create(
            source=FundSource.SPONSOR, name=f"Sponsor {n:02d}", regency=regency, created_by=dinas_user, is_active=n != 0
        )
    client.force_login(dinas_user)
    url = reverse("contributions:payer_list")
    first = client.get(url)
    names = [p.name for p in first.context["page"]]
    assert names == [f"Sponsor {n:02d}" for n in range(1, 26)]
    assert all(p.payment_count == 0 for p in first.context["page"])
    second = client.get(url, {"setelah": first.context["page"].last_pk}).context["page"]
    assert [p.name for p in second] == ["Sponsor 26", "Sponsor 27", "Sponsor 28", "Sponsor 29", "Sponsor 00"]
    assert (
        client.get(url, {"sebelum": second.first_pk}).context["page"].object_list == first.context["page"].object_list
    )


def test_a_cursor_on_another_regencys_payer_opens_the_first_page(client, sponsor, makassar_dinas):
    client.force_login(makassar_dinas)
    response = client.get(reverse("contributions:payer_list"), {"setelah": sponsor.pk})
    assert response.status_code == 200 and "BANK SULSELBAR" not in response.content.decode()
