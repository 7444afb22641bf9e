"""Request signing of the insurer's H2H contract (docs/insurer-contract.md#signing).

The signed message is ``cons_id & timestamp & METHOD & path_with_query & sha256_hex(body)``,
where ``path_with_query`` is the path as it appears on the request line, API prefix included.
"""

from __future__ import annotations

import base64
import hashlib
import hmac


def body_sha256(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def signature(*, cons_id: str, secret: str, timestamp: str, method: str, path: str, body: bytes) -> str:
    message = "&".join([cons_id, timestamp, method.upper(), path, body_sha256(body)])
    digest = hmac.new(secret.encode(), message.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def signed_headers(*, cons_id: str, secret: str, timestamp: int, method: str, path: str, body: bytes) -> dict[str, str]:
    ts = str(timestamp)
    return {
        "X-Cons-Id": cons_id,
        "X-Timestamp": ts,
        "X-Signature": signature(cons_id=cons_id, secret=secret, timestamp=ts, method=method, path=path, body=body),
    }
