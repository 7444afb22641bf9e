"""Field validation of request bodies; every check reports in the contract's error shape."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from stdnum.id import nik as stdnum_nik

from . import rules
from .envelope import field_error

PEKERJAAN = frozenset({"PETANI", "PEKEBUN", "PETERNAK", "PEMBUDIDAYA_IKAN", "NELAYAN", "BURUH_TANI"})
SUMBER_DANA = frozenset({"MANDIRI", "DANA_DESA", "SPONSOR", "PEMDA"})
PROGRAMS = (frozenset({"JKK", "JKM"}), frozenset({"JKK", "JKM", "JHT"}))
REGISTRATION_FIELDS = (
    "nik",
    "no_kk",
    "nama",
    "tempat_lahir",
    "tanggal_lahir",
    "jenis_kelamin",
    "alamat",
    "kode_wilayah",
    "pekerjaan",
    "penghasilan",
    "program",
)
PAYMENT_FIELDS = (
    "kpj",
    "bulan_mulai",
    "jumlah_bulan",
    "nominal",
    "tanggal_bayar",
    "ref_kanal",
    "sumber_dana",
)
REQUIRED_DOCUMENTS = {
    "JKK": ("KTP", "KRONOLOGI", "SURAT_KETERANGAN_DOKTER"),
    "JKM": ("KTP", "KK", "SURAT_KEMATIAN", "KTP_AHLI_WARIS", "BUKU_REKENING"),
}

_SIXTEEN_DIGITS = re.compile(r"[0-9]{16}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_SHA256 = re.compile(r"[0-9A-Fa-f]{64}")
_DOCUMENT_TYPE = re.compile(r"[A-Z0-9_]{1,40}")
# Kemendagri village code PP RR SS VVVV: village numbers start with 1 (kelurahan) or 2 (desa).
_KODE_WILAYAH = re.compile(r"(?:1[1-9]|[2-9][0-9])(?!00)[0-9]{2}(?!00)[0-9]{2}[12](?!000)[0-9]{3}")

Errors = list[dict[str, Any]]


def _missing(body: dict[str, Any], name: str) -> bool:
    value = body.get(name)
    return value is None or value == "" or value == []


def is_one_of(value: object, choices: Collection[str]) -> bool:
    # JSON may bring a list or an object where a code is expected; those are unhashable.
    return isinstance(value, str) and value in choices


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _required(body: dict[str, Any], names: tuple[str, ...], errors: Errors) -> set[str]:
    missing = {name for name in names if _missing(body, name)}
    errors.extend(field_error(name, "WAJIB_DIISI", f"{name} wajib diisi") for name in names if name in missing)
    return missing


def _optional_types(body: dict[str, Any], types: dict[str, type], errors: Errors) -> None:
    for name, kind in types.items():
        if body.get(name) is not None and not isinstance(body[name], kind):
            errors.append(field_error(name, "FORMAT_TIDAK_VALID", f"{name} tidak berformat benar"))


def parse_date(value: object) -> date | None:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def check_registration(body: dict[str, Any], today: date) -> Errors:
    errors: Errors = []
    missing = _required(body, REGISTRATION_FIELDS, errors)
    for name in ("nama", "tempat_lahir", "alamat"):
        if name not in missing and not isinstance(body[name], str):
            errors.append(field_error(name, "FORMAT_TIDAK_VALID", f"{name} harus berupa teks"))
    _optional_types(body, {"no_hp": str, "kode_agen": str}, errors)

    birth = None
    if "tanggal_lahir" not in missing:
        birth = parse_date(body["tanggal_lahir"])
        if birth is None:
            errors.append(field_error("tanggal_lahir", "TANGGAL_LAHIR_TIDAK_VALID", "Format tanggal YYYY-MM-DD"))
        elif not rules.AGE_MIN <= rules.age_on(birth, today) <= rules.AGE_MAX:
            errors.append(
                field_error(
                    "tanggal_lahir",
                    "USIA_DI_LUAR_BATAS",
                    f"Usia pada tanggal pendaftaran harus {rules.AGE_MIN}-{rules.AGE_MAX} tahun",
                )
            )
    sex = None
    if "jenis_kelamin" not in missing:
        sex = body["jenis_kelamin"] if body["jenis_kelamin"] in ("L", "P") else None
        if sex is None:
            errors.append(field_error("jenis_kelamin", "JENIS_KELAMIN_TIDAK_VALID", "Jenis kelamin L atau P"))
    if "nik" not in missing:
        errors.extend(check_nik(body["nik"], birth, sex))
    if "no_kk" not in missing and not (isinstance(body["no_kk"], str) and _SIXTEEN_DIGITS.fullmatch(body["no_kk"])):
        errors.append(field_error("no_kk", "NO_KK_TIDAK_VALID", "Nomor KK harus 16 digit"))
    if "kode_wilayah" not in missing and not (
        isinstance(body["kode_wilayah"], str) and _KODE_WILAYAH.fullmatch(body["kode_wilayah"])
    ):
        errors.append(field_error("kode_wilayah", "WILAYAH_TIDAK_DIKENAL", "Kode wilayah tidak dikenal"))
    if "pekerjaan" not in missing and not is_one_of(body["pekerjaan"], PEKERJAAN):
        errors.append(field_error("pekerjaan", "PEKERJAAN_TIDAK_VALID", "Pekerjaan tidak termasuk BPU yang dilayani"))
    if "penghasilan" not in missing and not (
        _is_int(body["penghasilan"]) and rules.PENGHASILAN_MIN <= body["penghasilan"] <= rules.PENGHASILAN_MAX
    ):
        errors.append(
            field_error(
                "penghasilan",
                "PENGHASILAN_TIDAK_VALID",
                "Penghasilan harus Rp 1.000.000 sampai Rp 20.700.000",
            )
        )
    if "program" not in missing and not is_valid_program(body["program"]):
        errors.append(field_error("program", "PROGRAM_TIDAK_VALID", "Program harus JKK dan JKM, boleh ditambah JHT"))
    if body.get("ahli_waris") is not None and not (
        isinstance(body["ahli_waris"], list)
        and all(isinstance(heir, dict) and isinstance(heir.get("nama"), str) for heir in body["ahli_waris"])
    ):
        errors.append(field_error("ahli_waris", "AHLI_WARIS_TIDAK_VALID", "Setiap ahli waris harus bernama"))
    return errors


def is_valid_program(program: object) -> bool:
    return (
        isinstance(program, list)
        and all(isinstance(item, str) for item in program)
        and len(set(program)) == len(program)
        and frozenset(program) in PROGRAMS
    )


def check_nik(nik: object, birth: date | None, sex: str | None) -> Errors:
    """Structure first (stdnum checks region and date), then agreement with the declared person."""
    if not isinstance(nik, str) or not _SIXTEEN_DIGITS.fullmatch(nik):
        return [field_error("nik", "NIK_TIDAK_VALID", "NIK harus 16 digit")]
    day = int(nik[6:8])
    # stdnum takes the day modulo 40, which would also accept 81-91; only 1-31 and 41-71 exist.
    if not (1 <= day <= 31 or 41 <= day <= 71) or nik[12:] == "0000" or not stdnum_nik.is_valid(nik):
        return [field_error("nik", "NIK_TIDAK_VALID", "NIK tidak valid")]
    if birth is None or sex is None:
        return []
    expected = f"{birth.day + (40 if sex == 'P' else 0):02d}{birth.month:02d}{birth.year % 100:02d}"
    if nik[6:12] != expected:
        return [field_error("nik", "NIK_TIDAK_COCOK", "NIK tidak cocok dengan tanggal lahir dan jenis kelamin")]
    return []


@dataclass(frozen=True)
class PaymentForm:
    kpj: str
    bulan_mulai: int
    jumlah_bulan: int
    nominal: int
    tanggal_bayar: datetime
    ref_kanal: str
    sumber_dana: str


def check_payment(body: dict[str, Any]) -> tuple[PaymentForm | None, Errors]:
    """Checks that need nobody's records; the amount, period and date window come later."""
    errors: Errors = []
    missing = _required(body, PAYMENT_FIELDS, errors)
    for name in ("kpj", "ref_kanal"):
        if name not in missing and not isinstance(body[name], str):
            errors.append(field_error(name, "FORMAT_TIDAK_VALID", f"{name} harus berupa teks"))
    bulan_mulai = rules.parse_month(body.get("bulan_mulai"))
    if "bulan_mulai" not in missing and bulan_mulai is None:
        errors.append(field_error("bulan_mulai", "PERIODE_TIDAK_VALID", "Format bulan YYYY-MM"))
    jumlah = body.get("jumlah_bulan")
    if "jumlah_bulan" not in missing and not (_is_int(jumlah) and 1 <= jumlah <= rules.JUMLAH_BULAN_MAX):
        errors.append(field_error("jumlah_bulan", "JUMLAH_BULAN_TIDAK_VALID", "Jumlah bulan 1 sampai 12"))
    if "nominal" not in missing and not (_is_int(body["nominal"]) and body["nominal"] > 0):
        errors.append(field_error("nominal", "NOMINAL_TIDAK_SESUAI", "Nominal harus bilangan bulat rupiah"))
    paid_at = parse_timestamp(body.get("tanggal_bayar"))
    if "tanggal_bayar" not in missing and paid_at is None:
        errors.append(
            field_error(
                "tanggal_bayar",
                "TANGGAL_BAYAR_TIDAK_VALID",
                "Format ISO 8601 dengan zona waktu, mis. 2024-07-18T10:15:00+08:00",
            )
        )
    if "sumber_dana" not in missing and not is_one_of(body["sumber_dana"], SUMBER_DANA):
        errors.append(field_error("sumber_dana", "SUMBER_DANA_TIDAK_VALID", "Sumber dana tidak dikenal"))
    if errors:
        return None, errors
    assert bulan_mulai is not None and paid_at is not None
    form = PaymentForm(
        kpj=body["kpj"],
        bulan_mulai=bulan_mulai,
        jumlah_bulan=jumlah,
        nominal=body["nominal"],
        tanggal_bayar=paid_at,
        ref_kanal=body["ref_kanal"],
        sumber_dana=body["sumber_dana"],
    )
    return form, []


