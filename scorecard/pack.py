"""The monthly Board pack as a PDF drawn with reportlab (SPC charts too); the scorecard table."""

from __future__ import annotations

import argparse
import functools
import io
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd
from reportlab.graphics.shapes import Circle, Drawing, Group, Line, Polygon, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from scorecard import exports, icons, spc
from scorecard.command import EXIT_OK, CommandResult
from scorecard.disclosure import SUPPRESSION_NOTE
from scorecard.domain import Area, Framework, Kpi, LinkKind, Provenance, Tier
from scorecard.errors import Problem, UserError
from scorecard.numbers import SUPPRESSED_MARK, format_number, format_value
from scorecard.periods import month_long, month_short, previous_month
from scorecard.reviews import (
    Annotation,
    Commentary,
    Reviews,
    SignOff,
    SignOffChange,
    row_record,
    with_declared_change_points,
)
from scorecard.scoring import (
    KpiSeries,
    ScorecardRow,
    analyse_series,
    changes_since,
    compute_scorecard,
    compute_series,
    hidden_points,
    rollup,
)

PAGE_SIZE = landscape(A4)
MARGIN = 13 * mm
HEADER_HEIGHT = 9 * mm
FOOTER_HEIGHT = 7 * mm

# NHS identity colours (as the app's theme) and the Making Data Count palette (scorecard.icons).
NHS_BLUE = colors.HexColor("#005EB8")
NHS_DARK_BLUE = colors.HexColor("#003087")
NHS_GREY = colors.HexColor("#425563")
NHS_MID_GREY = colors.HexColor(icons.NHS_MID_GREY)
NHS_PALE_GREY = colors.HexColor("#E8EDEE")
NHS_TEXT = colors.HexColor("#212B32")
NHS_WARM_YELLOW = colors.HexColor("#FFB81C")
NHS_ORANGE = colors.HexColor("#ED8B00")
GRID = colors.HexColor("#E8EDEE")
TARGET = colors.HexColor(icons.MDC_TARGET)
WHITE = colors.white

# Point states as the app's chart draws them (scorecard.charts): a colour and a shape each, so
# colour is never the only cue; provisional points are drawn open.
STATE_SHAPES: Mapping[str, str] = {
    spc.COMMON_CAUSE: "circle",
    spc.IMPROVEMENT: "diamond",
    spc.CONCERN: "square",
    spc.NEITHER: "triangle-up",
    spc.EXCLUDED: "x",
}
STATE_NAMES: Mapping[str, str] = {
    spc.COMMON_CAUSE: "Common cause",
    spc.IMPROVEMENT: "Special cause – improvement",
    spc.CONCERN: "Special cause – concern",
    spc.NEITHER: "Special cause – neither improvement nor concern",
    spc.EXCLUDED: "Excluded from calculation",
}

SYNTHETIC_LABEL = "SYNTHETIC DATA – not real NHS or council figures"
GLOSSARY: tuple[tuple[str, str], ...] = (
    (
        "iCAN",
        "Integrated Care Across Northamptonshire: the NHS and councils' programme for "
        "frail and older people.",
    ),
    ("ICS / ICB / ICP", "Integrated Care System / Board / Partnership."),
    (
        "Golden thread",
        "The chain from ICS population outcome and ICP ambition, through the "
        "iCAN outcome and its lead KPI, to the activity KPI of a brick and the I-statements "
        "residents co-produced.",
    ),
    ("Lead KPI", "The measure that shows whether an iCAN outcome is being delivered."),
    (
        "Activity KPI",
        "A brick's measure of real change on the ground: how much, how well, or "
        "is anyone better off.",
    ),
    ("Brick", "A unit of delivery under a pillar, e.g. Rapid Response or Discharge to Assess."),
    ("I-statement", "What good care means in a resident's own words."),
    (
        "SPC, XmR chart",
        "Statistical process control: an individuals chart with limits from the "
        "average moving range (NHS England 'Making Data Count').",
    ),
    (
        "Mean, process limits",
        "The centre line, and mean ± 2.66 × the average moving range: "
        "nearly every point falls between the limits while nothing changes.",
    ),
    (
        "Special cause",
        "A signal that something has changed: a point beyond a limit, a run of "
        "7 points on one side of the mean, a trend of 7 rising or falling points, or 2 of 3 "
        "points near a limit.",
    ),
    ("Common cause", "The routine variation of a stable process."),
    ("Variation icon", "Is something changing, and is it improvement or concern?"),
    (
        "Assurance icon",
        "Will the process reliably hit the target (pass), miss it (fail), or "
        "sometimes (hit or miss)?",
    ),
    ("Run chart", "Fewer than 15 points: no limits and no icons yet."),
    ("Change point", "A recorded change (e.g. in recording) after which limits are recalculated."),
    ("Provisional", "A value the data owner may still revise."),
    (
        "Suppressed (*)",
        "A count of 1–7 people in an area smaller than the ICB, or a rate built "
        "on one, is not published so that no one can be identified.",
    ),
    (
        "Seed / illustrative",
        "Seed facts are stated in the iCAN documents; illustrative ones "
        "were proposed by the scorecard team where the documents are silent.",
    ),
    ("NCTR", "Patients who no longer meet the criteria to reside in hospital."),
    (
        "P0–P3",
        "Discharge pathways: 0 home without new support, 1 home with support, 2 "
        "bed-based, 3 long-term care.",
    ),
    ("UCR", "Urgent community response (two-hour standard)."),
    ("BRG", "Benefits Realisation Group."),
)

# Characters the standard PDF fonts cannot draw, and what to write instead.
_SUBSTITUTES: Mapping[str, str] = {
    "−": "-",
    "≥": ">=",
    "≤": "<=",
    "σ": "sigma",
    "→": "->",
    "✓": "yes",
    "\u0304": "",
    "\u00a0": " ",
}


class StoreReader(Protocol):
    """What the pack reads from the store (``scorecard.store.Store``)."""

    def exists(self) -> bool:
        """Whether the store file exists."""
        ...

    def identity(self) -> str:
        """A key that changes whenever the data change."""
        ...

    def current(
        self,
        kpi_codes: list[str] | None = None,
        area_codes: list[str] | None = None,
        up_to: str | None = None,
    ) -> pd.DataFrame:
        """Current observations."""
        ...

    def loads(self) -> pd.DataFrame:
        """The load log."""
        ...

    def history(self, kpi_code: str | None = None, area_code: str | None = None) -> pd.DataFrame:
        """Every version of the values."""
        ...


# ------------------------------------------------------------------------------------ fonts


@dataclass(frozen=True)
class _Fonts:
    regular: str
    bold: str
    italic: str
    glyphs: frozenset[int] | None  # code points the font draws; None = the standard encoding


# Liberation Sans has Arial's metrics (Debian's fonts-liberation); Helvetica is the fallback.
_FONT_DIRS = (
    Path("/usr/share/fonts/truetype/liberation"),
    Path("/usr/share/fonts/liberation"),
    Path("/usr/share/fonts/truetype/liberation2"),
)


@functools.cache
def _fonts() -> _Fonts:
    for folder in _FONT_DIRS:
        files = {
            style: folder / f"LiberationSans-{style}.ttf"
            for style in ("Regular", "Bold", "Italic", "BoldItalic")
        }
        if not all(path.is_file() for path in files.values()):
            continue
        try:
            faces = {style: TTFont(f"PackSans-{style}", str(p)) for style, p in files.items()}
        except Exception:  # noqa: S112 - a broken font file falls back to Helvetica
            continue
        for face in faces.values():
            pdfmetrics.registerFont(face)
        pdfmetrics.registerFontFamily(
            "PackSans-Regular",
            normal="PackSans-Regular",
            bold="PackSans-Bold",
            italic="PackSans-Italic",
            boldItalic="PackSans-BoldItalic",
        )
        glyphs = frozenset(faces["Regular"].face.charToGlyph.keys())
        return _Fonts("PackSans-Regular", "PackSans-Bold", "PackSans-Italic", glyphs)
    return _Fonts("Helvetica", "Helvetica-Bold", "Helvetica-Oblique", None)


def _drawable(char: str, glyphs: frozenset[int] | None) -> bool:
    if char in "\n\t":
        return True
    if glyphs is not None:
        return ord(char) in glyphs
    try:
        char.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def fit_text(text: str) -> str:
    """Text the pack's font can draw: known symbols spelled out, other missing glyphs as "?"."""
    glyphs = _fonts().glyphs
    if all(_drawable(c, glyphs) for c in text):
        return text
    out: list[str] = []
    for char in text:
        if _drawable(char, glyphs):
            out.append(char)
        else:
            substitute = _SUBSTITUTES.get(char, "?")
            out.append(substitute if all(_drawable(c, glyphs) for c in substitute) else "?")
    return "".join(out)


