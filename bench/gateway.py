"""Gateway throughput against the sandbox, next to the sandbox's raw capacity.

Raw capacity is a bare signed-request loop (threads with keep-alive sessions, no database);
gateway throughput is a backlog of registrations handed over as the app hands over an import's or
the sweep's (bpjs_gateway/tasks.py:hand_over) and drained from the outbox by real Celery workers
on Redis with PostgreSQL, with 1 and 4 worker processes. The ratio is the figure that matters.

It empties the farmers of the database it runs on, so `make bench` runs it in a database of its
own (`python -m bench.gateway`, which prints its numbers as JSON).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
CONS_ID, SECRET = "BENCH01", "bench-secret-not-real"
COUNT = int(os.environ.get("BENCH_COUNT", "300"))


def start_sandbox(db: Path) -> tuple[subprocess.Popen, str]:
    log = db.with_suffix(".log")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bpjs_sandbox",
            "--port",
            "0",
            "--db",
            str(db),
            "--cons-id",
            CONS_ID,
            "--secret",
            SECRET,
        ],
        cwd=ROOT,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    for _ in range(300):
        if match := re.search(r"listening on (http://\S+)", log.read_text()):
            return process, match[1]
        time.sleep(0.05)
    raise SystemExit(f"sandbox did not start: {log.read_text()}")


def body(serial: int) -> dict:
    birth = dt.date(1970 + serial % 30, serial % 12 + 1, serial % 28 + 1)
    return {
        "nik": f"731204{birth:%d%m%y}{serial % 9999 + 1:04d}",
        "no_kk": "7312040101900001",
        "nama": f"PETANI {serial}",
        "tempat_lahir": "SOPPENG",
        "tanggal_lahir": birth.isoformat(),
        "jenis_kelamin": "L",
        "alamat": "DUSUN 1",
        "kode_wilayah": "7312042009",
        "no_hp": "",
        "pekerjaan": "PETANI",
        "penghasilan": 1_000_000,
        "program": ["JKK", "JKM"],
        "kode_agen": "AG7312-0401",
        "ahli_waris": [],
    }


def raw_capacity(base_url: str, threads: int) -> float:
    from bpjs_gateway.queue import encode
    from bpjs_gateway.signing import signed_headers

    path = "/api/bpu/v1/peserta"
    per_thread = COUNT // threads
    offset = int(time.time()) % 1000 * 10  # fresh NIK serials for every run on the same sandbox

    def loop(index: int) -> None:
        session = requests.Session()
        for i in range(per_thread):
            payload = encode(body(offset + index * per_thread + i + 1))
            headers = signed_headers(
                cons_id=CONS_ID, secret=SECRET, timestamp=int(time.time()), method="POST", path=path, body=payload
            )
            headers |= {"Content-Type": "application/json", "X-Idempotency-Key": uuid.uuid4().hex}
            answer = session.post(base_url + path, data=payload, headers=headers, timeout=10)
            assert answer.status_code in (201, 409), answer.text

    started = time.perf_counter()
    workers = [threading.Thread(target=loop, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return per_thread * threads / (time.perf_counter() - started)


def _worker_env(base_url: str, **settings: str) -> dict[str, str]:
    """The environment of the bench's Celery processes: this database, the sandbox, and `settings`."""
    from django.db import connection

    db = connection.settings_dict
    return {
        **os.environ,
        "BPJS_H2H_BASE_URL": base_url,
        "BPJS_H2H_CONS_ID": CONS_ID,
        "BPJS_H2H_SECRET": SECRET,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        **settings,
    }


def gateway_throughput(base_url: str, processes: int, tmp: Path) -> float:

    from bpjs_gateway.models import OutboxMessage, OutboxState
    from bpjs_gateway.tasks import hand_over, send_outbox_message_task

    requests.post(f"{base_url}/_sandbox/reset", timeout=10)
    ids = _queue_registrations(COUNT + 1)
    env = _worker_env(base_url)
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "sutasoma",
            "worker",
            "-c",
            str(processes),
            "--loglevel",
            "WARNING",
            "-n",
            f"bench{processes}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=(tmp / f"worker{processes}.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        send_outbox_message_task.delay(ids[0])  # warm-up: workers up and connected before the clock starts
        _wait(lambda: OutboxMessage.objects.filter(pk=ids[0], state=OutboxState.DONE).exists())
        started = time.perf_counter()
        hand_over(ids[1:])
        _wait(lambda: OutboxMessage.objects.filter(state=OutboxState.DONE).count() == len(ids))
        return COUNT / (time.perf_counter() - started)
    finally:
        worker.terminate()
        worker.wait(timeout=30)


