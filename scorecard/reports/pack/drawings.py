"""The Board pack's drawings as inline SVG: Making Data Count icons and SPC charts, with legends."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from markupsafe import Markup, escape

from scorecard.reports.pack.theme import (
    NHS_GREY,
    NHS_MID_GREY,
    NHS_PALE_GREY,
    NHS_TEXT,
    STATE_NAMES,
    STATE_SHAPES,
    TARGET,
    WHITE,
    period_label,
)
from scorecard.statistics import icons, spc, spc_icons
from scorecard.thread.numbers import format_number

# Axis titles by unit; the KPI's own name is the chart's heading.
_UNIT_TITLES: Mapping[str, str] = {
    "%": "Per cent",
    "count": "Count",
    "rate": "Rate",
    "days": "Days",
    "£": "Pounds (£)",
}
_DIRECTION_WORDS: Mapping[str, str] = {
    "increase": "Higher is better",
    "decrease": "Lower is better",
    "neutral": "Neither direction is better",
}
_FONT = 'font-family="Liberation Sans, Arial, sans-serif"'


def variation_words(variation: str) -> str:
    """The variation icon's words (scorecard.statistics.icons)."""
    try:
        return icons.variation_label(variation)
    except ValueError:
        return variation


def assurance_words(assurance: str) -> str:
    """The assurance icon's words (scorecard.statistics.icons)."""
    try:
        return icons.assurance_label(assurance)
    except ValueError:
        return assurance


def direction_words(direction: str) -> str:
    """Which way is better for a KPI, in words ("Higher is better")."""
    return _DIRECTION_WORDS.get(direction, _DIRECTION_WORDS["neutral"])


def variation_icon(variation: str, size: float = 22) -> Markup:
    """The variation icon as inline SVG (fixed text only; its title is the alternative text)."""
    code = variation if variation in spc_icons.VARIATIONS else "none"
    return Markup(icons.variation_icon_svg(code, size))  # noqa: S704 - built from fixed text


def assurance_icon(assurance: str, size: float = 22) -> Markup:
    """The assurance icon as inline SVG (fixed text only; its title is the alternative text)."""
    code = assurance if assurance in spc_icons.ASSURANCES else "none"
    return Markup(icons.assurance_icon_svg(code, size))  # noqa: S704 - built from fixed text


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _marker_path(shape: str, x: float, y: float, r: float) -> str:
    """Path data of one point marker (merged with its state's others into one path)."""
    if shape == "x":
        return (
            f"M{_num(x - r)},{_num(y - r)}L{_num(x + r)},{_num(y + r)}"
            f"M{_num(x - r)},{_num(y + r)}L{_num(x + r)},{_num(y - r)}"
        )
    if shape == "square":
        return f"M{_num(x - r)},{_num(y - r)}h{_num(2 * r)}v{_num(2 * r)}h{_num(-2 * r)}Z"
    if shape == "diamond":
        s = r * 1.35
        d = _num(s)
        return f"M{_num(x)},{_num(y - s)}l{d},{d}l-{d},{d}l-{d},-{d}Z"
    if shape == "triangle-up":
        s = r * 1.35
        return (
            f"M{_num(x)},{_num(y - s)}L{_num(x + s)},{_num(y + s * 0.75)}"
            f"L{_num(x - s)},{_num(y + s * 0.75)}Z"
        )
    return (
        f"M{_num(x - r)},{_num(y)}a{_num(r)},{_num(r)} 0 1,0 {_num(2 * r)},0"
        f"a{_num(r)},{_num(r)} 0 1,0 {_num(-2 * r)},0Z"
    )


def _markers(shape: str, colour: str, hollow: bool, data: str) -> str:
    """One path drawing every marker of a state (open markers for provisional values)."""
    if shape == "x":
        return f'<path d="{data}" fill="none" stroke="{colour}" stroke-width="1.6"/>'
    fill = WHITE if hollow else colour
    width = 1.4 if hollow else 0.6
    return f'<path d="{data}" fill="{fill}" stroke="{colour}" stroke-width="{width}"/>'


def _nice_ticks(lo: float, hi: float, count: int = 4) -> list[float]:
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


def _text(
    x: float, y: float, words: str, size: float = 10, anchor: str = "start", bold: bool = False
) -> str:
    weight = ' font-weight="bold"' if bold else ""
    return (
        f'<text x="{_num(x)}" y="{_num(y)}" font-size="{_num(size)}"{weight} '
        f'text-anchor="{anchor}">{escape(words)}</text>'
    )


