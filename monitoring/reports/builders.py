"""The data of each report, aggregated by the database and scoped to the user.

The monev report reads the dashboard (monitoring.monev.dashboard_for) and its trends
(monitoring.trends) rather than counting again, so the PDF and the page can never disagree; the
claims recap is claims.selectors.claim_totals, the agents' cash contributions.cash.agent_cash.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import DateField, QuerySet, Sum
from django.db.models.functions import TruncMonth

from accounts.models import Agent, User
from accounts.scope import region_filter
from claims.selectors import claim_totals, claims_for
from contributions.cash import CASH_HOLD_DAYS, agent_cash, agents_for
from contributions.models import FundSource, Payment, PaymentStatus
from enrollment.cover import CoverStatus, cover_status
from enrollment.selectors import farmers_for
from monitoring.area import Area
from monitoring.models import Level
from monitoring.monev import Figures, dashboard_for, month_bounds, total
from monitoring.reports.document import Cell, Column, Kind, Table
from monitoring.trends import TREND_MONTHS, Chart, trend_charts, trend_for
from sutasoma.formatting import bulan, masked_nik, tanggal
from sutasoma.months import add_months
from wilayah.models import Region

Progress = Callable[[int], None]
# Farmers read per round trip for the participant list; progress is reported after each.
CHUNK = 2_000


@dataclass(frozen=True)
class Scope:
    """Where a report looks, already checked against the user's scope (monitoring.reports.scope_for)."""

    user: User
    place: Area
    month: dt.date
    today: dt.date

    @property
    def area(self) -> Area:
        return self.place

    @property
    def region(self) -> Region:
        return self.place.village or self.place.kecamatan or self.place.regency

    @property
    def end(self) -> dt.datetime:
        return month_bounds(self.month)[1]


@dataclass(frozen=True)
class Content:
    tables: list[Table]
    charts: list[Chart] = field(default_factory=list)  # the monev report's only
    notes: tuple[str, ...] = ()


# --- monev -------------------------------------------------------------------------------------

FIGURE_COLUMNS = [
    Column("Petani", Kind.COUNT, 9),
    Column("Target", Kind.COUNT, 9),
    Column("Terdaftar", Kind.COUNT, 10),
    Column("Aktif", Kind.COUNT, 8),
    Column("Masa tenggang", Kind.COUNT, 10),
    Column("Tidak aktif", Kind.COUNT, 9),
    Column("Capaian (%)", Kind.PERCENT, 10),
    Column("Pendaftaran baru", Kind.COUNT, 11),
    Column("Iuran terkumpul", Kind.MONEY, 15),
    Column("Klaim dilaporkan", Kind.COUNT, 10),
    Column("Klaim dibayar", Kind.COUNT, 10),
    Column("Nilai klaim dibayar", Kind.MONEY, 15),
]


def _figure_cells(figures: Figures) -> list[Cell]:
    return [
        figures.farmers,
        figures.target,
        figures.registered,
        figures.active,
        figures.grace,
        figures.lapsed,
        figures.achievement,
        figures.new_registrations,
        figures.collected,
        figures.claims_filed,
        figures.claims_paid,
        figures.claims_paid_amount,
    ]


def _figure_table(title: str, first: str, rows: list[tuple[str, Figures]], *, totals: Figures | None) -> Table:
    return Table(
        title=title,
        columns=[Column(first, Kind.TEXT, 28), *FIGURE_COLUMNS],
        rows=[[name, *_figure_cells(figures)] for name, figures in rows],
        totals=["Jumlah", *_figure_cells(totals)] if totals else None,
    )


