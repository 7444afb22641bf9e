"""Request handling without sockets: routing, authentication, idempotency, faults, control API.

``Sandbox.handle`` turns a request into a ``Reply``; the HTTP layer only reads and writes bytes
and honours ``Reply.delay_s`` (latency and held answers).
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import sys
import time
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import Message
from urllib.parse import parse_qs, unquote, urlsplit

from . import operations
from .auth import authentication_error
from .envelope import Refusal, Result, refusal
from .faults import FaultConfig, Faults, fires, parse_fault_config
from .store import IdempotencyRecord, Store

API_PREFIX = "/api/bpu/v1"
CONTROL_PREFIX = "/_sandbox/"
IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9_-]{1,64}")
WRITE_METHODS = frozenset({"POST", "PUT"})
AUTHENTICATION_MESSAGES = {
    "SIGNATURE_INVALID": "Signature tidak valid",
    "TIMESTAMP_INVALID": "Timestamp berbeda lebih dari 300 detik dari jam server",
}

_SEGMENT = r"(?P<{}>[^/]+)"


def _route(pattern: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"\{(\w+)\}", lambda m: _SEGMENT.format(m[1]), pattern))


API_ROUTES: list[tuple[str, re.Pattern[str], operations.Operation]] = [
    ("POST", _route("/peserta"), operations.register_participant),
    ("GET", _route("/peserta/{kpj}"), operations.participant_status),
    ("POST", _route("/iuran"), operations.pay_contribution),
    ("POST", _route("/klaim"), operations.file_claim),
    ("PUT", _route("/klaim/{no_klaim}/dokumen/{jenis}"), operations.upload_document),
    ("GET", _route("/klaim/{no_klaim}"), operations.claim_status),
    ("GET", _route("/rekonsiliasi/iuran"), operations.reconciliation),
]
CONTROL_ADVANCE = _route("/_sandbox/klaim/{no_klaim}/advance")


@dataclass(frozen=True)
class Request:
    method: str
    target: str
    headers: Message
    body: bytes
    peer: str


@dataclass
class Reply:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0


def _reply(result: Result, headers: dict[str, str] | None = None) -> Reply:
    return Reply(result.status, result.encode(), headers or {})


def _match(method: str, path: str) -> tuple[operations.Operation, dict[str, str]] | Result:
    allowed = False
    for route_method, pattern, operation in API_ROUTES:
        if match := pattern.fullmatch(path):
            if route_method == method:
                return operation, {name: unquote(value) for name, value in match.groupdict().items()}
            allowed = True
    if allowed:
        return refusal(405, "METODE_TIDAK_DIIZINKAN", f"Metode {method} tidak diizinkan untuk {path}")
    return refusal(404, "TIDAK_DITEMUKAN", f"Tidak ada layanan di {path}")


def is_loopback(peer: str) -> bool:
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return (mapped or address).is_loopback


class Sandbox:
    def __init__(self, store: Store, *, secrets: Mapping[str, str], hold_s: float) -> None:
        self.store = store
        self.secrets = dict(secrets)
        self.hold_s = hold_s
        self.faults = Faults()

    def handle(self, request: Request) -> Reply:
        try:
            if urlsplit(request.target).path.startswith(CONTROL_PREFIX):
                return self._control(request)
            return self._api(request)
        except Exception:
            # A bug in the sandbox must be loud, but must not look like a dropped connection.
            traceback.print_exc(file=sys.stderr)
            return _reply(refusal(500, "KESALAHAN_INTERNAL", "Kesalahan internal sandbox"))

    def unreadable_body(self, request: Request, result: Result) -> Reply:
        """Answer a request whose body was not read (too large or not length-delimited)."""
        if not urlsplit(request.target).path.startswith(CONTROL_PREFIX):
            self.store.bump("requests")
        return _reply(result)

    # the signed API

    def _api(self, request: Request) -> Reply:
        self.store.bump("requests")
        # One snapshot per request, so a reconfiguration midway cannot mix two fault settings.
        faults = self.faults.config
        reply = self._api_answer(request, faults)
        reply.delay_s += faults.latency_ms / 1000
        return reply

    def _api_answer(self, request: Request, faults: FaultConfig) -> Reply:
        now = time.time()
        split = urlsplit(request.target)
        if not split.path.startswith(API_PREFIX + "/"):
            return _reply(refusal(404, "TIDAK_DITEMUKAN", f"Tidak ada layanan di {split.path}"))
        if faults.down:
            result = refusal(503, "SEDANG_PEMELIHARAAN", "Layanan sedang dalam pemeliharaan")
            return _reply(result, {"Retry-After": "1"})
        retry_after = self.faults.admit()
        if retry_after is not None:
            result = refusal(429, "TERLALU_BANYAK_PERMINTAAN", "Terlalu banyak permintaan")
            return _reply(result, {"Retry-After": str(retry_after)})

        cons_id = request.headers.get("X-Cons-Id", "")
        error = authentication_error(
            secrets=self.secrets,
            cons_id=cons_id,
            timestamp=request.headers.get("X-Timestamp", ""),
            signature=request.headers.get("X-Signature", ""),
            method=request.method,
            target=request.target,
            body=request.body,
            now=now,
        )
        if error is not None:
            return _reply(refusal(401, error, AUTHENTICATION_MESSAGES[error]))

        matched = _match(request.method, split.path[len(API_PREFIX) :])
        if isinstance(matched, Result):
            return _reply(matched)
        operation, params = matched
        key = request.headers.get("X-Idempotency-Key")
        if request.method in WRITE_METHODS and (key is None or not IDEMPOTENCY_KEY.fullmatch(key)):
            message = "X-Idempotency-Key wajib, 1-64 karakter A-Z a-z 0-9 _ -"
            return _reply(refusal(400, "IDEMPOTENCY_KEY_INVALID", message, "X-Idempotency-Key"))

        if fires(faults.error_rate):
            return _reply(refusal(500, "KESALAHAN_INTERNAL", "Kesalahan internal (gangguan simulasi)"))
        call = operations.Call(
            cons_id=cons_id,
            now=now,
            params=params,
            query=parse_qs(split.query),
            body=request.body,
            content_type=request.headers.get("Content-Type", ""),
        )
        if request.method in WRITE_METHODS:
            assert key is not None
            reply = self._write(operation, call, request, key)
        else:
            with self.store.transaction() as tx:
                reply = _reply(operations.run(operation, tx, call))

        # The operation is committed by now: these faults only lose or delay its answer.
        if fires(faults.lost_response_rate):
            return _reply(refusal(502, "BAD_GATEWAY", "Jawaban hilang di jalan (gangguan simulasi)"))
        if fires(faults.timeout_rate):
            reply.delay_s += self.hold_s
        return reply

    def _write(self, operation: operations.Operation, call: operations.Call, request: Request, key: str) -> Reply:
        """Run a POST/PUT once per idempotency key; check, run and record under one lock."""
        body_sha256 = hashlib.sha256(request.body).hexdigest()
        with self.store.transaction() as tx:
            record = tx.idempotency_record(call.cons_id, key)
            if record is not None:
                if not record.is_for(request.method, request.target, body_sha256):
                    message = "X-Idempotency-Key sudah dipakai untuk operasi lain"
                    return _reply(refusal(422, "IDEMPOTENCY_KEY_REUSED", message, "X-Idempotency-Key"))
                tx.bump("replays")
                return Reply(record.status, record.body, {"X-Idempotent-Replay": "true"})
            result = operations.run(operation, tx, call)
            body = result.encode()
            record = IdempotencyRecord(request.method, request.target, body_sha256, result.status, body)
            tx.remember(call.cons_id, key, record, call.now)
        return Reply(result.status, body)

    # the control API

    def _control(self, request: Request) -> Reply:
        if not is_loopback(request.peer):
            return _reply(refusal(403, "HANYA_LOOPBACK", "API kendali sandbox hanya dari loopback"))
        path = urlsplit(request.target).path
        method = request.method
        if path == "/_sandbox/faults" and method == "POST":
            return self._configure_faults(request.body)
        if path == "/_sandbox/reset" and method == "POST":
            self.store.reset()
            self.faults.configure(FaultConfig())
            return _reply(Result(200, self.store.stats(), message="Sandbox dikosongkan"))
        if path == "/_sandbox/stats" and method == "GET":
            return _reply(Result(200, self.store.stats(), message="OK"))
        if (match := CONTROL_ADVANCE.fullmatch(path)) and method == "POST":
            call = operations.Call(
                cons_id="",
                now=time.time(),
                params={"no_klaim": unquote(match["no_klaim"])},
                query={},
                body=request.body,
                content_type="",
            )
            with self.store.transaction() as tx:
                return _reply(operations.run(operations.advance_claim, tx, call))
        return _reply(refusal(404, "TIDAK_DITEMUKAN", f"Tidak ada kendali {method} {path}"))

    def _configure_faults(self, body: bytes) -> Reply:
        try:
            data = operations.json_object(body or b"{}")
        except Refusal as refused:
            return _reply(refused.result)
        config, errors = parse_fault_config(data)
        if config is None:
            return _reply(Result(422, None, errors, "Pengaturan gangguan tidak valid"))
        self.faults.configure(config)
        return _reply(Result(200, config.as_dict(), message="Gangguan diatur"))
