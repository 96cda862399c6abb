"""The Board pack's drawings: Making Data Count icons and SPC charts (reportlab graphics)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from reportlab.graphics.shapes import Circle, Drawing, Group, Line, Polygon, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics

from scorecard import icons, spc
from scorecard.numbers import format_number
from scorecard.pack.theme import (
    GRID,
    NHS_BLUE,
    NHS_GREY,
    NHS_MID_GREY,
    NHS_PALE_GREY,
    NHS_TEXT,
    STATE_NAMES,
    STATE_SHAPES,
    TARGET,
    WHITE,
    fit_text,
    pack_fonts,
    period_label,
)


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
        fontName=pack_fonts().bold,
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
    fonts = pack_fonts()
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
    fonts = pack_fonts()
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
