"""The insurer's error codes in words an agent in the field understands.

Each app words the refusals of its own operations (enrollment/insurer.py, contributions/insurer.py),
with the same constants as its rules; the gateway words only what the transport causes
(docs/insurer-contract.md#error-codes).
"""

from __future__ import annotations

from collections.abc import Mapping

TRANSPORT_MESSAGES = {
    "IDEMPOTENCY_KEY_REUSED": "Kesalahan teknis pengiriman (kunci dipakai ulang). Hubungi admin.",
    "SIGNATURE_INVALID": "Kredensial gateway BPJS salah. Hubungi admin.",
    "TIMESTAMP_INVALID": "Jam server tidak sinkron dengan BPJS. Hubungi admin.",
}


def translate_errors(errors: list[dict], messages: Mapping[str, str]) -> list[dict]:
    """The insurer's errors, each with an Indonesian `pesan` for the agent next to its code."""
    words = {**TRANSPORT_MESSAGES, **messages}
    return [
        {
            "field": e.get("field", ""),
            "code": e.get("code", ""),
            "pesan": words.get(e.get("code", ""), e.get("message", "") or f"Ditolak BPJS ({e.get('code', '')})."),
        }
        for e in errors
    ]
