"""Who may see which farmer: every view goes through enrollment.selectors."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from tests.conftest import jpeg_bytes


@pytest.fixture
def farmer(agent_user, make_farmer):
    farmer = make_farmer(agent_user)
    farmer.ktp_image.save("ktp.jpg", ContentFile(jpeg_bytes(with_exif=False)))
    return farmer


def test_the_agent_sees_their_own_farmer_and_the_whole_nik(client, agent_user, farmer):
    client.force_login(agent_user)
    response = client.get(reverse("enrollment:farmer_detail", args=[farmer.pk]))
    assert response.status_code == 200
    assert farmer.nik in response.content.decode()


def test_the_agent_gets_the_ktp_image_of_their_own_farmer(client, agent_user, farmer):
    client.force_login(agent_user)
    response = client.get(reverse("enrollment:farmer_ktp", args=[farmer.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    assert "private" in response["Cache-Control"]


@pytest.mark.parametrize("view", ["enrollment:farmer_detail", "enrollment:farmer_ktp"])
def test_an_agent_of_another_village_gets_404(client, other_agent_user, neighbour_agent_user, farmer, view):
    for outsider in (other_agent_user, neighbour_agent_user):
        client.force_login(outsider)
        assert client.get(reverse(view, args=[farmer.pk])).status_code == 404


def test_the_list_shows_only_the_agents_farmers(client, agent_user, neighbour_agent_user, make_farmer, farmer):
    make_farmer(neighbour_agent_user, serial=7, name="BACO")
    client.force_login(agent_user)
    page = client.get(reverse("enrollment:farmer_list")).content.decode()
    assert "HASNAH" in page and "BACO" not in page


@pytest.mark.parametrize("viewer", ["koordinator_user", "dinas_user", "admin_user"])
def test_koordinator_dinas_and_admin_see_farmers_of_their_area(client, request, farmer, viewer):
    client.force_login(request.getfixturevalue(viewer))
    assert client.get(reverse("enrollment:farmer_detail", args=[farmer.pk])).status_code == 200


def test_a_koordinator_does_not_see_another_kecamatan(client, koordinator_user, other_agent_user, make_farmer):
    outside = make_farmer(other_agent_user)  # Marioriwawo, not Lalabata
    client.force_login(koordinator_user)
    assert client.get(reverse("enrollment:farmer_detail", args=[outside.pk])).status_code == 404


def test_dinas_of_another_regency_sees_nothing(client, farmer, soppeng):
    from accounts.models import Role, User
    from wilayah.loader import load_wilayah
    from wilayah.models import Region

    load_wilayah(regency_codes=["73.11"])  # Bone
    user = User.objects.create(username="dinas.bone", role=Role.DINAS, regency=Region.objects.get(code="73.11"))
    client.force_login(user)
    assert client.get(reverse("enrollment:farmer_detail", args=[farmer.pk])).status_code == 404
    assert "HASNAH" not in client.get(reverse("enrollment:farmer_list")).content.decode()


def test_a_penyuluh_without_an_agent_profile_sees_nothing(client, farmer):
    from accounts.models import Role, User

    user = User.objects.create(username="penyuluh.baru", role=Role.PENYULUH)
    client.force_login(user)
    assert client.get(reverse("enrollment:farmer_detail", args=[farmer.pk])).status_code == 404


def test_the_farmer_page_reads_the_desa_kecamatan_and_consent_with_the_farmer(
    client, admin_user, agent_user, farmer, django_assert_max_num_queries
):
    client.force_login(admin_user)
    # Session, user, the farmer (with desa, kecamatan and who recorded consent), its access log entry, heirs.
    with django_assert_max_num_queries(5):
        page = client.get(reverse("enrollment:farmer_detail", args=[farmer.pk])).content.decode()
    assert str(farmer.village.parent) in page
    assert agent_user.get_full_name() in page