def esc(text: object) -> str:
    """People's or the framework's words as Paragraph text: escaped, so markup never runs."""
    return escape(fit_text(str(text))).replace("\n", "<br/>")


# ------------------------------------------------------------------------------------ styles


@dataclass(frozen=True)
class _Styles:
    title: ParagraphStyle
    subtitle: ParagraphStyle
    h2: ParagraphStyle
    h3: ParagraphStyle
    body: ParagraphStyle
    small: ParagraphStyle
    cell: ParagraphStyle
    cell_bold: ParagraphStyle
    cell_right: ParagraphStyle
    head: ParagraphStyle
    note: ParagraphStyle
    banner: ParagraphStyle


@functools.cache
def _styles() -> _Styles:
    f = _fonts()
    base = ParagraphStyle(
        "base", fontName=f.regular, fontSize=9.5, leading=12.5, textColor=NHS_TEXT
    )
    cell = ParagraphStyle("cell", parent=base, fontSize=8.2, leading=10.2)
    return _Styles(
        title=ParagraphStyle(
            "title", parent=base, fontName=f.bold, fontSize=26, leading=31, textColor=NHS_DARK_BLUE
        ),
        subtitle=ParagraphStyle(
            "subtitle", parent=base, fontSize=14, leading=18, textColor=NHS_GREY
        ),
        h2=ParagraphStyle(
            "h2",
            parent=base,
            fontName=f.bold,
            fontSize=15,
            leading=19,
            textColor=NHS_DARK_BLUE,
            spaceBefore=2,
            spaceAfter=5,
        ),
        h3=ParagraphStyle(
            "h3",
            parent=base,
            fontName=f.bold,
            fontSize=11.5,
            leading=14.5,
            textColor=NHS_DARK_BLUE,
            spaceBefore=6,
            spaceAfter=3,
        ),
        body=base,
        small=ParagraphStyle("small", parent=base, fontSize=8, leading=10, textColor=NHS_GREY),
        cell=cell,
        cell_bold=ParagraphStyle("cell_bold", parent=cell, fontName=f.bold),
        cell_right=ParagraphStyle("cell_right", parent=cell, alignment=TA_RIGHT),
        head=ParagraphStyle(
            "head", parent=cell, fontName=f.bold, textColor=WHITE, fontSize=8.2, leading=10
        ),
        note=ParagraphStyle(
            "note", parent=base, fontSize=8.5, leading=11, textColor=NHS_GREY, spaceBefore=3
        ),
        banner=ParagraphStyle(
            "banner", parent=base, fontName=f.bold, fontSize=10, leading=13, alignment=TA_CENTER
        ),
    )


def _p(text: object, style: ParagraphStyle | None = None) -> Paragraph:
    """A paragraph of plain text (escaped)."""
    return Paragraph(esc(text), style or _styles().body)


def _markup(markup: str, style: ParagraphStyle | None = None) -> Paragraph:
    """A paragraph of markup the pack wrote itself (every inserted value already escaped)."""
    return Paragraph(markup, style or _styles().body)


# ------------------------------------------------------------------------------------ numbers


def period_label(period: str | None) -> str:
    """A ``YYYY-MM`` period as "Mar 2025" ("no data" for None)."""
    return month_short(period) if period else "no data"


month_words = month_long


def _float(value: object) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


# ------------------------------------------------------------------------------------ icons


def _ring(size: float, colour: colors.Color, dashed: bool = False) -> Circle:
    ring = Circle(size / 2, size / 2, size / 2 - size * 0.06)
    ring.fillColor = WHITE
    ring.strokeColor = colour
    ring.strokeWidth = size * 0.08
    if dashed:
        ring.strokeDashArray = [size * 0.12, size * 0.08]
    return ring


def _letter(size: float, text: str, colour: colors.Color, y: float = 0.32) -> String:
    return String(
        size / 2,
        size * y,
        text,
        fontName=_fonts().bold,
        fontSize=size * 0.42,
        fillColor=colour,
        textAnchor="middle",
    )


def variation_icon(variation: str, size: float = 18) -> Drawing:
    """The variation icon as a reportlab drawing: a coloured ring, a little process, H or L."""
    d = Drawing(size, size)
    if variation not in spc.VARIATIONS or variation == "none":
        d.add(_ring(size, NHS_MID_GREY, dashed=True))
        d.add(Line(size * 0.35, size / 2, size * 0.65, size / 2, strokeColor=NHS_MID_GREY))
        return d
    if variation == "common_cause":
        colour = colors.HexColor(icons.MDC_COMMON_CAUSE)
        d.add(_ring(size, colour))
        for n, dy in enumerate((0.02, -0.04, 0.03, -0.02, 0.02)):
            dot = Circle(size * (0.26 + 0.12 * n), size * (0.5 + dy), size * 0.055)
            dot.fillColor = colour
            dot.strokeColor = None
            d.add(dot)
        return d
    kind, side = variation.rsplit("_", 1)
    colour = colors.HexColor(
        {
            "improvement": icons.MDC_IMPROVEMENT,
            "concern": icons.MDC_CONCERN,
            "neither": icons.MDC_NEITHER,
        }[kind]
    )
    d.add(_ring(size, colour))
    d.add(_letter(size, "H" if side == "high" else "L", colour))
    return d


def assurance_icon(assurance: str, size: float = 18) -> Drawing:
    """The assurance icon as a reportlab drawing: a coloured ring with P, F or ? over a target."""
    d = Drawing(size, size)
    if assurance not in ("pass", "fail", "hit_or_miss"):
        d.add(_ring(size, NHS_MID_GREY, dashed=True))
        d.add(Line(size * 0.35, size / 2, size * 0.65, size / 2, strokeColor=NHS_MID_GREY))
        return d
    colour = colors.HexColor(
        {
            "pass": icons.MDC_IMPROVEMENT,
            "fail": icons.MDC_CONCERN,
            "hit_or_miss": icons.MDC_COMMON_CAUSE,
        }[assurance]
    )
    d.add(_ring(size, colour))
    letter = {"pass": "P", "fail": "F", "hit_or_miss": "?"}[assurance]
    d.add(_letter(size, letter, colour, y=0.4))
    d.add(
        Line(
            size * 0.3,
            size * 0.27,
            size * 0.7,
            size * 0.27,
            strokeColor=TARGET,
            strokeWidth=size * 0.05,
        )
    )
    return d


def variation_words(variation: str) -> str:
    """The variation icon's words (scorecard.icons)."""
    try:
        return icons.variation_label(variation)
    except ValueError:
        return variation


def assurance_words(assurance: str) -> str:
    """The assurance icon's words (scorecard.icons)."""
    try:
        return icons.assurance_label(assurance)
    except ValueError:
        return assurance


# ------------------------------------------------------------------------------------ charts


def _marker(
    shape: str, x: float, y: float, r: float, colour: colors.Color, hollow: bool
) -> Group | Polygon | Rect | Circle:
    fill = WHITE if hollow else colour
    if shape == "x":
        group = Group()
        for dx in (-r, r):
            group.add(Line(x - dx, y - r, x + dx, y + r, strokeColor=colour, strokeWidth=1.2))
        return group
    if shape == "diamond":
        s = r * 1.35
        shape_obj: Any = Polygon([x, y + s, x + s, y, x, y - s, x - s, y])
    elif shape == "square":
        shape_obj = Rect(x - r, y - r, 2 * r, 2 * r)
    elif shape == "triangle-up":
        s = r * 1.35
        shape_obj = Polygon([x, y + s, x + s, y - s * 0.75, x - s, y - s * 0.75])
    else:
        shape_obj = Circle(x, y, r)
    shape_obj.fillColor = fill
    shape_obj.strokeColor = colour
    shape_obj.strokeWidth = 1 if hollow else 0.4
    return shape_obj


def _nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return [0.0, 1.0]
    if hi <= lo:
        pad = abs(lo) * 0.1 or 1.0
        lo, hi = lo - pad, hi + pad
    raw = (hi - lo) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = magnitude
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * magnitude
        if step >= raw:
            break
    start = math.floor(lo / step) * step
    ticks: list[float] = []
    value = start
    while value < hi + step * 0.999 and len(ticks) < 20:
        ticks.append(round(value, 10))
        value += step
    if len(ticks) < 2:
        ticks.append(start + step)
    return ticks


def _tick_label(value: float, unit: str) -> str:
    text = format_number(value)
    return f"{text}%" if unit == "%" else (f"£{text}" if unit == "£" else text)


