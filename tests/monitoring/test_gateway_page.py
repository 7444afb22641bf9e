from django.urls import reverse

from bpjs_gateway.models import OutboxMessage, OutboxState, RequestLog
from enrollment.insurer import registration_messages


def test_the_admin_sees_the_queue_failures_and_can_resend(client, admin_user, agent_user, make_farmer):
    farmer = make_farmer(agent_user)
    message = registration_messages(farmer).get()
    OutboxMessage.objects.filter(pk=message.pk).update(state=OutboxState.FAILED, last_error_code="NIK_TIDAK_VALID")
    RequestLog.objects.create(
        message=message,
        operation="REGISTER",
        method="POST",
        path="/api/bpu/v1/peserta",
        http_status=422,
        outcome="permanent",
        error_code="NIK_TIDAK_VALID",
    )
    client.force_login(admin_user)
    page = client.get(reverse("monitoring:gateway_health")).content.decode()
    assert "NIK_TIDAK_VALID" in page and "Kirim ulang" in page and farmer.name in page
    response = client.post(reverse("monitoring:outbox_resend", args=[message.pk]))
    assert response.status_code == 302
    assert registration_messages(farmer).filter(state=OutboxState.PENDING).count() == 1


def test_the_health_page_is_for_admins_only(client, agent_user, dinas_user):
    for user in (agent_user, dinas_user):
        client.force_login(user)
        assert client.get(reverse("monitoring:gateway_health")).status_code == 403


def test_resend_refuses_get_and_rows_that_did_not_fail(client, admin_user, agent_user, make_farmer):
    message = registration_messages(make_farmer(agent_user)).get()
    client.force_login(admin_user)
    assert client.get(reverse("monitoring:outbox_resend", args=[message.pk])).status_code == 405
    assert client.post(reverse("monitoring:outbox_resend", args=[message.pk])).status_code == 404


def test_two_clicks_on_kirim_ulang_make_one_new_operation(client, admin_user, agent_user, make_farmer):
    farmer = make_farmer(agent_user)
    message = registration_messages(farmer).get()
    OutboxMessage.objects.filter(pk=message.pk).update(state=OutboxState.FAILED, last_error_code="NIK_TIDAK_VALID")
    client.force_login(admin_user)
    first = client.post(reverse("monitoring:outbox_resend", args=[message.pk]))
    second = client.post(reverse("monitoring:outbox_resend", args=[message.pk]), follow=True)
    assert first.status_code == 302 and second.status_code == 200
    assert "Sudah dikirim ulang sebelumnya" in second.content.decode()
    assert (
        registration_messages(farmer).count() == 2
        and registration_messages(farmer).filter(state=OutboxState.PENDING).count() == 1
    )
    assert OutboxMessage.objects.get(pk=message.pk).state == OutboxState.RESENT


def test_a_refusal_corrected_by_the_agent_cannot_also_be_resent_from_the_gateway_page(
    client, admin_user, agent_user, make_farmer
):
    from enrollment.services import farmer_correct

    farmer = make_farmer(agent_user)
    message = registration_messages(farmer).get()
    OutboxMessage.objects.filter(pk=message.pk).update(state=OutboxState.FAILED)
    type(farmer).objects.filter(pk=farmer.pk).update(registration_status="DITOLAK")
    farmer.refresh_from_db()
    farmer_correct(farmer=farmer, fields={"nik": farmer.nik, "birth_date": farmer.birth_date, "sex": farmer.sex})
    client.force_login(admin_user)
    client.post(reverse("monitoring:outbox_resend", args=[message.pk]))
    assert registration_messages(farmer).count() == 2


def test_kirim_ulang_applies_the_owning_apps_checks_before_sending_again(client, admin_user, agent_user, make_farmer):
    import datetime as dt

    from enrollment.models import Farmer

    farmer = make_farmer(agent_user)
    message = registration_messages(farmer).get()
    OutboxMessage.objects.filter(pk=message.pk).update(state=OutboxState.FAILED)
    # Out of the age limit today (as if the farmer had turned 66 since): the agent must correct it first.
    Farmer.objects.filter(pk=farmer.pk).update(registration_status="DITOLAK", birth_date=dt.date(1950, 1, 5))
    client.force_login(admin_user)
    response = client.post(reverse("monitoring:outbox_resend", args=[message.pk]), follow=True)
    assert "belum memenuhi syarat" in response.content.decode()
    assert registration_messages(farmer).count() == 1
    assert OutboxMessage.objects.get(pk=message.pk).state == OutboxState.FAILED  # still resendable once fixed


def test_each_queue_is_counted_no_further_than_the_cap(client, admin_user, agent_user, make_farmer, monkeypatch):
    from bpjs_gateway import health

    monkeypatch.setattr(health, "COUNT_CAP", 2)
    for serial in range(1, 4):
        make_farmer(agent_user, serial=serial)
    client.force_login(admin_user)
    page = client.get(reverse("monitoring:gateway_health")).content.decode()
    assert '<div class="tile"><b>lebih dari 2</b><span>menunggu kirim</span></div>' in page
    assert '<div class="tile"><b>0</b><span>berhasil</span></div>' in page
    OutboxMessage.objects.filter(pk=OutboxMessage.objects.order_by("pk").first().pk).update(state=OutboxState.DONE)
    page = client.get(reverse("monitoring:gateway_health")).content.decode()
    assert '<div class="tile"><b>2</b><span>menunggu kirim</span></div>' in page
    assert '<div class="tile"><b>1</b><span>berhasil</span></div>' in page
