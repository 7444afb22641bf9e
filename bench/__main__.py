"""`make bench`: gateway throughput against the sandbox, next to the sandbox's raw capacity; and
the monthly district PDF next to WeasyPrint's time for the same HTML.

Raw capacity is a bare signed-request loop (threads with keep-alive sessions, no database);
gateway throughput is registrations drained from the outbox by real Celery workers on Redis
with PostgreSQL, with 1 and 4 worker processes. The ratio is the figure that matters. The report
is the monev PDF of the regency with BENCH_PARTICIPANTS (20.000) farmers, most of them paid.
"""

from __future__ import annotations

import datetime as dt
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
PARTICIPANTS = int(os.environ.get("BENCH_PARTICIPANTS", "20000"))


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


def gateway_throughput(base_url: str, processes: int, tmp: Path) -> float:
    from django.db import connection

    from bpjs_gateway.models import OutboxMessage, OutboxState
    from bpjs_gateway.tasks import send_outbox_message_task

    requests.post(f"{base_url}/_sandbox/reset", timeout=10)
    ids = _queue_registrations(COUNT + 1)
    db = connection.settings_dict
    env = {
        **os.environ,
        "BPJS_H2H_BASE_URL": base_url,
        "BPJS_H2H_CONS_ID": CONS_ID,
        "BPJS_H2H_SECRET": SECRET,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    }
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
        for pk in ids[1:]:
            send_outbox_message_task.delay(pk)
        _wait(lambda: OutboxMessage.objects.filter(state=OutboxState.DONE).count() == len(ids))
        return COUNT / (time.perf_counter() - started)
    finally:
        worker.terminate()
        worker.wait(timeout=30)


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


def _seed_participants(count: int) -> None:
    """`count` registered farmers over Soppeng's villages, four in five paid this month: written in
    bulk, since the bench measures the report, not the registration."""
    from django.db import connection
    from django.utils import timezone

    from accounts.models import User
    from contributions.models import Payment, PaymentStatus
    from enrollment.models import Farmer
    from sutasoma.months import month_start
    from wilayah.models import Region

    _clear_farmers()
    user, _ = User.objects.get_or_create(username="bench")
    villages = list(Region.objects.filter(level=Region.Level.DESA, code__startswith="73.12."))
    now, month = timezone.now(), month_start(timezone.localdate())
    for start in range(0, count, 2000):
        farmers = Farmer.objects.bulk_create(
            Farmer(
                nik=f"73129{i:011d}",
                no_kk="7312040101900001",
                name=f"PETANI {i}",
                birth_place="SOPPENG",
                birth_date=dt.date(1970 + i % 30, i % 12 + 1, i % 28 + 1),
                sex="LP"[i % 2],
                address="DUSUN 1",
                village=villages[i % len(villages)],
                consent_at=now,
                consent_recorded_by=user,
                registered_by=user,
                registration_status="TERDAFTAR",
                kpj=f"9{i:010d}",
                paid_through=month,
            )
            for i in range(start, min(start + 2000, count))
        )
        Payment.objects.bulk_create(
            Payment(
                receipt_no=f"BENCH-{f.pk}",
                farmer=f,
                start_month=month,
                end_month=month,
                months=1,
                monthly_amount=16_800,
                amount=16_800,
                cash_received=16_800,
                paid_at=now,
                recorded_by=user,
                status=PaymentStatus.TERKONFIRMASI,
            )
            for f in farmers
            if f.pk % 5
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as autovacuum would soon after a bulk load: plans from real counts


def report_times() -> tuple[float, float]:
    """Seconds for the monev PDF of the regency, and for WeasyPrint alone on the HTML it rendered."""
    from django.utils import timezone

    import monitoring.reports.pdf as pdf
    from accounts.models import Role, User
    from monitoring.reports import render_report

    admin, _ = User.objects.get_or_create(username="bench-admin", defaults={"role": Role.ADMIN})
    rendered: list[str] = []
    weasyprint_html = pdf.HTML

    def keep(*, string: str):
        rendered.append(string)
        return weasyprint_html(string=string)

    pdf.HTML = keep
    month = timezone.localdate().replace(day=1)
    try:
        render_report("monev", user=admin, month=month, area="73.12")  # warms fonts and caches, as a server would
        started = time.perf_counter()
        render_report("monev", user=admin, month=month, area="73.12")
        whole = time.perf_counter() - started
    finally:
        pdf.HTML = weasyprint_html
    started = time.perf_counter()
    weasyprint_html(string=rendered[0]).write_pdf()
    return whole, time.perf_counter() - started


def _prepare_database() -> None:
    import psycopg

    name = os.environ["DATABASE_URL"].rsplit("/", 1)[1]
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sutasoma_bench")
    os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/14")
    os.environ["DJANGO_SETTINGS_MODULE"] = "sutasoma.settings_test"
    _prepare_database()
    import django

    django.setup()
    from django.core.management import call_command

    from wilayah.loader import load_wilayah

    call_command("migrate", verbosity=0)
    load_wilayah(regency_codes=["73.12"])
    import redis

    redis.Redis.from_url(os.environ["CELERY_BROKER_URL"]).flushdb()
    with tempfile.TemporaryDirectory() as tmp:
        sandbox, base_url = start_sandbox(Path(tmp) / "sandbox.sqlite3")
        try:
            rows = []
            for n in (1, 4):
                raw = raw_capacity(base_url, n)
                gateway = gateway_throughput(base_url, n, Path(tmp))
                rows.append((n, raw, gateway))
        finally:
            sandbox.terminate()
    print(f"\nGateway throughput, {COUNT} registrations each (POST /peserta, no faults), {os.cpu_count()} CPUs")
    print(f"{'processes':>9} {'raw sandbox op/s':>17} {'gateway op/s':>13} {'ratio':>6}")
    for n, raw, gateway in rows:
        print(f"{n:>9} {raw:>17.1f} {gateway:>13.1f} {gateway / raw:>6.2f}")
    _seed_participants(PARTICIPANTS)
    whole, weasyprint_alone = report_times()
    print(f"\nMonthly monev PDF of the regency, {PARTICIPANTS} participants")
    print(f"{'report (SQL + HTML + PDF) s':>28} {'WeasyPrint alone, same HTML s':>30} {'ratio':>6}")
    print(f"{whole:>28.2f} {weasyprint_alone:>30.2f} {whole / weasyprint_alone:>6.2f}")


if __name__ == "__main__":
    main()