def spc_drawing(
    periods: Sequence[str],
    result: spc.SpcResult,
    *,
    unit: str,
    targets: Sequence[float] | np.ndarray | None = None,
    hidden: Sequence[bool] | np.ndarray | None = None,
    change_reasons: Mapping[int, str] | None = None,
    notes: Sequence[tuple[int, str]] = (),
    width: float = 170 * mm,
    height: float = 66 * mm,
) -> Drawing:
    """A Making Data Count XmR chart drawn with reportlab graphics (no browser, no kaleido).

    Points are coloured and shaped by state (provisional points open), with the mean (or the
    median of a run chart), the process limits (dashed), the target (red, dashed), change points
    (dotted verticals) and numbered note markers.

    Args:
        periods: ``YYYY-MM`` per point.
        result: the series' SPC result.
        unit: the KPI's unit (for tick labels).
        targets: the target per point (NaN where none).
        hidden: points not to draw (suppressed small numbers); limits still drawn.
        change_reasons: reason per partition start index.
        notes: (point index, number) of annotation markers.
        width: drawing width in points.
        height: drawing height in points.

    Returns:
        The drawing (a platypus flowable).
    """
    fonts = _fonts()
    d = Drawing(width, height)
    pts = result.points
    n = len(pts)
    values = np.asarray(pts.values, dtype=np.float64)
    hide = np.zeros(n, dtype=bool) if hidden is None else np.asarray(hidden, dtype=bool)
    show = np.isfinite(values) & ~hide
    target_arr = np.full(n, np.nan) if targets is None else np.asarray(targets, dtype=np.float64)
    left, right, bottom, top = 44.0, 8.0, 24.0, 16.0
    pw, ph = width - left - right, height - bottom - top
    frame = Rect(left, bottom, pw, ph, fillColor=WHITE, strokeColor=NHS_PALE_GREY, strokeWidth=0.6)
    d.add(frame)
    if n == 0 or not show.any():
        d.add(
            String(
                left + pw / 2,
                bottom + ph / 2,
                "No data to chart" if n == 0 else "Every point is suppressed (small numbers)",
                fontName=fonts.regular,
                fontSize=9,
                fillColor=NHS_GREY,
                textAnchor="middle",
            )
        )
        return d
    pool = [values[show]]
    for arr in (pts.mean, pts.upl, pts.lpl, pts.median, target_arr):
        finite = np.asarray(arr, dtype=np.float64)
        pool.append(finite[np.isfinite(finite)])
    everything = np.concatenate(pool)
    ticks = _nice_ticks(float(everything.min()), float(everything.max()))
    lo, hi = ticks[0], ticks[-1]
    step_x = pw / n

    def x_at(i: float) -> float:
        return left + (i + 0.5) * step_x

    def y_at(v: float) -> float:
        return bottom + (v - lo) / (hi - lo) * ph

    for tick in ticks:
        y = y_at(tick)
        d.add(Line(left, y, left + pw, y, strokeColor=GRID, strokeWidth=0.5))
        d.add(
            String(
                left - 3,
                y - 2.5,
                fit_text(_tick_label(tick, unit)),
                fontName=fonts.regular,
                fontSize=6.5,
                fillColor=NHS_GREY,
                textAnchor="end",
            )
        )
    label_every = max(1, math.ceil(n / 12))
    for i in range(0, n, label_every):
        label = period_label(periods[i])
        d.add(
            String(
                x_at(i),
                bottom - 10,
                label[:3] + " " + label[-2:] if len(label) == 8 else label,
                fontName=fonts.regular,
                fontSize=6.3,
                fillColor=NHS_GREY,
                textAnchor="middle",
            )
        )

    def steps(arr: np.ndarray, indices: Sequence[int], **style: object) -> None:
        """Horizontal segments per point, merged while the value stays the same."""
        run_start: int | None = None
        run_value = math.nan
        for pos, i in enumerate([*indices, -1]):
            v = float(arr[i]) if i >= 0 else math.nan
            if run_start is not None and (i < 0 or not math.isclose(v, run_value)):
                end = indices[pos - 1]
                d.add(
                    Line(
                        x_at(run_start) - step_x / 2,
                        y_at(run_value),
                        x_at(end) + step_x / 2,
                        y_at(run_value),
                        **style,
                    )
                )
                run_start = None
            if i >= 0 and math.isfinite(v) and run_start is None:
                run_start, run_value = i, v

    partition = np.asarray(pts.partition)
    for part in sorted(set(partition.tolist())):
        indices = [int(i) for i in np.flatnonzero(partition == part)]
        if pts.partition_has_limits[part]:
            dashed = {"strokeColor": NHS_GREY, "strokeWidth": 0.9, "strokeDashArray": [4, 2]}
            steps(np.asarray(pts.upl), indices, **dashed)
            steps(np.asarray(pts.lpl), indices, **dashed)
            steps(np.asarray(pts.mean), indices, strokeColor=NHS_TEXT, strokeWidth=1.1)
        else:
            steps(np.asarray(pts.median), indices, strokeColor=NHS_TEXT, strokeWidth=1.1)
    if np.isfinite(target_arr).any():
        steps(
            target_arr,
            list(range(n)),
            strokeColor=TARGET,
            strokeWidth=1.2,
            strokeDashArray=[6, 3],
        )
    reasons = change_reasons or {}
    for i in range(1, n):
        if partition[i] != partition[i - 1]:
            x = x_at(i) - step_x / 2
            d.add(
                Line(
                    x,
                    bottom,
                    x,
                    bottom + ph,
                    strokeColor=NHS_GREY,
                    strokeWidth=0.8,
                    strokeDashArray=[1.5, 2],
                )
            )
            reason = reasons.get(i, "limits recalculated")
            text = "Change: " + (reason if len(reason) <= 48 else reason[:47] + "…")
            anchor = "end" if x > left + pw * 0.6 else "start"
            d.add(
                String(
                    x + (-2 if anchor == "end" else 2),
                    bottom + ph + 4,
                    fit_text(text),
                    fontName=fonts.regular,
                    fontSize=6.3,
                    fillColor=NHS_GREY,
                    textAnchor=anchor,
                )
            )
    segment: list[float] = []
    for i in range(n):
        if show[i]:
            segment += [x_at(i), y_at(float(values[i]))]
        elif len(segment) >= 4:
            d.add(PolyLine(segment, strokeColor=NHS_MID_GREY, strokeWidth=0.9))
            segment = []
        else:
            segment = []
    if len(segment) >= 4:
        d.add(PolyLine(segment, strokeColor=NHS_MID_GREY, strokeWidth=0.9))
    radius = 2.4 if n <= 40 else 1.8
    for i in range(n):
        if not show[i]:
            continue
        state = pts.point_state[i]
        colour = colors.HexColor(icons.STATE_COLOURS.get(state, icons.NHS_MID_GREY))
        d.add(
            _marker(
                STATE_SHAPES.get(state, "circle"),
                x_at(i),
                y_at(float(values[i])),
                radius,
                colour,
                hollow=bool(pts.provisional[i]),
            )
        )
    for index, number in notes:
        if 0 <= index < n:
            x, y = x_at(index), bottom + ph - 7
            badge = Circle(x, y, 5, fillColor=NHS_BLUE, strokeColor=WHITE, strokeWidth=0.5)
            d.add(badge)
            d.add(
                String(
                    x,
                    y - 2.4,
                    number,
                    fontName=fonts.bold,
                    fontSize=6.5,
                    fillColor=WHITE,
                    textAnchor="middle",
                )
            )
    return d


def chart_key() -> Drawing:
    """The key to the pack's charts: point shapes and colours, lines."""
    fonts = _fonts()
    width, height = 250 * mm, 30
    d = Drawing(width, height)
    x = 0.0
    for state in (spc.COMMON_CAUSE, spc.IMPROVEMENT, spc.CONCERN, spc.NEITHER, spc.EXCLUDED):
        colour = colors.HexColor(icons.STATE_COLOURS[state])
        d.add(_marker(STATE_SHAPES[state], x + 4, height - 8, 3, colour, hollow=False))
        label = STATE_NAMES[state]
        d.add(String(x + 11, height - 11, fit_text(label), fontName=fonts.regular, fontSize=7.5))
        x += 11 + pdfmetrics.stringWidth(fit_text(label), fonts.regular, 7.5) + 14
    y = 6.0
    x = 0.0
    lines: list[tuple[str, dict[str, Any]]] = [
        ("Mean (or median of a run chart)", {"strokeColor": NHS_TEXT, "strokeWidth": 1.1}),
        (
            "Process limits",
            {"strokeColor": NHS_GREY, "strokeWidth": 0.9, "strokeDashArray": [4, 2]},
        ),
        ("Target", {"strokeColor": TARGET, "strokeWidth": 1.2, "strokeDashArray": [6, 3]}),
        (
            "Change point",
            {"strokeColor": NHS_GREY, "strokeWidth": 0.8, "strokeDashArray": [1.5, 2]},
        ),
    ]
    for label, style in lines:
        d.add(Line(x, y + 2.5, x + 18, y + 2.5, **style))
        d.add(String(x + 22, y, label, fontName=fonts.regular, fontSize=7.5))
        x += 22 + pdfmetrics.stringWidth(label, fonts.regular, 7.5) + 14
    d.add(_marker("circle", x + 4, y + 2.5, 3, NHS_GREY, hollow=True))
    d.add(String(x + 11, y, "Open marker: provisional value", fontName=fonts.regular, fontSize=7.5))
    return d


