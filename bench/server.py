"""gunicorn on a free loopback port, configured as the Procfile runs it (2 workers × 4 threads), so
that pages are timed through a real server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class Server:
    base_url: str
    process: subprocess.Popen
    log: Path

    def problems(self) -> list[str]:
        """gunicorn's own complaints so far (a worker timed out and was killed, an error)."""
        return [
            line
            for line in self.log.read_text(errors="replace").splitlines()
            if "[CRITICAL]" in line or "[ERROR]" in line
        ]

    def worker_rss_mb(self) -> list[float]:
        """Resident memory of each worker, from /proc (Linux; empty elsewhere)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        if not children.exists():
            return []
        sizes = []
        for pid in children.read_text().split():
            status = Path(f"/proc/{pid}/status").read_text()
            kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
            sizes.append(round(kb / 1024, 1))
        return sizes


@contextmanager
def gunicorn(log: Path, workers: int = 2, threads: int = 4) -> Iterator[Server]:
    """A gunicorn serving the project with this process's environment, until the block ends."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "sutasoma.wsgi", "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}"]
        + ["--workers", str(workers), "--threads", str(threads)],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base_url, process, log)
        yield Server(base_url, process, log)
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_until_up(base_url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn stopped:\n{log.read_text()[-3000:]}")
        try:
            if requests.get(f"{base_url}/masuk/", timeout=30).status_code == 200:
                return
        except requests.RequestException:  # not listening yet, or a worker still importing
            pass
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer within 60 s:\n{log.read_text()[-3000:]}")
