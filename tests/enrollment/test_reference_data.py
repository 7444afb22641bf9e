import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from accounts.models import Agent, Role, User
from enrollment.models import Farmer
from wilayah.models import Bpp, FarmerCount, Region


def test_load_wilayah_loads_soppeng_with_a_bpp_per_kecamatan_and_is_idempotent(db):
    call_command("load_wilayah")
    call_command("load_wilayah")
    assert Region.objects.filter(level=Region.Level.KECAMATAN, parent="73.12").count() == 8
    assert Region.objects.filter(level=Region.Level.DESA, code__startswith="73.12.").count() == 70
    assert Bpp.objects.count() == 8 and str(Bpp.objects.get(kecamatan="73.12.04")) == "BPP Lalabata"
    umpungeng = Region.objects.get(code="73.12.04.2009")
    assert str(umpungeng) == "Desa Umpungeng" and umpungeng.plain_code == "7312042009"
    assert str(Region.objects.get(code="73.12.04.1001")).startswith("Kelurahan")


def test_load_wilayah_can_load_the_whole_province(db):
    call_command("load_wilayah", "--all")
    assert Region.objects.filter(level=Region.Level.KABUPATEN).count() == 24
    assert Region.objects.filter(level=Region.Level.DESA).count() == 3059
    assert Bpp.objects.count() == 313


@override_settings(DEBUG=False)
def test_seed_demo_refuses_to_run_on_what_looks_like_a_real_server(db):
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")


@override_settings(DEBUG=True)
def test_seed_demo_builds_the_soppeng_demo_once(db):
    call_command("seed_demo", "--farmers-per-village", "2")
    call_command("seed_demo", "--farmers-per-village", "2")
    demo = User.objects.get(username="penyuluh.demo")
    assert demo.role == Role.PENYULUH and demo.check_password("sutasoma-demo")
    assert demo.agent.villages.filter(code="73.12.04.2009").exists()
    assert User.objects.get(username="koordinator.demo").bpp.name == "BPP Lalabata"
    assert User.objects.get(username="dinas.demo").regency_id == "73.12"
    assert User.objects.get(username="admin.demo").role == Role.ADMIN
    # every village has an agent, every farmer is demo, and counts sum to about 57.000
    assert not Region.objects.filter(level=Region.Level.DESA, code__startswith="73.12.", agents=None).exists()
    assert Farmer.objects.count() == 140 and not Farmer.objects.filter(is_demo=False).exists()
    total = sum(FarmerCount.objects.values_list("count", flat=True))
    assert 56_900 <= total <= 57_100 and FarmerCount.objects.filter(is_demo=False).count() == 0
    assert Agent.objects.count() == User.objects.filter(role=Role.PENYULUH).count()
    # most demo farmers paid some months lately, by their agent; the demo desa has a village fund
    from contributions.models import FundSource, Payer, Payment

    paid = Payment.objects.count()
    assert 0.6 * 140 <= paid <= 0.9 * 140 and Payment.objects.values("farmer").distinct().count() == paid
    assert Payer.objects.filter(source=FundSource.DANA_DESA, village_id="73.12.04.2009").count() == 1