# ------------------------------------------------------------------------------------ inputs


@dataclass(frozen=True)
class PackData:
    """Everything the pack shows, read once from the framework, the store and the reviews."""

    fw: Framework
    month: str
    area: Area
    rows: tuple[ScorecardRow, ...]  # computed now (with declared change points)
    shown: tuple[dict[str, object], ...]  # the rows as shown: signed-off snapshot, else now
    previous_rows: tuple[ScorecardRow, ...]
    series: Mapping[tuple[str, str], KpiSeries]
    commentary: Mapping[str, Commentary]  # by KPI code (this area)
    annotations: Mapping[str, tuple[Annotation, ...]]  # by KPI code
    signoff: SignOff | None
    signoff_changes: tuple[SignOffChange, ...]
    data_as_of: str
    store_identity: str
    synthetic: bool
    quality: tuple[Any, ...]
    prepared_at: str


def _data_as_of(loads: pd.DataFrame) -> str:
    if loads.empty or "loaded_at" not in loads.columns:
        return "no loads recorded"
    latest = pd.to_datetime(loads["loaded_at"], errors="coerce").max()
    if pd.isna(latest):
        return "unknown"
    return f"{latest:%d %b %Y %H:%M} UTC"


def read_pack_data(
    fw: Framework,
    store: StoreReader,
    reviews: Reviews,
    month: str,
    area_code: str,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> PackData:
    """Read what the pack needs (one store read for the area, one for the load log).

    Raises:
        UserError: For an unknown area or a month without any data.
    """
    try:
        area = fw.area(area_code)
    except KeyError:
        known = ", ".join(a.code for a in fw.areas)
        raise UserError(
            Problem("--area", None, "", area_code, "a known area code", f"known areas: {known}")
        ) from None
    live = with_declared_change_points(fw, reviews)
    frame = store.current(area_codes=[area.code], up_to=month)
    if frame.empty:
        raise UserError(
            Problem(
                "--month",
                None,
                "",
                month,
                "data at or before the month",
                f"the store holds no data for {area.name} at or before {month}",
            )
        )
    rows = tuple(compute_scorecard(live, frame, month, area.code))
    previous = tuple(compute_scorecard(live, frame, previous_month(month), area.code))
    series = compute_series(live, frame, month, area.code)
    signoff = reviews.signoff(month, area.code)
    if signoff is not None:
        shown = tuple(dict(r) for r in signoff.rows)
        words = {c.kpi_code: c for c in signoff.commentary if c.area_code == area.code}
        changes = tuple(reviews.changed_since_signoff(month, area.code, rows))
    else:
        shown = tuple(row_record(r) for r in rows)
        words = {c.kpi_code: c for c in reviews.month_commentary(month, area.code)}
        changes = ()
    notes: dict[str, list[Annotation]] = {}
    for note in reviews.annotations(area_code=area.code):
        notes.setdefault(note.kpi_code, []).append(note)
    from scorecard.quality import kpi_quality

    history = store.history(area_code=area.code)
    quality = tuple(kpi_quality(fw, frame, month, history=history, area=area.code))
    synthetic = bool(frame["synthetic"].fillna(False).astype(bool).any())
    return PackData(
        fw=live,
        month=month,
        area=area,
        rows=rows,
        shown=shown,
        previous_rows=previous,
        series=series,
        commentary=words,
        annotations={k: tuple(v) for k, v in notes.items()},
        signoff=signoff,
        signoff_changes=changes,
        data_as_of=_data_as_of(store.loads()),
        store_identity=store.identity(),
        synthetic=synthetic,
        quality=quality,
        prepared_at=f"{now():%d %b %Y %H:%M} UTC",
    )


# ------------------------------------------------------------------------------------ the table


SCORECARD_TABLE_COLUMNS: tuple[str, ...] = (
    "kpi_code",
    "kpi_name",
    "tier",
    "outcome_numbers",
    "area_code",
    "area_name",
    "period",
    "value",
    "unit",
    "status",
    "target",
    "direction",
    "n_points",
    "mean",
    "upl",
    "lpl",
    "variation",
    "variation_words",
    "assurance",
    "assurance_words",
    "suppressed",
    "data",
    "provenance",
    "commentary_chart_says",
    "commentary_issues",
    "commentary_actions",
    "commentary_mitigations",
    "commentary_by",
    "commentary_version",
    "note",
)


def _actions_text(words: Commentary) -> str:
    parts = []
    for action in words.actions:
        who = f" ({action.owner}" + (f", due {action.due}" if action.due else "") + ")"
        parts.append(action.text + (who if action.owner or action.due else ""))
    return "; ".join(parts)


def scorecard_frame(
    rows: Sequence[ScorecardRow | Mapping[str, object]],
    commentary: Mapping[tuple[str, str], Commentary] | None = None,
) -> pd.DataFrame:
    """The scorecard table for CSV and XLSX downloads: contract fields, words and commentary.

    A suppressed value is published as "*" with the reason in ``note``; the store keeps it.
    """
    words = commentary or {}
    records: list[dict[str, object]] = []
    for row in rows:
        r = row_record(row)
        suppressed = bool(r.get("suppressed"))
        said = words.get((str(r.get("kpi_code")), str(r.get("area_code"))))
        notes = []
        if suppressed:
            notes.append(SUPPRESSION_NOTE)
        if r.get("provisional"):
            notes.append("Provisional value.")
        outcomes = r.get("outcome_numbers") or []
        records.append(
            {
                "kpi_code": r.get("kpi_code"),
                "kpi_name": r.get("kpi_name"),
                "tier": r.get("tier"),
                "outcome_numbers": ";".join(str(o) for o in outcomes)
                if isinstance(outcomes, list | tuple)
                else str(outcomes),
                "area_code": r.get("area_code"),
                "area_name": r.get("area_name", ""),
                "period": r.get("period"),
                "value": SUPPRESSED_MARK if suppressed else r.get("value"),
                "unit": r.get("unit", ""),
                "status": r.get("status"),
                "target": r.get("target"),
                "direction": r.get("direction"),
                "n_points": r.get("n_points"),
                "mean": r.get("mean"),
                "upl": r.get("upl"),
                "lpl": r.get("lpl"),
                "variation": r.get("variation"),
                "variation_words": variation_words(str(r.get("variation"))),
                "assurance": r.get("assurance"),
                "assurance_words": assurance_words(str(r.get("assurance"))),
                "suppressed": suppressed,
                "data": "synthetic" if r.get("synthetic") else "real",
                "provenance": r.get("provenance", ""),
                "commentary_chart_says": said.chart_says if said else "",
                "commentary_issues": said.issues if said else "",
                "commentary_actions": _actions_text(said) if said else "",
                "commentary_mitigations": said.mitigations if said else "",
                "commentary_by": f"{said.author}, {said.written_at}" if said else "",
                "commentary_version": said.version if said else None,
                "note": " ".join(notes),
            }
        )
    return pd.DataFrame.from_records(records, columns=list(SCORECARD_TABLE_COLUMNS))


def scorecard_csv(frame: pd.DataFrame) -> bytes:
    """The scorecard table as CSV (formula-like text neutralised)."""
    return exports.to_csv_bytes(frame)


def scorecard_xlsx(frame: pd.DataFrame, month: str, area: str) -> bytes:
    """The scorecard table as XLSX (formula-like text neutralised)."""
    return exports.to_xlsx_bytes(
        frame, sheet_name=f"Scorecard {month}", title=f"iCAN scorecard {month} {area}"
    )


# ------------------------------------------------------------------------------------ pages


def _table(
    data: list[list[Any]],
    widths: Sequence[float],
    *,
    header: bool = True,
    zebra: bool = True,
    extra: Sequence[tuple[Any, ...]] = (),
) -> Table:
    table = Table(data, colWidths=list(widths), repeatRows=1 if header else 0)
    style: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3.5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3.5),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, NHS_PALE_GREY),
    ]
    if header:
        style += [("BACKGROUND", (0, 0), (-1, 0), NHS_BLUE), ("VALIGN", (0, 0), (-1, 0), "BOTTOM")]
    if zebra:
        start = 1 if header else 0
        for i in range(start, len(data)):
            if (i - start) % 2 == 1:
                style.append(("BACKGROUND", (0, i), (-1, i), colors.HexColor("#F6F8F8")))
    table.setStyle(TableStyle([*style, *extra]))
    return table


