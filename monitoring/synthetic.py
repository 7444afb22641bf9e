"""Synthetic farmers for measuring at province scale (`manage.py gen_synthetic`).

Realistic where the pages and the SQL care (valid NIKs of the farmer's kecamatan, villages of
unequal size, statuses, KPJs, paid months by the contribution rules, heirs, claims with their
timeline) and marked everywhere: every farmer is `is_demo`, registered by a penyuluh whose user is
`sintetis.*` and whose agent code is `SIN-*`, KPJs start with 88, receipts with SIN, NIK serials
are 5001–8999, payers and farmer counts say SINTETIS. No outbox rows: the pages read none for a
registered farmer, and the gateway's measurements want its queue to themselves.

On PostgreSQL the rows go in by COPY with ids chosen here; a large run drops the tables' secondary
indexes, unique and foreign keys first and builds them again once, in the same transaction, so a
failure leaves the schema as it was. On SQLite the same rows go in by executemany.
"""

from __future__ import annotations

import datetime as dt
import json
import queue
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError, QuerySet
from django.utils import timezone

from accounts.models import Agent, Role, User
from bpjs_gateway.models import OutboxMessage
from claims.models import Claim, ClaimDocument, ClaimEvent, ClaimKind, ClaimStatus
from contributions.insurer import MESSAGES as PAYMENT_MESSAGES
from contributions.models import FundSource, Payer, Payment, PaymentStatus, Rate, ReconciliationDifference
from enrollment.demo import COUNT_DATE
from enrollment.insurer import MESSAGES as REGISTRATION_MESSAGES
from enrollment.models import MIN_INCOME, Farmer, Heir, Occupation, RegistrationStatus, Relation
from enrollment.tally import regency_tally_fold
from monitoring import synthetic_words as words
from monitoring.rollup import rollup_paused
from wilayah.loader import load_wilayah
from wilayah.models import Bpp, FarmerCount, Region

USER_PREFIX = "sintetis."
AGENT_PREFIX = "SIN-"
PAYER_MARK = "(SINTETIS)"
COUNT_SOURCE = "DATA SINTETIS — bukan data resmi"
KPJ_PREFIX = "88"
FIRST_SERIAL, LAST_SERIAL = 5001, 8999  # clear of the low serials real cards use and of the demo's 9xxx
YEARS_OF_HISTORY = 3
CHUNK = 50_000  # farmers per round of COPY
BULK_FROM = 50_000  # from this many farmers on, indexes are built once after the load

WITA = dt.timezone(dt.timedelta(hours=8))
STATUS_PATH = [
    ClaimStatus.DILAPORKAN,
    ClaimStatus.DOKUMEN_LENGKAP,
    ClaimStatus.DIAJUKAN,
    ClaimStatus.DITERIMA,
    ClaimStatus.VERIFIKASI,
    ClaimStatus.DISETUJUI,
    ClaimStatus.DIBAYAR,
]
# Where claims end up, by weight: most are paid, some still open, some refused.
CLAIM_ENDS = {
    ClaimStatus.DILAPORKAN: 8,
    ClaimStatus.DOKUMEN_LENGKAP: 4,
    ClaimStatus.DIAJUKAN: 4,
    ClaimStatus.DITERIMA: 4,
    ClaimStatus.VERIFIKASI: 8,
    ClaimStatus.DISETUJUI: 5,
    ClaimStatus.DITOLAK: 10,
    ClaimStatus.DIBAYAR: 57,
}
JKM_BENEFIT = 42_000_000  # santunan kematian, berkala and pemakaman (PP 82/2019)
OCCUPATIONS = [Occupation.PETANI] * 70 + [Occupation.PEKEBUN] * 10 + [Occupation.PETERNAK] * 6
OCCUPATIONS += [Occupation.PEMBUDIDAYA_IKAN] * 4 + [Occupation.NELAYAN] * 4 + [Occupation.BURUH_TANI] * 6
MONTH_CHOICES = [1, 1, 1, 1, 2, 3, 3, 3, 6, 6, 12]
HEIR_RELATIONS = [Relation.ANAK] * 6 + [Relation.IBU, Relation.SAUDARA]
PAYMENT_REFUSAL = json.dumps(
    [{"field": "nominal", "code": "NOMINAL_TIDAK_SESUAI", "pesan": PAYMENT_MESSAGES["NOMINAL_TIDAK_SESUAI"]}]
)
PHONE_PREFIXES = ["11", "12", "13", "21", "22", "23", "51", "52", "53", "77", "78", "81", "82", "95", "96"]


class SyntheticRefused(Exception):
    """The database holds real farmers: generating among them needs an explicit --force."""


@dataclass
class GenerationResult:
    farmers: int = 0
    heirs: int = 0
    payments: int = 0
    claims: int = 0
    claim_events: int = 0
    agents: int = 0
    python_seconds: float = 0.0  # making the rows
    copy_seconds: float = 0.0  # sending them
    seconds: dict[str, float] = field(default_factory=dict)


def real_farmers() -> int:
    return Farmer.objects.filter(is_demo=False).count()


def synthetic_farmers() -> QuerySet[Farmer]:
    return Farmer.objects.filter(is_demo=True, agent__code__startswith=AGENT_PREFIX)


# ----------------------------------------------------------------------------------------------
# Where the farmers live


@dataclass(frozen=True)
class Village:
    code: str
    kecamatan: str
    kecamatan_name: str
    regency: str
    regency_name: str
    is_kelurahan: bool

    @property
    def nik_prefix(self) -> str:
        return self.kecamatan.replace(".", "")


