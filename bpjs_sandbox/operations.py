"""The insurer's operations, one function per endpoint, each run inside one store transaction.

Every operation checks everything before it writes, so a refusal never leaves half a change.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import rules, validation
from .envelope import Refusal, Result, field_error, refusal
from .store import Claim, Participant, Tx

MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
DOCUMENT_TYPES = frozenset({"image/jpeg", "image/png", "application/pdf"})
CLAIM_STATUSES_AFTER_FILING = frozenset({"VERIFIKASI", "DISETUJUI", "DITOLAK", "DIBAYAR"})
PER_HALAMAN_MAX = 1000
_DIGITS = re.compile(r"[0-9]{1,9}")


@dataclass(frozen=True)
class Call:
    cons_id: str
    now: float
    params: dict[str, str]
    query: dict[str, list[str]]
    body: bytes
    content_type: str


Operation = Callable[[Tx, Call], Result]


def run(operation: Operation, tx: Tx, call: Call) -> Result:
    try:
        return operation(tx, call)
    except Refusal as refused:
        return refused.result


def json_object(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        data = None
    if not isinstance(data, dict):
        raise Refusal(refusal(400, "BODY_TIDAK_VALID", "Body harus objek JSON"))
    return data


def _participant(tx: Tx, kpj: str) -> Participant:
    participant = tx.participant(kpj)
    if participant is None:
        raise Refusal(refusal(404, "PESERTA_TIDAK_DITEMUKAN", "Peserta tidak ditemukan", "kpj"))
    return participant


def _claim(tx: Tx, no_klaim: str) -> Claim:
    claim = tx.claim(no_klaim)
    if claim is None:
        raise Refusal(refusal(404, "KLAIM_TIDAK_DITEMUKAN", "Klaim tidak ditemukan", "no_klaim"))
    return claim


def _invalid(errors: list[dict[str, Any]], message: str = "Data tidak valid") -> Result:
    return Result(422, None, errors, message)


def register_participant(tx: Tx, call: Call) -> Result:
    body = json_object(call.body)
    # A known NIK answers 409 before anything else: the caller needs the existing KPJ to link
    # to, even when its copy of the person has aged past the limits since.
    existing = tx.kpj_for_nik(body["nik"]) if isinstance(body.get("nik"), str) else None
    if existing is not None:
        tx.bump("duplicates_refused")
        message = "NIK sudah terdaftar sebagai peserta BPU"
        return Result(409, {"kpj": existing}, [field_error("nik", "PESERTA_SUDAH_TERDAFTAR", message)], message)
    today = rules.wita_now(call.now).date()
    errors = validation.check_registration(body, today)
    if errors:
        return _invalid(errors, "Data peserta tidak valid")
    kpj = tx.register(body, today.isoformat())
    response = {
        "kpj": kpj,
        "status": rules.TERDAFTAR,
        "tanggal_daftar": today.isoformat(),
        "lunas_sampai": None,
    }
    return Result(201, response, message="Peserta terdaftar")


def participant_status(tx: Tx, call: Call) -> Result:
    participant = _participant(tx, call.params["kpj"])
    this_month = rules.month_of(rules.wita_now(call.now).date())
    lunas = participant.lunas_sampai
    response = {
        "kpj": participant.kpj,
        "nik": participant.nik,
        "nama": participant.nama,
        "status": rules.coverage_status(lunas, this_month),
        "lunas_sampai": rules.format_month(lunas) if lunas is not None else None,
        "penghasilan": participant.penghasilan,
        "program": participant.program,
    }
    return Result(200, response, message="OK")


def pay_contribution(tx: Tx, call: Call) -> Result:
    form, errors = validation.check_payment(json_object(call.body))
    if form is None:
        return _invalid(errors, "Data iuran tidak valid")
    participant = _participant(tx, form.kpj)
    existing = tx.no_transaksi_for_ref(call.cons_id, form.ref_kanal)
    if existing is not None:
        tx.bump("duplicates_refused")
        message = "ref_kanal sudah pernah dibayarkan"
        errors = [field_error("ref_kanal", "REF_KANAL_SUDAH_ADA", message)]
        return Result(409, {"no_transaksi": existing}, errors, message)

    errors = []
    now = rules.wita_now(call.now)
    if not now - rules.TANGGAL_BAYAR_MAX_AGE <= form.tanggal_bayar <= now + rules.CLOCK_TOLERANCE:
        errors.append(
            field_error(
                "tanggal_bayar",
                "TANGGAL_BAYAR_TIDAK_VALID",
                "Tanggal bayar paling lama 62 hari lalu dan tidak di masa depan",
            )
        )
    expected = form.jumlah_bulan * rules.monthly_contribution(participant.penghasilan, participant.program)
    if form.nominal != expected:
        errors.append(field_error("nominal", "NOMINAL_TIDAK_SESUAI", f"Nominal seharusnya {expected}"))
    payment_month = rules.month_of(form.tanggal_bayar.astimezone(rules.WITA).date())
    due = rules.first_month_due(participant.lunas_sampai, payment_month)
    if form.bulan_mulai != due:
        errors.append(
            field_error(
                "bulan_mulai",
                "PERIODE_TIDAK_VALID",
                f"Iuran harus dimulai dari {rules.format_month(due)}",
            )
        )
    if errors:
        return _invalid(errors, "Data iuran tidak valid")

    months = range(form.bulan_mulai, form.bulan_mulai + form.jumlah_bulan)
    periode = [rules.format_month(month) for month in months]
    no_transaksi = tx.book_payment(
        cons_id=call.cons_id,
        kpj=form.kpj,
        ref_kanal=form.ref_kanal,
        nominal=form.nominal,
        months=months,
        periode=periode,
        tanggal_bayar=form.tanggal_bayar.isoformat(),
        sumber_dana=form.sumber_dana,
        booked_on=now.date().isoformat(),
    )
    response = {
        "no_transaksi": no_transaksi,
        "kpj": form.kpj,
        "periode": periode,
        "lunas_sampai": periode[-1],
        "status_peserta": rules.coverage_status(months[-1], rules.month_of(now.date())),
    }
    return Result(201, response, message="Iuran diterima")


def file_claim(tx: Tx, call: Call) -> Result:
    body = json_object(call.body)
    today = rules.wita_now(call.now).date()
    form, errors = validation.check_claim(body, today)
    kpj = body.get("kpj")
    # An unknown participant outranks every field error: nothing else about the claim matters then.
    if isinstance(kpj, str):
        _participant(tx, kpj)
        if form.tanggal_kejadian is not None and not tx.is_month_paid(kpj, rules.month_of(form.tanggal_kejadian)):
            errors.append(
                field_error(
                    "tanggal_kejadian",
                    "TIDAK_DALAM_MASA_PERLINDUNGAN",
                    "Tanggal kejadian tidak dalam bulan yang sudah dibayar",
                )
            )
    if errors:
        return _invalid(errors, "Data klaim tidak valid")
    assert form.jenis is not None and form.tanggal_kejadian is not None and isinstance(kpj, str)
    no_klaim = tx.file_claim(
        kpj=kpj,
        jenis=form.jenis,
        tanggal_kejadian=form.tanggal_kejadian.isoformat(),
        filing=body,
        documents=form.documents,
        status="DITERIMA",
        waktu=_waktu(call.now),
    )
    return Result(201, {"no_klaim": no_klaim, "status": "DITERIMA"}, message="Klaim diterima")


def upload_document(tx: Tx, call: Call) -> Result:
    no_klaim, jenis = call.params["no_klaim"], call.params["jenis"]
    _claim(tx, no_klaim)
    declared = tx.declared_sha256(no_klaim, jenis)
    if declared is None:
        return refusal(422, "DOKUMEN_TIDAK_DIKENAL", f"Dokumen {jenis} tidak disebut dalam klaim", "jenis")
    content_type = call.content_type.split(";", 1)[0].strip().lower()
    if content_type not in DOCUMENT_TYPES:
        return refusal(415, "TIPE_BERKAS_TIDAK_DIDUKUNG", "Berkas harus JPEG, PNG atau PDF", "Content-Type")
    if len(call.body) > MAX_DOCUMENT_BYTES:
        return refusal(413, "BERKAS_TERLALU_BESAR", "Berkas paling besar 5 MiB", "body")
    digest = hashlib.sha256(call.body).hexdigest()
    if digest != declared:
        return refusal(422, "DOKUMEN_TIDAK_COCOK", "sha256 berkas tidak sama dengan yang disebut dalam klaim", "body")
    tx.receive_document(no_klaim, jenis, content_type=content_type, size=len(call.body))
    return Result(200, {"jenis": jenis, "sha256": digest, "diterima": True}, message="Dokumen diterima")


def claim_status(tx: Tx, call: Call) -> Result:
    return Result(200, _claim_view(_claim(tx, call.params["no_klaim"])), message="OK")


def advance_claim(tx: Tx, call: Call) -> Result:
    """The back office's decision, for ``POST /_sandbox/klaim/{no_klaim}/advance``."""
    claim = _claim(tx, call.params["no_klaim"])
    body = json_object(call.body)
    errors = []
    status = body.get("status")
    if not validation.is_one_of(status, CLAIM_STATUSES_AFTER_FILING):
        errors.append(field_error("status", "STATUS_TIDAK_VALID", "Status VERIFIKASI, DISETUJUI, DITOLAK atau DIBAYAR"))
    nominal = body.get("nominal", claim.nominal)
    if nominal is not None and (not isinstance(nominal, int) or isinstance(nominal, bool) or nominal < 0):
        errors.append(field_error("nominal", "NOMINAL_TIDAK_VALID", "nominal harus bilangan bulat >= 0 atau null"))
    alasan = body.get("alasan", claim.alasan)
    if alasan is not None and not isinstance(alasan, str):
        errors.append(field_error("alasan", "ALASAN_TIDAK_VALID", "alasan harus teks atau null"))
    if errors:
        return _invalid(errors)
    tx.advance_claim(claim.no_klaim, status=status, nominal=nominal, alasan=alasan, waktu=_waktu(call.now))
    return claim_status(tx, call)