def _icon_cell(drawing: Drawing, words: str, width: float) -> Table:
    s = _styles()
    cell = Table(
        [[drawing, _p(words, s.cell)]],
        colWidths=[drawing.width + 3, width - drawing.width - 3],
    )
    cell.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return cell


def _lead_codes(fw: Framework, number: int) -> list[str]:
    codes = [*fw.linked(LinkKind.OUTCOME_LEAD_KPI, f"O{number}")]
    codes += fw.linked(LinkKind.OUTCOME_LEAD_KPI, str(number))
    known = {k.code for k in fw.kpis}
    return [c for c in dict.fromkeys(codes) if c in known]


def _marks(kpi: Kpi) -> str:
    return " [illustrative]" if kpi.provenance == Provenance.ILLUSTRATIVE else ""


class _PackBuilder:
    """Lays the pack out as platypus flowables."""

    def __init__(self, data: PackData) -> None:
        self.d = data
        self.s = _styles()
        self.width = PAGE_SIZE[0] - 2 * MARGIN
        self.shown = {str(r.get("kpi_code")): r for r in data.shown}
        self.changed = {c.kpi_code for c in data.signoff_changes}
        # Outcome pages draw the data as they are now; the summary shows them as signed off.
        self.now = {r.kpi_code: row_record(r) for r in data.rows}

    # -------------------------------------------------------------- helpers

    def row(self, kpi_code: str) -> dict[str, object] | None:
        return self.shown.get(kpi_code)

    def value_text(self, kpi: Kpi, row: Mapping[str, object] | None) -> str:
        if row is None:
            return "not reported"
        if row.get("period") is None:
            return "no data"
        text = format_value(_float(row.get("value")), str(kpi.unit), bool(row.get("suppressed")))
        return text + (" (p)" if row.get("provisional") else "")

    def target_text(self, kpi: Kpi, row: Mapping[str, object] | None) -> str:
        if row is None:
            return "–"
        target = _float(row.get("target"))
        return format_value(target, str(kpi.unit)) if target is not None else "none"

    def icon_cells(
        self, row: Mapping[str, object] | None, size: float, width_v: float, width_a: float
    ) -> list[Flowable | str]:
        """The variation and assurance cells: icon and words, or why there is none."""
        if row is None:
            return [_p("Not reported for this area", self.s.small), ""]
        variation = str(row.get("variation", "none"))
        assurance = str(row.get("assurance", "none"))
        return [
            _icon_cell(variation_icon(variation, size), variation_words(variation), width_v),
            _icon_cell(assurance_icon(assurance, size), assurance_words(assurance), width_a),
        ]

    # -------------------------------------------------------------- cover

    def cover(self) -> list[Flowable]:
        d, s = self.d, self.s
        out: list[Flowable] = [
            Spacer(1, 6 * mm),
            _p("iCAN Executive Board pack", s.title),
            _p(
                "Integrated Care Across Northamptonshire – the outcomes-framework scorecard",
                s.subtitle,
            ),
            Spacer(1, 6 * mm),
        ]
        if d.signoff is not None:
            state = (
                f"Signed off by {d.signoff.author} on {d.signoff.written_at[:16].replace('T', ' ')}"
                f" UTC (data state {d.signoff.store_identity[:16]}, rows hash "
                f"{d.signoff.rows_hash[:12]})."
            )
            if d.signoff.note:
                state += f" Note: {d.signoff.note.rstrip('.')}."
            if d.signoff_changes:
                state += (
                    f" {len(d.signoff_changes)} figure(s) have changed since sign-off: "
                    "see the summary."
                )
            else:
                state += " Nothing has changed since sign-off."
        else:
            state = "Not signed off: a draft for the Executive Board."
        lead_rows = [r for r in d.shown if r.get("tier") == Tier.LEAD.value]
        with_words = sum(1 for r in lead_rows if str(r.get("kpi_code")) in d.commentary)
        facts = [
            ("Month", month_words(d.month)),
            ("Area", f"{d.area.name} ({d.area.code})"),
            ("Data as of", f"{d.data_as_of} (latest load; store state {d.store_identity[:16]})"),
            ("Sign-off", state),
            (
                "Commentary",
                f"{with_words} of {len(lead_rows)} lead KPIs have commentary for this month.",
            ),
            ("Prepared", d.prepared_at),
        ]
        table = _table(
            [[_p(k, s.cell_bold), _p(v, s.cell)] for k, v in facts],
            [40 * mm, self.width - 40 * mm],
            header=False,
            zebra=False,
            extra=[("BACKGROUND", (0, 0), (0, -1), NHS_PALE_GREY)],
        )
        out += [table, Spacer(1, 5 * mm)]
        if d.synthetic:
            out += [self.synthetic_box(), Spacer(1, 4 * mm)]
        out.append(_p("This month at a glance", s.h3))
        out.append(_p(lead_sentence(d.shown), s.body))
        changes = changes_since(d.fw, list(d.rows), list(d.previous_rows))
        if changes:
            out.append(_p(f"What changed since {month_words(previous_month(d.month))}", s.h3))
            for change in changes[:8]:
                out.append(_markup("• " + esc(change.sentence), s.body))
            if len(changes) > 8:
                out.append(_p(f"… and {len(changes) - 8} more changes.", s.small))
        out.append(_p("In this pack", s.h3))
        contents = [
            "Summary: the lead KPIs of the ten iCAN outcomes with their icons",
            "One page per outcome: its lead KPIs' SPC charts and commentary",
            "Activity KPIs by brick",
            "Data quality and coverage",
            "How to read the SPC icons and charts; glossary",
            "Appendix: the outcomes framework scorecard (the golden thread in six columns)",
        ]
        out.append(_markup("<br/>".join("• " + esc(c) for c in contents), s.body))
        return out

    def synthetic_box(self) -> Table:
        box = Table(
            [
                [
                    _p(
                        "Synthetic data. The values in this pack come from the demo store: they "
                        "are made up to show how the scorecard works and are not real NHS or "
                        "council figures.",
                        self.s.banner,
                    )
                ]
            ],
            colWidths=[self.width],
        )
        box.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#FFF4D6")),
                    ("BOX", (0, 0), (-1, -1), 1.2, NHS_ORANGE),
                    ("TOPPADDING", (0, 0), (-1, -1), 6),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                ]
            )
        )
        return box

    # -------------------------------------------------------------- summary

    def summary(self) -> list[Flowable]:
        d, s = self.d, self.s
        out: list[Flowable] = [
            PageBreak(),
            _p("Summary: lead KPIs of the iCAN outcomes", s.h2),
            _p(
                f"{d.area.name}, {month_words(d.month)}. Each lead KPI's latest value at or before "
                "the month, its target, and its Making Data Count icons with their words. "
                + (
                    "Figures as signed off by the Executive Board."
                    if d.signoff is not None
                    else "Not yet signed off."
                ),
                s.note,
            ),
            Spacer(1, 2 * mm),
        ]
        widths = [52 * mm, 54 * mm, 16 * mm, 20 * mm, 16 * mm, 42 * mm, 44 * mm]
        widths.append(self.width - sum(widths))
        head = ["iCAN outcome", "Lead KPI", "Period", "Value", "Target", "Variation", "Assurance"]
        data: list[list[Any]] = [[_p(h, s.head) for h in [*head, "Notes"]]]
        for outcome in d.fw.outcomes:
            codes = _lead_codes(d.fw, outcome.number)
            if not codes:
                data.append(
                    [
                        _p(f"{outcome.number}. {outcome.wording}", s.cell),
                        _p("No lead KPI linked yet", s.cell),
                        *[""] * 6,
                    ]
                )
                continue
            for n, code in enumerate(codes):
                kpi = d.fw.kpi(code)
                row = self.row(code)
                notes: list[str] = []
                if kpi.provenance == Provenance.ILLUSTRATIVE:
                    notes.append("illustrative KPI")
                if row is not None and row.get("suppressed"):
                    notes.append("* small number")
                if code in self.changed:
                    notes.append("changed since sign-off")
                if code in d.commentary:
                    notes.append("commentary")
                data.append(
                    [
                        _p(f"{outcome.number}. {outcome.wording}", s.cell) if n == 0 else "",
                        _p(kpi.name, s.cell_bold),
                        _p(period_label(str(row.get("period") or "")) if row else "–", s.cell),
                        _p(self.value_text(kpi, row), s.cell_right),
                        _p(self.target_text(kpi, row), s.cell_right),
                        *self.icon_cells(row, 16, widths[5] - 7, widths[6] - 7),
                        _p(", ".join(notes), s.cell),
                    ]
                )
        out.append(_table(data, widths))
        out.append(
            _p(
                "(p) provisional value. " + SUPPRESSION_NOTE + " Words beside each icon say "
                "what it shows; see 'How to read the SPC icons' at the end of the pack.",
                s.note,
            )
        )
        if d.signoff is not None and d.signoff_changes:
            out.append(CondPageBreak(40 * mm))
            out.append(_p("Changed since sign-off", s.h3))
            out.append(
                _p(
                    "The figures above are as signed off. These have changed since, after later "
                    "loads or revisions:",
                    s.note,
                )
            )
            for change in d.signoff_changes[:40]:
                out.append(_markup("• " + esc(change.sentence), s.small))
        return out

    # -------------------------------------------------------------- outcome pages

    def outcome_pages(self) -> list[Flowable]:
        d, s = self.d, self.s
        out: list[Flowable] = []
        pillars = {p.code: p for p in d.fw.pillars}
        counts = rollup(d.fw, list(d.rows))
        for outcome in d.fw.outcomes:
            out.append(PageBreak())
            out.append(_p(f"Outcome {outcome.number}: {outcome.wording}", s.h2))
            pillar = pillars.get(outcome.pillar_code)
            node = counts.node("outcome", outcome.code)
            line = f"Owned by {pillar.name if pillar else outcome.pillar_code}. {node.summary}"
            out.append(_p(line, s.note))
            codes = _lead_codes(d.fw, outcome.number)
            if not codes:
                out.append(_p("No lead KPI is linked to this outcome yet.", s.body))
            for code in codes:
                out += self.kpi_block(d.fw.kpi(code))
        return out

    def kpi_block(self, kpi: Kpi) -> list[Flowable]:
        d, s = self.d, self.s
        row = self.now.get(kpi.code)
        title = _markup(
            f"{esc(kpi.name)} <font size=8 color='#425563'>({esc(kpi.code)}"
            f"{esc(_marks(kpi))})</font>",
            s.h3,
        )
        series = d.series.get((kpi.code, d.area.code))
        if series is None or row is None:
            return [title, _p(f"{kpi.name} is not reported for {d.area.name}.", s.body)]
        result = analyse_series(kpi, series)
        notes = [a for a in d.annotations.get(kpi.code, ()) if not a.change_point]
        index_of = {p: i for i, p in enumerate(series.periods)}
        markers = [
            (index_of[a.period], str(n))
            for n, a in enumerate(notes, start=1)
            if a.period in index_of
        ]
        reasons = dict(zip(series.change_points, series.change_reasons, strict=False))
        hidden = hidden_points(kpi, d.area, series)
        chart = spc_drawing(
            series.periods,
            result,
            unit=str(kpi.unit),
            targets=series.targets,
            hidden=hidden,
            change_reasons=reasons,
            notes=markers,
        )
        variation = str(row.get("variation", "none"))
        assurance = str(row.get("assurance", "none"))
        side_width = self.width - chart.width - 4 * mm
        facts: list[list[Any]] = [
            [_p("Latest", s.cell_bold), _p(self.value_text(kpi, row), s.cell)],
            [_p("Period", s.cell_bold), _p(period_label(str(row.get("period") or "")), s.cell)],
            [_p("Target", s.cell_bold), _p(self.target_text(kpi, row), s.cell)],
            [_p("Points", s.cell_bold), _p(str(row.get("n_points", 0)), s.cell)],
        ]
        side: list[list[Any]] = [
            [_table(facts, [16 * mm, side_width - 16 * mm], header=False, zebra=False)],
            [_icon_cell(variation_icon(variation, 22), variation_words(variation), side_width)],
            [_p(result.variation_text(), s.small)],
            [_icon_cell(assurance_icon(assurance, 22), assurance_words(assurance), side_width)],
            [_p(result.assurance_text(), s.small)],
            [_p(f"Owner: {kpi.owner_role}. Source: {kpi.data_source}.", s.small)],
        ]
        if int(hidden.sum()):
            side.append(
                [_p(f"{int(hidden.sum())} point(s) not drawn: {SUPPRESSION_NOTE}", s.small)]
            )
        signed = self.row(kpi.code)
        if kpi.code in self.changed and signed is not None:
            was = (
                f"Changed since sign-off. As signed off: {self.value_text(kpi, signed)}; "
                f"{variation_words(str(signed.get('variation')))}; "
                f"{assurance_words(str(signed.get('assurance')))}."
            )
            side.append([_p(was, s.cell_bold)])
        side_table = Table(side, colWidths=[side_width])
        side_table.setStyle(
            TableStyle(
                [
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                    ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                ]
            )
        )
        body = Table([[chart, side_table]], colWidths=[chart.width + 4 * mm, side_width])
        body.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ]
            )
        )
        block: list[Flowable] = [title, body]
        if notes:
            listed = "   ".join(
                f"<b>{n}</b> {esc(period_label(a.period))}: {esc(a.label)}"
                for n, a in enumerate(notes, start=1)
            )
            block.append(_markup(listed, s.small))
        out: list[Flowable] = [KeepTogether(block)]
        out.append(self.commentary_table(kpi))
        out.append(Spacer(1, 3 * mm))
        return out

    def commentary_table(self, kpi: Kpi) -> Flowable:
        s = self.s
        words = self.d.commentary.get(kpi.code)
        if words is None:
            return _p(f"No commentary has been written for {month_words(self.d.month)}.", s.note)
        actions = [
            "• "
            + esc(a.text)
            + (
                f" <font color='#425563'>({esc(a.owner or 'no owner')}"
                + (f", due {esc(a.due)}" if a.due else "")
                + ")</font>"
            )
            for a in words.actions
        ]
        rows = [
            ("What the chart tells us", _p(words.chart_says or "–", s.cell)),
            ("Issues", _p(words.issues or "–", s.cell)),
            ("Actions", _markup("<br/>".join(actions) or "–", s.cell)),
            ("Mitigations and risks", _p(words.mitigations or "–", s.cell)),
        ]
        frozen = " (as signed off)" if self.d.signoff is not None else ""
        by = (
            f"Commentary by {words.author}, {words.written_at[:16].replace('T', ' ')} UTC, "
            f"version {words.version}{frozen}"
        )
        data = [[_p(by, s.head), ""]] + [[_p(k, s.cell_bold), v] for k, v in rows]
        return _table(
            data,
            [42 * mm, self.width - 42 * mm],
            zebra=False,
            extra=[
                ("SPAN", (0, 0), (-1, 0)),
                ("BACKGROUND", (0, 0), (-1, 0), NHS_GREY),
                ("BACKGROUND", (0, 1), (0, -1), NHS_PALE_GREY),
                ("VALIGN", (0, 1), (-1, -1), "TOP"),
            ],
        )

    # -------------------------------------------------------------- activity KPIs

    def activity(self) -> list[Flowable]:
        d, s = self.d, self.s
        out: list[Flowable] = [
            PageBreak(),
            _p("Activity KPIs by brick", s.h2),
            _p(
                f"{d.area.name}, {month_words(d.month)}. Each brick's activity KPIs: how much was "
                "done, how well, and is anyone better off. Bricks are grouped by pillar; the "
                "brick slide is garbled, so each brick carries how sure its name is (H/M/L).",
                s.note,
            ),
        ]
        widths = [46 * mm, 60 * mm, 17 * mm, 16 * mm, 19 * mm, 16 * mm, 43 * mm]
        widths.append(self.width - sum(widths))
        head = ["Brick", "Activity KPI", "Measures", "Period", "Value", "Target", "Variation"]
        results = {"how_much": "how much", "how_well": "how well", "better_off": "better off"}
        for pillar in d.fw.pillars:
            bricks = [b for b in d.fw.bricks if b.pillar_code == pillar.code]
            if not bricks:
                continue
            data: list[list[Any]] = [[_p(h, s.head) for h in [*head, "Assurance"]]]
            for brick in bricks:
                codes = list(d.fw.linked(LinkKind.BRICK_ACTIVITY_KPI, brick.code))
                label = f"{brick.name} ({brick.confidence})"
                if not codes:
                    data.append([_p(label, s.cell), _p("No activity KPI yet", s.cell), *[""] * 6])
                    continue
                for n, code in enumerate(codes):
                    try:
                        kpi = d.fw.kpi(code)
                    except KeyError:
                        continue
                    row = self.row(code)
                    data.append(
                        [
                            _p(label, s.cell) if n == 0 else "",
                            _p(kpi.name + _marks(kpi), s.cell),
                            _p(results.get(str(kpi.result_type or ""), "–"), s.cell),
                            _p(period_label(str(row.get("period") or "")) if row else "–", s.cell),
                            _p(self.value_text(kpi, row), s.cell_right),
                            _p(self.target_text(kpi, row), s.cell_right),
                            *self.icon_cells(row, 13, widths[6] - 7, widths[7] - 7),
                        ]
                    )
            out.append(CondPageBreak(35 * mm))
            out.append(_p(f"{pillar.name}", s.h3))
            out.append(_table(data, widths))
        return out

    # -------------------------------------------------------------- quality and coverage

    def quality(self) -> list[Flowable]:
        from scorecard.framework import coverage
        from scorecard.quality import DIMENSION_LABELS, DIMENSIONS

        d, s = self.d, self.s
        out: list[Flowable] = [
            PageBreak(),
            _p("Data quality and coverage", s.h2),
            _p(
                f"A kite mark per KPI for {d.area.name} up to {month_words(d.month)}: good, "
                "attention or poor on each dimension.",
                s.note,
            ),
        ]
        first = 70 * mm
        rest = (self.width - first - 22 * mm - 20 * mm) / len(DIMENSIONS)
        widths = [first, 22 * mm, 20 * mm, *([rest] * len(DIMENSIONS))]
        head = ["KPI", "Latest period", "Overall", *[DIMENSION_LABELS[x] for x in DIMENSIONS]]
        data: list[list[Any]] = [[_p(h, s.head) for h in head]]
        shade = {"good": "#E6F4EA", "attention": "#FFF4D6", "poor": "#FBE3D6"}
        extra: list[tuple[Any, ...]] = []
        for r, item in enumerate(d.quality, start=1):
            ratings = [item.kite_mark.mark(x).rating for x in DIMENSIONS]
            data.append(
                [
                    _p(f"{item.kpi_name} ({item.kpi_code})", s.cell),
                    _p(period_label(item.reference_period), s.cell),
                    _p(item.kite_mark.overall, s.cell_bold),
                    *[_p(x, s.cell) for x in ratings],
                ]
            )
            for c, rating in enumerate([item.kite_mark.overall, *ratings], start=2):
                extra.append(
                    ("BACKGROUND", (c, r), (c, r), colors.HexColor(shade.get(rating, "#FFFFFF")))
                )
        out.append(_table(data, widths, zebra=False, extra=extra))
        cov = coverage(d.fw)
        suppressed = sum(1 for r in d.shown if r.get("suppressed"))
        provisional = sum(1 for r in d.shown if r.get("provisional"))
        lines = [
            f"Outcomes without a lead KPI: {_listed(cov.outcomes_without_lead_kpi)}.",
            f"Bricks without an activity KPI: {_listed(cov.bricks_without_activity_kpi)}.",
            f"KPIs without an I-statement: {_listed(cov.kpis_without_i_statement)}.",
            f"I-statements no KPI evidences yet: {_listed(cov.i_statements_without_kpi)}.",
            f"Placeholders the programme still has to name: {_listed(cov.placeholders)}.",
            "Proposed by the team (illustrative), not stated in the iCAN documents: "
            + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in cov.illustrative.items() if v)
            + ".",
            f"Provisional values this month: {provisional}. Suppressed values this month: "
            f"{suppressed}.",
            SUPPRESSION_NOTE,
        ]
        out.append(CondPageBreak(50 * mm))
        out.append(_p("Coverage of the golden thread", s.h3))
        out.append(_markup("<br/>".join("• " + esc(x) for x in lines), s.body))
        return out

    # -------------------------------------------------------------- key and glossary

    def key(self) -> list[Flowable]:
        s = self.s
        out: list[Flowable] = [PageBreak(), _p("How to read the SPC icons", s.h2)]
        out.append(
            _p(
                "Each KPI is drawn as an XmR chart (NHS England 'Making Data Count'). Two icons "
                "summarise it: variation (is something changing, and is it good or bad?) and "
                "assurance (will the process hit its target?). Every icon comes with words; "
                "the letters H and L say whether the latest point is higher or lower than "
                "expected.",
                s.note,
            )
        )
        half = (self.width - 6 * mm) / 2
        meaning = {
            "common_cause": "No significant change: the latest point is routine variation.",
            "improvement_high": "Special cause: higher values, and higher is better.",
            "improvement_low": "Special cause: lower values, and lower is better.",
            "concern_high": "Special cause: higher values, and lower is better.",
            "concern_low": "Special cause: lower values, and higher is better.",
            "neither_high": "Special cause upwards in a KPI with no better direction.",
            "neither_low": "Special cause downwards in a KPI with no better direction.",
            "none": "Fewer than 15 points: a run chart, no icon yet.",
        }
        left: list[list[Any]] = [[_p("Variation icon", s.head), "", _p("Meaning", s.head)]]
        for code in spc.VARIATIONS:
            left.append(
                [
                    variation_icon(code, 20),
                    _p(variation_words(code), s.cell_bold),
                    _p(meaning[code], s.cell),
                ]
            )
        mean_a = {
            "pass": "The target lies outside the process limits on the good side: it will be met "
            "consistently.",
            "fail": "The target lies outside the process limits on the bad side: it will be "
            "missed unless something changes.",
            "hit_or_miss": "The target lies between the process limits: it will sometimes be met.",
            "none": "No target, no better direction, or too few points.",
        }
        right: list[list[Any]] = [[_p("Assurance icon", s.head), "", _p("Meaning", s.head)]]
        for code in spc.ASSURANCES:
            right.append(
                [
                    assurance_icon(code, 20),
                    _p(assurance_words(code), s.cell_bold),
                    _p(mean_a[code], s.cell),
                ]
            )
        span = [("SPAN", (0, 0), (1, 0))]
        both = Table(
            [
                [
                    _table(left, [10 * mm, 48 * mm, half - 58 * mm], zebra=False, extra=span),
                    _table(right, [10 * mm, 48 * mm, half - 58 * mm], zebra=False, extra=span),
                ]
            ],
            colWidths=[half + 3 * mm, half + 3 * mm],
        )
        both.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
        out += [both, Spacer(1, 5 * mm), _p("The charts", s.h3), chart_key()]
        out.append(
            _p(
                "Limits are mean ± 2.66 × the average moving range of the points since the "
                "last change point. Special cause: a point beyond a limit; 7 points in a row "
                "on one side of the mean; 7 points in a row rising or falling; 2 of 3 points "
                "beyond two-thirds of the way to a limit. Suppressed small numbers are not "
                "drawn.",
                s.note,
            )
        )
        return out

    def glossary(self) -> list[Flowable]:
        s = self.s
        data: list[list[Any]] = [[_p("Term", s.head), _p("Meaning", s.head)]]
        data += [[_p(term, s.cell_bold), _p(text, s.cell)] for term, text in GLOSSARY]
        return [
            CondPageBreak(80 * mm),
            _p("Glossary", s.h2),
            _table(data, [45 * mm, self.width - 45 * mm]),
        ]

    # -------------------------------------------------------------- appendix

    def appendix(self) -> list[Flowable]:
        from scorecard.framework_table import (
            ACTIVITY_KPI,
            LEAD_KPI,
            PROVENANCE_COLUMNS,
            SIX_COLUMNS,
            framework_table,
            grouped,
            not_yet_linked,
        )

        d, s = self.d, self.s
        table = framework_table(d.fw, list(d.rows), d.month, d.area.code)
        shown = grouped(table)
        out: list[Flowable] = [
            PageBreak(),
            _p("Appendix: the iCAN outcomes framework scorecard", s.h2),
            _p(
                "The golden thread in the six columns of the iCAN documents' example scorecard, "
                f"one row per path, with {d.area.name}'s latest figures for {month_words(d.month)} "
                "under each KPI. [illustrative] marks entries the team proposed where the "
                "documents are silent; [placeholder] marks names the programme has still to give.",
                s.note,
            ),
        ]
        widths = [30 * mm, 40 * mm, 42 * mm, 52 * mm, 56 * mm]
        widths.append(self.width - sum(widths))
        data: list[list[Any]] = [[_p(h, s.head) for h in SIX_COLUMNS]]
        repeated = ParagraphStyle("repeated", parent=s.cell, textColor=colors.HexColor("#AEB7BD"))
        for i in range(len(table)):
            cells: list[Any] = []
            for column in SIX_COLUMNS:
                text = str(table.iloc[i][column] or "")
                if not text:
                    cells.append("")
                    continue
                # A cell repeating the one above (as the documents' slide groups them) is
                # greyed rather than blanked, so a row carried onto a new page still reads.
                if not str(shown.iloc[i][column] or ""):
                    cells.append(Paragraph(esc(text), repeated))
                    continue
                mark = str(table.iloc[i][PROVENANCE_COLUMNS[column]] or "")
                markup = esc(text)
                if mark in ("illustrative", "placeholder"):
                    markup += f" <font size=6.5 color='#425563'>[{esc(mark)}]</font>"
                if column in (LEAD_KPI, ACTIVITY_KPI):
                    prefix = "Lead KPI" if column == LEAD_KPI else "Activity KPI"
                    markup += "<br/>" + self.figure_markup(table.iloc[i], prefix)
                cells.append(Paragraph(markup, s.cell))
            data.append(cells)
        out.append(_table(data, widths, extra=[("VALIGN", (0, 1), (-1, -1), "TOP")]))
        missing = not_yet_linked(d.fw)
        if not missing.empty:
            out.append(CondPageBreak(40 * mm))
            out.append(_p("Not yet linked", s.h3))
            out.append(
                _p(
                    "KPIs and I-statements that no six-column path passes through yet, and why.",
                    s.note,
                )
            )
            rows: list[list[Any]] = [[_p(h, s.head) for h in ("Kind", "Code", "Name", "Why")]]
            for rec in missing.to_dict("records"):
                rows.append(
                    [
                        _p(rec["Kind"], s.cell),
                        _p(rec["Code"], s.cell),
                        _p(rec["Name"], s.cell),
                        _p(rec["Why"], s.cell),
                    ]
                )
            out.append(_table(rows, [24 * mm, 32 * mm, 110 * mm, self.width - 166 * mm]))
        return out

    def figure_markup(self, record: pd.Series, prefix: str) -> str:
        period = str(record.get(f"{prefix} period") or "")
        if not period:
            status = str(record.get(f"{prefix} variation") or "")
            return f"<font size=7 color='#425563'>{esc(status)}</font>" if status else ""
        code = str(record.get(f"{prefix} code") or "")
        kpi = self.d.fw.kpi(code) if code else None
        row = self.row(code) if code else None
        value = self.value_text(kpi, row) if kpi is not None else str(record.get(f"{prefix} value"))
        variation = str(row.get("variation", "none")) if row else "none"
        assurance = str(row.get("assurance", "none")) if row else "none"
        text = (
            f"{value} ({period_label(period)}) · {variation_words(variation)} · "
            f"{assurance_words(assurance)}"
        )
        return f"<font size=7 color='#425563'>{esc(text)}</font>"

    # -------------------------------------------------------------- all

    def story(self) -> list[Flowable]:
        return [
            *self.cover(),
            *self.summary(),
            *self.outcome_pages(),
            *self.activity(),
            *self.quality(),
            *self.key(),
            *self.glossary(),
            *self.appendix(),
        ]