def monev(scope: Scope, progress: Progress) -> Content:
    board = dashboard_for(scope.user, scope.place, month=scope.month, today=scope.today)
    progress(40)
    tables = []
    if board.headline is not None:
        tables.append(
            _figure_table("Ringkasan", "Wilayah", [(board.headline.name, board.headline.figures)], totals=None)
        )
        sources = board.headline.figures.sources
        tables.append(
            Table(
                title=f"Iuran terkumpul menurut sumber dana, {bulan(scope.month)}",
                columns=[
                    Column("Sumber dana", Kind.TEXT, 28),
                    Column("Nominal", Kind.MONEY, 16),
                    Column("Bulan iuran", Kind.COUNT),
                ],
                rows=[[label, source.amount, source.months] for label, source in sources],
                totals=["Jumlah", board.headline.figures.collected, board.headline.figures.collected_months],
            )
        )
    for section in board.sections:
        if section.level == Level.KECAMATAN and len(section.rows) > 1:
            ranked = sorted(section.rows, key=lambda row: (row.figures.rank is None, row.figures.rank or 0, row.key))
            tables.append(
                Table(
                    title="Peringkat kecamatan/BPP menurut capaian",
                    columns=[
                        Column("Peringkat", Kind.COUNT, 10),
                        Column("Kecamatan/BPP", Kind.TEXT, 28),
                        Column("Target", Kind.COUNT),
                        Column("Peserta aktif", Kind.COUNT),
                        Column("Capaian (%)", Kind.PERCENT),
                    ],
                    rows=[
                        [
                            row.figures.rank,
                            row.name,
                            row.figures.target,
                            row.figures.participants,
                            row.figures.achievement,
                        ]
                        for row in ranked
                    ],
                )
            )
        first = {Level.KECAMATAN: "Kecamatan/BPP", Level.DESA: "Desa/kelurahan", Level.AGENT: "Penyuluh"}[section.level]
        rows = [(row.name, row.figures) for row in section.rows]
        # Penyuluh may share a desa: their rows do not add up to the area's figures.
        sums = total(section.rows) if section.rows and section.level != Level.AGENT else None
        tables.append(_figure_table(section.title, first, rows, totals=sums))
    points = trend_for(scope.user, area=scope.area, month=scope.month)
    progress(70)
    tables.append(
        Table(
            title=f"Tren {TREND_MONTHS} bulan",
            columns=[
                Column("Bulan", Kind.MONTH),
                Column("Peserta aktif", Kind.COUNT),
                Column("Masa tenggang", Kind.COUNT),
                Column("Target", Kind.COUNT),
                Column("Capaian (%)", Kind.PERCENT),
                Column("Iuran terkumpul", Kind.MONEY, 16),
            ],
            rows=[
                [
                    p.month,
                    p.active,
                    p.grace,
                    p.target,
                    None if p.achievement is None else Decimal(p.achievement).quantize(Decimal("0.1")),
                    p.collected,
                ]
                for p in points
            ],
        )
    )
    notes = ()
    if board.frozen_at:
        notes = (f"Angka yang dibekukan pada {tanggal(board.frozen_at)} untuk rapat monev.",)
    return Content(tables=tables, charts=trend_charts(points), notes=notes)


# --- peserta -----------------------------------------------------------------------------------


