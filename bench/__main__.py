"""`make bench`: how fast SUTASOMA is at a given number of farmers, each figure beside the floor
it cannot beat, printed and written to bench/results.json (one entry per size, so the 20.000 and
the 1.000.000 runs sit side by side).

    make bench                      20.000 farmers in Soppeng, about 10 minutes
    make bench SCALE=1000000        a million over Sulawesi Selatan (the data alone take ~10 minutes)
    BENCH_PARTS=pages,load BENCH_LOAD_S=20 make bench     a quick check of some parts
    BENCH_PARTS=data make bench SCALE=1000000             only make the data, for a later run

- pages: p50/p95 per page and role through gunicorn, beside the same SQL run bare and the fixed cost
  of any signed-in page (bench/pages.py)
- load: Locust, 50 agents and 5 coordinators for 2 minutes (bench/load.py)
- import: rows per second beside COPY of the same rows (bench/import_speed.py)
- gateway: operations per second beside the sandbox's raw signed loop, and an outage's backlog drained
  once the insurer answers again (bench/gateway.py)
- ktp: fields read right from 200 synthetic KTP photos, and seconds per photo (bench/ktp_accuracy.py)
- pdf: the monthly monev PDF beside WeasyPrint alone (bench/monev_pdf.py)

The data (manage.py gen_synthetic) stay between runs in a database per size: sutasoma_bench_20000,
sutasoma_bench_1000000 (BENCH_DATABASE_URL names the stem); the gateway part uses sutasoma_bench_gateway.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.environment import bench_database_url, configure

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"
PARTS = ("gateway", "pages", "load", "import", "pdf", "ktp")


def main() -> None:
    options = _options()
    parts = set(options.parts.split(","))
    if unknown := parts - set(PARTS) - {"data"}:
        raise SystemExit(
            f"unknown parts {', '.join(sorted(unknown))}: choose from data (always made), {', '.join(PARTS)}"
        )
    url = bench_database_url()
    results: dict = {"farmers": options.farmers, "cpus": os.cpu_count(), "started": dt.datetime.now(dt.UTC).isoformat()}
    with tempfile.TemporaryDirectory(prefix="sutasoma-bench-") as tmp:
        os.environ["PRIVATE_MEDIA_ROOT"] = str(Path(tmp) / "media")  # the KTPs the load scenario uploads
        if "gateway" in parts:
            results["gateway"] = _in_own_database("bench.gateway", f"{url}_gateway")
        configure(f"{url}_{options.farmers}", migrate=True)  # one database per size: its data are kept
        results.update(_measure(options.farmers, parts, Path(tmp)))
    results["seconds"] = round(time.time() - dt.datetime.fromisoformat(results["started"]).timestamp())
    if parts == {"data"}:
        print(f"{results['farmers_in_database']} farmers ready in {results['data_s']} s")
        return  # nothing measured: the results of an earlier run stay as they were
    _write(results)
    from bench.report import print_results

    print_results(results)
    print(f"\nWritten to {RESULTS.relative_to(ROOT)}")


def _measure(farmers: int, parts: set[str], tmp: Path) -> dict:
    from bench.data import ensure_farmers
    from bench.monev_pdf import report_times
    from bench.server import gunicorn
    from bench.users import bench_accounts

    started = time.perf_counter()
    results: dict = {"farmers_in_database": ensure_farmers(farmers), "data_s": round(time.perf_counter() - started)}
    accounts = bench_accounts()
    if parts & {"pages", "load"}:
        with gunicorn(tmp / "gunicorn.log") as server:
            if "pages" in parts:
                from bench.pages import measure_pages

                results.update(measure_pages(server.base_url, accounts))
            if "load" in parts:
                from bench.load import run_load

                results["load"] = run_load(server.base_url, accounts, tmp)
            results["gunicorn_worker_rss_mb"] = server.worker_rss_mb()  # after the load: what a worker grew to
            results["gunicorn_problems"] = server.problems()[:20]
    if "import" in parts:
        from bench.import_speed import import_speed

        results["import"] = import_speed()
    if "pdf" in parts:
        results["monev_pdf"] = report_times(accounts["admin"][0].user)
    if "ktp" in parts:
        from bench.ktp_accuracy import measure

        results["ktp"] = measure(200)
    return results


def _in_own_database(module: str, database_url: str) -> dict:
    """A part that empties the farmers of its database runs in a process and database of its own."""
    answer = subprocess.run(
        [sys.executable, "-m", module],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        check=False,
    )
    if answer.returncode:
        raise SystemExit(f"{module} failed:\n{answer.stdout[-2000:]}\n{answer.stderr[-4000:]}")
    return json.loads(answer.stdout.strip().splitlines()[-1])


def _write(results: dict) -> None:
    """One entry per number of farmers; a run of some parts replaces those parts and keeps the rest."""
    everything = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    everything[str(results["farmers"])] = everything.get(str(results["farmers"]), {}) | results
    RESULTS.write_text(json.dumps(everything, indent=2, ensure_ascii=False) + "\n")


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--farmers", type=int, default=int(os.environ.get("BENCH_FARMERS") or 20_000))
    parser.add_argument("--parts", default=os.environ.get("BENCH_PARTS") or ",".join(PARTS), help=",".join(PARTS))
    return parser.parse_args()


if __name__ == "__main__":
    main()
