"""Registration and participant status (docs/insurer-contract.md#operations: POST /peserta, GET /peserta/{kpj})."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

WITA = timezone(timedelta(hours=8))


def today():
    return datetime.now(WITA).date()


def years_before(day, years):
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def errors(response) -> list[tuple[str, str]]:
    return [(error["field"], error["code"]) for error in response.json()["errors"]]


def test_it_registers_a_farmer_with_an_eleven_digit_kpj(api, peserta_body):
    response = api.post("/peserta", peserta_body())

    assert response.status_code == 201
    body = response.json()
    assert body["metaData"]["code"] == "201"
    assert body["errors"] == []
    assert re.fullmatch(r"\d{11}", body["response"]["kpj"])
    assert body["response"] | {"kpj": None} == {
        "kpj": None,
        "status": "TERDAFTAR",
        "tanggal_daftar": today().isoformat(),
        "lunas_sampai": None,
    }


def test_it_gives_every_farmer_another_kpj(register):
    assert len({register() for _ in range(5)}) == 5


def test_it_refuses_a_known_nik_with_the_existing_kpj(api, clean_sandbox, peserta_body):
    farmer = peserta_body()
    kpj = api.post("/peserta", farmer).json()["response"]["kpj"]

    response = api.post("/peserta", farmer | {"nama": "HASNAH BINTI LATIF"})

    assert response.status_code == 409
    assert response.json()["response"] == {"kpj": kpj}
    assert errors(response) == [("nik", "PESERTA_SUDAH_TERDAFTAR")]
    stats = clean_sandbox.stats()
    assert (stats["peserta"], stats["duplicates_refused"]) == (1, 1)


@pytest.mark.parametrize(
    "nik",
    [
        pytest.param("731201450190001", id="15 digits"),
        pytest.param("73120145019000011", id="17 digits"),
        pytest.param("73.12.01.450190.0001", id="dotted"),
        pytest.param("7312014501900000", id="serial 0000"),
        pytest.param("0012014501900001", id="no such province"),
        pytest.param("7312018501900001", id="day 85"),
        pytest.param("7312014513900001", id="month 13"),
    ],
)
def test_it_refuses_a_malformed_nik(api, peserta_body, nik):
    response = api.post("/peserta", peserta_body(nik=nik))

    assert response.status_code == 422
    assert errors(response) == [("nik", "NIK_TIDAK_VALID")]


def test_it_refuses_a_womans_nik_without_forty_added_to_the_day(api, peserta_body):
    farmer = peserta_body(jenis_kelamin="P")
    nik = farmer["nik"]
    as_for_a_man = nik[:6] + f"{int(nik[6:8]) - 40:02d}" + nik[8:]

    response = api.post("/peserta", farmer | {"nik": as_for_a_man})

    assert response.status_code == 422
    assert errors(response) == [("nik", "NIK_TIDAK_COCOK")]


def test_it_refuses_a_mans_nik_with_forty_added_to_the_day(api, peserta_body):
    farmer = peserta_body(jenis_kelamin="L")
    nik = farmer["nik"]

    response = api.post("/peserta", farmer | {"nik": nik[:6] + f"{int(nik[6:8]) + 40:02d}" + nik[8:]})

    assert errors(response) == [("nik", "NIK_TIDAK_COCOK")]


def test_it_registers_a_man_with_the_plain_day(api, peserta_body):
    assert api.post("/peserta", peserta_body(jenis_kelamin="L")).status_code == 201


def test_it_refuses_a_nik_with_another_birth_date(api, peserta_body):
    farmer = peserta_body()

    response = api.post("/peserta", farmer | {"tanggal_lahir": "1991-01-05"})

    assert ("nik", "NIK_TIDAK_COCOK") in errors(response)


@pytest.mark.parametrize(
    ("birth", "accepted"),
    [
        pytest.param(lambda: years_before(today(), 15), True, id="15 today"),
        pytest.param(lambda: years_before(today(), 15) + timedelta(days=1), False, id="15 tomorrow"),
        pytest.param(lambda: years_before(today(), 66) + timedelta(days=1), True, id="66 tomorrow"),
        pytest.param(lambda: years_before(today(), 66), False, id="66 today"),
    ],
)
def test_it_takes_ages_from_15_to_65_inclusive(api, peserta_body, birth, accepted):
    response = api.post("/peserta", peserta_body(birth=birth()))

    if accepted:
        assert response.status_code == 201, response.text
    else:
        assert response.status_code == 422
        assert errors(response) == [("tanggal_lahir", "USIA_DI_LUAR_BATAS")]


@pytest.mark.parametrize("penghasilan", [999_999, 20_700_001, "1000000", 1_000_000.0, True])
def test_it_refuses_an_income_out_of_range(api, peserta_body, penghasilan):
    response = api.post("/peserta", peserta_body(penghasilan=penghasilan))

    assert response.status_code == 422
    assert errors(response) == [("penghasilan", "PENGHASILAN_TIDAK_VALID")]


def test_it_takes_the_highest_income(api, peserta_body):
    assert api.post("/peserta", peserta_body(penghasilan=20_700_000)).status_code == 201


@pytest.mark.parametrize(
    "kode_wilayah",
    [
        pytest.param("731201100", id="9 digits"),
        pytest.param("73.12.01.1001", id="dotted"),
        pytest.param("0912011001", id="province 09"),
        pytest.param("7300011001", id="regency 00"),
        pytest.param("7312001001", id="kecamatan 00"),
        pytest.param("7312013001", id="village number 3xxx"),
        pytest.param("7312012000", id="village 2000"),
    ],
)
def test_it_refuses_an_unknown_region(api, peserta_body, kode_wilayah):
    response = api.post("/peserta", peserta_body(kode_wilayah=kode_wilayah))

    assert response.status_code == 422
    assert errors(response) == [("kode_wilayah", "WILAYAH_TIDAK_DIKENAL")]


def test_it_takes_a_village_of_another_province(api, peserta_body):
    assert api.post("/peserta", peserta_body(kode_wilayah="3171012003")).status_code == 201


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("pekerjaan", "GURU", "PEKERJAAN_TIDAK_VALID"),
        ("pekerjaan", ["PETANI"], "PEKERJAAN_TIDAK_VALID"),
        ("program", ["JKK"], "PROGRAM_TIDAK_VALID"),
        ("program", ["JKK", "JKM", "JKP"], "PROGRAM_TIDAK_VALID"),
        ("no_kk", "73120101019000", "NO_KK_TIDAK_VALID"),
        ("jenis_kelamin", "W", "JENIS_KELAMIN_TIDAK_VALID"),
    ],
)
def test_it_refuses_other_invalid_fields(api, peserta_body, field, value, code):
    response = api.post("/peserta", peserta_body(**{field: value}))

    assert response.status_code == 422
    assert (field, code) in errors(response)


def test_it_names_every_missing_field(api, peserta_body):
    farmer = peserta_body()
    del farmer["nama"], farmer["alamat"]

    response = api.post("/peserta", farmer)

    assert response.status_code == 422
    assert errors(response) == [("nama", "WAJIB_DIISI"), ("alamat", "WAJIB_DIISI")]


def test_it_refuses_a_body_that_is_not_a_json_object(api):
    response = api.request("POST", "/peserta", data=b"[1, 2]", key="bukan-objek")

    assert response.status_code == 400


def test_it_shows_a_registered_participant(api, peserta_body):
    farmer = peserta_body(program=["JKK", "JKM", "JHT"])
    kpj = api.post("/peserta", farmer).json()["response"]["kpj"]

    response = api.get(f"/peserta/{kpj}")

    assert response.status_code == 200
    assert response.json()["response"] == {
        "kpj": kpj,
        "nik": farmer["nik"],
        "nama": "HASNAH",
        "status": "TERDAFTAR",
        "lunas_sampai": None,
        "penghasilan": 1_000_000,
        "program": ["JKK", "JKM", "JHT"],
    }


def test_it_answers_404_for_an_unknown_kpj(api):
    response = api.get("/peserta/99999999999")

    assert response.status_code == 404
    assert errors(response) == [("kpj", "PESERTA_TIDAK_DITEMUKAN")]
