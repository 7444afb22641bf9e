"""Setoran: the coordinator records the cash an agent hands over; the cash pages show who holds what."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from contributions.cash import CASH_HOLD_DAYS, deposit_record
from contributions.models import Deposit
from contributions.services import payment_record
from enrollment.models import Farmer
from wilayah.loader import load_wilayah
from wilayah.models import Bpp, Region

MONTH = 16_800
OVERVIEW = reverse("contributions:cash_overview")


def setor_url(agent_user: User) -> str:
    return reverse("contributions:deposit_new", args=[agent_user.agent.code])


@pytest.fixture
def collected(make_farmer):
    """The agent took `months` of cash from a registered farmer, `days_ago` days ago."""
    serials = iter(range(1, 100))

    def collected(agent_user: User, *, months: int = 2, days_ago: int = 1):
        farmer = make_farmer(agent_user, serial=next(serials))
        Farmer.objects.filter(pk=farmer.pk).update(registration_status="TERDAFTAR", kpj=f"2401{farmer.pk:07d}")
        farmer.refresh_from_db()
        return payment_record(
            user=agent_user,
            farmer=farmer,
            months=months,
            cash_received=MONTH * months,
            paid_at=timezone.now() - dt.timedelta(days=days_ago),
        )

    return collected


def record(by: User, agent_user: User, **overrides) -> Deposit:
    fields = {"amount": MONTH, "deposited_on": timezone.localdate(), "reference": "SLIP-001"} | overrides
    return deposit_record(by=by, agent=agent_user.agent, **fields)


def field_errors(excinfo: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return excinfo.value.message_dict


@pytest.fixture
def other_koordinator(soppeng) -> User:
    return User.objects.create(
        username="koordinator.lain", role=Role.KOORDINATOR, bpp=Bpp.objects.get(kecamatan_id="73.12.01")
    )


@pytest.fixture
def makassar_dinas(soppeng) -> User:
    load_wilayah(regency_codes=["73.71"])
    return User.objects.create(username="dinas.makassar", role=Role.DINAS, regency=Region.objects.get(code="73.71"))


# The service


def test_the_coordinator_records_a_deposit_and_the_balance_drops(agent_user, koordinator_user, collected):
    collected(agent_user)
    deposit = record(koordinator_user, agent_user, amount=20_000)
    assert (deposit.recorded_by, deposit.amount) == (koordinator_user, 20_000)


def test_a_deposit_larger_than_the_balance_is_refused_at_the_amount(agent_user, koordinator_user, collected):
    collected(agent_user)
    with pytest.raises(ValidationError) as excinfo:
        record(koordinator_user, agent_user, amount=2 * MONTH + 1)
    assert field_errors(excinfo) == {"amount": ["Lebih dari uang yang dipegang penyuluh ini (Rp 33.600)."]}
    assert not Deposit.objects.exists()


def test_nothing_can_be_deposited_by_an_agent_who_holds_no_cash(agent_user, koordinator_user):
    with pytest.raises(ValidationError) as excinfo:
        record(koordinator_user, agent_user)
    assert "amount" in field_errors(excinfo)


@pytest.mark.parametrize("amount", [0, -5_000])
def test_a_deposit_must_be_more_than_nothing(agent_user, koordinator_user, collected, amount):
    collected(agent_user)
    with pytest.raises(ValidationError) as excinfo:
        record(koordinator_user, agent_user, amount=amount)
    assert field_errors(excinfo) == {"amount": ["Jumlah setoran harus lebih dari Rp 0."]}


def test_a_deposit_cannot_be_dated_in_the_future_or_before_the_first_collection(
    agent_user, koordinator_user, collected
):
    collected(agent_user, days_ago=3)
    today = timezone.localdate()
    with pytest.raises(ValidationError) as excinfo:
        record(koordinator_user, agent_user, deposited_on=today + dt.timedelta(days=1))
    assert list(field_errors(excinfo)) == ["deposited_on"]
    with pytest.raises(ValidationError) as excinfo:
        record(koordinator_user, agent_user, deposited_on=today - dt.timedelta(days=4))
    assert "sebelum iuran pertama" in field_errors(excinfo)["deposited_on"][0]
    assert record(koordinator_user, agent_user, deposited_on=today - dt.timedelta(days=3))


def test_a_reference_is_used_once_per_agent(agent_user, neighbour_agent_user, koordinator_user, collected):
    collected(agent_user)
    collected(neighbour_agent_user)
    record(koordinator_user, agent_user, reference="SLIP-001")
    with pytest.raises(ValidationError) as excinfo:
        record(koordinator_user, agent_user, reference="slip-001")
    assert field_errors(excinfo) == {"reference": ["Referensi ini sudah dipakai untuk setoran penyuluh ini."]}
    assert record(koordinator_user, neighbour_agent_user, reference="SLIP-001")  # another agent's slip


def test_a_double_submit_records_one_deposit(agent_user, koordinator_user, collected):
    collected(agent_user, months=1)  # the whole balance: a second deposit would be refused
    token = uuid.uuid4()
    first = record(koordinator_user, agent_user, submission_token=token)
    again = record(koordinator_user, agent_user, submission_token=token)
    assert first == again and Deposit.objects.count() == 1


def test_only_the_agents_coordinator_dinas_or_admin_record_deposits(
    agent_user, koordinator_user, other_koordinator, dinas_user, makassar_dinas, admin_user, collected
):
    collected(agent_user, months=3)
    for outsider in (agent_user, other_koordinator, makassar_dinas):
        with pytest.raises(PermissionDenied):
            record(outsider, agent_user, reference=f"SLIP-{outsider.username}")
    for insider in (koordinator_user, dinas_user, admin_user):
        record(insider, agent_user, reference=f"SLIP-{insider.username}")
    assert Deposit.objects.count() == 3


# The pages


def test_the_agent_sees_their_own_balance_and_history_only(client, agent_user, neighbour_agent_user, collected):
    collected(agent_user)
    collected(neighbour_agent_user, months=5)
    client.force_login(agent_user)
    page = client.get(OVERVIEW).content.decode()
    assert "Rp 33.600" in page
    assert "Rp 84.000" not in page and neighbour_agent_user.agent.code not in page


def test_an_agent_holding_cash_too_long_is_told_in_words(client, agent_user, collected):
    collected(agent_user, days_ago=CASH_HOLD_DAYS + 1)
    client.force_login(agent_user)
    assert f"Menahan uang lebih dari {CASH_HOLD_DAYS} hari" in client.get(OVERVIEW).content.decode()
    assert "Menahan uang" in client.get(reverse("monitoring:home")).content.decode()


def test_the_coordinator_sees_every_agent_of_their_bpp_and_who_is_overdue(
    client, agent_user, neighbour_agent_user, other_agent_user, koordinator_user, collected
):
    collected(agent_user, days_ago=CASH_HOLD_DAYS + 1)
    collected(neighbour_agent_user)
    collected(other_agent_user)
    client.force_login(koordinator_user)
    page = client.get(OVERVIEW).content.decode()
    assert agent_user.agent.code in page and neighbour_agent_user.agent.code in page
    assert other_agent_user.agent.code not in page
    assert page.count(f"Menahan uang lebih dari {CASH_HOLD_DAYS} hari") == 1


def test_dinas_of_another_regency_sees_no_agent(client, agent_user, makassar_dinas, collected):
    collected(agent_user)
    client.force_login(makassar_dinas)
    page = client.get(OVERVIEW).content.decode()
    assert agent_user.agent.code not in page and "Belum ada penyuluh" in page


def test_an_admin_picks_a_regency_before_seeing_its_agents(
    client, agent_user, other_agent_user, admin_user, makassar_dinas, collected
):
    collected(agent_user)
    client.force_login(admin_user)
    page = client.get(OVERVIEW).content.decode()
    assert "Pilih kabupaten/kota untuk melihat kas penyuluhnya." in page and agent_user.agent.code not in page
    soppeng = client.get(OVERVIEW, {"kabupaten": "73.12"}).content.decode()
    assert agent_user.agent.code in soppeng and other_agent_user.agent.code in soppeng and "Rp 33.600" in soppeng
    makassar = client.get(OVERVIEW, {"kabupaten": "73.71"}).content.decode()
    assert agent_user.agent.code not in makassar and "Belum ada penyuluh" in makassar
    for bad in ("99.99", "73.12\u202e", "x" * 500):
        response = client.get(OVERVIEW, {"kabupaten": bad})
        assert response.status_code == 200 and agent_user.agent.code not in response.content.decode()


def test_another_bpps_coordinator_gets_404_for_the_agent(client, agent_user, other_koordinator, collected):
    collected(agent_user)
    client.force_login(other_koordinator)
    assert client.get(setor_url(agent_user)).status_code == 404
    post = {
        "amount": "16800",
        "deposited_on": timezone.localdate().isoformat(),
        "reference": "X",
        "submission_token": uuid.uuid4(),
    }
    assert client.post(setor_url(agent_user), post).status_code == 404
    assert not Deposit.objects.exists()


def test_an_agent_cannot_record_a_deposit(client, agent_user, collected):
    collected(agent_user)
    client.force_login(agent_user)
    assert client.get(setor_url(agent_user)).status_code == 403


def test_the_coordinator_records_a_setoran_through_the_form(client, agent_user, koordinator_user, collected):
    collected(agent_user)
    client.force_login(koordinator_user)
    form = client.get(setor_url(agent_user))
    assert "Rp 33.600" in form.content.decode()
    token = form.context["form"]["submission_token"].value()
    post = {
        "amount": "Rp 20.000",
        "deposited_on": timezone.localdate().isoformat(),
        "reference": " SLIP 7 ",
        "submission_token": token,
    }
    response = client.post(setor_url(agent_user), post, follow=True)
    assert response.redirect_chain == [(OVERVIEW, 302)]
    assert "Setoran Rp 20.000" in response.content.decode()
    again = client.post(setor_url(agent_user), post)  # the same form sent again: nothing new
    assert again.status_code == 302
    (deposit,) = Deposit.objects.all()
    assert (deposit.amount, deposit.reference) == (20_000, "SLIP 7")


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("dua puluh ribu", "Tulis jumlah dalam rupiah tanpa sen"),
        ("20.000,50", "Tulis jumlah dalam rupiah tanpa sen"),
        ("999999999", "Lebih dari uang yang dipegang penyuluh ini (Rp 33.600)."),
    ],
)
def test_a_bad_amount_is_explained_at_the_field_and_saves_nothing(
    client, agent_user, koordinator_user, collected, amount, message
):
    collected(agent_user)
    client.force_login(koordinator_user)
    post = {
        "amount": amount,
        "deposited_on": timezone.localdate().isoformat(),
        "reference": "SLIP-1",
        "submission_token": uuid.uuid4(),
    }
    response = client.post(setor_url(agent_user), post)
    assert response.status_code == 200
    assert any(message in e for e in response.context["form"].errors["amount"])
    assert not Deposit.objects.exists()