def parse_timestamp(value: object) -> datetime | None:
    if not isinstance(value, str) or "T" not in value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


@dataclass(frozen=True)
class ClaimForm:
    jenis: str | None
    tanggal_kejadian: date | None
    documents: dict[str, str] = field(default_factory=dict)


def check_claim(body: dict[str, Any], today: date) -> tuple[ClaimForm, Errors]:
    errors: Errors = []
    missing = _required(body, ("kpj", "jenis", "tanggal_kejadian"), errors)
    if "kpj" not in missing and not isinstance(body["kpj"], str):
        errors.append(field_error("kpj", "FORMAT_TIDAK_VALID", "kpj harus berupa teks"))
    _optional_types(body, {"uraian": str, "lokasi": str, "pelapor": dict, "rekening": dict}, errors)
    jenis = body["jenis"] if is_one_of(body.get("jenis"), REQUIRED_DOCUMENTS) else None
    if "jenis" not in missing and jenis is None:
        errors.append(field_error("jenis", "JENIS_KLAIM_TIDAK_VALID", "Jenis klaim JKK atau JKM"))
    incident = parse_date(body.get("tanggal_kejadian"))
    if "tanggal_kejadian" not in missing and (incident is None or incident > today):
        incident = None
        errors.append(
            field_error(
                "tanggal_kejadian",
                "TANGGAL_TIDAK_VALID",
                "Tanggal kejadian YYYY-MM-DD, tidak boleh di masa depan",
            )
        )
    documents, document_errors = _check_documents(body.get("dokumen"), jenis)
    errors.extend(document_errors)
    return ClaimForm(jenis, incident, documents), errors


