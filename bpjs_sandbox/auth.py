"""Verification of the contract's consumer id, timestamp and HMAC signature headers."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping

MAX_CLOCK_SKEW_S = 300


def expected_signature(*, secret: str, cons_id: str, timestamp: str, method: str, target: str, body: bytes) -> str:
    message = "&".join([cons_id, timestamp, method.upper(), target, hashlib.sha256(body).hexdigest()])
    return base64.b64encode(hmac.new(secret.encode(), message.encode(), hashlib.sha256).digest()).decode()


def authentication_error(
    *,
    secrets: Mapping[str, str],
    cons_id: str,
    timestamp: str,
    signature: str,
    method: str,
    target: str,
    body: bytes,
    now: float,
) -> str | None:
    """The contract's error code, or None when the request is authentic and fresh.

    The signature is checked first so that only a genuine consumer learns about its clock.
    """
    secret = secrets.get(cons_id)
    if secret is None:
        return "SIGNATURE_INVALID"
    expected = expected_signature(
        secret=secret, cons_id=cons_id, timestamp=timestamp, method=method, target=target, body=body
    )
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        return "SIGNATURE_INVALID"
    if not timestamp.isascii() or not timestamp.isdigit() or abs(now - int(timestamp)) > MAX_CLOCK_SKEW_S:
        return "TIMESTAMP_INVALID"
    return None