@dataclass(frozen=True)
class ChartInput:
    """What one SPC chart draws: the series' reading and how to label it."""

    periods: Sequence[str]
    result: spc.SpcResult
    unit: str
    direction: str
    alt: str  # one sentence for screen readers (scorecard.reports.charts.chart_alt_text)
    targets: Sequence[float] | np.ndarray | None = None
    hidden: Sequence[bool] | np.ndarray | None = None
    change_reasons: Mapping[int, str] | None = None
    notes: Sequence[tuple[int, str]] = ()
    support_index: int | None = None  # where a declared improvement's support ended


def _steps(
    arr: np.ndarray,
    indices: Sequence[int],
    x_at: Callable[[float], float],
    y_at: Callable[[float], float],
    step_x: float,
) -> str:
    """Path data of horizontal segments per point, merged while the value stays the same."""
    out: list[str] = []
    run_start: int | None = None
    run_value = math.nan
    for pos, i in enumerate([*indices, -1]):
        v = float(arr[i]) if i >= 0 else math.nan
        if run_start is not None and (i < 0 or not math.isclose(v, run_value)):
            end = indices[pos - 1]
            x1, x2 = x_at(run_start) - step_x / 2, x_at(end) + step_x / 2
            out.append(f"M{_num(x1)},{_num(y_at(run_value))}H{_num(x2)}")
            run_start = None
        if i >= 0 and math.isfinite(v) and run_start is None:
            run_start, run_value = i, v
    return "".join(out)


def _path(data: str, style: str) -> str:
    return f'<path d="{data}" fill="none" {style}/>' if data else ""


_MEAN_STYLE = f'stroke="{NHS_TEXT}" stroke-width="1.4"'
_LIMIT_STYLE = f'stroke="{NHS_GREY}" stroke-width="1.1" stroke-dasharray="5 3"'
_TARGET_STYLE = f'stroke="{TARGET}" stroke-width="1.6" stroke-dasharray="8 4"'
_CHANGE_STYLE = f'stroke="{NHS_GREY}" stroke-width="1" stroke-dasharray="2 3"'
_SUPPORT_STYLE = f'stroke="{icons.NHS_BLUE}" stroke-width="1.6" stroke-dasharray="1 2"'


