"""The Soppeng demo: users for each role, an agent for every village, demo farmer counts and a
few hundred demo farmers, all marked as demo. Deterministic, and a second run adds nothing."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction

from accounts.models import Agent, Role, User
from enrollment.models import MIN_INCOME, Farmer, Occupation, Relation
from enrollment.services import HeirData, Registration, farmer_register, today_wita
from wilayah.loader import load_wilayah
from wilayah.models import Bpp, FarmerCount, Region

SOPPENG = "73.12"
DEMO_VILLAGE = "73.12.04.2009"  # Desa Umpungeng, Lalabata
DEMO_BPP_KECAMATAN = "73.12.04"
TOTAL_DEMO_FARMERS_IN_DISTRICT = 57_000  # 35% of it is about the district's 20.000 target
COUNT_DATE = dt.date(2024, 1, 1)

FIRST_NAMES_M = ["ANDI", "BASO", "LA", "MUHAMMAD", "ABDUL", "SYAMSUL", "AMIRUDDIN", "HASANUDDIN", "JUMADI", "RAHMAN"]
FIRST_NAMES_F = ["HASNAH", "HJ. SITTI", "NURHAYATI", "MARLINA", "ST. AMINAH", "RAHMATIAH", "JUMIATI", "NURDIANA"]
LAST_NAMES = ["BACO", "TAHIR", "SAMAD", "LATIF", "MAKKASAU", "RAHIM", "PATAHUDDIN", "SUDDIN", "MUSTAFA", "ARIFIN"]
GROUPS = ["KT SIPAKAINGE", "KT SIPATUO", "KT MADDUMMA", "KT BULU LANGI", "KT ASSAMATURU"]


@dataclass
class SeedResult:
    users: int = 0
    agents: int = 0
    farmers: int = 0


def _user(username: str, password_hash: str, **fields) -> tuple[User, bool]:
    return User.objects.get_or_create(username=username, defaults={**fields, "password": password_hash})


@transaction.atomic
def seed_demo(*, password: str, farmers_per_village: int = 5) -> SeedResult:
    result = SeedResult()
    password = make_password(password)  # hashed once: the hasher is slow on purpose
    load_wilayah(regency_codes=[SOPPENG])
    rng = random.Random(7312)
    villages = list(Region.objects.filter(level=Region.Level.DESA, code__startswith=SOPPENG + "."))
    weights = [rng.uniform(0.5, 1.5) for _ in villages]
    for village, weight in zip(villages, weights, strict=True):
        FarmerCount.objects.get_or_create(
            village=village,
            as_of=COUNT_DATE,
            defaults={
                "count": round(TOTAL_DEMO_FARMERS_IN_DISTRICT * weight / sum(weights)),
                "is_demo": True,
                "source": "DATA DEMO — bukan data resmi",
            },
        )

    regency = Region.objects.get(code=SOPPENG)
    lalabata = Bpp.objects.get(kecamatan_id=DEMO_BPP_KECAMATAN)
    for username, fields in {
        "admin.demo": {"role": Role.ADMIN, "is_staff": True, "is_superuser": True, "first_name": "Admin Demo"},
        "dinas.demo": {"role": Role.DINAS, "regency": regency, "first_name": "Staf Dinas Demo"},
        "koordinator.demo": {"role": Role.KOORDINATOR, "bpp": lalabata, "first_name": "Koordinator Demo"},
    }.items():
        result.users += _user(username, password, **fields)[1]

    for bpp in Bpp.objects.filter(kecamatan__parent=regency).select_related("kecamatan"):
        kec_villages = [v for v in villages if v.parent_id == bpp.kecamatan_id]
        for index in range(0, len(kec_villages), 3):
            number = index // 3 + 1
            demo = bpp.kecamatan_id == DEMO_BPP_KECAMATAN and number == 1
            username = "penyuluh.demo" if demo else f"penyuluh.{bpp.kecamatan.name.lower().replace('-', '')}.{number}"
            user, created = _user(
                username,
                password,
                role=Role.PENYULUH,
                first_name="Penyuluh Demo" if demo else f"Penyuluh {bpp.kecamatan.name} {number}",
            )
            result.users += created
            code = f"AG7312-{bpp.kecamatan_id[-2:]}{number:02d}"
            agent, created = Agent.objects.get_or_create(user=user, defaults={"code": code, "bpp": bpp})
            result.agents += created
            assigned = kec_villages[index : index + 3]
            if demo and not any(v.code == DEMO_VILLAGE for v in assigned):
                assigned.append(next(v for v in villages if v.code == DEMO_VILLAGE))
            agent.villages.add(*assigned)

    today = today_wita()
    for village in villages:
        agent = Agent.objects.filter(villages=village).select_related("user").first()
        for serial in range(1, farmers_per_village + 1):
            registration = _demo_registration(rng, village, serial, today)
            if Farmer.objects.filter(nik=registration.fields["nik"]).exists():
                continue
            farmer_register(user=agent.user, registration=registration, is_demo=True)
            result.farmers += 1
    return result


def _demo_registration(rng: random.Random, village: Region, serial: int, today: dt.date) -> Registration:
    female = rng.random() < 0.4
    age = rng.randint(20, 60)
    birth = dt.date(today.year - age, rng.randint(1, 12), rng.randint(1, 28))
    day = birth.day + (40 if female else 0)
    kecamatan = village.code.split(".")[2]
    # Serial 9xxx: demo NIKs stay clear of the low serials that real cards use first.
    nik = f"7312{kecamatan}{day:02d}{birth:%m%y}{9000 + int(village.code[-2:]) * 10 + serial:04d}"
    name = f"{rng.choice(FIRST_NAMES_F if female else FIRST_NAMES_M)} {rng.choice(LAST_NAMES)}"
    heir_relation = Relation.SUAMI if female else Relation.ISTRI
    return Registration(
        fields={
            "nik": nik,
            "no_kk": f"7312{kecamatan}{rng.randint(10**9, 10**10 - 1)}",
            "name": name,
            "birth_place": "SOPPENG",
            "birth_date": birth,
            "sex": "P" if female else "L",
            "address": f"DUSUN {rng.randint(1, 4)}",
            "rt": f"{rng.randint(1, 6):03d}",
            "rw": f"{rng.randint(1, 3):03d}",
            "village": village,
            "phone": f"08{rng.randint(10**9, 10**10 - 1)}",
            "occupation": rng.choice([Occupation.PETANI] * 6 + list(Occupation.values)),
            "farmer_group": rng.choice(GROUPS),
            "income": MIN_INCOME,
        },
        heirs=[
            HeirData(
                name=f"{rng.choice(FIRST_NAMES_M if female else FIRST_NAMES_F)} {rng.choice(LAST_NAMES)}",
                relation=heir_relation,
            )
        ],
    )
