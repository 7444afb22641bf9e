"""The load scenario: Locust, headless, against the bench's gunicorn for BENCH_LOAD_S seconds
(120 unless set): 50 agents who search, register and pay, 5 coordinators on the dashboard
(bench/locustfile.py). Locust runs as its own process, so its gevent patching never touches
Django's, and is stopped by its own --run-time with a hard timeout behind it. At the end each
user may finish the request it is waiting for (--stop-timeout 60): one cut off would count as an
error of the server when it is only the end of the run."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

from django.db.models import Q

from bench.pages import NAME_QUERY
from bench.users import Account
from enrollment.models import Farmer, RegistrationStatus
from enrollment.selectors import farmers_for

ROOT = Path(__file__).resolve().parent.parent
DURATION_S = int(os.environ.get("BENCH_LOAD_S", "120"))
PAYABLE_PER_AGENT = 20


def run_load(base_url: str, accounts: dict[str, list[Account]], tmp: Path) -> dict:
    plan = tmp / "load-plan.json"
    plan.write_text(
        json.dumps(
            {
                "agents": [_agent_plan(a) for a in accounts["penyuluh"]],
                "coordinators": [{"cookies": a.cookies()} for a in accounts["koordinator"]],
            }
        )
    )
    users = len(accounts["penyuluh"]) + len(accounts["koordinator"])
    prefix = tmp / "locust"
    subprocess.run(
        [sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"), "--headless"]
        + ["--users", str(users), "--spawn-rate", str(users), "--run-time", f"{DURATION_S}s", "--stop-timeout", "60"]
        + ["--host", base_url, "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING"],
        cwd=ROOT,
        env={**os.environ, "BENCH_LOAD_PLAN": str(plan)},
        timeout=DURATION_S + 120,
        check=False,  # Locust exits 1 when a request failed; the failures are reported below
    )
    return {"users": users, "duration_s": DURATION_S, **_read_stats(prefix)}


def _agent_plan(account: Account) -> dict:
    """What an agent knows of their own area: farmers to pay and to look up, their villages."""
    mine = farmers_for(account.user)
    payable = mine.filter(anonymised_at__isnull=True).exclude(registration_status=RegistrationStatus.DITOLAK)
    # An agent whose villages hold no farmer yet (a tiny data set) looks up someone else's: finds nothing.
    known = mine.filter(~Q(kpj=None)).order_by("pk").first() or Farmer.objects.order_by("pk").first()
    villages = list(account.user.agent.villages.values_list("code", flat=True))
    return {
        "cookies": account.cookies(),
        "villages": villages,
        "farmers": list(payable.order_by("pk").values_list("pk", flat=True)[:PAYABLE_PER_AGENT]),
        "nik": known.nik,
        "kpj": known.kpj or known.nik[:11],
        "nik_prefix": villages[0].replace(".", "")[:6],
        "name_query": NAME_QUERY,
    }


def _read_stats(prefix: Path) -> dict:
    rows = _csv(f"{prefix}_stats.csv")
    by_request = {
        row["Name"]: {
            "requests": int(row["Request Count"]),
            "failures": int(row["Failure Count"]),
            "p50_ms": float(row["50%"]),
            "p95_ms": float(row["95%"]),
        }
        for row in rows
        if row["Name"] != "Aggregated"
    }
    total = next(row for row in rows if row["Name"] == "Aggregated")
    failures = [f"{r['Name']}: {r['Error']} ×{r['Occurrences']}" for r in _csv(f"{prefix}_failures.csv")]
    return {
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "requests_per_s": round(float(total["Requests/s"]), 1),
        "p50_ms": float(total["50%"]),
        "p95_ms": float(total["95%"]),
        "by_request": by_request,
        "failure_reasons": failures[:10],
    }


def _csv(path: str) -> list[dict[str, str]]:
    with open(path, newline="") as stats:
        return list(csv.DictReader(stats))