def spc_svg(chart: ChartInput, width: float = 600, height: float = 160) -> Markup:
    """A Making Data Count XmR chart as inline SVG, drawn by the pack (no browser, no network).

    Points are coloured and shaped by state (provisional points open), with the mean (or the
    median of a run chart), the process limits (dashed), the target (red, dashed), change points
    (dotted verticals), numbered note markers, axis titles, which direction is better and a
    legend of what this chart shows. Its ``<title>`` is the alternative text. Every word in it is
    escaped: change reasons come from people.
    """
    pts = chart.result.points
    n = len(pts)
    values = np.asarray(pts.values, dtype=np.float64)
    hide = np.zeros(n, dtype=bool) if chart.hidden is None else np.asarray(chart.hidden, bool)
    show = np.isfinite(values) & ~hide
    targets = np.full(n, np.nan) if chart.targets is None else np.asarray(chart.targets, np.float64)
    left, right, top, bottom = 62.0, 10.0, 16.0, 38.0
    key = _legend(_legend_items(chart, show, targets), left, width - right)
    height += LEGEND_ROW * (len(key) - 1)
    bottom += LEGEND_ROW * (len(key) - 1)
    pw, ph = width - left - right, height - top - bottom
    parts: list[str] = [
        f'<rect x="{_num(left)}" y="{_num(top)}" width="{_num(pw)}" height="{_num(ph)}" '
        f'fill="{WHITE}" stroke="{NHS_PALE_GREY}"/>',
        _text(
            width - right,
            top - 5,
            direction_words(chart.direction),
            10.5,
            "end",
            bold=True,
        ),
        _text(left - 12, top + ph + 13, "Month", 10, "end", bold=True),
        (
            f'<text transform="translate(14 {_num(top + ph / 2)}) rotate(-90)" '
            'font-size="10" font-weight="bold" text-anchor="middle">'
            f"{escape(_UNIT_TITLES.get(chart.unit, chart.unit or 'Value'))}</text>"
        ),
    ]
    if n == 0 or not show.any():
        message = "No data to chart" if n == 0 else "Every point is suppressed (small numbers)"
        parts.append(_text(left + pw / 2, top + ph / 2, message, 11, "middle"))
        return _svg(width, height, chart.alt, parts)
    pool = [values[show]]
    for arr in (pts.mean, pts.upl, pts.lpl, pts.median, targets):
        finite = np.asarray(arr, dtype=np.float64)
        pool.append(finite[np.isfinite(finite)])
    everything = np.concatenate(pool)
    ticks = _nice_ticks(float(everything.min()), float(everything.max()))
    lo, hi = ticks[0], ticks[-1]
    step_x = pw / n

    def x_at(i: float) -> float:
        return left + (i + 0.5) * step_x

    def y_at(v: float) -> float:
        return top + ph - (v - lo) / (hi - lo) * ph

    grid = "".join(f"M{_num(left)},{_num(y_at(t))}H{_num(left + pw)}" for t in ticks)
    parts.append(f'<path d="{grid}" fill="none" stroke="{NHS_PALE_GREY}" stroke-width="0.8"/>')
    parts += [_text(left - 4, y_at(t) + 3.5, _tick_label(t, chart.unit), 9.5, "end") for t in ticks]
    label_every = max(1, math.ceil(n / 7))
    for i in range(0, n, label_every):
        label = period_label(chart.periods[i])
        short = label[:3] + " " + label[-2:] if len(label) == 8 else label
        parts.append(_text(x_at(i), top + ph + 13, short, 9, "middle"))
    partition = np.asarray(pts.partition)
    limits, centre = [], []
    for part in sorted(set(partition.tolist())):
        indices = [int(i) for i in np.flatnonzero(partition == part)]
        if pts.partition_has_limits[part]:
            limits.append(_steps(np.asarray(pts.upl), indices, x_at, y_at, step_x))
            limits.append(_steps(np.asarray(pts.lpl), indices, x_at, y_at, step_x))
            centre.append(_steps(np.asarray(pts.mean), indices, x_at, y_at, step_x))
        else:
            centre.append(_steps(np.asarray(pts.median), indices, x_at, y_at, step_x))
    parts += [_path("".join(limits), _LIMIT_STYLE), _path("".join(centre), _MEAN_STYLE)]
    if np.isfinite(targets).any():
        parts.append(_path(_steps(targets, list(range(n)), x_at, y_at, step_x), _TARGET_STYLE))
    reasons = chart.change_reasons or {}
    changes = []
    for i in range(1, n):
        if partition[i] != partition[i - 1]:
            x = x_at(i) - step_x / 2
            changes.append(f"M{_num(x)},{_num(top)}V{_num(top + ph)}")
            reason = reasons.get(i, "limits recalculated")
            text = "Change: " + (reason if len(reason) <= 40 else reason[:39] + "…")
            anchor = "end" if x > left + pw * 0.6 else "start"
            parts.append(_text(x + (-3 if anchor == "end" else 3), top + 10, text, 8.5, anchor))
    parts.append(_path("".join(changes), _CHANGE_STYLE))
    support = chart.support_index
    if support is not None and 0 < support < n:
        x = x_at(support) - step_x / 2
        parts.append(_path(f"M{_num(x)},{_num(top)}V{_num(top + ph)}", _SUPPORT_STYLE))
    runs: list[str] = []
    segment: list[str] = []
    for i in range(n + 1):
        if i < n and show[i]:
            segment.append(f"{_num(x_at(i))},{_num(y_at(float(values[i])))}")
            continue
        if len(segment) >= 2:
            runs.append("M" + "L".join(segment))
        segment = []
    parts.append(_path("".join(runs), f'stroke="{NHS_MID_GREY}" stroke-width="1.2"'))
    radius = 3.6 if n <= 40 else 2.6
    marks: dict[tuple[str, bool], list[str]] = {}
    for i in range(n):
        if show[i]:
            state_of = (pts.point_state[i], bool(pts.provisional[i]))
            shape = STATE_SHAPES.get(state_of[0], "circle")
            marks.setdefault(state_of, []).append(
                _marker_path(shape, x_at(i), y_at(float(values[i])), radius)
            )
    for (state, hollow), data in marks.items():
        colour = icons.STATE_COLOURS.get(state, NHS_MID_GREY)
        parts.append(_markers(STATE_SHAPES.get(state, "circle"), colour, hollow, "".join(data)))
    for index, number in chart.notes:
        if 0 <= index < n:
            x, y = x_at(index), top + 9
            parts.append(
                f'<circle cx="{_num(x)}" cy="{_num(y)}" r="7" fill="{icons.NHS_BLUE}" '
                f'stroke="{WHITE}"/>'
                f'<text x="{_num(x)}" y="{_num(y + 3.5)}" font-size="9" font-weight="bold" '
                f'text-anchor="middle" fill="{WHITE}">{escape(number)}</text>'
            )
    first = height - 8 - LEGEND_ROW * (len(key) - 1)
    parts.append(_text(left - 56, first + 3.5, "Key:", 9.5, "start", bold=True))
    for row, items in enumerate(key):
        for x, item in items:
            parts += _legend_item(item, x, first + row * LEGEND_ROW)
    return _svg(width, height, chart.alt, parts)