def _check_documents(declared: object, jenis: str | None) -> tuple[dict[str, str], Errors]:
    if declared is None:
        declared = []
    if not isinstance(declared, list) or not all(
        isinstance(item, dict) and isinstance(item.get("jenis"), str) and _DOCUMENT_TYPE.fullmatch(item["jenis"])
        for item in declared
    ):
        return {}, [field_error("dokumen", "FORMAT_TIDAK_VALID", "dokumen: daftar {jenis, sha256}")]
    errors: Errors = []
    documents: dict[str, str] = {}
    seen: set[str] = set()
    for item in declared:
        kind, digest = item["jenis"], item.get("sha256")
        if kind in seen:
            errors.append(field_error(f"dokumen.{kind}", "DOKUMEN_GANDA", f"Dokumen {kind} disebut lebih dari sekali"))
        seen.add(kind)
        if isinstance(digest, str) and _SHA256.fullmatch(digest):
            documents[kind] = digest.lower()
    required = REQUIRED_DOCUMENTS.get(jenis or "", ())
    errors.extend(
        field_error(f"dokumen.{kind}", "DOKUMEN_KURANG", f"Dokumen {kind} wajib dilampirkan dengan sha256 yang benar")
        for kind in required
        if kind not in documents
    )
    errors.extend(
        field_error(f"dokumen.{kind}", "DOKUMEN_TIDAK_VALID", f"sha256 dokumen {kind} harus 64 digit heksadesimal")
        for kind in sorted(seen - set(documents) - set(required))
    )
    return documents, errors