def _listed(items: Iterable[object]) -> str:
    values = [str(x) for x in items]
    return ", ".join(values) if values else "none"


def lead_sentence(rows: Sequence[Mapping[str, object]]) -> str:
    """One line on the lead KPIs' variation and assurance icons (counts, never averages)."""
    lead = [r for r in rows if r.get("tier") == Tier.LEAD.value]
    variation = [str(r.get("variation", "none")) for r in lead]
    assurance = [str(r.get("assurance", "none")) for r in lead]

    def count(prefix: str) -> int:
        return sum(1 for v in variation if v.startswith(prefix))

    parts = [
        f"Of {len(lead)} lead KPIs, {count('improvement')} show special cause improvement",
        f"{count('concern')} show special cause concern",
        f"{count('common_cause')} show common cause variation only",
    ]
    if count("neither"):
        parts.append(f"{count('neither')} show special causes in measures with no better side")
    if count("none"):
        parts.append(f"{count('none')} have too few points or no data for SPC")
    parts.append(
        f"against their targets, {assurance.count('pass')} will consistently pass, "
        f"{assurance.count('fail')} will consistently fail and "
        f"{assurance.count('hit_or_miss')} will hit or miss"
    )
    return "; ".join(parts) + "."


# ------------------------------------------------------------------------------------ document