LEGEND_ROW = 13.0  # the height of a row of the chart's key
_LEGEND_SIZE = 9.5
_LINE_ITEMS: Mapping[str, tuple[str, str]] = {
    "mean": ("Mean", _MEAN_STYLE),
    "median": ("Median (run chart)", _MEAN_STYLE),
    "limits": ("Process limits", _LIMIT_STYLE),
    "target": ("Target", _TARGET_STYLE),
    "change": ("Change point", _CHANGE_STYLE),
    "support": ("Support ended", _SUPPORT_STYLE),
}


def _legend_items(chart: ChartInput, show: np.ndarray, targets: np.ndarray) -> list[str]:
    """What this chart draws, in the key's order: point states, then lines, then open points."""
    pts = chart.result.points
    n = len(pts)
    shown = [i for i in range(n) if show[i]]
    states = {pts.point_state[i] for i in shown}
    items: list[str] = [
        s
        for s in (
            spc_icons.COMMON_CAUSE,
            spc_icons.IMPROVEMENT,
            spc_icons.CONCERN,
            spc_icons.NEITHER,
            spc_icons.EXCLUDED,
        )
        if s in states
    ]
    parts = {int(p) for p in np.asarray(pts.partition)[shown]} if shown else set()
    if any(pts.partition_has_limits[p] for p in parts):
        items += ["mean", "limits"]
    if any(not pts.partition_has_limits[p] for p in parts):
        items.append("median")
    if np.isfinite(targets).any():
        items.append("target")
    if len(set(np.asarray(pts.partition).tolist())) > 1:
        items.append("change")
    if chart.support_index is not None and 0 < chart.support_index < n:
        items.append("support")
    if any(bool(pts.provisional[i]) for i in shown):
        items.append("provisional")
    order = ["mean", "median", "limits", "target", "change", "support", "provisional"]
    return sorted(items, key=lambda i: order.index(i) if i in order else -1)


def _legend_label(item: str) -> str:
    if item in _LINE_ITEMS:
        return _LINE_ITEMS[item][0]
    return "Open: provisional" if item == "provisional" else STATE_NAMES[item]


def _legend(items: list[str], x0: float, right: float) -> list[list[tuple[float, str]]]:
    """The key laid out in rows that fit between ``x0`` and ``right`` (one row at least)."""
    rows: list[list[tuple[float, str]]] = [[]]
    x = x0
    for item in items:
        lead = 24 if item in _LINE_ITEMS else 11
        width = lead + _width(_legend_label(item), _LEGEND_SIZE)
        if rows[-1] and x + width > right:
            rows.append([])
            x = x0
        rows[-1].append((x, item))
        x += width + 12
    return rows


def _legend_item(item: str, x: float, y: float) -> list[str]:
    """One entry of the key: its mark and its words."""
    label = _legend_label(item)
    if item in _LINE_ITEMS:
        style = _LINE_ITEMS[item][1]
        return [
            _path(f"M{_num(x)},{_num(y)}h20", style),
            _text(x + 24, y + 3.5, label, _LEGEND_SIZE),
        ]
    if item == "provisional":
        mark = _markers("circle", NHS_GREY, True, _marker_path("circle", x + 4, y, 3.6))
    else:
        shape, colour = STATE_SHAPES[item], icons.STATE_COLOURS[item]
        mark = _markers(shape, colour, False, _marker_path(shape, x + 4, y, 3.6))
    return [mark, _text(x + 11, y + 3.5, label, _LEGEND_SIZE)]


def _width(text: str, size: float) -> float:
    """The approximate width of Liberation Sans text (0.52 em a character on average)."""
    return len(text) * size * 0.52


def _svg(width: float, height: float, alt: str, parts: list[str]) -> Markup:
    body = "".join(parts)
    return Markup(  # noqa: S704 - every inserted word is escaped above
        f'<svg xmlns="http://www.w3.org/2000/svg" class="spc" role="img" '
        f'viewBox="0 0 {_num(width)} {_num(height)}" width="{_num(width)}" '
        f'height="{_num(height)}" {_FONT} fill="{NHS_TEXT}">'
        f"<title>{escape(alt)}</title>{body}</svg>"
    )