def _villages(wilayah: str) -> list[Village]:
    load_wilayah(regency_codes=None if wilayah == "73" else [wilayah])  # idempotent: adds what is missing
    names = dict(Region.objects.filter(level__in=[1, 2], code__startswith=wilayah[:2]).values_list("code", "name"))
    villages = Region.objects.filter(level=Region.Level.DESA, code__startswith=wilayah + ".").order_by("code")
    result = []
    for code in villages.values_list("code", flat=True):
        kecamatan, regency = code.rsplit(".", 1)[0], code[:5]
        result.append(
            Village(
                code=code,
                kecamatan=kecamatan,
                kecamatan_name=names[kecamatan].upper(),
                regency=regency,
                regency_name=names[regency].upper().removeprefix("KABUPATEN ").removeprefix("KOTA "),
                is_kelurahan=code.rsplit(".", 1)[1].startswith("1"),
            )
        )
    if not result:
        raise ValueError(f"Wilayah {wilayah} tidak punya desa/kelurahan.")
    return result


def _village_sizes(villages: list[Village], total: int, rng: random.Random) -> list[int]:
    """Farmers per village: log-normal, fewer in kelurahan and far fewer in the cities, summing to
    `total` exactly (largest remainders)."""
    regency_factor = {regency: rng.uniform(0.6, 1.6) for regency in sorted({v.regency for v in villages})}
    weights = []
    for village in villages:
        weight = rng.lognormvariate(0, 0.6) * regency_factor[village.regency]
        if village.regency == "73.71":  # Makassar
            weight *= 0.05
        elif village.regency in ("73.72", "73.73"):  # Parepare, Palopo
            weight *= 0.3
        elif village.is_kelurahan:
            weight *= 0.4
        weights.append(weight)
    scale = total / sum(weights)
    exact = [w * scale for w in weights]
    sizes = [int(x) for x in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: (sizes[i] - exact[i], i))
    for i in by_remainder[: total - sum(sizes)]:
        sizes[i] += 1
    return sizes


# ----------------------------------------------------------------------------------------------
# Who registered them


@dataclass(frozen=True)
class Staff:
    agent_by_village: dict[str, tuple[int, int]]  # village code -> (agent id, user id)
    agents_created: int


def _staff(villages: list[Village], rng: random.Random, now: dt.datetime) -> Staff:
    """One synthetic penyuluh for every 2–4 villages of a kecamatan, a koordinator per BPP and a
    Dinas user per regency (for logging in while measuring); the BPPs that are missing."""
    kecamatans = sorted({v.kecamatan for v in villages})
    existing_bpps = set(Bpp.objects.filter(kecamatan_id__in=kecamatans).values_list("kecamatan_id", flat=True))
    names = {v.kecamatan: v.kecamatan_name for v in villages}
    Bpp.objects.bulk_create(
        [Bpp(kecamatan_id=k, name=f"BPP {names[k].title()}") for k in kecamatans if k not in existing_bpps]
    )
    bpps = dict(Bpp.objects.filter(kecamatan_id__in=kecamatans).values_list("kecamatan_id", "id"))
    assigned: dict[str, tuple[int, int]] = {}
    for agent_id, user_id, village in Agent.objects.filter(code__startswith=AGENT_PREFIX).values_list(
        "id", "user_id", "villages"
    ):
        if village:
            assigned[village] = (agent_id, user_id)

    password = make_password(None)  # nobody logs in with a password; tests and benches use force_login
    users, agent_villages = [], []
    by_kecamatan: dict[str, list[Village]] = {}
    for village in villages:
        if village.code not in assigned:
            by_kecamatan.setdefault(village.kecamatan, []).append(village)
    for kecamatan, waiting in by_kecamatan.items():
        plain = kecamatan.replace(".", "")
        taken = Agent.objects.filter(code__startswith=f"{AGENT_PREFIX}{plain}-").count()
        index, number = 0, taken
        while index < len(waiting):
            number += 1
            size = rng.randint(2, 4)
            username = f"{USER_PREFIX}{plain}.{number}"
            users.append(
                User(
                    username=username,
                    password=password,
                    role=Role.PENYULUH,
                    first_name=f"Penyuluh {names[kecamatan].title()} {number}",
                    last_name="(sintetis)",
                    date_joined=now,
                )
            )
            code = f"{AGENT_PREFIX}{plain}-{number:02d}"
            agent_villages.append((username, code, kecamatan, waiting[index : index + size]))
            index += size
    for kecamatan in kecamatans:
        plain = kecamatan.replace(".", "")
        users.append(User(username=f"{USER_PREFIX}koordinator.{plain}", password=password, role=Role.KOORDINATOR,
                          bpp_id=bpps[kecamatan], first_name=f"Koordinator {names[kecamatan].title()}",
                          last_name="(sintetis)", date_joined=now))
    for regency in sorted({v.regency for v in villages}):
        users.append(User(username=f"{USER_PREFIX}dinas.{regency.replace('.', '')}", password=password,
                          role=Role.DINAS, regency_id=regency, first_name="Staf Dinas", last_name="(sintetis)",
                          date_joined=now))
    User.objects.bulk_create(users, ignore_conflicts=True)
    user_ids = dict(User.objects.filter(username__startswith=USER_PREFIX).values_list("username", "id"))
    agents = Agent.objects.bulk_create(
        [Agent(user_id=user_ids[u], code=code, bpp_id=bpps[k]) for u, code, k, _ in agent_villages]
    )
    through = Agent.villages.through
    links = []
    for agent, (_, _, _, served) in zip(agents, agent_villages, strict=True):
        for village in served:
            links.append(through(agent_id=agent.pk, region_id=village.code))
            assigned[village.code] = (agent.pk, agent.user_id)
    through.objects.bulk_create(links)
    return Staff(agent_by_village=assigned, agents_created=len(agents))


# ----------------------------------------------------------------------------------------------
# The rows