def _numbered_canvas(decorate: Callable[[pdfcanvas.Canvas, int, int], None]) -> type:
    """A canvas class that draws each page's header and footer once the page count is known."""

    class NumberedCanvas(pdfcanvas.Canvas):  # type: ignore[misc]
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 - reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                decorate(self, number, total)
                super().showPage()
            super().save()

    return NumberedCanvas


def _decorator(data: PackData) -> Callable[[pdfcanvas.Canvas, int, int], None]:
    fonts = _fonts()
    width, height = PAGE_SIZE
    left_text = fit_text(
        f"iCAN Scorecard · Executive Board pack · {month_words(data.month)} · {data.area.name}"
    )
    state = "signed off" if data.signoff is not None else "draft, not signed off"

    def decorate(c: pdfcanvas.Canvas, number: int, total: int) -> None:
        c.saveState()
        c.setFillColor(NHS_BLUE)
        c.rect(0, height - HEADER_HEIGHT - 3 * mm, width, HEADER_HEIGHT + 3 * mm, stroke=0, fill=1)
        c.setFillColor(WHITE)
        c.setFont(fonts.bold, 9.5)
        c.drawString(MARGIN, height - HEADER_HEIGHT + 0.5 * mm, left_text)
        if data.synthetic:
            label = SYNTHETIC_LABEL
            c.setFont(fonts.bold, 8.5)
            text_width = c.stringWidth(label, fonts.bold, 8.5)
            c.setFillColor(NHS_WARM_YELLOW)
            c.roundRect(
                width - MARGIN - text_width - 6 * mm,
                height - HEADER_HEIGHT - 1 * mm,
                text_width + 6 * mm,
                6.2 * mm,
                3,
                stroke=0,
                fill=1,
            )
            c.setFillColor(NHS_TEXT)
            c.drawRightString(width - MARGIN - 3 * mm, height - HEADER_HEIGHT + 0.8 * mm, label)
        c.setStrokeColor(NHS_PALE_GREY)
        c.line(MARGIN, FOOTER_HEIGHT + 4 * mm, width - MARGIN, FOOTER_HEIGHT + 4 * mm)
        c.setFillColor(NHS_GREY)
        c.setFont(fonts.regular, 7.5)
        footer = f"{month_words(data.month)} · {data.area.name} · {state}"
        if data.synthetic:
            footer = "Synthetic data: not real figures · " + footer
        c.drawString(MARGIN, FOOTER_HEIGHT, fit_text(footer))
        c.drawRightString(width - MARGIN, FOOTER_HEIGHT, f"Page {number} of {total}")
        c.restoreState()

    return decorate