# How long an outage's backlog takes to go once the insurer answers again: BENCH_COUNT registrations
# are queued while the sandbox is down; a worker and beat with the settings' own probe and sweep
# periods try them, and each waits out a back-off of 150–300 s (as every row does after an outage of
# a few minutes, at the 300 s cap). Then the sandbox comes back, and the clock runs until every row
# is DONE: without the probe (bpjs_gateway/health.py) that is the back-off's end.
def outage_drain_seconds(base_url: str, processes: int, tmp: Path) -> tuple[float, float]:
    """(seconds from the insurer's return to the last row DONE, seconds the back-off had left)."""
    from django.db.models import Max
    from django.utils import timezone

    from bpjs_gateway.models import OutboxMessage, OutboxState
    from bpjs_gateway.tasks import send_outbox_message_task

    requests.post(f"{base_url}/_sandbox/faults", json={"down": True}, timeout=10)
    ids = _queue_registrations(int(os.environ.get("BENCH_COUNT", "300")))
    env = _worker_env(base_url, BPJS_OUTBOX_BACKOFF_BASE_S="300", BPJS_OUTBOX_BACKOFF_CAP_S="300")
    common = ["--loglevel", "WARNING"]
    started = [
        subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "sutasoma", *args, *common],
            cwd=ROOT,
            env=env,
            stdout=(tmp / f"outage-{name}.log").open("wb"),
            stderr=subprocess.STDOUT,
        )
        for name, args in [
            ("worker", ["worker", "-c", str(processes), "-n", f"outage{processes}@%h", "--without-gossip"]),
            ("beat", ["beat", "--schedule", str(tmp / "outage-beat-schedule")]),
        ]
    ]
    try:
        for pk in ids:
            send_outbox_message_task.delay(pk)
        waiting = OutboxMessage.objects.filter(state=OutboxState.PENDING, attempts__gte=1)
        _wait(lambda: waiting.count() == len(ids))
        requests.post(f"{base_url}/_sandbox/faults", json={}, timeout=10)
        back = time.perf_counter()
        back_off_left = (waiting.aggregate(last=Max("next_attempt_at"))["last"] - timezone.now()).total_seconds()
        _wait(lambda: OutboxMessage.objects.filter(state=OutboxState.DONE).count() == len(ids))
        return time.perf_counter() - back, back_off_left
    finally:
        for process in started:
            process.terminate()
        for process in started:
            process.wait(timeout=30)


def _wait(condition, timeout_s: float = 600) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit("the outbox did not drain in time")
        time.sleep(0.05)


def _queue_registrations(count: int) -> list[int]:
    from django.utils import timezone

    from accounts.models import User
    from bpjs_gateway.models import OutboxMessage
    from bpjs_gateway.queue import encode
    from enrollment.insurer import REGISTER
    from enrollment.models import Farmer
    from wilayah.models import Region

    _clear_farmers()
    OutboxMessage.objects.all().delete()
    user, _ = User.objects.get_or_create(username="bench")
    village = Region.objects.get(code="73.12.04.2009")
    now = timezone.now()
    farmers = Farmer.objects.bulk_create(
        Farmer(
            nik=b["nik"],
            no_kk=b["no_kk"],
            name=b["nama"],
            birth_place="SOPPENG",
            birth_date=dt.date.fromisoformat(b["tanggal_lahir"]),
            sex="L",
            address="DUSUN 1",
            village=village,
            consent_at=now,
            consent_recorded_by=user,
            registered_by=user,
        )
        for b in (body(i + 1) for i in range(count))
    )
    messages = OutboxMessage.objects.bulk_create(
        OutboxMessage(
            operation=REGISTER,
            path="/api/bpu/v1/peserta",
            subject_id=f.pk,
            next_attempt_at=now,
            idempotency_key=f"bench-{uuid.uuid4().hex}",
            body=encode(body(i + 1)),
        )
        for i, f in enumerate(farmers)
    )
    return [m.pk for m in messages]


def _clear_farmers() -> None:
    """What an earlier run left: payments first, since they protect their farmers."""
    from contributions.models import Payment
    from enrollment.models import Farmer

    Payment.objects.all().delete()
    Farmer.objects.all().delete()


def measure() -> dict:
    """{processes: {raw_op_s, gateway_op_s, ratio}} for 1 and 4 Celery worker processes."""
    import redis

    from wilayah.loader import load_wilayah

    load_wilayah(regency_codes=["73.12"])
    redis.Redis.from_url(os.environ["CELERY_BROKER_URL"]).flushdb()
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        sandbox, base_url = start_sandbox(Path(tmp) / "sandbox.sqlite3")
        try:
            for n in (1, 4):
                raw = raw_capacity(base_url, n)
                gateway = gateway_throughput(base_url, n, Path(tmp))
                rows[str(n)] = {
                    "raw_op_s": round(raw, 1),
                    "gateway_op_s": round(gateway, 1),
                    "ratio": round(gateway / raw, 2),
                }
            drain, back_off_left = outage_drain_seconds(base_url, 4, Path(tmp))
        finally:
            sandbox.terminate()
    outage = {"drain_s": round(drain, 1), "back_off_left_s": round(back_off_left, 1), "processes": 4}
    return {"registrations": COUNT, "by_processes": rows, "after_outage": outage}


if __name__ == "__main__":
    from bench.environment import configure

    configure(os.environ["DATABASE_URL"], migrate=True)
    print(json.dumps(measure()))
