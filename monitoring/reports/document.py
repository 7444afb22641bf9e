"""A report as both renderers read it: a title, a few tables of typed columns, and charts.

The builders (monitoring/reports/builders.py) fill these with the database's aggregates; the PDF
shows each cell formatted the Indonesian way, the workbook keeps it a real number or date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from monitoring.trends import Chart
from sutasoma.formatting import angka, bulan, persen, rupiah, tanggal

Cell = str | int | Decimal | dt.date | None


class Kind(StrEnum):
    TEXT = "text"
    COUNT = "count"
    MONEY = "money"
    PERCENT = "percent"
    DATE = "date"
    MONTH = "month"  # a date shown as its month (`Mei 2026`)


@dataclass(frozen=True)
class Column:
    label: str
    kind: Kind = Kind.TEXT
    width: int = 14  # characters, for the workbook

    @property
    def numeric(self) -> bool:
        return self.kind in (Kind.COUNT, Kind.MONEY, Kind.PERCENT)

    def show(self, value: Cell) -> str:
        """The cell as the PDF prints it."""
        if value is None or value == "":
            return "–"
        if isinstance(value, str):  # text, or "Jumlah" heading a totals row
            return value
        match self.kind:
            case Kind.COUNT:
                return angka(value)
            case Kind.MONEY:
                return rupiah(value)
            case Kind.PERCENT:
                return persen(value)
            case Kind.DATE:
                return tanggal(value)
            case Kind.MONTH:
                return bulan(value)
        return str(value)


@dataclass(frozen=True)
class Table:
    title: str
    columns: list[Column]
    rows: list[list[Cell]]
    totals: list[Cell] | None = None  # the last row, "Jumlah" in the first column

    def shown(self, row: list[Cell]) -> list[tuple[str, bool]]:
        """(text, numeric) of each cell of a row, for the PDF."""
        return [(column.show(value), column.numeric) for column, value in zip(self.columns, row, strict=True)]

    @property
    def shown_rows(self) -> list[list[tuple[str, bool]]]:
        return [self.shown(row) for row in self.rows]

    @property
    def shown_totals(self) -> list[tuple[str, bool]] | None:
        return self.shown(self.totals) if self.totals else None


@dataclass(frozen=True)
class Report:
    name: str  # one of REPORTS
    title: str
    regency: str  # `Kabupaten Soppeng`
    area: str  # what the report covers: the regency, a kecamatan, a desa
    area_code: str
    month: dt.date
    tables: list[Table]
    generated_by: str
    generated_at: dt.datetime
    charts: list[Chart] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def header(self) -> str:
        return f"Pemerintah {self.regency} — Dinas Pertanian"