def render_pack(data: PackData) -> bytes:
    """Lay the pack out and return the PDF's bytes."""
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=PAGE_SIZE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN + HEADER_HEIGHT,
        bottomMargin=MARGIN + FOOTER_HEIGHT,
        title=f"iCAN Executive Board pack – {month_words(data.month)} – {data.area.name}",
        author="iCAN Scorecard",
        subject="Monthly outcomes-framework scorecard"
        + (" (synthetic demo data)" if data.synthetic else ""),
        creator="iCAN Scorecard (reportlab)",
    )
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body")
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    doc.build(_PackBuilder(data).story(), canvasmaker=_numbered_canvas(_decorator(data)))
    return buffer.getvalue()


def build_pack(fw: Framework, store: StoreReader, reviews: Reviews, month: str, area: str) -> bytes:
    """The Board pack PDF for a month and area (for the app's download and the command).

    Args:
        fw: the framework.
        store: the store (read only).
        reviews: people's words (commentary, annotations, sign-off).
        month: ``YYYY-MM``.
        area: an area code, e.g. "QPM".

    Returns:
        The PDF's bytes.

    Raises:
        UserError: For an unknown area or a month without data.
    """
    return render_pack(read_pack_data(fw, store, reviews, month, area))


def run_pack(args: argparse.Namespace) -> CommandResult:
    """``python -m scorecard pack --month YYYY-MM [--area CODE] --out FILE.pdf``."""
    from scorecard.framework import load_framework
    from scorecard.store import Store

    fw = load_framework(args.framework)
    store = Store(args.db)
    if not store.exists():
        raise UserError(
            Problem(
                "--db",
                None,
                "",
                str(args.db),
                "the store must exist",
                "no store here; run `python -m scorecard demo` or `load` first",
            )
        )
    out = Path(args.out)
    if not out.parent.is_dir():
        raise UserError(
            Problem("--out", None, "", str(out), "an existing folder", "the folder does not exist")
        )
    area = args.area or "QPM"
    data = read_pack_data(fw, store, Reviews.beside(Path(args.db)), args.month, area)
    pdf = render_pack(data)
    partial = out.with_name(out.name + ".partial")
    partial.write_bytes(pdf)
    partial.replace(out)
    pages = pdf.count(b"/Type /Page\n") or pdf.count(b"/Type /Page ")
    summary = {
        "file": str(out),
        "month": args.month,
        "area": area,
        "bytes": len(pdf),
        "pages": pages,
        "signed_off": data.signoff is not None,
        "synthetic": data.synthetic,
    }
    text = (
        f"Board pack for {month_words(args.month)}, {data.area.name}: {len(pdf):,} bytes "
        f"written to {out}"
        + (" (SYNTHETIC demo data)" if data.synthetic else "")
        + ("; signed off" if data.signoff is not None else "; not signed off")
    )
    return CommandResult(exit_code=EXIT_OK, data=summary, text=text)