class _Ids:
    """Next primary keys, read once: the rows carry their ids, the sequences are moved after."""

    def __init__(self, *models) -> None:
        self.next = {}
        with connection.cursor() as cursor:
            for model in models:
                cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {model._meta.db_table}")
                self.next[model] = cursor.fetchone()[0] + 1

    def take(self, model) -> int:
        value = self.next[model]
        self.next[model] = value + 1
        return value


class _Rates:
    def __init__(self) -> None:
        self.rates = sorted(Rate.objects.values_list("valid_from", "jkk_basis_points", "jkm_amount"))
        if not self.rates:
            raise LookupError("Tabel tarif iuran kosong: jalankan migrate dulu.")

    @property
    def first_day(self) -> dt.date:
        return self.rates[0][0]

    def monthly(self, income: int, day: dt.date) -> int:
        # As contributions.rates.monthly_contribution: JKK in basis points rounded down, plus JKM.
        chosen = self.rates[0]
        for rate in self.rates:
            if rate[0] <= day:
                chosen = rate
        return income * chosen[1] // 10_000 + chosen[2]


FARMER_COLUMNS = (
    "id", "nik", "no_kk", "name", "birth_place", "birth_date", "sex", "address", "rt", "rw", "village_id", "phone",
    "occupation", "farmer_group", "income", "ktp_image", "consent_at", "consent_recorded_by_id", "agent_id",
    "registered_by_id", "registration_status", "kpj", "insurer_errors", "paid_through", "is_demo", "created_at",
    "updated_at", "payment_waiting",
)
HEIR_COLUMNS = ("id", "farmer_id", "name", "relation", "nik")
PAYMENT_COLUMNS = (
    "id", "receipt_no", "farmer_id", "start_month", "months", "end_month", "monthly_amount", "amount",
    "cash_received", "source", "payer_id", "paid_at", "recorded_by_id", "status", "transaction_no", "confirmed_at",
    "insurer_errors", "created_at",
)
CLAIM_COLUMNS = (
    "id", "farmer_id", "village_id", "kind", "incident_date", "place", "description", "reporter_name",
    "reporter_relation", "reporter_phone", "beneficiary_name", "bank_name", "bank_account", "bank_account_holder",
    "status", "status_since", "claim_no", "paid_amount", "insurer_reason", "insurer_errors", "reported_by_id",
    "created_at",
)
EVENT_COLUMNS = ("id", "claim_id", "status", "note", "by_id", "at")


@dataclass
class _Batch:
    """One round's rows, each a line of COPY text (tab-separated, \\N for NULL)."""

    farmers: list[str] = field(default_factory=list)
    heirs: list[str] = field(default_factory=list)
    payments: list[str] = field(default_factory=list)
    claims: list[str] = field(default_factory=list)
    events: list[str] = field(default_factory=list)


NULL = "\\N"
DAY = 1440  # minutes


