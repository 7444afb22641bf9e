"""Claims and their documents (docs/insurer-contract.md#operations: POST /klaim, PUT /klaim/.../dokumen, GET /klaim)."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone

import pytest
import requests

WITA = timezone(timedelta(hours=8))
FIVE_MIB = 5 * 1024 * 1024
JKM_DOCUMENTS = ("KTP", "KK", "SURAT_KEMATIAN", "KTP_AHLI_WARIS", "BUKU_REKENING")
JKK_DOCUMENTS = ("KTP", "KRONOLOGI", "SURAT_KETERANGAN_DOKTER")


def now():
    return datetime.now(WITA).replace(microsecond=0)


def last_month_15th():
    first = now().replace(day=1, hour=10, minute=0, second=0)
    return (first - timedelta(days=1)).replace(day=15)


def scan(kind: str) -> bytes:
    return b"%PDF-1.4 scan of " + kind.encode()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def claim(kpj, jenis="JKM", tanggal=None, documents=None, **overrides):
    kinds = documents if documents is not None else (JKM_DOCUMENTS if jenis == "JKM" else JKK_DOCUMENTS)
    body = {
        "kpj": kpj,
        "jenis": jenis,
        "tanggal_kejadian": (tanggal or now().date()).isoformat(),
        "uraian": "Meninggal dunia karena sakit",
        "lokasi": "Desa Umpungeng",
        "pelapor": {"nama": "ANDI BASO", "hubungan": "SUAMI", "no_hp": "081234567891"},
        "rekening": {"bank": "BRI", "nomor": "012345678901234", "atas_nama": "ANDI BASO"},
        "dokumen": [{"jenis": kind, "sha256": sha(scan(kind))} for kind in kinds],
    }
    return body | overrides


def errors(response) -> list[tuple[str, str]]:
    return [(error["field"], error["code"]) for error in response.json()["errors"]]


@pytest.fixture
def insured(register, pay):
    """A farmer who paid for this month."""
    kpj = register()
    assert pay(kpj).status_code == 201
    return kpj


@pytest.fixture
def filed(api, insured):
    response = api.post("/klaim", claim(insured))
    assert response.status_code == 201, response.text
    return response.json()["response"]["no_klaim"]


def test_it_files_a_covered_death_claim(api, insured):
    response = api.post("/klaim", claim(insured))

    assert response.status_code == 201
    body = response.json()["response"]
    assert body["no_klaim"].startswith("KLM")
    assert body["status"] == "DITERIMA"


def test_it_files_a_work_accident_claim(api, insured):
    assert api.post("/klaim", claim(insured, jenis="JKK")).status_code == 201


def test_it_takes_hashes_in_upper_case(api, insured):
    body = claim(insured)
    for document in body["dokumen"]:
        document["sha256"] = document["sha256"].upper()

    assert api.post("/klaim", body).status_code == 201


def test_it_names_every_missing_document(api, insured):
    body = claim(insured, documents=("KTP", "KK"))
    body["dokumen"][1]["sha256"] = "not-a-hash"

    response = api.post("/klaim", body)

    assert response.status_code == 422
    assert errors(response) == [
        ("dokumen.KK", "DOKUMEN_KURANG"),
        ("dokumen.SURAT_KEMATIAN", "DOKUMEN_KURANG"),
        ("dokumen.KTP_AHLI_WARIS", "DOKUMEN_KURANG"),
        ("dokumen.BUKU_REKENING", "DOKUMEN_KURANG"),
    ]


def test_it_refuses_an_incident_in_the_grace_month(api, register, pay):
    kpj = register()
    paid_at = last_month_15th()
    assert pay(kpj, paid_at=paid_at).status_code == 201

    in_grace = api.post("/klaim", claim(kpj, tanggal=now().date()))
    in_paid_month = api.post("/klaim", claim(kpj, tanggal=paid_at.date()))

    assert in_grace.status_code == 422
    assert errors(in_grace) == [("tanggal_kejadian", "TIDAK_DALAM_MASA_PERLINDUNGAN")]
    assert in_paid_month.status_code == 201


def test_it_refuses_an_incident_before_anything_was_paid(api, register):
    response = api.post("/klaim", claim(register()))

    assert errors(response) == [("tanggal_kejadian", "TIDAK_DALAM_MASA_PERLINDUNGAN")]


def test_it_reports_missing_documents_and_missing_cover_together(api, register):
    response = api.post("/klaim", claim(register(), jenis="JKK", documents=("KTP", "KRONOLOGI")))

    assert sorted(errors(response)) == [
        ("dokumen.SURAT_KETERANGAN_DOKTER", "DOKUMEN_KURANG"),
        ("tanggal_kejadian", "TIDAK_DALAM_MASA_PERLINDUNGAN"),
    ]


@pytest.mark.parametrize("tanggal", [lambda: (now() + timedelta(days=2)).date().isoformat(), lambda: "2026-02-30"])
def test_it_refuses_a_future_or_malformed_incident_date(api, insured, tanggal):
    response = api.post("/klaim", claim(insured) | {"tanggal_kejadian": tanggal()})

    assert response.status_code == 422
    assert errors(response) == [("tanggal_kejadian", "TANGGAL_TIDAK_VALID")]


@pytest.mark.parametrize("jenis", ["JHT", ["JKM"]])
def test_it_refuses_an_unknown_kind_of_claim(api, insured, jenis):
    response = api.post("/klaim", claim(insured) | {"jenis": jenis})

    assert ("jenis", "JENIS_KLAIM_TIDAK_VALID") in errors(response)


def test_it_answers_404_for_a_claim_of_an_unknown_participant(api):
    response = api.post("/klaim", claim("99999999999"))

    assert response.status_code == 404
    assert errors(response) == [("kpj", "PESERTA_TIDAK_DITEMUKAN")]


def test_it_accepts_a_declared_document(api, filed):
    response = api.put(f"/klaim/{filed}/dokumen/KTP", scan("KTP"), headers={"Content-Type": "application/pdf"})

    assert response.status_code == 200
    assert response.json()["response"] == {"jenis": "KTP", "sha256": sha(scan("KTP")), "diterima": True}


def test_it_checks_an_upload_in_the_contracts_order(api, filed):
    # Each request is also wrong in every way checked after the one it should fail on.
    too_big = b"\0" * (FIVE_MIB + 1)
    text = {"Content-Type": "text/plain"}
    jpeg = {"Content-Type": "image/jpeg"}
    attempts = [
        api.put("/klaim/KLM0000000000/dokumen/KTP", too_big, headers=text),
        api.put(f"/klaim/{filed}/dokumen/FOTO_LOKASI", too_big, headers=text),
        api.put(f"/klaim/{filed}/dokumen/KTP", too_big, headers=text),
        api.put(f"/klaim/{filed}/dokumen/KTP", too_big, headers=jpeg),
        api.put(f"/klaim/{filed}/dokumen/KTP", b"another scan", headers=jpeg),
    ]

    assert [(r.status_code, r.json()["errors"][0]["code"]) for r in attempts] == [
        (404, "KLAIM_TIDAK_DITEMUKAN"),
        (422, "DOKUMEN_TIDAK_DIKENAL"),
        (415, "TIPE_BERKAS_TIDAK_DIDUKUNG"),
        (413, "BERKAS_TERLALU_BESAR"),
        (422, "DOKUMEN_TIDAK_COCOK"),
    ]


def test_it_takes_a_document_of_exactly_five_mebibytes(api, insured):
    photo = b"\xff" * FIVE_MIB
    body = claim(insured)
    body["dokumen"][0]["sha256"] = sha(photo)
    no_klaim = api.post("/klaim", body).json()["response"]["no_klaim"]

    response = api.put(f"/klaim/{no_klaim}/dokumen/KTP", photo, headers={"Content-Type": "image/png"})

    assert response.status_code == 200


def test_it_refuses_a_body_far_beyond_the_limit_and_keeps_the_connection(api, filed):
    huge = b"\0" * (9 * 1024 * 1024)

    response = api.put(f"/klaim/{filed}/dokumen/KTP", huge, headers={"Content-Type": "image/jpeg"})

    assert response.status_code == 413
    assert api.get(f"/klaim/{filed}").status_code == 200


def test_it_takes_a_content_type_with_parameters(api, filed):
    headers = {"Content-Type": "Application/PDF; name=ktp.pdf"}

    assert api.put(f"/klaim/{filed}/dokumen/KTP", scan("KTP"), headers=headers).status_code == 200


def test_a_document_may_be_uploaded_again(api, filed):
    headers = {"Content-Type": "application/pdf"}
    first = api.put(f"/klaim/{filed}/dokumen/KK", scan("KK"), headers=headers)
    second = api.put(f"/klaim/{filed}/dokumen/KK", scan("KK"), headers=headers)

    assert first.status_code == second.status_code == 200
    assert "X-Idempotent-Replay" not in second.headers


def test_the_counters_tell_a_document_replaced_from_one_received(api, clean_sandbox, filed):
    headers = {"Content-Type": "application/pdf"}
    key = "same-key-for-a-lost-answer"
    api.put(f"/klaim/{filed}/dokumen/KK", scan("KK"), headers=headers, key=key)
    api.put(f"/klaim/{filed}/dokumen/KK", scan("KK"), headers=headers, key=key)  # a replay: not stored again
    api.put(f"/klaim/{filed}/dokumen/KTP", scan("KTP"), headers=headers)
    stats = clean_sandbox.stats()
    assert (stats["documents_received"], stats["documents_replaced"]) == (2, 0)
    api.put(f"/klaim/{filed}/dokumen/KK", scan("KK"), headers=headers)  # a new key: stored again
    assert clean_sandbox.stats()["documents_replaced"] == 1


def test_a_second_claim_for_the_same_incident_is_counted(api, clean_sandbox, insured):
    first = api.post("/klaim", claim(insured))
    assert first.status_code == 201 and clean_sandbox.stats()["claims_same_incident"] == 0
    api.post("/klaim", claim(insured))
    assert clean_sandbox.stats()["claims_same_incident"] == 1


def test_a_new_claim_shows_only_its_filing(api, filed):
    response = api.get(f"/klaim/{filed}")

    assert response.status_code == 200
    body = response.json()["response"]
    assert (body["no_klaim"], body["status"], body["nominal"], body["alasan"]) == (
        filed,
        "DITERIMA",
        None,
        None,
    )
    assert [step["status"] for step in body["riwayat"]] == ["DITERIMA"]


def test_the_back_office_moves_a_claim_along(api, clean_sandbox, filed):
    clean_sandbox.advance(filed, status="VERIFIKASI")
    advanced = clean_sandbox.advance(filed, status="DIBAYAR", nominal=42_000_000, alasan=None)

    body = api.get(f"/klaim/{filed}").json()["response"]

    assert body == advanced
    assert (body["status"], body["nominal"], body["alasan"]) == ("DIBAYAR", 42_000_000, None)
    assert [step["status"] for step in body["riwayat"]] == ["DITERIMA", "VERIFIKASI", "DIBAYAR"]
    for step in body["riwayat"]:
        assert step["waktu"].endswith("+08:00")
        assert abs(datetime.fromisoformat(step["waktu"]) - now()) < timedelta(minutes=1)


def test_a_refusal_carries_its_reason(clean_sandbox, filed):
    body = clean_sandbox.advance(filed, status="DITOLAK", alasan="Kejadian di luar masa kepesertaan")

    assert (body["status"], body["alasan"]) == ("DITOLAK", "Kejadian di luar masa kepesertaan")


def test_advance_answers_404_for_an_unknown_claim(clean_sandbox):
    url = f"{clean_sandbox.base_url}/_sandbox/klaim/KLM0000000000/advance"

    assert requests.post(url, json={"status": "DIBAYAR"}, timeout=5).status_code == 404


def test_advance_refuses_a_status_the_back_office_cannot_set(clean_sandbox, filed):
    url = f"{clean_sandbox.base_url}/_sandbox/klaim/{filed}/advance"

    assert requests.post(url, json={"status": "DITERIMA"}, timeout=5).status_code == 422


def test_it_answers_404_for_an_unknown_claim(api):
    response = api.get("/klaim/KLM0000000000")

    assert response.status_code == 404
    assert errors(response) == [("no_klaim", "KLAIM_TIDAK_DITEMUKAN")]