def reconciliation(tx: Tx, call: Call) -> Result:
    errors = []
    day = validation.parse_date(_single(call.query, "tanggal"))
    if day is None:
        errors.append(field_error("tanggal", "TANGGAL_TIDAK_VALID", "tanggal wajib, format YYYY-MM-DD"))
    halaman = _positive_int(_single(call.query, "halaman") or "1")
    if halaman is None:
        errors.append(field_error("halaman", "HALAMAN_TIDAK_VALID", "halaman bilangan bulat >= 1"))
    per_halaman = _positive_int(_single(call.query, "per_halaman") or "500")
    if per_halaman is None or per_halaman > PER_HALAMAN_MAX:
        errors.append(field_error("per_halaman", "HALAMAN_TIDAK_VALID", f"per_halaman 1 sampai {PER_HALAMAN_MAX}"))
    if errors:
        return _invalid(errors, "Parameter tidak valid")
    assert day is not None and halaman is not None and per_halaman is not None
    total, data = tx.payments_booked(call.cons_id, day.isoformat(), (halaman - 1) * per_halaman, per_halaman)
    return Result(200, {"tanggal": day.isoformat(), "halaman": halaman, "total": total, "data": data}, message="OK")


def _single(query: dict[str, list[str]], name: str) -> str | None:
    values = query.get(name)
    return values[0] if values else None


def _positive_int(text: str) -> int | None:
    return int(text) if _DIGITS.fullmatch(text) and int(text) >= 1 else None


def _claim_view(claim: Claim) -> dict[str, Any]:
    return {
        "no_klaim": claim.no_klaim,
        "status": claim.status,
        "nominal": claim.nominal,
        "alasan": claim.alasan,
        "riwayat": claim.riwayat,
    }


def _waktu(now: float) -> str:
    return rules.wita_now(now).isoformat(timespec="seconds")
