"""The insurer's error codes in words an agent in the field understands."""

from __future__ import annotations

MESSAGES = {
    "NIK_TIDAK_VALID": "NIK tidak valid menurut BPJS. Periksa kembali 16 angka NIK pada KTP.",
    "NIK_TIDAK_COCOK": "NIK tidak cocok dengan tanggal lahir atau jenis kelamin. Periksa KTP.",
    "USIA_DI_LUAR_BATAS": "Usia petani di luar batas 15–65 tahun.",
    "WILAYAH_TIDAK_DIKENAL": "Kode desa/kelurahan tidak dikenal BPJS.",
    "PENGHASILAN_TIDAK_VALID": "Penghasilan harus antara Rp 1.000.000 dan Rp 20.700.000.",
    "PESERTA_SUDAH_TERDAFTAR": "NIK ini sudah terdaftar di BPJS; KPJ yang ada dipakai.",
    "PESERTA_TIDAK_DITEMUKAN": "Peserta tidak ditemukan di BPJS.",
    "NOMINAL_TIDAK_SESUAI": "Nominal iuran tidak sesuai dengan jumlah bulan dan tarif.",
    "PERIODE_TIDAK_VALID": "Bulan mulai iuran tidak sesuai dengan status kepesertaan.",
    "JUMLAH_BULAN_TIDAK_VALID": "Jumlah bulan harus 1 sampai 12.",
    "TANGGAL_BAYAR_TIDAK_VALID": "Tanggal bayar terlalu lama (lebih dari 62 hari) atau di masa depan.",
    "REF_KANAL_SUDAH_ADA": "Pembayaran ini sudah tercatat di BPJS.",
    "IDEMPOTENCY_KEY_REUSED": "Kesalahan teknis pengiriman (kunci dipakai ulang). Hubungi admin.",
    "SIGNATURE_INVALID": "Kredensial gateway BPJS salah. Hubungi admin.",
    "TIMESTAMP_INVALID": "Jam server tidak sinkron dengan BPJS. Hubungi admin.",
}


def translate(code: str, fallback: str = "") -> str:
    return MESSAGES.get(code, fallback or f"Ditolak BPJS ({code}).")


def translate_errors(errors: list[dict]) -> list[dict]:
    """The insurer's errors, each with an Indonesian `pesan` for the agent next to its code."""
    return [
        {
            "field": e.get("field", ""),
            "code": e.get("code", ""),
            "pesan": translate(e.get("code", ""), e.get("message", "")),
        }
        for e in errors
    ]
