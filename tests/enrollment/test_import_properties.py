"""Whatever a file holds, the importer answers with a report that accounts for every row, or
refuses the file with a message: never another exception, never a row lost without a reason."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from bpjs_gateway.models import OutboxMessage
from enrollment.importer import COLUMNS, ROW_FAILED, ImportReport, import_farmers, read_rows
from enrollment.models import Farmer
from enrollment.sheets import ImportFileError, Row
from tests.enrollment.test_import import row

with_db = settings(
    max_examples=60,
    deadline=None,
    database=None,  # no .hypothesis folder in the work tree
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
without_db = settings(max_examples=100, deadline=None, database=None)

# Any text at all: control characters, NUL, surrogates, combining marks, other scripts' digits.
any_text = st.text(max_size=60)
cell_text = st.one_of(any_text, st.text(st.characters(codec="utf-8"), max_size=300), st.just(""))


def csv_content(header: list[str], lines: list[list[str]], delimiter: str = ",") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(lines)
    # A lone surrogate cannot be UTF-8; written as its bytes it makes the file read as cp1252.
    return out.getvalue().encode("utf-8", errors="surrogatepass")


def read(content: bytes, filename: str = "daftar.csv") -> list[Row] | None:
    try:
        return read_rows(io.BytesIO(content), filename)
    except ImportFileError as exc:
        assert str(exc)  # a message for the agent
        return None


def assert_accounts_for_every_row(report: ImportReport, rows: list[Row]) -> None:
    outcomes = report.imported + report.rejected + report.existing + report.unprocessed
    assert sorted(n.line for n in outcomes) == [r.line for r in rows]
    assert all(n.reason.strip() for n in outcomes + report.warnings)
    assert {n.line for n in report.warnings} <= {n.line for n in report.imported}
    # The guard around each row is for the unforeseen: no cell may need it.
    assert ROW_FAILED not in {n.reason for n in report.rejected}


@without_db
@given(content=st.binary(max_size=2000))
def test_any_bytes_are_read_or_refused_with_a_message(content):
    read(content)


@without_db
@given(content=st.binary(max_size=2000))
def test_any_bytes_that_look_like_a_zip_are_read_or_refused_with_a_message(content):
    read(b"PK\x03\x04" + content, "daftar.xlsx")


@without_db
@given(header=st.lists(any_text, max_size=20), lines=st.lists(st.lists(any_text, max_size=20), max_size=5))
def test_any_csv_text_is_read_or_refused_with_a_message(header, lines):
    read(csv_content(header, lines))
    read(csv_content(header, lines, delimiter=";"))


@pytest.mark.django_db
@with_db
@given(lines=st.lists(st.lists(cell_text, min_size=0, max_size=len(COLUMNS) + 2), min_size=1, max_size=4))
def test_any_cells_under_the_right_header_give_a_report_for_every_row(agent_user, lines):
    rows = read(csv_content(list(COLUMNS), lines))
    if rows is not None:
        assert_accounts_for_every_row(import_farmers(user=agent_user, rows=rows, dry_run=True), rows)


@pytest.mark.django_db
@with_db
@given(column=st.sampled_from(COLUMNS), value=cell_text, serial=st.integers(1, 9999))
def test_one_odd_cell_in_a_good_row_rejects_that_row_alone_with_its_reason(agent_user, column, value, serial):
    good = row(serial)
    odd = {**row(serial + 1 if serial < 9999 else 1), column: value}
    lines = [[odd[c] for c in COLUMNS], [good[c] for c in COLUMNS]]
    rows = read(csv_content(list(COLUMNS), lines))
    if rows is None:  # e.g. a cell that makes the csv module give up
        return

    report = import_farmers(user=agent_user, rows=rows, dry_run=True)

    event("odd row imported" if rows[0].line in {n.line for n in report.imported} else "odd row not imported")
    assert_accounts_for_every_row(report, rows)
    assert rows[-1].line in {n.line for n in report.imported}  # the good row, untouched by the odd one


# Mostly plausible text of any script (so that rows do get saved), sometimes anything at all.
words = st.builds(
    str.__add__,
    st.text(st.characters(categories=("L",)), min_size=1, max_size=10),
    st.text(st.characters(categories=("L", "M", "Zs", "Pd", "Po")), max_size=100),
)
plausible = st.one_of(words, words, words, cell_text)


@pytest.mark.django_db
@settings(with_db, max_examples=40)
@given(
    # Names of any script (ß grows when uppercased); arbitrary names are the dry runs' business.
    name=words,
    address=plausible,
    heir=words,
    phone=st.one_of(
        st.just(""),
        st.from_regex(r"0?8[0-9٠-٩０-９]{9,11}", fullmatch=True),
        st.from_regex(r"[+]?[0-9٠-٩０-９ .()-]{9,20}", fullmatch=True),
        cell_text,
    ),
)
def test_what_is_saved_from_any_text_is_what_the_report_says(agent_user, name, address, heir, phone):
    OutboxMessage.objects.all().delete()  # examples share the test's transaction
    Farmer.objects.all().delete()
    rows = read(
        csv_content(
            list(COLUMNS), [[row(1, nama=name, alamat=address, nama_ahli_waris=heir, no_hp=phone)[c] for c in COLUMNS]]
        )
    )
    if rows is None:
        return

    report = import_farmers(user=agent_user, rows=rows)

    event("imported" if report.imported else "rejected")
    assert_accounts_for_every_row(report, rows)
    saved = list(Farmer.objects.values_list("name", flat=True))
    assert saved == [n.reason for n in report.imported]
    for farmer in Farmer.objects.prefetch_related("heirs"):
        for text in (farmer.name, farmer.address, farmer.phone, *(h.name for h in farmer.heirs.all())):
            assert "\x00" not in text and text == text.strip()
        assert len(farmer.name) <= 100 and all(len(h.name) <= 100 for h in farmer.heirs.all())


xlsx_value = st.one_of(
    st.text(max_size=60).map(lambda s: ILLEGAL_CHARACTERS_RE.sub("", s)),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=False),
    st.dates(),
    st.datetimes(),
    st.booleans(),
    st.none(),
)


@pytest.mark.django_db
@settings(with_db, max_examples=30)
@given(lines=st.lists(st.lists(xlsx_value, max_size=len(COLUMNS)), min_size=1, max_size=3))
def test_any_xlsx_cells_give_a_report_for_every_row(agent_user, lines):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(COLUMNS))
    for values in lines:
        sheet.append(values)
    out = io.BytesIO()
    workbook.save(out)

    rows = read(out.getvalue(), "daftar.xlsx")
    if rows is not None:
        assert_accounts_for_every_row(import_farmers(user=agent_user, rows=rows, dry_run=True), rows)
