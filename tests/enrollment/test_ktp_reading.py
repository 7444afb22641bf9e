"""Reading a KTP photo: the fields come out right on clear synthetic cards, a NIK that disagrees with
the birth date and sex printed beside it is flagged, and a failed or impossible read is said so."""

from __future__ import annotations

import datetime as dt
from difflib import SequenceMatcher

import pytest

from bench.ktp_synthetic import nik_for, synthetic_ktp
from enrollment.ktp_reading import (
    FROM_NIK,
    LOW_CONFIDENCE,
    NIK_CORRECTED,
    NIK_DISAGREES,
    NIK_INVALID,
    NIK_TWO_READS,
    KtpReading,
    Reading,
    checked_nik,
    form_values,
    read_ktp,
    reading_available,
)
from enrollment.nik import parse_nik

needs_tesseract = pytest.mark.skipif(not reading_available(), reason="Debian's tesseract-ocr-ind is not installed")

BORN = dt.date(1985, 8, 5)
NIK = nik_for(kecamatan_code="73.12.04", birth_date=BORN, sex="P", serial=17)  # 7312044508850017
TODAY = dt.date(2026, 1, 1)


def read(value: str, confidence: float = 0.9) -> Reading:
    return Reading(value, confidence)


def test_the_generator_makes_valid_niks_that_match_the_card():
    for seed in range(8):
        card = synthetic_ktp(seed, difficulty=0, misprint=False)
        info = parse_nik(card.data.nik, today=TODAY)
        assert info.birth_date == card.data.tanggal_lahir
        assert info.sex == card.data.jenis_kelamin
        assert card.printed_nik == card.data.nik


def test_the_generator_is_deterministic_by_seed():
    assert synthetic_ktp(7).jpeg == synthetic_ktp(7).jpeg
    assert synthetic_ktp(7).jpeg != synthetic_ktp(8).jpeg


def test_a_nik_agreeing_with_the_birth_date_and_sex_is_trusted():
    result = checked_nik([(NIK, 0.7)], read("1985-08-05"), read("P"), today=TODAY)
    assert result == {"nik": Reading(NIK, 0.9)}


def test_an_impossible_nik_one_digit_away_from_the_printed_birth_date_is_corrected_and_flagged():
    misread = NIK[:8] + "3" + NIK[9:]  # month 38
    result = checked_nik([(misread, 0.9)], read("1985-08-05"), read("P"), today=TODAY)
    assert result["nik"].value == NIK
    assert result["nik"].note == NIK_CORRECTED and result["nik"].confidence < LOW_CONFIDENCE


def test_a_valid_nik_disagreeing_with_the_printed_birth_date_is_kept_but_flagged():
    other_month = NIK[:9] + "9" + NIK[10:]  # September: a real date, not the card's
    result = checked_nik([(other_month, 0.95)], read("1985-08-05"), read("P"), today=TODAY)
    assert result["nik"].value == other_month
    assert result["nik"].note == NIK_DISAGREES and result["nik"].confidence < LOW_CONFIDENCE


def test_a_nik_disagreeing_with_the_printed_sex_is_flagged():
    result = checked_nik([(NIK, 0.95)], read("1985-08-05"), read("L"), today=TODAY)
    assert result["nik"].note == NIK_DISAGREES


def test_the_second_read_of_the_nik_wins_when_only_it_agrees_with_the_card():
    misread = NIK[:14] + "8" + NIK[15:]  # a valid NIK with a wrong serial cannot be caught alone...
    result = checked_nik([(NIK[:8] + "3" + NIK[9:], 0.9), (NIK, 0.8)], read("1985-08-05"), read("P"), today=TODAY)
    assert result["nik"] == Reading(NIK, 0.9)
    assert checked_nik([(misread, 0.9)], read("1985-08-05"), read("P"), today=TODAY)["nik"].value == misread


def test_two_reads_of_the_nik_differing_in_the_serial_are_flagged():
    other_serial = NIK[:15] + "8"
    result = checked_nik([(NIK, 0.9), (other_serial, 0.9)], read("1985-08-05"), read("P"), today=TODAY)
    assert result["nik"] == Reading(NIK, 0.4, NIK_TWO_READS)


def test_a_colon_read_as_a_digit_before_the_nik_is_dropped():
    result = checked_nik([("1" + NIK, 0.9)], read("1985-08-05"), read("P"), today=TODAY)
    assert result["nik"] == Reading(NIK, 0.9)


def test_a_nik_too_short_is_flagged_as_unreadable():
    result = checked_nik([(NIK[:15], 0.9)], read("1985-08-05"), read("P"), today=TODAY)
    assert result["nik"] == Reading(NIK[:15], 0.2, NIK_INVALID)


def test_a_birth_date_and_sex_unreadable_on_the_card_come_from_the_nik_and_say_so():
    result = checked_nik([(NIK, 0.9)], None, None, today=TODAY)
    assert result["tanggal_lahir"] == Reading("1985-08-05", 0.5, FROM_NIK)
    assert result["jenis_kelamin"] == Reading("P", 0.5, FROM_NIK)
    assert result["nik"].confidence == 0.9


def test_the_form_gets_rt_and_rw_apart_and_only_the_agents_own_desa():
    reading = KtpReading(rt_rw=read("003/012"), desa=read("UMPUNGENG"), nama=read("HASNAH"))
    values = form_values(reading, villages=[(11, "Umpungeng"), (12, "Lalabata Rilau")])
    assert values["rt"]["value"] == "003" and values["rw"]["value"] == "012"
    assert values["village"]["value"] == "11" and values["name"]["value"] == "HASNAH"
    assert "village" not in form_values(reading, villages=[(12, "Lalabata Rilau")])


# Clear cards (a little tilt and blur, no perspective): seeds fixed so the subset is the same every run.
EASY = range(100, 106)


@needs_tesseract
@pytest.mark.parametrize("seed", EASY)
def test_it_reads_a_clear_card_exactly(seed):
    card = synthetic_ktp(seed, difficulty=0.3)
    reading = read_ktp(card.jpeg)
    assert reading.nik.value == card.data.nik
    assert reading.nik.confidence >= LOW_CONFIDENCE and not reading.nik.note
    assert reading.tanggal_lahir.value == card.data.tanggal_lahir.isoformat()
    assert reading.jenis_kelamin.value == card.data.jenis_kelamin
    # A name has no check digit: one letter may go (Q read as O), never the whole name.
    assert SequenceMatcher(None, reading.nama.value, card.data.nama).ratio() > 0.9


@needs_tesseract
@pytest.mark.parametrize("seed", [200, 201, 202])
def test_a_nik_printed_against_the_birth_date_is_flagged_not_accepted(seed):
    card = synthetic_ktp(seed, difficulty=0.3, misprint=True)
    reading = read_ktp(card.jpeg)
    assert reading.nik.note in {NIK_CORRECTED, NIK_DISAGREES, NIK_INVALID}
    assert reading.nik.confidence < LOW_CONFIDENCE


@needs_tesseract
def test_a_photo_with_no_card_reads_nothing_confidently():
    from tests.conftest import jpeg_bytes

    reading = read_ktp(jpeg_bytes())
    assert not reading.nik.value or reading.nik.confidence < LOW_CONFIDENCE
