"""Farmer import speed: rows per second of enrollment.importer on a CSV an agent would upload,
beside COPY of the same rows (farmers, their heirs and the outbox messages), the floor no import
can beat. Called by `make bench` as import_speed(); runnable alone with `python -m bench.import_speed`.

Needs a migrated PostgreSQL database with the Soppeng wilayah loaded (bench/__main__.py does
both). The rows an import or a COPY writes are deleted again after each measurement; the Celery
kicks of the outbox go to the configured broker and find no message by the time they run.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import time
import uuid
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from enrollment.importer import ImportReport

FILE_SIZES = (1000, 5000)
BAD_SHARE = 0.10
BENCH_AGENT = "bench-penyuluh-impor"

FIRST_NAMES = ("ANDI", "BASO", "BECCE", "HASNAH", "SITI", "LA", "I", "MUHAMMAD", "NURHAYATI", "SURIANI", "AHMAD")
LAST_NAMES = ("TANG", "MAPPA", "SIDDIQ", "BADU", "LATIF", "ARIFIN", "RAHMAN", "HALIM", "NONCI", "TAHIR", "SAENONG")


def import_speed(sizes: tuple[int, ...] = FILE_SIZES, bad_share: float = BAD_SHARE) -> dict[str, Any]:
    """Rows per second of valid rows, for each file size, all valid and with `bad_share` bad rows,
    and COPY's rows per second for the same valid rows. The first size is also the headline
    `rows_per_s` / `copy_rows_per_s`."""
    from django.db import connection

    user, villages = _bench_agent()
    runs = []
    for size in sizes:
        for bad in (0.0, bad_share):
            rows = _rows(size, villages, bad_share=bad)
            content = _csv(rows)
            valid = sum(1 for r in rows if r["_valid"])
            seconds, cpu_seconds, report = _timed_import(user, content)
            if len(report.imported) != valid:  # a refused valid row would flatter the rate
                raise SystemExit(f"{size} rows: {valid} valid, but {report.summary}")
            _clear(user)
            copy_seconds = _timed_copy(user, [r for r in rows if r["_valid"]])
            _clear(user)
            runs.append(
                {
                    "rows": size,
                    "bad_share": bad,
                    "valid_rows": valid,
                    "seconds": round(seconds, 3),
                    "rows_per_s": round(valid / seconds, 1),
                    # The import's own CPU (the database's not counted): what a busy machine changes least.
                    "cpu_rows_per_s": round(valid / cpu_seconds, 1),
                    "copy_rows_per_s": round(valid / copy_seconds, 1),
                    "summary": report.summary,
                }
            )
    headline = runs[0]
    return {
        "database": connection.vendor,
        "rows_per_s": headline["rows_per_s"],
        "copy_rows_per_s": headline["copy_rows_per_s"],
        "runs": runs,
    }


def _bench_agent():
    from accounts.models import Agent, Bpp, Role, User
    from wilayah.models import Region

    villages = list(Region.objects.filter(level=Region.Level.DESA, code__startswith="73.12.").order_by("code"))
    user, _ = User.objects.get_or_create(username=BENCH_AGENT, defaults={"role": Role.PENYULUH})
    agent, _ = Agent.objects.get_or_create(
        user=user, defaults={"code": "AG-BENCH-IMPOR", "bpp": Bpp.objects.get(kecamatan=villages[0].parent)}
    )
    agent.villages.set(villages)
    _clear(user)
    return user, villages


def _rows(count: int, villages: list, *, bad_share: float) -> list[dict[str, Any]]:
    """Valid rows (NIK matching birth date, sex and kecamatan), with every 1/bad_share-th row
    broken in one of four ways an agent's list breaks."""
    every = round(1 / bad_share) if bad_share else 0
    rows = []
    for i in range(count):
        village = villages[i % len(villages)]
        birth = dt.date(1966 + i % 38, i % 12 + 1, i % 28 + 1)
        female = i % 2 == 1
        kecamatan = village.parent_id.rsplit(".", 1)[1]
        nik = f"7312{kecamatan}{birth.day + (40 if female else 0):02d}{birth:%m%y}{i // 400 + 1:04d}"
        row = {
            "nik": nik,
            "no_kk": f"7312{kecamatan}0101{i % 90 + 10:02d}0001",
            "nama": f"{FIRST_NAMES[i % len(FIRST_NAMES)]} {LAST_NAMES[i // 7 % len(LAST_NAMES)]}",
            "tempat_lahir": "SOPPENG",
            "tanggal_lahir": birth.isoformat(),
            "jenis_kelamin": "P" if female else "L",
            "alamat": f"DUSUN {i % 5 + 1}",
            "rt": f"{i % 9 + 1:03d}",
            "rw": f"{i % 4 + 1:03d}",
            "kode_desa": village.code,
            "no_hp": f"0812{i:08d}",
            "pekerjaan": "petani",
            "penghasilan": "1500000",
            "nama_ahli_waris": "ANDI BASO",
            "hubungan_ahli_waris": "suami" if female else "istri",
            "_valid": True,
        }
        if every and i % every == every - 1:
            broken = (i // every) % 4
            row.update(
                [
                    {"nik": nik[:-1]},
                    {"kode_desa": "73.11.01.2001"},
                    {"tanggal_lahir": "31-02-1980"},
                    {"nama_ahli_waris": ""},
                ][broken]
            )
            row["_valid"] = False
        rows.append(row)
    return rows


def _csv(rows: list[dict[str, Any]]) -> bytes:
    from enrollment import importer

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(importer.COLUMNS)
    writer.writerows([row.get(c, "") for c in importer.COLUMNS] for row in rows)
    return out.getvalue().encode()


def _timed_import(user, content: bytes) -> tuple[float, float, ImportReport]:
    """The whole upload as the worker does it: reading the file, checking and saving every row.
    Wall-clock and CPU seconds, and the import's report."""
    from enrollment import importer

    started, cpu_started = time.perf_counter(), time.process_time()
    report = importer.import_farmers(user=user, rows=importer.read_rows(io.BytesIO(content), "daftar.csv"))
    return time.perf_counter() - started, time.process_time() - cpu_started, report


def _timed_copy(user, rows: list[dict[str, Any]]) -> float:
    """COPY of what the import writes for the valid rows: farmer, heir and outbox rows."""
    from django.db import connection, transaction
    from django.utils import timezone

    now = timezone.now()
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        with cursor.copy(
            "COPY enrollment_farmer (nik, no_kk, name, birth_place, birth_date, sex, address, rt, rw, village_id, "
            "phone, occupation, farmer_group, income, ktp_image, consent_at, consent_recorded_by_id, agent_id, "
            "registered_by_id, registration_status, insurer_errors, is_demo, created_at, updated_at) FROM STDIN"
        ) as copy:
            for r in rows:
                copy.write_row(
                    (r["nik"], r["no_kk"], r["nama"], r["tempat_lahir"], r["tanggal_lahir"], r["jenis_kelamin"],
                     r["alamat"], r["rt"], r["rw"], r["kode_desa"], r["no_hp"], "PETANI", "", 1_500_000, "", now,
                     user.pk, user.agent.pk, user.pk, "MENUNGGU_KPJ", "[]", False, now, now)
                )  # fmt: skip
        cursor.execute("SELECT nik, id FROM enrollment_farmer WHERE registered_by_id = %s", [user.pk])
        ids = dict(cursor.fetchall())
        with cursor.copy("COPY enrollment_heir (farmer_id, name, relation, nik) FROM STDIN") as copy:
            for r in rows:
                copy.write_row((ids[r["nik"]], r["nama_ahli_waris"], r["hubungan_ahli_waris"].upper(), ""))
        with cursor.copy(
            "COPY bpjs_gateway_outboxmessage (operation, subject_id, idempotency_key, method, path, body, "
            "content_type, state, attempts, next_attempt_at, last_error_code, errors, created_at) FROM STDIN"
        ) as copy:
            for r in rows:
                body = json.dumps({k: v for k, v in r.items() if not k.startswith("_")}, sort_keys=True).encode()
                copy.write_row(
                    ("REGISTER", ids[r["nik"]], f"reg-{uuid.uuid4().hex}", "POST", "/api/peserta", body,
                     "application/json", "PENDING", 0, now, "", "[]", now)
                )  # fmt: skip
    return time.perf_counter() - started


def _clear(user) -> None:
    """The agent's imported farmers gone, and the name checks they made: at a million farmers
    the bench's names meet registered namesakes, and each file would otherwise spend the lookup
    allowance the files before it used (audit/services.py), then refuse the rest of its rows."""
    from audit.models import AccessLog
    from bpjs_gateway.models import OutboxMessage
    from enrollment.models import Farmer, Heir

    AccessLog.objects.filter(user=user).delete()

    farmers = Farmer.objects.filter(registered_by=user)
    OutboxMessage.objects.filter(operation="REGISTER", subject_id__in=farmers.values("pk")).delete()
    Heir.history.filter(farmer_id__in=farmers.values("pk")).delete()
    Farmer.history.filter(registered_by=user).delete()
    farmers.delete()


def main() -> None:
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sutasoma_bench")
    os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/14")
    os.environ["DJANGO_SETTINGS_MODULE"] = "sutasoma.settings_test"
    import django

    django.setup()
    from django.core.management import call_command

    from wilayah.loader import load_wilayah

    call_command("migrate", verbosity=0)
    load_wilayah(regency_codes=["73.12"])
    print(
        f"{'rows':>6} {'bad':>5} {'valid':>6} {'import rows/s':>14} {'CPU rows/s':>11} {'COPY rows/s':>12}  summary",
        flush=True,
    )
    for size in FILE_SIZES:
        for run in import_speed(sizes=(size,))["runs"]:
            print(
                f"{run['rows']:>6} {run['bad_share']:>5.0%} {run['valid_rows']:>6} {run['rows_per_s']:>14.1f} "
                f"{run['cpu_rows_per_s']:>11.1f} {run['copy_rows_per_s']:>12.1f}  {run['summary']}",
                flush=True,
            )


if __name__ == "__main__":
    main()
