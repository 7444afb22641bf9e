"""The one door to the insurer's H2H service: signing, timeouts, strict parsing, and a verdict
on every outcome by the contract's table: done, retry later (same key), or permanent."""

from __future__ import annotations

import email.utils
import enum
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import requests
from django.conf import settings

from bpjs_gateway.signing import signed_headers


class Verdict(enum.StrEnum):
    OK = "ok"
    RETRY = "retry"
    PERMANENT = "permanent"


@dataclass(frozen=True)
class Outcome:
    verdict: Verdict
    status: int | None  # None: no answer at all (timeout, connection error)
    response: dict[str, Any] | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)
    code: str = ""  # the first error code, or the transport failure
    retry_after: float | None = None
    replay: bool = False
    duration_ms: int = 0

    @property
    def permanent(self) -> bool:
        return self.verdict is Verdict.PERMANENT


_RETRY_STATUSES = {429, 500, 502, 503, 504}


class H2HClient:
    def __init__(
        self, *, base_url: str, cons_id: str, secret: str, timeout: float, clock: Callable[[], float] = time.time
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.cons_id = cons_id
        self.secret = secret
        self.timeout = timeout
        self.clock = clock
        self.skew = 0.0  # server clock minus ours, learnt from a TIMESTAMP_INVALID answer
        self._local = threading.local()

    @property
    def session(self) -> requests.Session:
        """A keep-alive session per thread: a drain's calls in flight never share a connection."""
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        return session

    def call(
        self,
        method: str,
        path: str,
        *,
        body: bytes = b"",
        idempotency_key: str | None = None,
        content_type: str = "application/json",
    ) -> Outcome:
        started = time.monotonic()
        outcome = self._attempt(method, path, body, idempotency_key, content_type)
        if outcome.code == "TIMESTAMP_INVALID":
            # Re-sign with the insurer's clock; the same key keeps it one operation.
            outcome = self._attempt(method, path, body, idempotency_key, content_type)
        return _with_duration(outcome, started)

    def _attempt(self, method: str, path: str, body: bytes, key: str | None, content_type: str) -> Outcome:
        headers = signed_headers(
            cons_id=self.cons_id,
            secret=self.secret,
            timestamp=int(self.clock() + self.skew),
            method=method,
            path=path,
            body=body,
        )
        headers["Content-Type"] = content_type
        if key:
            headers["X-Idempotency-Key"] = key
        try:
            answer = self.session.request(
                method, self.base_url + path, data=body or None, headers=headers, timeout=self.timeout
            )
        except requests.Timeout:
            return Outcome(Verdict.RETRY, None, code="TIMEOUT")
        except requests.RequestException:
            return Outcome(Verdict.RETRY, None, code="CONNECTION_ERROR")
        return self._judge(answer)

    def _judge(self, answer: requests.Response) -> Outcome:
        status = answer.status_code
        retry_after = _seconds(answer.headers.get("Retry-After"))
        try:
            envelope = answer.json()
            response, errors = envelope.get("response"), envelope.get("errors") or []
            meta_code = str(envelope["metaData"]["code"])
        except (ValueError, KeyError, TypeError, AttributeError):
            # Not the contract's envelope (a proxy's error page, a cut-off body): try again later.
            return Outcome(Verdict.RETRY, status, code="MALFORMED_RESPONSE", retry_after=retry_after)
        code = str(errors[0].get("code", "")) if errors and isinstance(errors[0], dict) else ""
        if meta_code != str(status):
            return Outcome(Verdict.RETRY, status, code="MALFORMED_RESPONSE", retry_after=retry_after)
        if 200 <= status < 300:
            return Outcome(
                Verdict.OK, status, response=response or {}, replay=answer.headers.get("X-Idempotent-Replay") == "true"
            )
        if status == 401 and code == "TIMESTAMP_INVALID":
            self._learn_skew(answer.headers.get("Date"))
            return Outcome(Verdict.RETRY, status, errors=errors, code=code)
        if status in _RETRY_STATUSES:
            return Outcome(Verdict.RETRY, status, errors=errors, code=code or f"HTTP_{status}", retry_after=retry_after)
        return Outcome(Verdict.PERMANENT, status, response=response, errors=errors, code=code or f"HTTP_{status}")

    def _learn_skew(self, date_header: str | None) -> None:
        if not date_header:
            return
        try:
            server_time = email.utils.parsedate_to_datetime(date_header).timestamp()
        except (TypeError, ValueError):
            return
        self.skew = server_time - self.clock()


def _seconds(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def _with_duration(outcome: Outcome, started: float) -> Outcome:
    return Outcome(**{**outcome.__dict__, "duration_ms": int((time.monotonic() - started) * 1000)})


@cache
def default_client() -> H2HClient:
    """One client per process, so its connections are kept alive between calls."""
    return H2HClient(
        base_url=settings.BPJS_H2H_BASE_URL,
        cons_id=settings.BPJS_H2H_CONS_ID,
        secret=settings.BPJS_H2H_SECRET,
        timeout=settings.BPJS_H2H_TIMEOUT_S,
    )
