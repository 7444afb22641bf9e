"""The sandbox's memory: one SQLite file, one connection, one lock.

Every operation runs as one transaction while holding the lock, so an idempotency check, the
operation and the record of its answer can never interleave with a twin request.
"""

from __future__ import annotations

import json
import random
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS participant (
    kpj TEXT PRIMARY KEY,
    nik TEXT NOT NULL UNIQUE,
    nama TEXT NOT NULL,
    penghasilan INTEGER NOT NULL,
    program TEXT NOT NULL,
    tanggal_daftar TEXT NOT NULL,
    lunas_sampai INTEGER,
    registration TEXT NOT NULL
);
-- Every paid month, because a lapse and a restart leave gaps that lunas_sampai cannot show.
CREATE TABLE IF NOT EXISTS paid_month (
    kpj TEXT NOT NULL,
    month INTEGER NOT NULL,
    no_transaksi TEXT NOT NULL,
    PRIMARY KEY (kpj, month)
);
CREATE TABLE IF NOT EXISTS payment (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    no_transaksi TEXT NOT NULL UNIQUE,
    cons_id TEXT NOT NULL,
    ref_kanal TEXT NOT NULL,
    kpj TEXT NOT NULL,
    nominal INTEGER NOT NULL,
    periode TEXT NOT NULL,
    tanggal_bayar TEXT NOT NULL,
    sumber_dana TEXT NOT NULL,
    booked_on TEXT NOT NULL,
    UNIQUE (cons_id, ref_kanal)
);
CREATE INDEX IF NOT EXISTS payment_booked ON payment (cons_id, booked_on, seq);
CREATE TABLE IF NOT EXISTS claim (
    no_klaim TEXT PRIMARY KEY,
    kpj TEXT NOT NULL,
    jenis TEXT NOT NULL,
    tanggal_kejadian TEXT NOT NULL,
    status TEXT NOT NULL,
    nominal INTEGER,
    alasan TEXT,
    filing TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS claim_document (
    no_klaim TEXT NOT NULL,
    jenis TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    content_type TEXT,
    size INTEGER,
    PRIMARY KEY (no_klaim, jenis)
);
CREATE TABLE IF NOT EXISTS claim_history (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    no_klaim TEXT NOT NULL,
    status TEXT NOT NULL,
    waktu TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS idempotency (
    cons_id TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    body_sha256 TEXT NOT NULL,
    status INTEGER NOT NULL,
    body BLOB NOT NULL,
    created_at REAL NOT NULL,
    PRIMARY KEY (cons_id, idempotency_key)
);
CREATE TABLE IF NOT EXISTS counter (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
"""

TABLES = (
    "participant",
    "paid_month",
    "payment",
    "claim",
    "claim_document",
    "claim_history",
    "idempotency",
    "counter",
)
# documents_received: every document stored; documents_replaced: one stored again for the same
# claim and type; claims_same_incident: a claim filed for a participant, type and date that
# already had one. A client that loses no answers and retries by key keeps the last two at 0.
COUNTERS = (
    "requests",
    "replays",
    "duplicates_refused",
    "documents_received",
    "documents_replaced",
    "claims_same_incident",
)


@dataclass(frozen=True)
class Participant:
    kpj: str
    nik: str
    nama: str
    penghasilan: int
    program: list[str]
    lunas_sampai: int | None


@dataclass(frozen=True)
class Claim:
    no_klaim: str
    kpj: str
    status: str
    nominal: int | None
    alasan: str | None
    riwayat: list[dict[str, str]]


@dataclass(frozen=True)
class IdempotencyRecord:
    method: str
    path: str
    body_sha256: str
    status: int
    body: bytes

    def is_for(self, method: str, path: str, body_sha256: str) -> bool:
        """A key belongs to one operation: the same method, path (with query) and body."""
        return (self.method, self.path, self.body_sha256) == (method, path, body_sha256)


class Tx:
    """Queries and changes, valid only inside ``Store.transaction()``."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def bump(self, counter: str) -> None:
        self._conn.execute(
            "INSERT INTO counter (name, value) VALUES (?, ?)"
            " ON CONFLICT (name) DO UPDATE SET value = value + excluded.value",
            (counter, 1),
        )

    def _exists(self, table: str, column: str, value: str) -> bool:
        return self._conn.execute(f"SELECT 1 FROM {table} WHERE {column} = ?", (value,)).fetchone() is not None

    def _fresh_number(self, table: str, column: str, prefix: str, digits: int) -> str:
        # Random rather than sequential, so that clients cannot come to rely on an order.
        while True:
            number = f"{prefix}{random.randrange(10 ** (digits - 1), 10**digits)}"
            if not self._exists(table, column, number):
                return number

    # participants

    def kpj_for_nik(self, nik: str) -> str | None:
        row = self._conn.execute("SELECT kpj FROM participant WHERE nik = ?", (nik,)).fetchone()
        return row[0] if row else None

    def participant(self, kpj: str) -> Participant | None:
        row = self._conn.execute(
            "SELECT kpj, nik, nama, penghasilan, program, lunas_sampai FROM participant WHERE kpj = ?",
            (kpj,),
        ).fetchone()
        if row is None:
            return None
        return Participant(row[0], row[1], row[2], row[3], json.loads(row[4]), row[5])

    def register(self, registration: dict[str, Any], tanggal_daftar: str) -> str:
        kpj = self._fresh_number("participant", "kpj", "", 11)
        self._conn.execute(
            "INSERT INTO participant (kpj, nik, nama, penghasilan, program, tanggal_daftar, registration)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                kpj,
                registration["nik"],
                registration["nama"],
                registration["penghasilan"],
                json.dumps(registration["program"]),
                tanggal_daftar,
                json.dumps(registration),
            ),
        )
        return kpj

    # payments

    def no_transaksi_for_ref(self, cons_id: str, ref_kanal: str) -> str | None:
        row = self._conn.execute(
            "SELECT no_transaksi FROM payment WHERE cons_id = ? AND ref_kanal = ?", (cons_id, ref_kanal)
        ).fetchone()
        return row[0] if row else None

    def book_payment(
        self,
        *,
        cons_id: str,
        kpj: str,
        ref_kanal: str,
        nominal: int,
        months: Sequence[int],
        periode: list[str],
        tanggal_bayar: str,
        sumber_dana: str,
        booked_on: str,
    ) -> str:
        no_transaksi = self._fresh_number("payment", "no_transaksi", f"TRX{booked_on.replace('-', '')}", 8)
        self._conn.execute(
            "INSERT INTO payment (no_transaksi, cons_id, ref_kanal, kpj, nominal, periode, tanggal_bayar,"
            " sumber_dana, booked_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                no_transaksi,
                cons_id,
                ref_kanal,
                kpj,
                nominal,
                json.dumps(periode),
                tanggal_bayar,
                sumber_dana,
                booked_on,
            ),
        )
        self._conn.executemany(
            "INSERT INTO paid_month (kpj, month, no_transaksi) VALUES (?, ?, ?)",
            [(kpj, month, no_transaksi) for month in months],
        )
        # The period rules only ever extend cover, so the last month bought is the new lunas_sampai.
        self._conn.execute("UPDATE participant SET lunas_sampai = ? WHERE kpj = ?", (months[-1], kpj))
        return no_transaksi

    def is_month_paid(self, kpj: str, month: int) -> bool:
        query = "SELECT 1 FROM paid_month WHERE kpj = ? AND month = ?"
        return self._conn.execute(query, (kpj, month)).fetchone() is not None

    def payments_booked(
        self, cons_id: str, booked_on: str, offset: int, limit: int
    ) -> tuple[int, list[dict[str, Any]]]:
        (total,) = self._conn.execute(
            "SELECT COUNT(*) FROM payment WHERE cons_id = ? AND booked_on = ?", (cons_id, booked_on)
        ).fetchone()
        rows = self._conn.execute(
            "SELECT no_transaksi, ref_kanal, kpj, nominal, periode, tanggal_bayar FROM payment"
            " WHERE cons_id = ? AND booked_on = ? ORDER BY seq LIMIT ? OFFSET ?",
            (cons_id, booked_on, limit, offset),
        ).fetchall()
        data = [
            {
                "no_transaksi": r[0],
                "ref_kanal": r[1],
                "kpj": r[2],
                "nominal": r[3],
                "periode": json.loads(r[4]),
                "tanggal_bayar": r[5],
            }
            for r in rows
        ]
        return total, data

    # claims

    def file_claim(
        self,
        *,
        kpj: str,
        jenis: str,
        tanggal_kejadian: str,
        filing: dict[str, Any],
        documents: dict[str, str],
        status: str,
        waktu: str,
    ) -> str:
        if self._conn.execute(
            "SELECT 1 FROM claim WHERE kpj = ? AND jenis = ? AND tanggal_kejadian = ?", (kpj, jenis, tanggal_kejadian)
        ).fetchone():
            self.bump("claims_same_incident")
        no_klaim = self._fresh_number("claim", "no_klaim", "KLM", 10)
        self._conn.execute(
            "INSERT INTO claim (no_klaim, kpj, jenis, tanggal_kejadian, status, filing) VALUES (?, ?, ?, ?, ?, ?)",
            (no_klaim, kpj, jenis, tanggal_kejadian, status, json.dumps(filing)),
        )
        self._conn.executemany(
            "INSERT INTO claim_document (no_klaim, jenis, sha256) VALUES (?, ?, ?)",
            [(no_klaim, kind, digest) for kind, digest in documents.items()],
        )
        self._append_history(no_klaim, status, waktu)
        return no_klaim

    def _append_history(self, no_klaim: str, status: str, waktu: str) -> None:
        self._conn.execute(
            "INSERT INTO claim_history (no_klaim, status, waktu) VALUES (?, ?, ?)", (no_klaim, status, waktu)
        )

    def claim(self, no_klaim: str) -> Claim | None:
        row = self._conn.execute(
            "SELECT no_klaim, kpj, status, nominal, alasan FROM claim WHERE no_klaim = ?", (no_klaim,)
        ).fetchone()
        if row is None:
            return None
        history = self._conn.execute(
            "SELECT status, waktu FROM claim_history WHERE no_klaim = ? ORDER BY seq", (no_klaim,)
        ).fetchall()
        return Claim(row[0], row[1], row[2], row[3], row[4], [{"status": s, "waktu": w} for s, w in history])

    def advance_claim(self, no_klaim: str, *, status: str, nominal: int | None, alasan: str | None, waktu: str) -> None:
        self._conn.execute(
            "UPDATE claim SET status = ?, nominal = ?, alasan = ? WHERE no_klaim = ?",
            (status, nominal, alasan, no_klaim),
        )
        self._append_history(no_klaim, status, waktu)

    def declared_sha256(self, no_klaim: str, jenis: str) -> str | None:
        row = self._conn.execute(
            "SELECT sha256 FROM claim_document WHERE no_klaim = ? AND jenis = ?", (no_klaim, jenis)
        ).fetchone()
        return row[0] if row else None

    def receive_document(self, no_klaim: str, jenis: str, *, content_type: str, size: int) -> None:
        # Only what was received is kept; the sandbox has no use for the bytes themselves.
        (earlier,) = self._conn.execute(
            "SELECT size FROM claim_document WHERE no_klaim = ? AND jenis = ?", (no_klaim, jenis)
        ).fetchone()
        self.bump("documents_replaced" if earlier is not None else "documents_received")
        self._conn.execute(
            "UPDATE claim_document SET content_type = ?, size = ? WHERE no_klaim = ? AND jenis = ?",
            (content_type, size, no_klaim, jenis),
        )

    # idempotency

    def idempotency_record(self, cons_id: str, key: str) -> IdempotencyRecord | None:
        row = self._conn.execute(
            "SELECT method, path, body_sha256, status, body FROM idempotency WHERE cons_id = ? AND idempotency_key = ?",
            (cons_id, key),
        ).fetchone()
        return IdempotencyRecord(row[0], row[1], row[2], row[3], bytes(row[4])) if row else None

    def remember(self, cons_id: str, key: str, record: IdempotencyRecord, created_at: float) -> None:
        self._conn.execute(
            "INSERT INTO idempotency"
            " (cons_id, idempotency_key, method, path, body_sha256, status, body, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                cons_id,
                key,
                record.method,
                record.path,
                record.body_sha256,
                record.status,
                record.body,
                created_at,
            ),
        )


class Store:
    def __init__(self, path: str) -> None:
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode = WAL")
        # WAL with NORMAL survives a killed process; only a power cut could lose the last commits.
        self._conn.execute("PRAGMA synchronous = NORMAL")
        self._conn.execute("PRAGMA busy_timeout = 5000")
        self._conn.executescript(SCHEMA)

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield Tx(self._conn)
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def bump(self, counter: str) -> None:
        with self.transaction() as tx:
            tx.bump(counter)

    def stats(self) -> dict[str, int]:
        with self._lock:
            stored = {
                name: self._conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
                for name, table in (("peserta", "participant"), ("iuran", "payment"), ("klaim", "claim"))
            }
            counters = dict(self._conn.execute("SELECT name, value FROM counter").fetchall())
        return stored | {name: counters.get(name, 0) for name in COUNTERS}

    def reset(self) -> None:
        with self.transaction():
            for table in TABLES:
                self._conn.execute(f"DELETE FROM {table}")

    def forget_idempotency_before(self, cutoff: float) -> None:
        with self.transaction():
            self._conn.execute("DELETE FROM idempotency WHERE created_at < ?", (cutoff,))

    def close(self) -> None:
        with self._lock:
            self._conn.close()