def peserta(scope: Scope, progress: Progress) -> Content:
    """Every farmer of the area recorded by the month's end, by desa and name; cover as of today,
    the only day `lunas sampai` is known for."""
    farmers = (
        farmers_for(scope.user)
        .filter(scope.area.farmers_q(), created_at__lt=scope.end)
        .order_by("village__code", "name", "pk")
    )
    villages = {
        v.code: str(v) for v in Region.objects.filter(code__startswith=scope.region.prefix, level=Region.Level.DESA)
    }
    if scope.place.village:
        villages[scope.place.village.code] = str(scope.place.village)
    fields = ("name", "nik", "kpj", "village_id", "registration_status", "paid_through")
    count = farmers.count()
    rows: list[list[Cell]] = []
    by_status = dict.fromkeys(CoverStatus, 0)
    for name, nik, kpj, village, registration, paid_through in farmers.values_list(*fields).iterator(chunk_size=CHUNK):
        status = cover_status(registration_status=registration, paid_through=paid_through, today=scope.today)
        by_status[status] += 1
        rows.append([name, masked_nik(nik), kpj or "", villages.get(village, village), status.label, paid_through])
        if len(rows) % CHUNK == 0:
            progress(10 + 50 * len(rows) // max(count, 1))
    return Content(
        tables=[
            Table(
                title="Jumlah peserta menurut status",
                columns=[Column("Status", Kind.TEXT, 24), Column("Jumlah", Kind.COUNT)],
                rows=[[status.label, n] for status, n in by_status.items()],
                totals=["Jumlah", len(rows)],
            ),
            Table(
                title="Daftar peserta",
                columns=[
                    Column("Nama", Kind.TEXT, 30),
                    Column("NIK", Kind.TEXT, 18),
                    Column("KPJ", Kind.TEXT, 13),
                    Column("Desa/kelurahan", Kind.TEXT, 24),
                    Column("Status", Kind.TEXT, 18),
                    Column("Lunas sampai", Kind.MONTH, 14),
                ],
                rows=rows,
            ),
        ],
        notes=(f"Status dan lunas sampai menurut data pada {tanggal(scope.today)}.",),
    )


# --- iuran -------------------------------------------------------------------------------------


def _agents(scope: Scope) -> QuerySet[Agent]:
    agents = agents_for(scope.user)
    if scope.place.village:
        return agents.filter(villages=scope.place.village)
    if scope.place.kecamatan:
        return agents.filter(bpp__kecamatan=scope.place.kecamatan)
    return agents.filter(bpp__kecamatan__parent=scope.place.regency)


def iuran(scope: Scope, progress: Progress) -> Content:
    """Payments received (not refused by BPJS) in the TREND_MONTHS months ending with the report's,
    by month and source; each agent's collections in the month and the cash they hold today."""
    first = add_months(scope.month, 1 - TREND_MONTHS)
    month = TruncMonth("paid_at", output_field=DateField(), tzinfo=ZoneInfo(settings.TIME_ZONE))
    grouped = (
        Payment.objects.filter(
            region_filter(scope.user, "farmer__village__code"),
            scope.area.farmers_q("farmer__"),
            paid_at__gte=month_bounds(first)[0],
            paid_at__lt=scope.end,
        )
        .exclude(status=PaymentStatus.DITOLAK)
        .order_by()
        .annotate(month=month)
        .values("month", "source")
        .annotate(amount=Sum("amount"), months=Sum("months"))
    )
    cells = {(row["month"], row["source"]): row for row in grouped}
    months = [add_months(first, i) for i in range(TREND_MONTHS)]

    def month_row(m: dt.date) -> list[Cell]:
        amounts = [cells.get((m, source), {}).get("amount", 0) for source in FundSource.values]
        return [m, *amounts, sum(amounts), sum(cells.get((m, s), {}).get("months", 0) for s in FundSource.values)]

    by_month = [month_row(m) for m in months]
    progress(40)

    start, end = month_bounds(scope.month)
    month_amounts = dict(
        Payment.objects.filter(recorded_by__agent__in=_agents(scope), paid_at__gte=start, paid_at__lt=end)
        .exclude(status=PaymentStatus.DITOLAK)
        .order_by()
        .values_list("recorded_by__agent__code")
        .annotate(amount=Sum("amount"))
    )
    cash = agent_cash(_agents(scope).order_by("code"), today=scope.today)
    agent_rows = [
        [
            str(row.agent),
            month_amounts.get(row.agent.code, 0),
            row.collected,
            row.deposited,
            row.balance,
            row.holding_since,
            "Ya" if row.overdue else "",
        ]
        for row in cash
    ]
    columns = [Column(label, Kind.MONEY, 16) for label in FundSource.labels]
    return Content(
        tables=[
            Table(
                title="Iuran per bulan dan sumber dana",
                columns=[
                    Column("Bulan", Kind.MONTH),
                    *columns,
                    Column("Jumlah", Kind.MONEY, 16),
                    Column("Bulan iuran", Kind.COUNT),
                ],
                rows=by_month,
                totals=["Jumlah", *(sum(row[i] for row in by_month) for i in range(1, len(by_month[0])))],
            ),
            Table(
                title="Iuran per penyuluh dan uang yang dipegang",
                columns=[
                    Column("Penyuluh", Kind.TEXT, 26),
                    Column(f"Iuran {bulan(scope.month)}", Kind.MONEY, 16),
                    Column("Mandiri terkumpul", Kind.MONEY, 16),
                    Column("Disetor", Kind.MONEY, 16),
                    Column("Dipegang", Kind.MONEY, 16),
                    Column("Dipegang sejak", Kind.DATE),
                    Column(f"Lebih dari {CASH_HOLD_DAYS} hari", Kind.TEXT),
                ],
                rows=agent_rows,
                totals=["Jumlah", *(sum(row[i] for row in agent_rows) for i in range(1, 5)), None, ""]
                if agent_rows
                else None,
            ),
        ],
        notes=(
            "Iuran: pembayaran yang diterima dan tidak ditolak BPJS. Uang dipegang: iuran mandiri yang dicatat "
            f"penyuluh dikurangi setoran, menurut data pada {tanggal(scope.today)}.",
        ),
    )


# --- klaim -------------------------------------------------------------------------------------


def klaim(scope: Scope, progress: Progress) -> Content:
    """The area's claims reported by the month's end, by kind, status and kecamatan."""
    claims = claims_for(scope.user).filter(scope.area.farmers_q("farmer__"), created_at__lt=scope.end)
    totals = claim_totals(claims)
    overall = totals.overall
    figures = [
        Column("Jumlah klaim", Kind.COUNT),
        Column("Dibayar", Kind.COUNT),
        Column("Nilai dibayar", Kind.MONEY, 16),
    ]

    def cells(row: dict) -> list[Cell]:
        return [row["count"], row["paid_count"], row["paid"]]

    return Content(
        tables=[
            Table(
                title="Klaim menurut jenis",
                columns=[Column("Jenis", Kind.TEXT, 28), *figures],
                rows=[[row["label"], *cells(row)] for row in totals.by_kind],
                totals=["Jumlah", *cells(overall)],
            ),
            Table(
                title="Klaim menurut status",
                columns=[Column("Status", Kind.TEXT, 24), Column("Jumlah klaim", Kind.COUNT)],
                rows=[[label, count] for _, label, count in totals.by_status],
                totals=["Jumlah", overall["count"]],
            ),
            Table(
                title="Klaim menurut kecamatan",
                columns=[Column("Kecamatan", Kind.TEXT, 28), *figures],
                rows=[[f"Kecamatan {row['label']}", *cells(row)] for row in totals.by_area],
                totals=["Jumlah", *cells(overall)],
            ),
        ],
        notes=(
            f"Klaim yang dilaporkan sampai akhir {bulan(scope.month)}, dengan statusnya pada {tanggal(scope.today)}.",
        ),
    )


BUILDERS: dict[str, tuple[str, Callable[[Scope, Progress], Content]]] = {
    "monev": ("Laporan monitoring dan evaluasi bulanan", monev),
    "peserta": ("Daftar peserta", peserta),
    "iuran": ("Rekapitulasi iuran", iuran),
    "klaim": ("Rekapitulasi klaim", klaim),
}
