"""Reading a NIK (`PPRRSSDDMMYYXXXX`): structure by python-stdnum, the rest by docs/domain-rules.md#nik."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from stdnum.exceptions import ValidationError
from stdnum.id import nik as stdnum_nik

from enrollment.models import MAX_AGE, MIN_AGE
from sutasoma.formatting import tanggal

FEMALE_DAY_OFFSET = 40


class NikError(ValueError):
    """A NIK that cannot belong to anyone; the message is for the agent, in Indonesian."""


@dataclass(frozen=True)
class NikInfo:
    nik: str
    birth_date: dt.date
    sex: str  # "L" or "P", the KTP's own letters
    regency_code: str  # dotted, "73.12"
    kecamatan_code: str  # dotted, "73.12.01"


# A row's NIK is read by the form that checks it and again by the service that saves it.
@lru_cache(maxsize=1024)
def parse_nik(raw: str, *, today: dt.date) -> NikInfo:
    nik = stdnum_nik.compact(raw or "")
    if not nik.isdigit():
        raise NikError("NIK hanya berisi angka.")
    if len(nik) != 16:
        raise NikError(f"NIK harus 16 angka (tertulis {len(nik)}).")
    if nik.endswith("0000"):
        raise NikError("Empat angka terakhir NIK tidak boleh 0000.")
    try:
        stdnum_nik.validate(nik)
    except ValidationError as exc:
        if _birth_date_or_none(nik, today) is None:
            raise NikError("Tanggal lahir di dalam NIK (angka ke-7 sampai ke-12) tidak valid.") from exc
        raise NikError("Kode wilayah di awal NIK tidak dikenal.") from exc
    birth_date = _birth_date_or_none(nik, today)
    if birth_date is None:
        raise NikError("Tanggal lahir di dalam NIK (angka ke-7 sampai ke-12) tidak valid.")
    day = int(nik[6:8])
    return NikInfo(
        nik=nik,
        birth_date=birth_date,
        sex="P" if day > FEMALE_DAY_OFFSET else "L",
        regency_code=f"{nik[0:2]}.{nik[2:4]}",
        kecamatan_code=f"{nik[0:2]}.{nik[2:4]}.{nik[4:6]}",
    )


def _birth_date_or_none(nik: str, today: dt.date) -> dt.date | None:
    """The NIK holds a two-digit year; the latest century that is not in the future wins,
    because stdnum always guesses 19xx and a farmer born in 2005 is 21, not 121."""
    day = int(nik[6:8])
    if day > FEMALE_DAY_OFFSET:
        day -= FEMALE_DAY_OFFSET
    month, year = int(nik[8:10]), int(nik[10:12])
    for century in (2000, 1900):
        try:
            candidate = dt.date(century + year, month, day)
        except ValueError:
            continue
        if candidate <= today:
            return candidate
    return None


def nik_mismatches(info: NikInfo, *, birth_date: dt.date | None, sex: str | None) -> dict[str, str]:
    """Field errors where what was typed disagrees with what the NIK encodes."""
    errors = {}
    if birth_date and birth_date != info.birth_date:
        errors["birth_date"] = f"Tanggal lahir tidak cocok dengan NIK (NIK menyebut {tanggal(info.birth_date)})."
    if sex and sex != info.sex:
        expected = "perempuan" if info.sex == "P" else "laki-laki"
        errors["sex"] = f"Jenis kelamin tidak cocok dengan NIK (NIK menyebut {expected})."
    return errors


def age_on(birth_date: dt.date, day: dt.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def registration_problems(*, nik: str, birth_date: dt.date | None, sex: str | None, today: dt.date) -> dict[str, str]:
    """The rules on identity (docs/domain-rules.md#nik), as field errors in Indonesian (empty when all is well)."""
    try:
        info = parse_nik(nik, today=today)
    except NikError as exc:
        return {"nik": str(exc)}
    problems = nik_mismatches(info, birth_date=birth_date, sex=sex)
    born = birth_date or info.birth_date
    age = age_on(born, today)
    if not MIN_AGE <= age <= MAX_AGE and "birth_date" not in problems:
        problems["birth_date"] = f"Usia peserta harus {MIN_AGE}–{MAX_AGE} tahun (sekarang {age} tahun)."
    return problems
