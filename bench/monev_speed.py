"""The monev dashboard, the trends page and the monthly monev report per role, beside their SQL
run bare: `DATABASE_URL=… python -m bench.monev_speed [--live] [--runs 10]` against a database
that gen_synthetic filled. --live counts from the farmers and payments (as SQLite does) instead
of the rollup, for the figures before it. Wall time, this process's CPU time, and the floor:
every query the page ran, run again bare on the same connection."""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sutasoma.settings_test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from monitoring import rollup  # noqa: E402
from monitoring.reports import render_report  # noqa: E402


class Recorder:
    """Every query a request runs, to run them again bare."""

    def __init__(self) -> None:
        self.queries: list[tuple[str, object]] = []

    def __call__(self, execute, sql, params, many, context):
        self.queries.append((sql, params))
        return execute(sql, params, many, context)


def floor(queries: list[tuple[str, object]]) -> float:
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for sql, params in queries:
            if sql.lstrip().upper().startswith(("SELECT", "WITH")):
                cursor.execute(sql, params)
                cursor.fetchall()
    return time.perf_counter() - started


def measure(name: str, run, runs: int, only: str = "") -> None:
    if only not in name:
        return
    run()  # warm: templates, plans, caches
    walls, cpus, floors, counts = [], [], [], []
    for _ in range(runs):
        recorder = Recorder()
        wall, cpu = time.perf_counter(), time.process_time()
        with connection.execute_wrapper(recorder):
            run()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
        floors.append(floor(recorder.queries))
        counts.append(len(recorder.queries))

    def ms(values: list[float], q: float) -> float:
        return (
            1000 * statistics.quantiles(values, n=20)[18]
            if q == 0.95 and len(values) > 1
            else 1000 * statistics.median(values)
        )

    p50, p95, sql50 = ms(walls, 0.5), ms(walls, 0.95), ms(floors, 0.5)
    print(
        f"{name:48} p50 {p50:8.1f} ms  p95 {p95:8.1f} ms  cpu {ms(cpus, 0.5):7.1f} ms"
        f"  sql floor {sql50:7.1f} ms  ratio {p50 / sql50:4.2f}  queries {counts[0]}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--live", action="store_true")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--only", default="", help="only the cases whose name contains this")
    args = parser.parse_args()
    if args.live:
        rollup.kept = lambda: False
    admin, _ = User.objects.get_or_create(username="bench.admin", defaults={"role": Role.ADMIN})
    users = {
        "admin": admin,
        "dinas": User.objects.get(username="sintetis.dinas.7312"),
        "koordinator": User.objects.get(username="sintetis.koordinator.731204"),
    }
    agent = User.objects.get(username="sintetis.731204.1").agent
    desa = agent.villages.order_by("code").first().code
    pages = [
        ("admin", "/monev/", {}),
        ("dinas", "/monev/", {}),
        ("koordinator", "/monev/", {}),
        ("dinas", "/monev/", {"kecamatan": "73.12.04"}),
        ("koordinator", "/monev/", {"kecamatan": "73.12.04"}),
        ("dinas", "/monev/", {"desa": desa}),
        ("dinas", "/monev/", {"agen": agent.code}),
        ("admin", "/monev/tren/", {}),
        ("dinas", "/monev/tren/", {}),
        ("koordinator", "/monev/tren/", {}),
        ("dinas", "/monev/tren/", {"desa": desa}),
        ("dinas", "/monev/tren/", {"agen": agent.code}),
    ]
    clients = {}
    for role, user in users.items():
        clients[role] = Client()
        clients[role].force_login(user)
    for role, url, params in pages:

        def page(role=role, url=url, params=params) -> None:
            response = clients[role].get(url, params)
            assert response.status_code == 200, (url, params, response.status_code)

        measure(f"{role} {url} {' '.join(params.values())}", page, args.runs, args.only)
    month = timezone.localdate()
    for role, area in (("dinas", ""), ("koordinator", ""), ("admin", "73.12")):

        def report(role=role, area=area) -> None:
            render_report("monev", user=users[role], month=month, area=area, fmt="xlsx")

        measure(f"{role} laporan monev xlsx {area}", report, max(3, args.runs // 3), args.only)


if __name__ == "__main__":
    main()
