"""How long an outage's backlog takes to go once the insurer answers again.

BENCH_COUNT registrations are queued while the sandbox is down; a Celery worker and beat with the
settings' own probe and sweep periods try them, and each waits out a back-off of 150–300 s (as
every row does after an outage of a few minutes, at the 300 s cap). Then the sandbox comes back,
and the clock runs until every row is DONE: without the probe that is the back-off's end.
For `make bench` to run beside gateway_throughput (bench/__main__.py), with its sandbox and helpers.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import requests


def outage_drain_seconds(base_url: str, processes: int, tmp: Path) -> tuple[float, float]:
    """(seconds from the insurer's return to the last row DONE, seconds the back-off had left)."""
    from django.db import connection
    from django.db.models import Max
    from django.utils import timezone

    from bench.__main__ import CONS_ID, ROOT, SECRET, _queue_registrations, _wait
    from bpjs_gateway.models import OutboxMessage, OutboxState
    from bpjs_gateway.tasks import send_outbox_message_task

    requests.post(f"{base_url}/_sandbox/faults", json={"down": True}, timeout=10)
    ids = _queue_registrations(int(os.environ.get("BENCH_COUNT", "300")))
    db = connection.settings_dict
    env = {
        **os.environ,
        "BPJS_H2H_BASE_URL": base_url,
        "BPJS_H2H_CONS_ID": CONS_ID,
        "BPJS_H2H_SECRET": SECRET,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "BPJS_OUTBOX_BACKOFF_BASE_S": "300",
        "BPJS_OUTBOX_BACKOFF_CAP_S": "300",
    }
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
