"""Server-side SVG charts: valid XML, the data in them, nothing a CSP or a PDF would refuse."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from monitoring.charts import bar_chart, line_chart

SVG = "{http://www.w3.org/2000/svg}"
MONTHS = ["Mei 2025", "Jun 2025", "Jul 2025", "Agu 2025", "Sep 2025", "Okt 2025"]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def texts(root: ET.Element) -> list[str]:
    return ["".join(node.itertext()) for node in root.iter(f"{SVG}text")]


def test_a_line_chart_is_well_formed_svg_that_scales_and_names_itself():
    svg = line_chart(list(zip(MONTHS, [0, 3, 10, 25, 40, 1234], strict=True)), title="Peserta aktif", unit="peserta")
    root = parse(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox") == "0 0 640 240" and root.get("width") == "100%" and root.get("height") is None
    assert root.get("role") == "img" and root.findtext(f"{SVG}title") == "Peserta aktif"
    label = root.get("aria-label")
    assert label.startswith("Peserta aktif. Mei 2025 sampai Okt 2025.")
    assert "Terakhir 1.234 peserta (Okt 2025)" in label and "terendah 0 peserta (Mei 2025)" in label


def test_every_point_is_drawn_with_its_value_and_the_axis_reads_indonesian_numbers():
    values = [0, 3, 10, 25, 40, 1234]
    root = parse(line_chart(list(zip(MONTHS, values, strict=True)), title="Peserta", unit="peserta"))
    dots = list(root.iter(f"{SVG}circle"))
    assert [dot.findtext(f"{SVG}title") for dot in dots] == [
        f"{month}: {value}".replace("1234", "1.234") + " peserta" for month, value in zip(MONTHS, values, strict=True)
    ]
    (line,) = root.iter(f"{SVG}polyline")
    assert len(line.get("points").split()) == 6
    # Higher values sit higher: y grows downwards in SVG.
    ys = [float(dot.get("cy")) for dot in dots]
    assert ys == sorted(ys, reverse=True)
    labels = texts(root)
    assert "1.500" in labels and "0" in labels  # ticks 0, 500, 1.000, 1.500 with a dot for thousands
    # A year is written once, under the first month of it.
    assert labels.count("Mei2025") == 1 and "Jun" in labels and "Jun2025" not in labels


def test_money_and_percent_axes_are_short_and_a_goal_is_drawn():
    root = parse(
        bar_chart(
            [("Jan 2026", 1_250_000), ("Feb 2026", 0), ("Mar 2026", 2_400_000)], title="Iuran terkumpul", unit="Rp"
        )
    )
    labels = texts(root)
    assert {"Rp 0", "Rp 1 jt", "Rp 2 jt", "Rp 3 jt"} <= set(labels)
    bars = list(root.iter(f"{SVG}rect"))
    assert [bar.findtext(f"{SVG}title") for bar in bars] == ["Jan 2026: Rp 1.250.000", "Mar 2026: Rp 2.400.000"]
    assert "Terakhir Rp 2.400.000 (Mar 2026)" in root.get("aria-label")
    assert {"Rp 2,5 jt", "Rp 7,5 jt", "Rp 10 jt"} <= set(
        texts(parse(bar_chart([("Jan", 9_000_000)], title="t", unit="Rp")))
    )

    root = parse(line_chart([("Jan 2026", 12.5), ("Feb 2026", 87.5)], title="Capaian", unit="%", goal=100))
    assert "Target 100 %" in texts(root) and "100 %" in texts(root)
    assert [line.get("stroke-dasharray") for line in root.iter(f"{SVG}line") if line.get("stroke-dasharray")] == ["8 6"]
    assert "Terakhir 87,5 % (Feb 2026); tertinggi 87,5 % (Feb 2026); terendah 12,5 % (Jan 2026)" in root.get(
        "aria-label"
    )


def test_a_missing_value_breaks_the_line_and_no_values_say_so():
    root = parse(line_chart([("A", 1), ("B", 2), ("C", None), ("D", 3), ("E", 4)], title="Capaian", unit="%"))
    assert len(list(root.iter(f"{SVG}polyline"))) == 2 and len(list(root.iter(f"{SVG}circle"))) == 4
    empty = parse(line_chart([("A", None), ("B", None)], title="Capaian", unit="%"))
    assert texts(empty) == ["Belum ada data"] and empty.get("aria-label") == "Capaian. Belum ada data"
    assert parse(bar_chart([], title="Iuran", unit="Rp")).findtext(f"{SVG}title") == "Iuran"


def test_hostile_labels_are_escaped_and_the_markup_needs_no_style_or_script():
    hostile = '<script>alert("x")</script> & \x00 </svg>'
    svg = line_chart([(hostile, 5), ("Feb", 7)], title=hostile, unit=hostile)
    root = parse(svg)  # still one well-formed document
    assert "<script" not in svg and "</svg>" not in svg[:-6] and "\x00" not in svg
    assert root.findtext(f"{SVG}title") == '<script>alert("x")</script> &  </svg>'
    for chart in (svg, bar_chart([("Jan", 1)], title="t", unit="Rp"), line_chart([], title="t")):
        assert "style=" not in chart and "<script" not in chart and "class=" not in chart and "javascript:" not in chart


def test_ticks_of_counts_are_whole_numbers_even_for_tiny_values():
    labels = texts(parse(line_chart([("Jan", 0), ("Feb", 1), ("Mar", 2)], title="Peserta")))
    assert not [label for label in labels if "," in label]
    assert "2" in labels


def test_labels_are_thinned_when_they_would_overlap_keeping_the_last():
    points = [(f"Bulan{n:02d}", n) for n in range(24)]
    labels = [text for text in texts(parse(line_chart(points, title="Banyak"))) if text.startswith("Bulan")]
    assert "Bulan23" in labels and len(labels) < 24


def test_the_same_chart_renders_in_a_weasyprint_pdf_with_its_labels_as_text():
    import io

    from pypdf import PdfReader
    from weasyprint import HTML

    svg = line_chart(list(zip(MONTHS, [1, 2, 3, 4, 5, 6], strict=True)), title="Peserta", unit="peserta")
    pdf = HTML(string=f"<html><body><h1>Laporan</h1>{svg}</body></html>").write_pdf()
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Laporan" in text and "Okt" in text and "2025" in text
