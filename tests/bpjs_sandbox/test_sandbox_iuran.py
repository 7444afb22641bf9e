"""Contributions, cover status and reconciliation (docs/insurer-contract.md#operations: POST /iuran, cover status)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

WITA = timezone(timedelta(hours=8))


def now():
    return datetime.now(WITA).replace(microsecond=0)


def month(day, shift=0):
    index = day.year * 12 + day.month - 1 + shift
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def last_month_15th():
    """Always 15 to 47 days ago: in the previous month and inside the 62-day window."""
    first = now().replace(day=1, hour=10, minute=0, second=0)
    return (first - timedelta(days=1)).replace(day=15)


def errors(response) -> list[tuple[str, str]]:
    return [(error["field"], error["code"]) for error in response.json()["errors"]]


def test_it_books_a_payment_and_extends_cover(register, pay):
    kpj = register()

    response = pay(kpj, jumlah_bulan=3)

    assert response.status_code == 201
    body = response.json()["response"]
    assert body["no_transaksi"].startswith("TRX")
    assert body | {"no_transaksi": None} == {
        "no_transaksi": None,
        "kpj": kpj,
        "periode": [month(now()), month(now(), 1), month(now(), 2)],
        "lunas_sampai": month(now(), 2),
        "status_peserta": "AKTIF",
    }


def test_a_participant_turns_from_terdaftar_to_aktif_once_paid(api, register, pay):
    kpj = register()
    assert api.get(f"/peserta/{kpj}").json()["response"]["status"] == "TERDAFTAR"

    pay(kpj)

    participant = api.get(f"/peserta/{kpj}").json()["response"]
    assert (participant["status"], participant["lunas_sampai"]) == ("AKTIF", month(now()))


def test_it_prices_jht_at_two_percent_more(register, pay):
    kpj = register(penghasilan=2_345_678, program=["JKK", "JKM", "JHT"])
    monthly = 23_456 + 6_800 + 46_913

    assert pay(kpj, jumlah_bulan=2, nominal=2 * monthly).status_code == 201


def test_it_refuses_a_wrong_amount(register, pay):
    response = pay(register(), jumlah_bulan=2, nominal=33_599)

    assert response.status_code == 422
    assert errors(response) == [("nominal", "NOMINAL_TIDAK_SESUAI")]


@pytest.mark.parametrize("jumlah_bulan", [0, 13])
def test_it_refuses_a_number_of_months_out_of_range(register, pay, jumlah_bulan):
    response = pay(register(), jumlah_bulan=jumlah_bulan, nominal=16_800)

    assert errors(response) == [("jumlah_bulan", "JUMLAH_BULAN_TIDAK_VALID")]


def test_it_never_sells_cover_backwards(register, pay):
    response = pay(register(), bulan_mulai=month(now(), -1))

    assert response.status_code == 422
    assert errors(response) == [("bulan_mulai", "PERIODE_TIDAK_VALID")]


def test_it_never_sells_cover_ahead_of_the_month_of_payment(register, pay):
    response = pay(register(), bulan_mulai=month(now(), 1))

    assert errors(response) == [("bulan_mulai", "PERIODE_TIDAK_VALID")]


def test_an_active_participant_continues_right_after_lunas_sampai(register, pay):
    kpj = register()
    pay(kpj)

    again = pay(kpj)
    following = pay(kpj, bulan_mulai=month(now(), 1))

    assert errors(again) == [("bulan_mulai", "PERIODE_TIDAK_VALID")]
    assert following.status_code == 201
    assert following.json()["response"]["periode"] == [month(now(), 1)]


def test_cash_collected_last_month_buys_last_month(api, register, pay):
    kpj = register()

    response = pay(kpj, paid_at=last_month_15th())

    assert response.status_code == 201, response.text
    assert response.json()["response"]["periode"] == [month(now(), -1)]
    # This month is the grace month: still active.
    assert api.get(f"/peserta/{kpj}").json()["response"]["status"] == "AKTIF"


def test_in_the_grace_month_the_next_payment_continues_without_a_gap(register, pay):
    kpj = register()
    pay(kpj, paid_at=last_month_15th())

    response = pay(kpj, bulan_mulai=month(now()))

    assert response.status_code == 201
    assert response.json()["response"]["lunas_sampai"] == month(now())


def test_it_refuses_a_ref_kanal_paid_before_under_another_key(clean_sandbox, register, pay):
    kpj = register()
    first = pay(kpj, ref_kanal="PAY-000123")

    response = pay(kpj, ref_kanal="PAY-000123", bulan_mulai=month(now(), 1))

    assert response.status_code == 409
    assert response.json()["response"] == {"no_transaksi": first.json()["response"]["no_transaksi"]}
    assert errors(response) == [("ref_kanal", "REF_KANAL_SUDAH_ADA")]
    stats = clean_sandbox.stats()
    assert (stats["iuran"], stats["duplicates_refused"]) == (1, 1)


@pytest.mark.parametrize(
    "paid_at",
    [
        pytest.param(lambda: now() - timedelta(days=62, minutes=5), id="63 days ago"),
        pytest.param(lambda: now() + timedelta(hours=1), id="in an hour"),
    ],
)
def test_it_refuses_a_payment_date_out_of_the_window(register, pay, paid_at):
    response = pay(register(), paid_at=paid_at())

    assert response.status_code == 422
    assert errors(response) == [("tanggal_bayar", "TANGGAL_BAYAR_TIDAK_VALID")]


def test_it_takes_a_payment_collected_almost_62_days_ago(register, pay):
    assert pay(register(), paid_at=now() - timedelta(days=62) + timedelta(minutes=5)).status_code == 201


@pytest.mark.parametrize("tanggal_bayar", ["2026-11-24T10:00:00", "2026-11-24", "kemarin"])
def test_it_refuses_a_payment_date_without_offset_or_time(register, pay, tanggal_bayar):
    response = pay(register(), tanggal_bayar=tanggal_bayar)

    assert errors(response) == [("tanggal_bayar", "TANGGAL_BAYAR_TIDAK_VALID")]


def test_it_refuses_an_unknown_source_of_funds(register, pay):
    assert errors(pay(register(), sumber_dana="ARISAN")) == [("sumber_dana", "SUMBER_DANA_TIDAK_VALID")]


def test_it_answers_404_for_a_payment_to_an_unknown_kpj(pay):
    response = pay("99999999999")

    assert response.status_code == 404
    assert errors(response) == [("kpj", "PESERTA_TIDAK_DITEMUKAN")]


def test_reconciliation_lists_the_days_payments_page_by_page(api, register, pay):
    paid = [pay(register()).json()["response"]["no_transaksi"] for _ in range(3)]
    day = now().date().isoformat()

    first = api.get("/rekonsiliasi/iuran", params={"tanggal": day, "halaman": 1, "per_halaman": 2})
    second = api.get("/rekonsiliasi/iuran", params={"tanggal": day, "halaman": 2, "per_halaman": 2})

    assert first.status_code == 200
    page_one, page_two = first.json()["response"], second.json()["response"]
    assert (page_one["tanggal"], page_one["halaman"], page_one["total"]) == (day, 1, 3)
    assert (page_two["halaman"], page_two["total"]) == (2, 3)
    assert [row["no_transaksi"] for row in page_one["data"] + page_two["data"]] == paid
    assert set(page_one["data"][0]) == {
        "no_transaksi",
        "ref_kanal",
        "kpj",
        "nominal",
        "periode",
        "tanggal_bayar",
    }


def test_reconciliation_books_late_cash_on_the_day_it_arrived(api, register, pay):
    paid_at = last_month_15th()
    pay(register(), paid_at=paid_at)

    today = api.get("/rekonsiliasi/iuran", params={"tanggal": now().date().isoformat()}).json()["response"]
    then = api.get("/rekonsiliasi/iuran", params={"tanggal": paid_at.date().isoformat()}).json()["response"]

    assert today["total"] == 1
    assert datetime.fromisoformat(today["data"][0]["tanggal_bayar"]) == paid_at
    assert then == {"tanggal": paid_at.date().isoformat(), "halaman": 1, "total": 0, "data": []}


def test_reconciliation_refuses_a_malformed_date(api):
    response = api.get("/rekonsiliasi/iuran", params={"tanggal": "24-11-2026"})

    assert response.status_code == 422
    assert errors(response) == [("tanggal", "TANGGAL_TIDAK_VALID")]
