"""The reports for Dinas rendered for the seeded monev month (tests/monitoring/conftest.py): their
text read back with pypdf, their cells with openpyxl, and the figures against the dashboard's."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pypdf
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from audit.models import AccessLog, Action
from claims.selectors import claim_totals, claims_for
from enrollment.models import Farmer
from monitoring.models import Level
from monitoring.monev import area_figures, total
from monitoring.reports import REPORTS, ReportError, render_report
from sutasoma.formatting import bulan, rupiah
from sutasoma.months import add_months, month_start
from wilayah.models import Region

LALABATA, MARIORIWAWO = "73.12.04", "73.12.01"


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def workbook(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def sheet_named(book: openpyxl.Workbook, title: str):
    return next(sheet for sheet in book.worksheets if title in sheet.title)


def data_rows(sheet) -> list[tuple]:
    """The table below the header rows and the column headings."""
    return list(sheet.iter_rows(min_row=6, values_only=True))


@pytest.mark.parametrize("name", REPORTS)
@pytest.mark.parametrize("fmt", ["pdf", "xlsx"])
def test_every_report_renders_in_both_formats_with_its_file_name(monev_month, dinas_user, name, fmt):
    data, filename = render_report(name, user=dinas_user, month=monev_month.month, fmt=fmt)
    assert filename == f"laporan-{name}-{monev_month.month:%Y-%m}-73.12.{fmt}"
    assert data.startswith(b"%PDF" if fmt == "pdf" else b"PK")


def test_the_monev_pdf_has_the_districts_header_the_period_its_maker_page_numbers_and_the_dashboards_figures(
    monev_month, dinas_user
):
    data, _ = render_report("monev", user=dinas_user, month=monev_month.month)
    text = pdf_text(data)
    assert "Pemerintah Kabupaten Soppeng — Dinas Pertanian" in text
    assert f"Periode {bulan(monev_month.month)}" in text
    assert "Dibuat oleh dinas.uji pada" in text and "WITA" in text
    assert "Halaman 1 dari" in text
    assert "Peserta aktif (termasuk masa tenggang)" in text  # a trend chart's title, drawn as SVG
    district = total(
        area_figures(level=Level.KECAMATAN, within=Region.objects.get(code="73.12"), month=monev_month.month)
    )
    assert district.collected == 235_200  # the seeded month, so the checks below check something
    assert rupiah(district.collected) in text
    assert rupiah(district.claims_paid_amount) in text
    assert "Kecamatan Lalabata" in text and "Kecamatan Marioriwawo" in text


def test_the_monev_workbook_holds_the_dashboards_numbers_in_number_cells_under_a_frozen_header(monev_month, dinas_user):
    data, _ = render_report("monev", user=dinas_user, month=monev_month.month, fmt="xlsx")
    sheet = sheet_named(workbook(data), "Per kecamatan")
    assert sheet.freeze_panes == "A6"
    assert sheet["A5"].value == "Kecamatan/BPP" and sheet["J5"].value == "Iuran terkumpul"
    rows = data_rows(sheet)
    *areas, totals = rows
    expected = {
        row.name: row.figures
        for row in area_figures(level=Level.KECAMATAN, within=Region.objects.get(code="73.12"), month=monev_month.month)
    }
    lalabata = next(row for row in areas if row[0] == "Kecamatan Lalabata")
    assert lalabata[1:4] == (
        expected["Kecamatan Lalabata"].farmers,
        expected["Kecamatan Lalabata"].target,
        expected["Kecamatan Lalabata"].registered,
    )
    assert lalabata[9] == expected["Kecamatan Lalabata"].collected
    assert all(isinstance(value, int) for value in lalabata[1:6])
    assert totals[0] == "Jumlah"
    assert totals[9] == sum(row[9] for row in areas) == 235_200
    assert totals[3] == sum(row[3] for row in areas)
    trend = data_rows(sheet_named(workbook(data), "Tren"))
    assert isinstance(trend[-1][0], dt.datetime) and trend[-1][0].date() == monev_month.month


def test_the_participant_list_of_a_kecamatan_masks_the_nik_and_leaves_out_other_kecamatan(
    monev_month, koordinator_user
):
    data, filename = render_report("peserta", user=koordinator_user, month=monev_month.month)
    text = pdf_text(data)
    inside, outside = monev_month.farmers["paid_three"], monev_month.farmers["sponsored"]
    assert filename.endswith(f"-{LALABATA}.pdf")
    assert inside.kpj in text and inside.nik[:4] + "••••••••" + inside.nik[-4:] in text
    assert inside.nik not in text
    assert outside.kpj not in text
    assert "Halaman 1 dari 1" in text
    # Farmers of Lalabata recorded by the month's end: the one recorded a second later is not.
    assert monev_month.farmers["next_month"].kpj not in text


def test_a_farmer_named_like_a_formula_stays_text_in_the_workbook_and_dates_stay_dates(monev_month, dinas_user):
    paid_three = monev_month.farmers["paid_three"]
    Farmer.objects.filter(pk=paid_three.pk).update(
        name='=HYPERLINK("http://jahat.example","klik")', paid_through=monev_month.month
    )
    Farmer.objects.filter(pk=monev_month.farmers["in_grace"].pk).update(name="+1")
    Farmer.objects.filter(pk=monev_month.farmers["never_paid"].pk).update(name="@SUM(A1)")
    data, _ = render_report("peserta", user=dinas_user, month=monev_month.month, fmt="xlsx")
    sheet = sheet_named(workbook(data), "Daftar peserta")
    cells = {row[0].value: row for row in sheet.iter_rows(min_row=6)}
    for name in ('=HYPERLINK("http://jahat.example","klik")', "+1", "@SUM(A1)"):
        cell = cells["'" + name][0]
        assert cell.data_type == "s"
    formula_row = cells["'" + '=HYPERLINK("http://jahat.example","klik")']
    assert formula_row[5].value == dt.datetime.combine(monev_month.month, dt.time())
    assert formula_row[5].is_date
    status = data_rows(sheet_named(workbook(data), "menurut status"))
    assert status[-1][0] == "Jumlah" and status[-1][1] == sum(row[1] for row in status[:-1]) == 9


def test_the_contributions_recap_agrees_with_the_dashboard_by_month_and_source(monev_month, dinas_user):
    data, _ = render_report("iuran", user=dinas_user, month=monev_month.month, fmt="xlsx")
    book = workbook(data)
    by_month = data_rows(sheet_named(book, "per bulan"))
    this_month = next(row for row in by_month if row[0] != "Jumlah" and row[0].date() == monev_month.month)
    district = total(
        area_figures(level=Level.KECAMATAN, within=Region.objects.get(code="73.12"), month=monev_month.month)
    )
    assert list(this_month[1:5]) == [source.amount for source in district.by_source.values()]
    assert this_month[5] == district.collected
    agents = data_rows(sheet_named(book, "per penyuluh"))
    umpungeng = next(row for row in agents if row[0].startswith("Penyuluh.Uji"))
    # Collected in the month by the agent (Mandiri, not refused); all the Mandiri cash they still hold.
    assert umpungeng[1] == 33_600
    assert umpungeng[4] == umpungeng[2] - umpungeng[3]
    assert isinstance(umpungeng[5], dt.datetime)
    text = pdf_text(render_report("iuran", user=dinas_user, month=monev_month.month)[0])
    assert rupiah(district.collected) in text


def test_the_claims_recap_agrees_with_claim_totals(monev_month, dinas_user):
    text = pdf_text(render_report("klaim", user=dinas_user, month=monev_month.month)[0])
    totals = claim_totals(claims_for(dinas_user))
    assert totals.overall == {"count": 3, "paid_count": 2, "paid": 6_200_000}
    assert rupiah(6_200_000) in text
    assert "JKK — kecelakaan kerja 3 2" in text
    assert "Diajukan ke BPJS 1" in text and "Dibayar 2" in text
    assert "Kecamatan Lalabata 3 2" in text


def test_a_past_month_counts_only_the_claims_reported_by_its_end(monev_month, dinas_user):
    data, _ = render_report("klaim", user=dinas_user, month=add_months(monev_month.month, -1), fmt="xlsx")
    by_kind = data_rows(sheet_named(workbook(data), "jenis"))
    assert by_kind[-1][:2] == ("Jumlah", 2)


@pytest.mark.parametrize("area", [MARIORIWAWO, "73.12", "73.12.01.2003", "73.11"])
def test_a_koordinator_asking_for_an_area_outside_their_kecamatan_gets_a_report_error(
    monev_month, koordinator_user, area
):
    with pytest.raises(ReportError, match="di luar wilayah Anda"):
        render_report("monev", user=koordinator_user, month=monev_month.month, area=area)
    assert not AccessLog.objects.filter(action=Action.EXPORT).exists()


def test_a_koordinator_may_report_on_a_desa_of_their_kecamatan(monev_month, koordinator_user):
    data, filename = render_report("monev", user=koordinator_user, month=monev_month.month, area="73.12.04.2009")
    assert filename.endswith("-73.12.04.2009.pdf")
    assert "Desa Umpungeng" in pdf_text(data)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "gaji"}, "Laporan 'gaji' tidak dikenal"),
        ({"fmt": "csv"}, "Format 'csv' tidak dikenal"),
        ({"area": "73.12.04'; DROP"}, "Kode wilayah"),
        ({"area": "99.99"}, "di luar wilayah Anda"),
        ({"month": add_months(month_start(timezone.localdate()), 1)}, "belum berjalan"),
    ],
)
def test_bad_input_is_a_report_error_in_indonesian(monev_month, dinas_user, kwargs, message):
    arguments = {"name": "monev", "user": dinas_user, "month": monev_month.month, **kwargs}
    with pytest.raises(ReportError, match=message):
        render_report(arguments.pop("name"), **arguments)


def test_a_penyuluh_may_not_export_reports(monev_month, agent_user):
    with pytest.raises(ReportError, match="koordinator BPP, Dinas atau admin"):
        render_report("peserta", user=agent_user, month=monev_month.month)


def test_every_export_is_logged_once_with_its_month_area_and_format(monev_month, koordinator_user):
    render_report("peserta", user=koordinator_user, month=monev_month.month, fmt="xlsx")
    (entry,) = AccessLog.objects.filter(action=Action.EXPORT)
    assert entry.user == koordinator_user
    assert entry.subject == "laporan:peserta"
    assert entry.detail == f"bulan={monev_month.month:%Y-%m} wilayah={LALABATA} format=xlsx"


def test_progress_is_reported_rising_to_100(monev_month, dinas_user):
    seen: list[int] = []
    render_report("monev", user=dinas_user, month=monev_month.month, progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == 100 and len(seen) > 2


@pytest.mark.parametrize("suffix", ["pdf", "xlsx"])
def test_the_command_writes_the_report_in_the_format_of_its_extension(monev_month, admin_user, tmp_path, suffix):
    out = tmp_path / f"laporan.{suffix}"
    stdout = io.StringIO()
    call_command(
        "laporan",
        "klaim",
        "--bulan",
        f"{monev_month.month:%Y-%m}",
        "--wilayah",
        LALABATA,
        "--out",
        str(out),
        stdout=stdout,
    )
    assert out.read_bytes().startswith(b"%PDF" if suffix == "pdf" else b"PK")
    assert "admin.uji" in stdout.getvalue()
    entry = AccessLog.objects.get(action=Action.EXPORT)
    assert entry.user == admin_user and f"format={suffix}" in entry.detail


def test_the_command_runs_as_the_user_it_is_given_within_their_scope(
    monev_month, koordinator_user, admin_user, tmp_path
):
    out = tmp_path / "l.pdf"
    with pytest.raises(CommandError, match="di luar wilayah Anda") as error:
        call_command(
            "laporan",
            "monev",
            "--bulan",
            f"{monev_month.month:%Y-%m}",
            "--wilayah",
            MARIORIWAWO,
            "--out",
            str(out),
            "--oleh",
            "koordinator.uji",
        )
    assert error.value.returncode == 2 and not out.exists()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["gaji", "--bulan", "2026-01", "--out", "x.pdf"], "tidak dikenal"),
        (["monev", "--bulan", "2026-13", "--out", "x.pdf"], "Bulan harus YYYY-MM"),
        (["monev", "--bulan", "Januari", "--out", "x.pdf"], "Bulan harus YYYY-MM"),
        (["monev", "--bulan", "2026-01", "--out", "x.csv"], ".pdf atau .xlsx"),
        (["monev", "--bulan", "2026-01", "--out", "x.pdf", "--oleh", "tidak.ada"], "tidak ditemukan"),
        (["monev", "--bulan", "2026-01", "--out", "/tidak/ada/x.pdf"], "Tidak dapat menulis"),
    ],
)
def test_the_command_refuses_bad_input_with_exit_status_2(admin_user, arguments, message):
    with pytest.raises(CommandError, match=message) as error:
        call_command("laporan", *arguments)
    assert error.value.returncode == 2
