"""The bench's farmers: `manage.py gen_synthetic` at the size asked, built once per database and
kept for later runs (a million take minutes), and the Soppeng region tree the bench users need."""

from __future__ import annotations

import datetime as dt

from django.core.management import call_command, get_commands
from django.db import connection
from django.utils import timezone

from enrollment.models import Farmer
from wilayah.loader import load_wilayah

PROVINCE_FROM = 100_000  # from this size on the farmers spread over Sulawesi Selatan, below it over Soppeng


def wilayah_for(farmers: int) -> str:
    return "73" if farmers >= PROVINCE_FROM else "73.12"


def ensure_farmers(farmers: int) -> int:
    """Make the synthetic farmers unless the database already holds about that many (the load
    scenario adds a few hundred on each run); returns how many there are."""
    load_wilayah(regency_codes=None if farmers >= PROVINCE_FROM else ["73.12"])
    have = Farmer.objects.count()
    if not farmers <= have <= farmers * 1.05:
        if "gen_synthetic" in get_commands():
            call_command("gen_synthetic", petani=farmers, wilayah=wilayah_for(farmers))
        else:
            _seed_plain(farmers)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum would soon after a bulk load: plans from real counts
    return Farmer.objects.count()


def _seed_plain(count: int) -> None:
    """Until gen_synthetic is merged: `count` registered Soppeng farmers, four in five paid this month."""
    from accounts.models import User
    from contributions.models import Payment, PaymentStatus
    from sutasoma.months import month_start
    from wilayah.models import Region

    Payment.objects.all().delete()
    Farmer.objects.all().delete()
    user, _ = User.objects.get_or_create(username="bench")
    villages = list(Region.objects.filter(level=Region.Level.DESA, code__startswith="73.12."))
    now, month = timezone.now(), month_start(timezone.localdate())
    for start in range(0, count, 2000):
        farmers = Farmer.objects.bulk_create(
            Farmer(
                nik=f"7312{villages[i % len(villages)].code[6:8]}{i % 28 + 1:02d}{i % 12 + 1:02d}{70 + i % 30:02d}"
                f"{i // 28 % 9999 + 1:04d}",
                no_kk="7312040101900001",
                name=f"PETANI {i}",
                birth_place="SOPPENG",
                birth_date=dt.date(1970 + i % 30, i % 12 + 1, i % 28 + 1),
                sex="L",
                address="DUSUN 1",
                village=villages[i % len(villages)],
                consent_at=now,
                consent_recorded_by=user,
                registered_by=user,
                registration_status="TERDAFTAR",
                kpj=f"9{i:010d}",
                paid_through=month,
            )
            for i in range(start, min(start + 2000, count))
        )
        Payment.objects.bulk_create(
            Payment(
                receipt_no=f"BENCH-{f.pk}",
                farmer=f,
                start_month=month,
                end_month=month,
                months=1,
                monthly_amount=16_800,
                amount=16_800,
                cash_received=16_800,
                paid_at=now,
                recorded_by=user,
                status=PaymentStatus.TERKONFIRMASI,
            )
            for f in farmers
            if f.pk % 5
        )
