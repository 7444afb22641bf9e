"""Real Celery worker and beat processes on Redis, pointed at the test database and a sandbox."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import redis
from django.conf import settings
from django.db import connection

REPO_ROOT = Path(__file__).resolve().parents[2]


def worker_env(sandbox, **extra: str) -> dict[str, str]:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sutasoma.settings_test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "BPJS_H2H_BASE_URL": sandbox.base_url,
        "BPJS_H2H_CONS_ID": sandbox.cons_id,
        "BPJS_H2H_SECRET": sandbox.secret,
        "BPJS_H2H_TIMEOUT_S": "1",
        "BPJS_OUTBOX_SWEEP_GRACE_S": "2",
        "BPJS_OUTBOX_SWEEP_EVERY_S": "1",
        "BPJS_OUTBOX_BACKOFF_BASE_S": "0.2",
        "BPJS_OUTBOX_BACKOFF_CAP_S": "2",
    }
    env.update(extra)
    return env


def purge_broker() -> None:
    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()


class Processes:
    """Worker and beat processes of one test, all stopped at its end."""

    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.env, self.log_dir, self.started = env, log_dir, []

    def _start(self, name: str, args: list[str]) -> subprocess.Popen:
        log = (self.log_dir / f"{name}.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "sutasoma", *args],
            cwd=REPO_ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.started.append(process)
        return process

    def worker(self, name: str, concurrency: int = 4) -> subprocess.Popen:
        return self._start(
            name,
            [
                "worker",
                "-n",
                f"{name}@%h",
                "-c",
                str(concurrency),
                "--loglevel",
                "WARNING",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
        )

    def beat(self) -> subprocess.Popen:
        return self._start(
            "beat", ["beat", "--loglevel", "WARNING", "--schedule", str(self.log_dir / "celerybeat-schedule")]
        )

    @staticmethod
    def kill(process: subprocess.Popen) -> None:
        """SIGKILL the whole process group: a worker dying mid-request, children and all."""
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in self.started:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in self.log_dir.glob("*.log"))
