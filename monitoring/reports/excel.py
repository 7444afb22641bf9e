"""A report as an Excel workbook (openpyxl): one sheet per table, real numbers and dates in the
cells, the header rows frozen, a bold totals row.

Text from users (a farmer's name, an agent's) is never left where Excel would read a formula:
"=HYPERLINK(…)" or "+1" is stored as text with a leading apostrophe, which Excel shows as the
quote prefix and never evaluates (CSV/formula injection, OWASP).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import Cell as SheetCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from monitoring.reports.document import Cell, Column, Kind, Report, Table
from sutasoma.formatting import bulan, tanggal_jam

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER_FORMATS = {
    Kind.COUNT: "#,##0",
    Kind.MONEY: '"Rp" #,##0',
    Kind.PERCENT: "0.0",
    Kind.DATE: "dd-mm-yyyy",
    Kind.MONTH: "mmm yyyy",
}
# Rows above a table's column headings: the header, the title, the period and who made it.
HEADING_ROWS = 4
# Excel forbids these in a sheet's name, and allows 31 characters.
_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")
BOLD = Font(bold=True)


def put(cell: SheetCell, value: Cell) -> None:
    """Write a value as its own type; text that Excel could take for a formula stays text."""
    if isinstance(value, str):
        if value.startswith(FORMULA_START):
            cell.value = "'" + value
            cell.data_type = "s"
            return
        cell.value = value
        cell.data_type = "s"
    elif isinstance(value, Decimal):
        cell.value = float(value)
    else:
        cell.value = value


def _sheet(book: Workbook, report: Report, table: Table, index: int) -> Worksheet:
    sheet = book.active if index == 0 else book.create_sheet()
    sheet.title = f"{index + 1} {_SHEET_NAME.sub(' ', table.title)}"[:31]
    headings = [
        report.header,
        f"{report.title}: {table.title}",
        f"{report.area}, {bulan(report.month)}",
        f"Dibuat oleh {report.generated_by}, {tanggal_jam(report.generated_at)}",
    ]
    for row, text in enumerate(headings, start=1):
        put(sheet.cell(row=row, column=1), text)
    sheet.cell(row=2, column=1).font = BOLD
    first = HEADING_ROWS + 1
    for col, column in enumerate(table.columns, start=1):
        cell = sheet.cell(row=first, column=col)
        put(cell, column.label)
        cell.font = BOLD
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[get_column_letter(col)].width = column.width
    rows = [*table.rows, *([table.totals] if table.totals else [])]
    for r, values in enumerate(rows, start=first + 1):
        for col, (column, value) in enumerate(zip(table.columns, values, strict=True), start=1):
            _value(sheet.cell(row=r, column=col), column, value)
    if table.totals:
        for cell in sheet[first + len(rows)]:
            cell.font = BOLD
    sheet.freeze_panes = sheet.cell(row=first + 1, column=1)
    return sheet


def _value(cell: SheetCell, column: Column, value: Cell) -> None:
    put(cell, value)
    if column.kind in NUMBER_FORMATS and isinstance(value, int | float | Decimal | dt.date):
        cell.number_format = NUMBER_FORMATS[column.kind]


def report_xlsx(report: Report) -> bytes:
    book = Workbook()
    for index, table in enumerate(report.tables):
        _sheet(book, report, table, index)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
