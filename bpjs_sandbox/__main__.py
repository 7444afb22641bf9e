"""``python -m bpjs_sandbox``: run the insurer's sandbox until interrupted."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path
from types import FrameType

from .api import Sandbox
from .server import SandboxServer
from .store import Store

SANDBOX_CONS_ID = "SOPPENG01"
SANDBOX_SECRET = "sandbox-secret"
# The contract promises at least 7 days; one more keeps a key alive across a week-long outage.
IDEMPOTENCY_RETENTION_S = 8 * 24 * 3600


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bpjs_sandbox", description=__doc__)
    parser.add_argument("--port", type=int, default=8700, help="0 picks a free port (printed when ready)")
    parser.add_argument("--db", required=True, help="SQLite file that keeps the sandbox's state")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--cons-id", default=os.environ.get("BPJS_H2H_CONS_ID"))
    parser.add_argument("--secret", default=os.environ.get("BPJS_H2H_SECRET"))
    parser.add_argument("--hold-s", type=float, default=30.0, help="how long a 'timeout' fault holds the answer")
    parser.add_argument("--verbose", action="store_true", help="log every request")
    return parser.parse_args(argv)


def _stop(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    cons_id, secret = args.cons_id, args.secret
    if not cons_id:
        cons_id = SANDBOX_CONS_ID
        print(f"warning: no --cons-id or BPJS_H2H_CONS_ID, using the sandbox default {cons_id}", file=sys.stderr)
    if not secret:
        secret = SANDBOX_SECRET
        print("warning: no --secret or BPJS_H2H_SECRET, using the sandbox default secret", file=sys.stderr)

    Path(args.db).parent.mkdir(parents=True, exist_ok=True)
    store = Store(args.db)
    store.forget_idempotency_before(time.time() - IDEMPOTENCY_RETENTION_S)
    server = SandboxServer(
        (args.host, args.port),
        Sandbox(store, secrets={cons_id: secret}, hold_s=args.hold_s),
        verbose=args.verbose,
    )
    host, port = server.server_address[:2]
    shown_host = f"[{host}]" if ":" in host else host
    signal.signal(signal.SIGTERM, _stop)
    print(f"sandbox listening on http://{shown_host}:{port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        store.close()


if __name__ == "__main__":
    main()
