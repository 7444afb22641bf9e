"""Line and bar charts drawn on the server as SVG: the same markup in the browser and in a
WeasyPrint PDF, with no JavaScript charting library.

Everything that makes a chart legible is an SVG presentation attribute (fill, stroke,
font-size): the site's CSP forbids inline style, and a PDF has no site stylesheet. The viewBox
lets the chart scale to its container; text is sized as a fraction of the chart's width, so it
stays readable when a 640-unit chart shrinks onto a 360 px phone. All text is escaped, and the
chart carries its own title and a text alternative (aria-label) for screen readers.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from sutasoma.formatting import angka, persen, rupiah, rupiah_singkat

INK = "#1b1f1d"
MUTED = "#525a56"
GRID = "#c9d1cc"
SERIES = "#1f6f3f"  # the site's brand green: readable on white and in greyscale print
GOAL = "#7a4d00"

MONEY = "Rp"
PERCENT = "%"
NO_DATA = "Belum ada data"

# Text is this fraction of the chart's width: about 10 px when a chart fills a 360 px phone.
FONT_PER_WIDTH = 1 / 32
# Average advance of a character in a sans-serif font, in ems; enough to keep labels apart.
CHAR_WIDTH = 0.6
TICK_INTERVALS = 4
# XML 1.0 cannot carry these at all, escaped or not: a label holding one would break the chart.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

Point = tuple[str, float | None]


def axis_value(value: float, unit: str) -> str:
    """A tick label: short enough for the margin of a phone-sized chart (`Rp 1,2 jt`, `50 %`)."""
    if unit == MONEY:
        return rupiah_singkat(value)
    if unit == PERCENT:
        return persen(value)
    return angka(value, 2)


def full_value(value: float | None, unit: str) -> str:
    """A value as the text alternative and a data table read it: `Rp 1.234.000`, `87,5 %`, `1.234 peserta`."""
    if value is None:
        return "–"
    if unit == MONEY:
        return rupiah(round(value))
    if unit == PERCENT:
        return persen(value)
    return f"{angka(value, 2)} {unit}".strip()


def _text(value: str) -> str:
    return escape(_NOT_XML.sub("", value))


def _n(value: float) -> str:
    """A coordinate: one decimal is finer than any screen or printer needs."""
    return f"{value:.1f}".removesuffix(".0")


def _nice_step(top: float, *, whole: bool) -> float:
    """A step of 1, 2, 2.5 or 5 times a power of ten giving at most TICK_INTERVALS intervals."""
    raw = top / TICK_INTERVALS
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if raw <= m * magnitude * (1 + 1e-9))
    return max(step, 1) if whole else step


@dataclass(frozen=True)
class _Frame:
    """The plot area, the value scale and the x positions shared by every kind of chart."""

    width: int
    height: int
    font: float
    left: float
    top: float
    right: float
    bottom: float
    ceiling: float
    step: float
    count: int

    @classmethod
    def fit(cls, points: list[Point], *, unit: str, width: int, height: int, goal: float | None) -> _Frame:
        values = [v for _, v in points if v is not None]
        highest = max([*values, goal or 0, 0])
        whole = all(float(v).is_integer() for v in values)
        step = _nice_step(highest, whole=whole) if highest > 0 else 1
        ceiling = step * max(1, math.ceil(highest / step - 1e-9))
        font = width * FONT_PER_WIDTH
        ticks = [axis_value(step * i, unit) for i in range(round(ceiling / step) + 1)]
        return cls(
            width=width,
            height=height,
            font=font,
            left=max(len(t) for t in ticks) * CHAR_WIDTH * font + font * 0.6,
            top=font * 1.5,  # room for the top tick label, and for a goal's label over its line
            right=width - font * 0.6,
            bottom=height - font * 2.8,  # two lines of x labels: the month, the year where it changes
            ceiling=ceiling,
            step=step,
            count=len(points),
        )

    @property
    def band(self) -> float:
        return (self.right - self.left) / self.count

    def x(self, index: int) -> float:
        return self.left + self.band * (index + 0.5)

    def y(self, value: float) -> float:
        return self.bottom - (self.bottom - self.top) * value / self.ceiling

    def axes(self, points: list[Point], unit: str) -> list[str]:
        """Grid lines with their value labels, the baseline, and the x labels."""
        parts = []
        for i in range(round(self.ceiling / self.step) + 1):
            value = self.step * i
            y = _n(self.y(value))
            parts.append(
                f'<line x1="{_n(self.left)}" y1="{y}" x2="{_n(self.right)}" y2="{y}" '
                f'stroke="{MUTED if i == 0 else GRID}" stroke-width="{2 if i == 0 else 1}"/>'
                f'<text x="{_n(self.left - self.font * 0.4)}" y="{y}" dy="0.35em" text-anchor="end" '
                f'fill="{MUTED}">{_text(axis_value(value, unit))}</text>'
            )
        return parts + self._x_labels([label for label, _ in points])

    def _x_labels(self, labels: list[str]) -> list[str]:
        """Each label split at spaces into lines (`Mei` over `2025`); a lower line equal to the one
        shown before it is left out, so a year appears once, where it starts. Labels too wide for
        their band are thinned to every k-th, always keeping the last."""
        lines = [label.split() or [""] for label in labels]
        widest = max(len(words[0]) for words in lines) * CHAR_WIDTH * self.font
        every = max(1, math.ceil(widest / (self.band * 0.9)))
        shown_before: list[str] = []
        parts = []
        for index, words in enumerate(lines):
            if (self.count - 1 - index) % every:
                continue
            x = _n(self.x(index))
            tspans = f'<tspan x="{x}">{_text(words[0])}</tspan>'
            for depth, word in enumerate(words[1:], start=1):
                if depth < len(shown_before) and shown_before[depth] == word:
                    continue
                tspans += f'<tspan x="{x}" dy="1.2em">{_text(word)}</tspan>'
            shown_before = words
            parts.append(
                f'<text x="{x}" y="{_n(self.bottom + self.font * 1.2)}" text-anchor="middle" fill="{MUTED}">'
                f"{tspans}</text>"
            )
        return parts

    def goal_line(self, goal: float, unit: str) -> str:
        y = _n(self.y(goal))
        return (
            f'<line x1="{_n(self.left)}" y1="{y}" x2="{_n(self.right)}" y2="{y}" stroke="{GOAL}" stroke-width="2" '
            f'stroke-dasharray="8 6"/><text x="{_n(self.right)}" y="{_n(self.y(goal) - self.font * 0.4)}" '
            f'text-anchor="end" fill="{GOAL}">{_text("Target " + axis_value(goal, unit))}</text>'
        )


def _summary(points: list[Point], unit: str) -> str:
    """What a screen reader says instead of the picture: the range, the last value, the extremes."""
    known = [(label, v) for label, v in points if v is not None]
    if not known:
        return NO_DATA
    last_label, last = known[-1]
    high = max(known, key=lambda p: p[1])
    low = min(known, key=lambda p: p[1])
    return (
        f"{points[0][0]} sampai {points[-1][0]}. Terakhir {full_value(last, unit)} ({last_label}); "
        f"tertinggi {full_value(high[1], unit)} ({high[0]}); terendah {full_value(low[1], unit)} ({low[0]})."
    )


def _svg(
    points: list[Point],
    marks: Callable[[_Frame], str],
    *,
    title: str,
    unit: str,
    width: int,
    height: int,
    goal: float | None,
) -> SafeString:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{_text(f"{title}. {_summary(points, unit)}")}" font-family="sans-serif" '
        f'font-size="{_n(width * FONT_PER_WIDTH)}"><title>{_text(title)}</title>'
    )
    if all(v is None for _, v in points):
        body = f'<text x="{_n(width / 2)}" y="{_n(height / 2)}" text-anchor="middle" fill="{MUTED}">{NO_DATA}</text>'
        return mark_safe(head + body + "</svg>")
    frame = _Frame.fit(points, unit=unit, width=width, height=height, goal=goal)
    parts = frame.axes(points, unit)
    if goal is not None:
        parts.append(frame.goal_line(goal, unit))
    # Safe: every piece of text in the markup went through _text().
    return mark_safe(head + "".join(parts) + marks(frame) + "</svg>")


def _point_title(label: str, value: float | None, unit: str) -> str:
    """A tooltip on each mark, for a mouse pointer: `Mei 2025: 1.234 peserta`."""
    return f"<title>{_text(f'{label}: {full_value(value, unit)}')}</title>"


def line_chart(
    points: list[Point],
    *,
    title: str,
    unit: str = "",
    width: int = 640,
    height: int = 240,
    goal: float | None = None,
) -> SafeString:
    """A line through `points` (label, value) in order; a missing value (None) breaks the line.
    `unit` is "Rp" for money, "%" for a percentage, otherwise a word after the number (`peserta`);
    `goal` draws a dashed target line."""

    def marks(frame: _Frame) -> str:
        runs: list[list[str]] = [[]]
        dots = []
        for index, (label, value) in enumerate(points):
            if value is None:
                runs.append([])
                continue
            x, y = _n(frame.x(index)), _n(frame.y(value))
            runs[-1].append(f"{x},{y}")
            dots.append(
                f'<circle cx="{x}" cy="{y}" r="{_n(frame.font * 0.3)}" fill="{SERIES}">'
                f"{_point_title(label, value, unit)}</circle>"
            )
        lines = [
            f'<polyline points="{" ".join(run)}" fill="none" stroke="{SERIES}" stroke-width="3" '
            'stroke-linejoin="round" stroke-linecap="round"/>'
            for run in runs
            if len(run) > 1
        ]
        return "".join(lines + dots)

    return _svg(points, marks, title=title, unit=unit, width=width, height=height, goal=goal)


def bar_chart(
    points: list[Point],
    *,
    title: str,
    unit: str = "",
    width: int = 640,
    height: int = 240,
    goal: float | None = None,
) -> SafeString:
    """One bar per point, for amounts that add up within each period (money collected in a month)."""

    def marks(frame: _Frame) -> str:
        bars = []
        for index, (label, value) in enumerate(points):
            if not value:
                continue
            y = frame.y(value)
            bars.append(
                f'<rect x="{_n(frame.x(index) - frame.band * 0.3)}" y="{_n(y)}" width="{_n(frame.band * 0.6)}" '
                f'height="{_n(frame.bottom - y)}" fill="{SERIES}">{_point_title(label, value, unit)}</rect>'
            )
        return "".join(bars)

    return _svg(points, marks, title=title, unit=unit, width=width, height=height, goal=goal)