class _Clock:
    """Time as whole minutes WITA since the first day of the history: integers are what a million
    farmers' payment loops can afford, strings are made once per day and per month."""

    def __init__(self, first_day: dt.date, now: dt.datetime) -> None:
        self.first_day = first_day
        local_now = now.astimezone(WITA)
        self.now = (local_now.date() - first_day).days * DAY + local_now.hour * 60 + local_now.minute
        days = (local_now.date() - first_day).days + 2
        self.dates = [first_day + dt.timedelta(days=i) for i in range(-1, days)]
        self.day_text = [d.isoformat() for d in self.dates]
        self.month_of_day = [d.year * 12 + d.month - 1 for d in self.dates]
        self.month_text: dict[int, str] = {}
        self.month_minute: dict[int, int] = {}

    def date(self, t: int) -> dt.date:
        return self.dates[t // DAY + 1]

    def day(self, t: int) -> str:
        return self.day_text[t // DAY + 1]

    def month(self, t: int) -> int:
        return self.month_of_day[t // DAY + 1]

    def stamp(self, t: int) -> str:
        """The moment in UTC, as COPY reads a timestamptz."""
        utc = t - 8 * 60
        minute = utc % DAY
        return f"{self.day_text[utc // DAY + 1]} {minute // 60:02d}:{minute % 60:02d}:00+00"

    def month_start_text(self, month: int) -> str:
        text = self.month_text.get(month)
        if text is None:
            text = self.month_text[month] = f"{month // 12:04d}-{month % 12 + 1:02d}-01"
        return text

    def minute_of_month(self, month: int) -> int:
        minute = self.month_minute.get(month)
        if minute is None:
            first = dt.date(month // 12, month % 12 + 1, 1)
            minute = self.month_minute[month] = (first - self.first_day).days * DAY
        return minute


class _Maker:
    """Makes one farmer with everything that hangs on it; one random stream, so a seed repeats."""

    def __init__(self, *, rng: random.Random, clock: _Clock, ids: _Ids, staff: Staff, rates: _Rates,
                 payers: dict[str, int], used_niks: set[str]) -> None:
        self.rng, self.r, self.clock, self.ids, self.staff = rng, rng.random, clock, ids, staff
        self.rates = rates
        self.payers = payers
        self.used_niks = used_niks
        self.next_serial: dict[str, int] = {}
        self.today = clock.date(clock.now)
        self.rate_days = [((valid_from - clock.first_day).days * DAY, jkk, jkm) for valid_from, jkk, jkm in rates.rates]

    def pick(self, items: list):
        return items[int(self.r() * len(items))]

    def between(self, low: int, high: int) -> int:
        return low + int(self.r() * (high - low + 1))

    # -- identity -------------------------------------------------------------------------------

    def nik(self, village: Village, birth: dt.date, female: bool) -> str:
        head = f"{village.nik_prefix}{birth.day + (40 if female else 0):02d}{birth.month:02d}{birth.year % 100:02d}"
        serial = self.next_serial.get(head, FIRST_SERIAL)
        while f"{head}{serial:04d}" in self.used_niks:
            serial += 1
        if serial > LAST_SERIAL:
            raise ValueError(f"NIK {head}xxxx: nomor urut sintetis habis.")
        self.next_serial[head] = serial + 1
        return f"{head}{serial:04d}"

    def name(self, female: bool, village: Village, older: bool) -> str:
        r, pick = self.r, self.pick
        if female:
            first, core = pick(words.FEMALE_FIRST), pick(words.FEMALE_NAMES)
            if first == "HJ." and not older:
                first = ""
        else:
            first, core = pick(words.MALE_FIRST), pick(words.MALE_NAMES)
            if first == "H." and not older:
                first = ""
            if village.regency in words.MAKASSAR_REGENCIES and r() < 0.3:
                return f"{core} {pick(words.DAENG)}"
        if r() < 0.45:
            second = pick(words.FEMALE_NAMES if female and r() < 0.5 else words.MALE_NAMES)
            return f"{first} {core} {second}" if first else f"{core} {second}"
        return f"{first} {core}" if first else core

    def phone(self) -> str:
        if self.r() < 0.15:
            return ""
        return f"08{self.pick(PHONE_PREFIXES)}{self.between(10**7, 10**8 - 1)}"

    def address(self, village: Village) -> str:
        """Address, RT and RW, tab-separated."""
        between = self.between
        if village.is_kelurahan and self.r() < 0.6:
            return f"JL. {self.pick(words.STREETS)} NO. {between(1, 120)}\t{between(1, 8):03d}\t{between(1, 5):03d}"
        return f"DUSUN {self.pick(words.DUSUN)}\t{between(1, 6):03d}\t{between(1, 4):03d}"

    def birth_place(self, village: Village) -> str:
        roll = self.r()
        if roll < 0.55:
            return village.kecamatan_name
        if roll < 0.75:
            return village.regency_name
        return self.pick(words.TOWNS)

    # -- one farmer -----------------------------------------------------------------------------

    def farmer(self, batch: _Batch, village: Village, created: int) -> None:
        r, between, clock = self.r, self.between, self.clock
        pk = self.ids.take(Farmer)
        registered_on = clock.date(created)
        female = r() < 0.35
        age = 18 + int(44 * self.rng.betavariate(2.2, 2))
        birth = dt.date(registered_on.year - age, between(1, 12), between(1, 28))
        nik = self.nik(village, birth, female)
        issued = f"{between(1, 28):02d}{between(1, 12):02d}{between(5, 24):02d}"  # the KK's issue date, DDMMYY
        no_kk = f"{village.nik_prefix}{issued}{between(1, 9999):04d}"
        name = self.name(female, village, older=age >= 45)
        agent_id, user_id = self.staff.agent_by_village[village.code]
        roll = r()
        if roll < 0.02:
            status, errors = RegistrationStatus.DITOLAK, self._registration_errors()
        elif roll < 0.04 or (clock.now - created < 14 * DAY and roll < 0.7):
            status, errors = RegistrationStatus.MENUNGGU_KPJ, "[]"
        else:
            status, errors = RegistrationStatus.TERDAFTAR, "[]"
        income = self._income()
        group = "" if r() < 0.15 else f"KT {self.pick(words.GROUP_WORDS)}"
        if group and r() < 0.3:
            group += f" {self.pick(['I', 'II', 'III'])}"
        heirs = self._heirs(batch, pk, female, village, birth)
        paid_through, waiting = None, False
        if status != RegistrationStatus.DITOLAK:
            paid_through, waiting = self._payments(batch, pk, village, income, created, user_id, status)
            if paid_through is not None and r() < 0.012:
                self._claim(batch, pk, village.code, heirs, name, created, paid_through, user_id)
        stamp = clock.stamp(created)
        kpj = f"{KPJ_PREFIX}{pk:09d}" if status == RegistrationStatus.TERDAFTAR else NULL
        through = NULL if paid_through is None else clock.month_start_text(paid_through)
        batch.farmers.append(
            f"{pk}\t{nik}\t{no_kk}\t{name}\t{self.birth_place(village)}\t{birth.isoformat()}\t{'P' if female else 'L'}"
            f"\t{self.address(village)}\t{village.code}\t{self.phone()}\t{self.pick(OCCUPATIONS)}\t{group}\t{income}"
            f"\t\t{stamp}\t{user_id}\t{agent_id}\t{user_id}\t{status}\t{kpj}\t{errors}\t{through}\t1\t{stamp}\t{stamp}"
            f"\t{'t' if waiting else 'f'}"
        )

    def _registration_errors(self) -> str:
        code = self.pick(["NIK_TIDAK_VALID", "NIK_TIDAK_COCOK", "WILAYAH_TIDAK_DIKENAL"])
        field_name = "kode_wilayah" if code == "WILAYAH_TIDAK_DIKENAL" else "nik"
        return json.dumps([{"field": field_name, "code": code, "pesan": REGISTRATION_MESSAGES[code]}])

    def _income(self) -> int:
        roll = self.r()
        if roll < 0.80:
            return MIN_INCOME
        if roll < 0.92:
            return 1_500_000
        if roll < 0.97:
            return 2_000_000
        return self.between(25, 50) * 100_000

    def _heirs(self, batch: _Batch, farmer_id: int, female: bool, village: Village, birth: dt.date) -> list[tuple]:
        """1–3 heirs for most: the spouse first, then children, a mother or a sibling."""
        r, between = self.r, self.between
        made: list[tuple] = []
        if r() < 0.08:
            return made
        count = self.pick([1, 1, 1, 2, 2, 2, 3, 3])
        married = r() < 0.85
        for index in range(count):
            if index == 0 and married:
                relation, heir_female = (Relation.SUAMI, False) if female else (Relation.ISTRI, True)
                heir_birth = birth + dt.timedelta(days=between(-3000, 3000))
            else:
                relation = self.pick(HEIR_RELATIONS)
                heir_female = relation == Relation.IBU or r() < 0.5
                heir_birth = birth + dt.timedelta(days=between(6000, 11000) if relation == Relation.ANAK else 0)
            nik = ""
            if r() < 0.4 and heir_birth < self.today:
                day = heir_birth.day + (40 if heir_female else 0)
                nik = f"{village.nik_prefix}{day:02d}{heir_birth.month:02d}{heir_birth.year % 100:02d}"
                nik += f"{between(1, 4999):04d}"
            pk = self.ids.take(Heir)
            heir_name = self.name(heir_female, village, older=False)
            batch.heirs.append(f"{pk}\t{farmer_id}\t{heir_name}\t{relation}\t{nik}")
            made.append((heir_name, relation))
        return made

    def _payments(self, batch: _Batch, farmer_id: int, village: Village, income: int, created: int,
                  user_id: int, status: str) -> tuple[int | None, bool]:
        """Payments by the rule of contributions.services.next_start_month; returns paid_through
        (a month index), the last month of the confirmed ones, as contributions.insurer sets it,
        and whether one of them waits for the insurer (Farmer.payment_waiting)."""
        r, between, now = self.r, self.between, self.clock.now
        roll = r()
        if status == RegistrationStatus.MENUNGGU_KPJ:
            if roll < 0.5:  # paid at registration, waiting for the KPJ
                self._payment(batch, farmer_id, village, income, created, None, user_id, PaymentStatus.MENUNGGU)
                return None, True
            return None, False
        if roll < 0.10:
            return None, False  # registered, never paid
        lapses_after = between(1, 18) if roll < 0.38 else None
        resumes = r() < 0.2
        paid = created + between(5, 5 * DAY)
        last_end: int | None = None
        paid_through: int | None = None
        waiting = False
        covered = 0
        while paid < now:
            payment_status = PaymentStatus.TERKONFIRMASI
            if now - paid < 3 * DAY and r() < 0.6:
                payment_status = PaymentStatus.MENUNGGU
            elif r() < 0.003:
                # Refused, and taken again a few days later for the same months.
                self._payment(batch, farmer_id, village, income, paid, last_end, user_id, PaymentStatus.DITOLAK)
                paid += between(1, 6) * DAY
                if paid >= now:
                    break
            start, end = self._payment(batch, farmer_id, village, income, paid, last_end, user_id, payment_status)
            last_end = end
            if payment_status == PaymentStatus.TERKONFIRMASI:
                paid_through = end
            waiting = waiting or payment_status == PaymentStatus.MENUNGGU
            covered += end - start + 1
            if lapses_after is not None and covered >= lapses_after:
                if not resumes:
                    break
                resumes = False
                month = end + between(3, 9)
            else:
                # Paid in the last month covered, sometimes in the grace month after it.
                month = end + 1 if r() < 0.15 else end
            candidate = self.clock.minute_of_month(month) + between(0, 27) * DAY + between(8 * 60, 16 * 60)
            paid = max(candidate, paid + between(120, 3 * DAY))
        return paid_through, waiting

    def _payment(self, batch: _Batch, farmer_id: int, village: Village, income: int, paid: int,
                 last_end: int | None, user_id: int, status: str) -> tuple[int, int]:
        r, clock = self.r, self.clock
        this_month = clock.month(paid)
        start = last_end + 1 if last_end is not None and last_end >= this_month - 1 else this_month
        months = self.pick(MONTH_CHOICES)
        end = start + months - 1
        monthly = self._monthly(income, paid)
        amount = monthly * months
        cash = amount if r() < 0.85 else -(-amount // 5_000) * 5_000
        roll = r()
        source, payer = FundSource.MANDIRI, NULL
        if roll < 0.15 and village.code in self.payers:
            source, payer = FundSource.DANA_DESA, self.payers[village.code]
        elif roll < 0.22:
            source, payer = FundSource.PEMDA, self.payers[village.regency]
        pk = self.ids.take(Payment)
        stamp = clock.stamp(paid)
        transaction_no, confirmed_at, errors = "", NULL, "[]"
        if status == PaymentStatus.TERKONFIRMASI:
            transaction_no, confirmed_at = f"SINTRX{pk:012d}", clock.stamp(min(paid + self.between(1, 600), clock.now))
        elif status == PaymentStatus.DITOLAK:
            errors = PAYMENT_REFUSAL
        day = clock.day(paid)
        batch.payments.append(
            f"{pk}\tSIN{day[2:4]}{day[5:7]}-{pk:010d}\t{farmer_id}\t{clock.month_start_text(start)}\t{months}"
            f"\t{clock.month_start_text(end)}\t{monthly}\t{amount}\t{cash}\t{source}\t{payer}\t{stamp}\t{user_id}"
            f"\t{status}\t{transaction_no}\t{confirmed_at}\t{errors}\t{stamp}"
        )
        return start, end

    def _monthly(self, income: int, t: int) -> int:
        # As contributions.rates.monthly_contribution: JKK in basis points rounded down, plus JKM;
        # the rate of the day of payment (before the first rate, the first).
        chosen = self.rate_days[0]
        for rate in self.rate_days:
            if rate[0] <= t:
                chosen = rate
        return income * chosen[1] // 10_000 + chosen[2]

    def _claim(self, batch: _Batch, farmer_id: int, village_code: str, heirs: list[tuple], name: str,
               created: int, paid_through: int, user_id: int) -> None:
        r, between, clock, pick = self.r, self.between, self.clock, self.pick
        kind = ClaimKind.JKM if r() < 0.3 else ClaimKind.JKK
        first_day = created // DAY
        last_day = min(clock.minute_of_month(paid_through + 1) // DAY - 1, clock.now // DAY - 1)
        if last_day < first_day:
            return
        incident = between(first_day, last_day) * DAY
        reported = incident + 9 * 60 + between(0, 20) * DAY + between(0, 480)
        if reported >= clock.now:
            reported = clock.now - between(10, 600)
        end = self.rng.choices(list(CLAIM_ENDS), weights=list(CLAIM_ENDS.values()))[0]
        if end == ClaimStatus.DITOLAK:
            path = [*STATUS_PATH[: STATUS_PATH.index(ClaimStatus.VERIFIKASI) + 1], end]
        else:
            path = STATUS_PATH[: STATUS_PATH.index(end) + 1]
        pk = self.ids.take(Claim)
        at, reached = reported, []
        for step in path:
            if reached:
                at += between(1, 10) * DAY + between(0, 600)
                if at >= clock.now:
                    break
            by = user_id if step in STATUS_PATH[:3] else NULL
            batch.events.append(f"{self.ids.take(ClaimEvent)}\t{pk}\t{step}\t\t{by}\t{clock.stamp(at)}")
            reached.append((step, at))
        status, since = reached[-1]
        dusun = pick(words.DUSUN)
        if kind == ClaimKind.JKM:
            reporter, relation = heirs[0] if heirs else (f"KEPALA DUSUN {dusun}", Relation.LAINNYA)
            place, description = f"DUSUN {dusun}", pick(words.JKM_CAUSES)
            bank = f"{reporter}\t{pick(words.BANKS)}\t{between(10**12, 10**13 - 1)}\t{reporter}"
            paid = JKM_BENEFIT
        else:
            reporter, relation = heirs[0] if heirs else (name, Relation.LAINNYA)
            place, description = pick(words.JKK_PLACES).format(dusun), pick(words.JKK_ACCIDENTS)
            bank = "\t\t\t"
            paid = between(5, 250) * 100_000
        claim_no = f"SINKLM{pk:010d}" if status not in STATUS_PATH[:2] else NULL
        paid_amount = paid if status == ClaimStatus.DIBAYAR else NULL
        reason = pick(words.CLAIM_REFUSALS) if status == ClaimStatus.DITOLAK else ""
        batch.claims.append(
            f"{pk}\t{farmer_id}\t{village_code}\t{kind}\t{clock.day(incident)}\t{place}\t{description}\t{reporter}"
            f"\t{relation}\t{self.phone() or '081200000000'}\t{bank}\t{status}\t{clock.stamp(since)}\t{claim_no}"
            f"\t{paid_amount}\t{reason}\t[]\t{user_id}\t{clock.stamp(reported)}"
        )


# ----------------------------------------------------------------------------------------------
# Writing


class _Writer:
    """COPY on PostgreSQL, from a thread of its own, so the server parses one round while the next
    is being made; executemany elsewhere, from the same lines."""

    def __init__(self) -> None:
        self.postgres = connection.vendor == "postgresql"
        self.queue: queue.Queue = queue.Queue(maxsize=2)
        self.failure: BaseException | None = None
        self.thread: threading.Thread | None = None
        if self.postgres:
            # The thread uses this connection as it is, inside the caller's transaction; the main
            # thread does not touch the database until close() has waited for the last COPY.
            self.raw = connection.connection
            self.thread = threading.Thread(target=self._copy_all, daemon=True)
            self.thread.start()

    def write(self, table: str, columns: tuple[str, ...], lines: list[str]) -> None:
        if not lines:
            return
        names = ", ".join(f'"{c}"' for c in columns)
        if self.postgres:
            if self.failure:
                raise self.failure
            self.queue.put((f"COPY {table} ({names}) FROM STDIN", "\n".join(lines) + "\n"))
            return
        marks = ", ".join(["%s"] * len(columns))
        rows = [tuple(self._sqlite(v) for v in line.split("\t")) for line in lines]
        with connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)

    def close(self) -> None:
        """Wait for the last COPY; raise what failed in the thread."""
        self.stop()
        if self.failure:
            raise self.failure

    def stop(self) -> None:
        if self.thread is not None:
            self.queue.put(None)
            self.thread.join()
            self.thread = None

    def _copy_all(self) -> None:
        while (item := self.queue.get()) is not None:
            if self.failure:
                continue  # drain: the main thread raises at its next write or at close()
            sql, text = item
            try:
                with self.raw.cursor() as cursor, cursor.copy(sql) as copy:
                    copy.write(text)
            except BaseException as exc:  # noqa: BLE001 — handed to the main thread
                self.failure = exc

    @staticmethod
    def _sqlite(value: str) -> str | None:
        if value == NULL:
            return None
        if len(value) == 22 and value.endswith("+00") and value[10] == " ":
            return value[:-3]  # Django keeps SQLite's datetimes as naive UTC text
        return value


TABLES = (
    (Farmer, FARMER_COLUMNS, "farmers"),
    (Heir, HEIR_COLUMNS, "heirs"),
    (Payment, PAYMENT_COLUMNS, "payments"),
    (Claim, CLAIM_COLUMNS, "claims"),
    (ClaimEvent, EVENT_COLUMNS, "events"),
)


class _IndexesDeferred:
    """Drops the secondary indexes, unique and foreign keys of the loaded tables and builds them
    again on exit, from their own definitions (so indexes added later by anyone come back too)."""

    def __init__(self, tables: list[str]) -> None:
        self.tables = tables
        self.constraints: list[tuple[str, str, str]] = []
        self.indexes: list[str] = []

    def __enter__(self) -> _IndexesDeferred:
        with connection.cursor() as cursor:
            # The users, agents and payers just made still hold deferred key checks: run them now,
            # since a table with pending checks cannot be altered.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(
                "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
                "WHERE c.conrelid = ANY(%s::regclass[]) AND c.contype IN ('u', 'f') ORDER BY c.contype DESC, c.conname",
                [self.tables],
            )
            self.constraints = cursor.fetchall()
            cursor.execute(
                "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
                [self.tables],
            )
            found = cursor.fetchall()
            self.indexes = [definition for _, definition in found]
            for table, name, _ in self.constraints:
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            for name, _ in found:
                cursor.execute(f"DROP INDEX {name}")
        return self

    def __exit__(self, exc_type, *_) -> None:
        if exc_type is not None:
            return  # the transaction rolls back, and the drops with it
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            for definition in self.indexes:
                cursor.execute(definition)
            # Unique keys first (their indexes), then foreign keys, each checked in one pass.
            for table, name, definition in self.constraints:
                cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


class _NoDeferral:
    def __enter__(self) -> _NoDeferral:
        return self

    def __exit__(self, *_) -> None:
        return None


def _created_times(count: int, rng: random.Random, clock: _Clock) -> list[int]:
    """Registration times over the history, more of them lately (the programme grows), in
    working hours WITA, sorted: ids follow registration as they do in a real database."""
    days = clock.now // DAY
    times = sorted(int(days * (rng.random() ** 0.7)) * DAY + rng.randint(8 * 60, 16 * 60) for _ in range(count))
    return [min(t, clock.now - 1) for t in times]


def _payers(villages: list[Village], rng: random.Random, dinas_ids: dict[str, int]) -> dict[str, int]:
    """A village fund in about a third of the villages and the regency's own budget: the other
    payers of the programme. Keyed by village code, and by regency code for Pemda."""
    existing = dict(
        Payer.objects.filter(name__endswith=PAYER_MARK).exclude(village=None).values_list("village_id", "id")
    )
    existing |= dict(
        Payer.objects.filter(name__endswith=PAYER_MARK, source=FundSource.PEMDA).values_list("regency_id", "id")
    )
    new = []
    for regency in sorted({v.regency for v in villages}):
        if regency not in existing:
            name = next(v.regency_name for v in villages if v.regency == regency)
            new.append(Payer(source=FundSource.PEMDA, name=f"PEMDA {name} {PAYER_MARK}", regency_id=regency,
                             created_by_id=dinas_ids[regency]))
    taken = set(Payer.objects.filter(source=FundSource.DANA_DESA).values_list("village_id", flat=True))
    for village in villages:
        if village.code not in taken and rng.random() < 0.33:
            new.append(Payer(source=FundSource.DANA_DESA, name=f"DANA DESA {village.code} {PAYER_MARK}",
                             regency_id=village.regency, village_id=village.code,
                             created_by_id=dinas_ids[village.regency]))
    Payer.objects.bulk_create(new)
    payers = Payer.objects.filter(name__endswith=PAYER_MARK)
    result = dict(payers.exclude(village=None).values_list("village_id", "id"))
    result |= dict(payers.filter(source=FundSource.PEMDA).values_list("regency_id", "id"))
    return result


def _farmer_counts(villages: list[Village], sizes: list[int], rng: random.Random) -> None:
    """The base of the 35% targets where a desa has none: registered farmers as a quarter to a
    little over a third of the desa's farmers."""
    counted = set(FarmerCount.objects.filter(village__code__startswith=villages[0].code[:2]).values_list(
        "village_id", flat=True))
    FarmerCount.objects.bulk_create(
        FarmerCount(village_id=v.code, as_of=COUNT_DATE, count=max(20, round(size / rng.uniform(0.25, 0.38))),
                    is_demo=True, source=COUNT_SOURCE)
        for v, size in zip(villages, sizes, strict=True)
        if v.code not in counted
    )


def _reset_sequences(models: Iterable) -> None:
    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            if connection.vendor == "postgresql":
                highest = f"GREATEST((SELECT MAX(id) FROM {table}), 1)"
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {highest})")


def generate(*, petani: int, wilayah: str = "73", seed: int = 1, force: bool = False, bulk_from: int = BULK_FROM,
             progress: Callable[[GenerationResult], None] | None = None) -> GenerationResult:
    """Add `petani` synthetic farmers in `wilayah` ("73" or a regency such as "73.12"); from
    `bulk_from` farmers on, PostgreSQL builds the tables' indexes once after the load."""
    if not force and (real := real_farmers()):
        raise SyntheticRefused(
            f"Basis data ini berisi {real} petani sungguhan (bukan demo/sintetis). Pakai --force bila memang disengaja."
        )
    rng = random.Random(seed)
    now = timezone.now().replace(microsecond=0)
    result = GenerationResult()
    started = time.perf_counter()
    with transaction.atomic():
        villages = _villages(wilayah)
        sizes = _village_sizes(villages, petani, rng)
        staff = _staff(villages, rng, now)
        result.agents = staff.agents_created
        dinas = dict(User.objects.filter(username__startswith=f"{USER_PREFIX}dinas.").values_list("regency_id", "id"))
        payers = _payers(villages, rng, dinas)
        _farmer_counts(villages, sizes, rng)
        rates = _Rates()
        used_niks = set(Farmer.objects.filter(nik__startswith=wilayah.replace(".", "")).values_list("nik", flat=True))
        ids = _Ids(*(model for model, _, _ in TABLES))
        first_day = max(timezone.localdate(now) - dt.timedelta(days=365 * YEARS_OF_HISTORY), rates.first_day)
        clock = _Clock(first_day, now)
        maker = _Maker(rng=rng, clock=clock, ids=ids, staff=staff, rates=rates, payers=payers, used_niks=used_niks)
        where = [v for v, size in zip(villages, sizes, strict=True) for _ in range(size)]
        rng.shuffle(where)
        times = _created_times(petani, rng, clock)
        result.seconds["persiapan"] = time.perf_counter() - started
        writer = _Writer()
        bulk = writer.postgres and petani >= bulk_from
        tables = [model._meta.db_table for model, _, _ in TABLES]
        try:
            # The rollup is counted once after the load, the indexes back.
            paused = rollup_paused() if bulk else _NoDeferral()
            with paused, _IndexesDeferred(tables) if bulk else _NoDeferral():
                for start in range(0, petani, CHUNK):
                    batch = _Batch()
                    made = time.perf_counter()
                    end = start + CHUNK
                    for village, created in zip(where[start:end], times[start:end], strict=True):
                        maker.farmer(batch, village, created)
                    written = time.perf_counter()
                    for model, columns, attr in TABLES:
                        writer.write(model._meta.db_table, columns, getattr(batch, attr))
                    result.python_seconds += written - made
                    result.copy_seconds += time.perf_counter() - written  # waiting for the COPY thread
                    result.farmers += len(batch.farmers)
                    result.heirs += len(batch.heirs)
                    result.payments += len(batch.payments)
                    result.claims += len(batch.claims)
                    result.claim_events += len(batch.events)
                    if progress:
                        progress(result)
                writer.close()
                result.seconds["baris"] = time.perf_counter() - started - result.seconds["persiapan"]
        finally:
            writer.stop()  # on a failure, before the rollback: the thread uses the same connection
        result.seconds["indeks"] = time.perf_counter() - started - sum(result.seconds.values())
        _reset_sequences(model for model, _, _ in TABLES)
        # Each round's COPY appended its changes per regency: summed now, as the beat would within a minute.
        regency_tally_fold()
    if writer.postgres:
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"ANALYZE {table}")
    result.seconds["total"] = time.perf_counter() - started
    return result


# ----------------------------------------------------------------------------------------------
# Removing


def delete_synthetic() -> Counter:
    """Everything this module made, and what the app made since on synthetic rows (outbox
    messages, history, claim documents). Synthetic users that are referenced elsewhere stay."""
    farmers = f"SELECT f.id FROM {Farmer._meta.db_table} f JOIN {Agent._meta.db_table} a ON a.id = f.agent_id " \
        f"WHERE f.is_demo AND a.code LIKE '{AGENT_PREFIX}%%'"
    payments = f"SELECT id FROM {Payment._meta.db_table} WHERE farmer_id IN ({farmers})"
    claims = f"SELECT id FROM {Claim._meta.db_table} WHERE farmer_id IN ({farmers})"
    steps = [
        ("outbox", f"DELETE FROM {OutboxMessage._meta.db_table} WHERE (operation IN ('REGISTER') AND subject_id IN "
                   f"({farmers})) OR (operation = 'PAY' AND subject_id IN ({payments}))"),
        ("selisih", f"UPDATE {ReconciliationDifference._meta.db_table} SET payment_id = NULL "
                    f"WHERE payment_id IN ({payments})"),
        ("riwayat klaim", f"DELETE FROM {ClaimEvent._meta.db_table} WHERE claim_id IN ({claims})"),
        ("dokumen klaim", f"DELETE FROM {ClaimDocument._meta.db_table} WHERE claim_id IN ({claims})"),
        ("klaim", f"DELETE FROM {Claim._meta.db_table} WHERE farmer_id IN ({farmers})"),
        ("riwayat iuran", f"DELETE FROM {Payment.history.model._meta.db_table} WHERE farmer_id IN ({farmers})"),
        ("iuran", f"DELETE FROM {Payment._meta.db_table} WHERE farmer_id IN ({farmers})"),
        ("riwayat ahli waris", f"DELETE FROM {Heir.history.model._meta.db_table} WHERE farmer_id IN ({farmers})"),
        ("ahli waris", f"DELETE FROM {Heir._meta.db_table} WHERE farmer_id IN ({farmers})"),
        ("riwayat petani", f"DELETE FROM {Farmer.history.model._meta.db_table} WHERE id IN ({farmers})"),
        ("petani", f"DELETE FROM {Farmer._meta.db_table} WHERE id IN ({farmers})"),
    ]
    counts: Counter = Counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for label, sql in steps:
            cursor.execute(sql)
            counts[label] = cursor.rowcount
        counts["pembayar"] = _delete_unreferenced(Payer.objects.filter(name__endswith=PAYER_MARK))
        counts["jumlah petani desa"] = FarmerCount.objects.filter(source=COUNT_SOURCE).delete()[0]
        agents = Agent.objects.filter(code__startswith=AGENT_PREFIX, farmers=None)
        Agent.villages.through.objects.filter(agent__in=agents).delete()
        counts["penyuluh"] = _delete_unreferenced(agents)
        counts["pengguna"] = _delete_unreferenced(User.objects.filter(username__startswith=USER_PREFIX, agent=None))
    return counts


def _delete_unreferenced(rows: QuerySet) -> int:
    """Delete the rows nothing protects; one by one only when something does (a log, a deposit)."""
    try:
        with transaction.atomic():
            return rows.filter().delete()[1].get(rows.model._meta.label, 0)
    except (ProtectedError, IntegrityError):
        deleted = 0
        for row in rows:
            try:
                with transaction.atomic():
                    row.delete()
                deleted += 1
            except (ProtectedError, IntegrityError):
                continue
        return deleted
