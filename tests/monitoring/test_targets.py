import pytest
from django.urls import reverse

from monitoring.models import Target
from wilayah.loader import load_wilayah
from wilayah.models import Region

URL = reverse("monitoring:targets")


def test_dinas_sets_a_kecamatans_target_from_this_month_and_again_replaces_it(client, dinas_user):
    client.force_login(dinas_user)
    client.post(URL, {"kecamatan": "73.12.04", "value": "1500"})
    client.post(URL, {"kecamatan": "73.12.04", "value": "1600"})
    target = Target.objects.get()
    assert (target.kecamatan_id, target.value, target.set_by) == ("73.12.04", 1600, dinas_user)
    page = client.get(URL).content.decode()
    assert "target 1.600 sejak" in page and "35 % dari jumlah petani" in page


@pytest.mark.parametrize("value", ["0", "-5", "abc", "99999999"])
def test_a_target_that_is_not_a_sensible_number_is_refused(client, dinas_user, value):
    client.force_login(dinas_user)
    response = client.post(URL, {"kecamatan": "73.12.04", "value": value}, follow=True)
    assert "Target harus" in response.content.decode() and not Target.objects.exists()


def test_dinas_of_another_regency_cannot_set_soppengs_targets(client, soppeng):
    from accounts.models import Role, User

    load_wilayah(regency_codes=["73.71"])
    makassar = User.objects.create(username="dinas.mks", role=Role.DINAS, regency=Region.objects.get(code="73.71"))
    client.force_login(makassar)
    assert client.post(URL, {"kecamatan": "73.12.04", "value": "10"}).status_code == 404
    assert not Target.objects.exists()


@pytest.mark.parametrize("who", ["agent_user", "koordinator_user"])
def test_only_dinas_and_admin_set_targets(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"kecamatan": "73.12.04", "value": "10"}).status_code == 403
