"""The insurer's sandbox as a real process, and a signed client written apart from the gateway's.

``sandbox`` (session) starts ``python -m bpjs_sandbox`` once per test process;
``clean_sandbox`` empties it for one test. The client signs on its own, following the
specification (docs/insurer-contract.md), so that the sandbox is checked against the contract
rather than against itself.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import requests

REPO_ROOT = Path(__file__).resolve().parents[1]
API_PREFIX = "/api/bpu/v1"
CONS_ID = "TESTCONS01"
SECRET = "test-secret-not-real"
START_TIMEOUT_S = 15
WITA = timezone(timedelta(hours=8))
_LISTENING = re.compile(r"sandbox listening on (http://\S+)")


class SandboxProcess:
    """One running sandbox; ``base_url`` has no API prefix."""

    def __init__(self, db_path: Path, *, extra_args: list[str] | None = None, env: dict[str, str] | None = None):
        self.cons_id = CONS_ID
        self.secret = SECRET
        self.db_path = db_path
        self.log_path = db_path.with_suffix(".log")
        args = extra_args if extra_args is not None else ["--cons-id", CONS_ID, "--secret", SECRET]
        command = [sys.executable, "-m", "bpjs_sandbox", "--port", "0", "--db", str(db_path)]
        command += ["--hold-s", "3", *args]
        # A file, not a pipe: nobody reads a pipe after start-up, and a full one would stall the server.
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(command, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT, env=env)
        self.base_url = self._wait_until_listening()

    def _wait_until_listening(self) -> str:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if match := _LISTENING.search(self.log()):
                return match[1]
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"the sandbox did not start:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def _control(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        response = requests.request(method, f"{self.base_url}/_sandbox/{path}", json=body, timeout=10)
        response.raise_for_status()
        return response.json()["response"]

    def reset(self) -> None:
        self._control("POST", "reset")

    def faults(self, **config: Any) -> dict[str, Any]:
        return self._control("POST", "faults", config)

    def stats(self) -> dict[str, int]:
        return self._control("GET", "stats")

    def advance(self, no_klaim: str, **body: Any) -> dict[str, Any]:
        return self._control("POST", f"klaim/{no_klaim}/advance", body)


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    process = SandboxProcess(tmp_path_factory.mktemp("bpjs-sandbox") / "sandbox.sqlite3")
    yield process
    process.stop()


@pytest.fixture
def clean_sandbox(sandbox: SandboxProcess) -> Iterator[SandboxProcess]:
    sandbox.reset()
    yield sandbox
    sandbox.faults()


@pytest.fixture
def spawn_sandbox(tmp_path: Path) -> Iterator[Callable[..., SandboxProcess]]:
    """Start extra sandboxes (own db unless given), stopped at the end of the test."""
    started: list[SandboxProcess] = []

    def spawn(db_path: Path | None = None, **kwargs: Any) -> SandboxProcess:
        process = SandboxProcess(db_path or tmp_path / f"sandbox-{len(started)}.sqlite3", **kwargs)
        started.append(process)
        return process

    yield spawn
    for process in started:
        process.stop()


class SignedClient:
    """Signs as the contract says:

    base64(HMAC-SHA256(secret, cons_id & timestamp & METHOD & path_with_query & sha256_hex(body))).
    """

    def __init__(self, base_url: str, cons_id: str, secret: str) -> None:
        self.base_url = base_url
        self.cons_id = cons_id
        self.secret = secret
        self.session = requests.Session()

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        data: bytes | None = None,
        key: str | None = None,
        headers: dict[str, str] | None = None,
        params: dict[str, Any] | None = None,
        timestamp: int | None = None,
        secret: str | None = None,
        timeout: float = 10,
    ) -> requests.Response:
        prepared = self.session.prepare_request(
            requests.Request(method, self.base_url + API_PREFIX + path, json=json, data=data, params=params)
        )
        body = prepared.body or b""
        body = body.encode() if isinstance(body, str) else body
        stamp = str(timestamp if timestamp is not None else int(time.time()))
        message = "&".join([self.cons_id, stamp, method, prepared.path_url, hashlib.sha256(body).hexdigest()])
        digest = hmac.new((secret or self.secret).encode(), message.encode(), hashlib.sha256).digest()
        signature = base64.b64encode(digest).decode()
        prepared.headers.update({"X-Cons-Id": self.cons_id, "X-Timestamp": stamp, "X-Signature": signature})
        if key is not None:
            prepared.headers["X-Idempotency-Key"] = key
        prepared.headers.update(headers or {})
        return self.session.send(prepared, timeout=timeout)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, body: Any, *, key: str | None = None, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, json=body, key=key or new_key(), **kwargs)

    def put(self, path: str, data: bytes, *, key: str | None = None, **kwargs: Any) -> requests.Response:
        return self.request("PUT", path, data=data, key=key or new_key(), **kwargs)


_keys = itertools.count(1)
_serials = itertools.count(1)


def new_key() -> str:
    return f"test-{time.time_ns()}-{next(_keys)}"


def wita_now() -> datetime:
    return datetime.now(WITA)


def wita_today() -> date:
    return wita_now().date()


def month_text(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def previous_month(day: date) -> date:
    """The 15th of the month before ``day``: always 15-47 days back, inside the 62-day window."""
    return (day.replace(day=1) - timedelta(days=1)).replace(day=15)


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def nik_for(birth: date, jenis_kelamin: str, *, region: str = "731201", serial: int | None = None) -> str:
    day = birth.day + (40 if jenis_kelamin == "P" else 0)
    number = serial if serial is not None else next(_serials)
    return f"{region}{day:02d}{birth.month:02d}{birth.year % 100:02d}{number:04d}"


def farmer(**overrides: Any) -> dict[str, Any]:
    """A valid registration: a woman of 36 from Soppeng with a unique NIK, unless overridden."""
    birth = overrides.pop("birth", years_before(wita_today(), 36))
    sex = overrides.get("jenis_kelamin", "P")
    data = {
        "nik": nik_for(birth, sex),
        "no_kk": "7312010101900001",
        "nama": "HASNAH",
        "tempat_lahir": "SOPPENG",
        "tanggal_lahir": birth.isoformat(),
        "jenis_kelamin": sex,
        "alamat": "JL. POROS WATANSOPPENG RT 001 RW 002",
        "kode_wilayah": "7312011001",
        "no_hp": "081234567890",
        "pekerjaan": "PETANI",
        "penghasilan": 1_000_000,
        "program": ["JKK", "JKM"],
        "kode_agen": "AG7312-0042",
        "ahli_waris": [{"nama": "ANDI BASO", "hubungan": "SUAMI", "nik": None}],
    }
    return data | overrides


@pytest.fixture
def peserta_body() -> Callable[..., dict[str, Any]]:
    return farmer


@pytest.fixture
def api(clean_sandbox: SandboxProcess) -> SignedClient:
    return SignedClient(clean_sandbox.base_url, clean_sandbox.cons_id, clean_sandbox.secret)


@pytest.fixture
def make_client(clean_sandbox: SandboxProcess) -> Callable[[], SignedClient]:
    """Fresh clients, for threads: a requests session is not meant to be shared between them."""
    return lambda: SignedClient(clean_sandbox.base_url, clean_sandbox.cons_id, clean_sandbox.secret)


@pytest.fixture
def signed_client() -> Callable[..., SignedClient]:
    """A client for any sandbox, by default with the credentials it was started with."""

    def signed_client(sandbox: SandboxProcess, cons_id: str | None = None, secret: str | None = None):
        return SignedClient(sandbox.base_url, cons_id or sandbox.cons_id, secret or sandbox.secret)

    return signed_client


@pytest.fixture
def register(api: SignedClient) -> Callable[..., str]:
    """Register a farmer (``farmer()`` overrides as keywords) and return the KPJ."""

    def register(**overrides: Any) -> str:
        response = api.post("/peserta", farmer(**overrides))
        assert response.status_code == 201, response.text
        return response.json()["response"]["kpj"]

    return register


@pytest.fixture
def pay(api: SignedClient) -> Callable[..., requests.Response]:
    """Pay for a registered farmer at Rp 16.800 a month; by default one month, paid now."""

    def pay(kpj: str, *, paid_at: datetime | None = None, jumlah_bulan: int = 1, **overrides: Any):
        paid_at = paid_at or wita_now()
        body = {
            "kpj": kpj,
            "bulan_mulai": month_text(paid_at.date()),
            "jumlah_bulan": jumlah_bulan,
            "nominal": 16_800 * jumlah_bulan,
            "tanggal_bayar": paid_at.isoformat(timespec="seconds"),
            "ref_kanal": f"PAY-{new_key()}",
            "sumber_dana": "MANDIRI",
        }
        return api.post("/iuran", body | overrides)

    return pay


@pytest.fixture
def h2h(clean_sandbox: SandboxProcess):
    """The gateway's own client, pointed at a clean sandbox."""
    from bpjs_gateway.client import H2HClient

    return H2HClient(
        base_url=clean_sandbox.base_url, cons_id=clean_sandbox.cons_id, secret=clean_sandbox.secret, timeout=2
    )
