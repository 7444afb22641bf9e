import datetime as dt

import pytest

from enrollment.nik import NikError, parse_nik, registration_problems

TODAY = dt.date(2026, 11, 23)


def test_it_reads_birth_date_sex_and_region_from_a_womans_nik():
    info = parse_nik("7312014501900001", today=TODAY)
    assert info.birth_date == dt.date(1990, 1, 5)
    assert info.sex == "P"
    assert info.regency_code == "73.12"
    assert info.kecamatan_code == "73.12.01"


def test_it_reads_a_mans_nik_without_the_40_offset():
    info = parse_nik("7312040512850003", today=TODAY)
    assert (info.birth_date, info.sex) == (dt.date(1985, 12, 5), "L")


def test_it_puts_a_two_digit_year_in_the_latest_century_not_in_the_future():
    assert parse_nik("7312010505080001", today=TODAY).birth_date == dt.date(2008, 5, 5)
    assert parse_nik("7312010505300001", today=TODAY).birth_date == dt.date(1930, 5, 5)


def test_it_accepts_dots_and_spaces_as_typed_from_a_card():
    assert parse_nik("73.12.01 450190 0001", today=TODAY).nik == "7312014501900001"


@pytest.mark.parametrize(
    ("nik", "message"),
    [
        ("731201450190001", "16 angka"),
        ("73120145019000012", "16 angka"),
        ("73120145019O0001", "hanya berisi angka"),
        ("7312013202900001", "Tanggal lahir"),  # day 32
        ("7312017201900001", "Tanggal lahir"),  # woman, day 72-40 = 32
        ("7312010513900001", "Tanggal lahir"),  # month 13
        ("7312014501900000", "0000"),
        ("9912014501900001", "wilayah"),
    ],
)
def test_it_refuses_a_malformed_nik_with_a_reason(nik, message):
    with pytest.raises(NikError, match=message):
        parse_nik(nik, today=TODAY)


def test_it_flags_a_birth_date_that_disagrees_with_the_nik():
    problems = registration_problems(nik="7312014501900001", birth_date=dt.date(1990, 1, 6), sex="P", today=TODAY)
    assert set(problems) == {"birth_date"}
    assert "5 Januari 1990" in problems["birth_date"]


def test_it_flags_a_sex_that_disagrees_with_the_nik():
    problems = registration_problems(nik="7312014501900001", birth_date=dt.date(1990, 1, 5), sex="L", today=TODAY)
    assert set(problems) == {"sex"}
    assert "perempuan" in problems["sex"]


@pytest.mark.parametrize(
    ("birth", "ok"),
    [
        (dt.date(2011, 11, 23), True),  # 15 today
        (dt.date(2011, 11, 24), False),  # 14, turns 15 tomorrow
        (dt.date(1960, 11, 24), True),  # 65, turns 66 tomorrow
        (dt.date(1960, 11, 23), False),  # 66 today
    ],
)
def test_it_accepts_ages_15_to_65_inclusive(birth, ok):
    nik = f"731201{birth:%d%m%y}0001"
    problems = registration_problems(nik=nik, birth_date=birth, sex="L", today=TODAY)
    assert ("birth_date" not in problems) is ok, problems
