"""The usual people of the app, as the project's tests always have them: an agent in scope, an agent out of scope,
a koordinator, Dinas, an admin and the anonymous visitor, on the real Soppeng region tree."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

import pytest
from PIL import Image

from accounts.models import Agent, Role, User
from contributions.models import Rate
from enrollment.models import Farmer
from enrollment.services import HeirData, Registration, farmer_register
from wilayah.loader import load_wilayah
from wilayah.models import Bpp, Region

# The insurer's sandbox as a process: used by the gateway's tests and the sandbox's own.
pytest_plugins = ["tests.sandbox_fixtures"]

UMPUNGENG = "73.12.04.2009"  # Lalabata
OTHER_LALABATA_VILLAGE = "73.12.04.1001"
MARIORIWAWO_VILLAGE = "73.12.01.2003"  # Gattareng


@pytest.fixture
def soppeng(db) -> Region:
    load_wilayah(regency_codes=["73.12"])
    # The data migration's rate, again: a transactional test before this one may have flushed it.
    Rate.objects.get_or_create(valid_from=dt.date(2015, 7, 1))
    return Region.objects.get(code="73.12")


def _user(username: str, role: str, **fields) -> User:
    user = User.objects.create(username=username, role=role, **fields)
    user.set_password("rahasia-uji-123")
    user.save()
    return user


def _agent(username: str, code: str, village_codes: list[str]) -> User:
    user = _user(username, Role.PENYULUH, first_name=username.title())
    villages = list(Region.objects.filter(code__in=village_codes))
    agent = Agent.objects.create(user=user, code=code, bpp=Bpp.objects.get(kecamatan=villages[0].parent))
    agent.villages.set(villages)
    return user


@pytest.fixture
def agent_user(soppeng) -> User:
    return _agent("penyuluh.uji", "AG7312-0401", [UMPUNGENG])


@pytest.fixture
def other_agent_user(soppeng) -> User:
    return _agent("penyuluh.lain", "AG7312-0101", [MARIORIWAWO_VILLAGE])


@pytest.fixture
def neighbour_agent_user(soppeng) -> User:
    """Same kecamatan (Lalabata) as agent_user, another desa."""
    return _agent("penyuluh.tetangga", "AG7312-0402", [OTHER_LALABATA_VILLAGE])


@pytest.fixture
def koordinator_user(soppeng) -> User:
    return _user("koordinator.uji", Role.KOORDINATOR, bpp=Bpp.objects.get(kecamatan_id="73.12.04"))


@pytest.fixture
def dinas_user(soppeng) -> User:
    return _user("dinas.uji", Role.DINAS, regency=soppeng)


@pytest.fixture
def admin_user(soppeng) -> User:
    return _user("admin.uji", Role.ADMIN, is_staff=True, is_superuser=True)


def nik_for(*, birth: dt.date, female: bool, kecamatan: str = "04", serial: int = 1, regency: str = "7312") -> str:
    day = birth.day + (40 if female else 0)
    return f"{regency}{kecamatan}{day:02d}{birth:%m%y}{serial:04d}"


def registration_fields(village: Region, **overrides) -> dict:
    birth = overrides.pop("birth_date", dt.date(1990, 1, 5))
    female = overrides.pop("female", True)
    serial = overrides.pop("serial", 1)
    fields = {
        "nik": nik_for(birth=birth, female=female, serial=serial),
        "no_kk": "7312040101900001",
        "name": "HASNAH",
        "birth_place": "SOPPENG",
        "birth_date": birth,
        "sex": "P" if female else "L",
        "address": "JL. POROS WATANSOPPENG",
        "rt": "001",
        "rw": "002",
        "village": village,
        "phone": "081234567890",
        "occupation": "PETANI",
        "farmer_group": "KT SIPATUO",
        "income": 1_000_000,
    }
    fields.update(overrides)
    return fields


@pytest.fixture
def make_farmer() -> Callable[..., Farmer]:
    """Register a farmer through the real service, as the given agent, in the agent's first desa."""

    def make(user: User, **overrides) -> Farmer:
        village = overrides.pop("village", None) or user.agent.villages.first()
        return farmer_register(
            user=user,
            registration=Registration(
                fields=registration_fields(village, **overrides), heirs=[HeirData(name="ANDI BASO", relation="SUAMI")]
            ),
        )

    return make


def jpeg_bytes(*, with_exif: bool = True, size: tuple[int, int] = (640, 400)) -> bytes:
    image = Image.new("RGB", size, (200, 180, 150))
    out = io.BytesIO()
    if with_exif:
        exif = Image.Exif()
        exif[0x010F] = "KameraUji"  # Make
        exif[0x0131] = "AplikasiKamera"  # Software
        image.save(out, format="JPEG", exif=exif)
    else:
        image.save(out, format="JPEG")
    return out.getvalue()
