"""The Board pack's funnel plot: a benchmarked lead KPI against every organisation of its level.

A small inline SVG beside the KPI's SPC chart: each peer a grey point (value against its
denominator), the area's own organisation a larger blue point named by its code, England's line
and the 95% and 99.8% limits (widened by τ² where the peers are over-dispersed). Only a table
whose method is ``funnel`` is drawn; a ranked measure has nothing to draw here.
"""

from __future__ import annotations

import math

import numpy as np
from markupsafe import Markup

from scorecard.reports.pack.drawings import _nice_ticks, _num, _svg, _text, _tick_label
from scorecard.reports.pack.inputs import PackData
from scorecard.reports.pack.theme import NHS_GREY, NHS_MID_GREY, NHS_PALE_GREY, NHS_TEXT
from scorecard.statistics import icons
from scorecard.statistics.benchmark import BAND_WORDS, Funnel, PeerTable
from scorecard.thread.domain import Kpi
from scorecard.thread.numbers import format_number

_LEFT, _RIGHT, _TOP, _BOTTOM = 46.0, 150.0, 10.0, 30.0
_CURVE_POINTS = 60


def pack_funnel(d: PackData, kpi: Kpi) -> Markup | None:
    """The funnel plot of a lead KPI for the pack's area (None without a funnel)."""
    table = d.peer_tables.get(kpi.code)
    if table is None:
        return None
    return funnel_svg(table, d.area.code, d.area.name, kpi.name, str(kpi.unit))


def funnel_alt(table: PeerTable, own_code: str, own_name: str, title: str, unit: str) -> str:
    """One sentence for screen readers: peers, England, the area's value and band."""
    peers = int((~np.isnan(table.lower_95)).sum())
    england = "no England figure" if table.england is None else _value(table.england, unit)
    sentence = f"Funnel plot of {title}: {peers} organisations; England {england}"
    if own_code in table.codes:
        i = table.codes.index(own_code)
        own = table.figures[i]
        if not math.isnan(own):
            words = BAND_WORDS[table.bands[i]]
            sentence += f"; {own_name} {_value(float(own), unit)}, {words}"
    return sentence + "."


def funnel_svg(
    table: PeerTable,
    own_code: str,
    own_name: str,
    title: str,
    unit: str,
    width: float = 600,
    height: float = 150,
) -> Markup | None:
    """The funnel plot of a peer table (None when the table has no funnel)."""
    if table.method != "funnel" or not isinstance(table.funnel, Funnel):
        return None
    drawn = ~np.isnan(table.lower_95)
    if not drawn.any():
        return None
    sizes = table.denominators[drawn]
    values = table.figures[drawn]
    n_lo, n_hi = float(sizes.min()), float(sizes.max())
    grid = np.linspace(max(n_lo * 0.8, 1.0), n_hi * 1.05, _CURVE_POINTS)
    lo95, hi95, lo998, hi998 = (a * table.scale for a in table.funnel.limits_at(grid))
    y_lo = float(np.nanmin([values.min(), lo998.min()]))
    y_hi = float(np.nanmax([values.max(), hi998.max()]))
    ticks = _nice_ticks(y_lo, y_hi)
    y_lo, y_hi = min(ticks[0], y_lo), max(ticks[-1], y_hi)
    x_ticks = _nice_ticks(0.0, float(grid[-1]))
    x_hi = max(x_ticks[-1], float(grid[-1]))
    plot_w, plot_h = width - _LEFT - _RIGHT, height - _TOP - _BOTTOM

    def x_at(n: float) -> float:
        return _LEFT + plot_w * n / x_hi

    def y_at(v: float) -> float:
        return _TOP + plot_h * (1 - (v - y_lo) / (y_hi - y_lo))

    def curve(ys: np.ndarray) -> str:
        points = [
            f"{_num(x_at(float(n)))},{_num(y_at(float(v)))}"
            for n, v in zip(grid, ys, strict=True)
            if math.isfinite(float(v)) and y_lo <= float(v) <= y_hi
        ]
        return "M" + "L".join(points) if len(points) > 1 else ""

    parts: list[str] = []
    for t in ticks:
        y = y_at(t)
        parts.append(
            f'<line x1="{_num(_LEFT)}" x2="{_num(_LEFT + plot_w)}" y1="{_num(y)}" '
            f'y2="{_num(y)}" stroke="{NHS_PALE_GREY}" stroke-width="1"/>'
        )
        parts.append(_text(_LEFT - 4, y + 3, _tick_label(t, unit), 8, "end"))
    for t in x_ticks:
        if t <= x_hi:
            parts.append(_text(x_at(t), height - _BOTTOM + 11, format_number(t), 8, "middle"))
    parts.append(
        _text(_LEFT + plot_w / 2, height - 4, "Denominator (organisation size)", 8, "middle")
    )
    styles = (
        (lo998, f'stroke="{NHS_GREY}" stroke-width="1.1" stroke-dasharray="2 2"'),
        (hi998, f'stroke="{NHS_GREY}" stroke-width="1.1" stroke-dasharray="2 2"'),
        (lo95, f'stroke="{NHS_GREY}" stroke-width="1.1" stroke-dasharray="5 3"'),
        (hi95, f'stroke="{NHS_GREY}" stroke-width="1.1" stroke-dasharray="5 3"'),
    )
    for ys, style in styles:
        data = curve(ys)
        if data:
            parts.append(f'<path d="{data}" fill="none" {style}/>')
    if table.england is not None:
        y = y_at(table.england)
        parts.append(
            f'<line x1="{_num(_LEFT)}" x2="{_num(_LEFT + plot_w)}" y1="{_num(y)}" '
            f'y2="{_num(y)}" stroke="{NHS_TEXT}" stroke-width="1.4"/>'
        )
    own = table.codes.index(own_code) if own_code in table.codes else -1
    dots = [
        f"M{_num(x_at(float(n)) - 2)},{_num(y_at(float(v)))}a2,2 0 1,0 4,0a2,2 0 1,0 -4,0"
        for i, (n, v) in enumerate(zip(table.denominators, table.figures, strict=True))
        if drawn[i] and i != own
    ]
    parts.append(f'<path d="{"".join(dots)}" fill="{NHS_MID_GREY}"/>')
    if own >= 0 and drawn[own]:
        x, y = x_at(float(table.denominators[own])), y_at(float(table.figures[own]))
        parts.append(
            f'<circle cx="{_num(x)}" cy="{_num(y)}" r="4.5" fill="{icons.NHS_BLUE}" '
            f'stroke="white" stroke-width="1"/>'
        )
        parts.append(_text(x + 6, y - 5, own_code, 9, bold=True))
    legend_x = width - _RIGHT + 10
    england_words = "no England figure" if table.england is None else _value(table.england, unit)
    for k, line in enumerate(
        (
            f"England {england_words}",
            "- - 95% limits",
            "··· 99.8% limits",
            f"● {own_code} (this area)",
            _overdispersion(table.funnel),
        )
    ):
        parts.append(_text(legend_x, _TOP + 10 + 13 * k, line, 8))
    return _svg(width, height, funnel_alt(table, own_code, own_name, title, unit), parts)


def _overdispersion(f: Funnel) -> str:
    return "limits widened for spread" if f.tau2 > 0 else "no extra spread"


def _value(v: float, unit: str) -> str:
    return _tick_label(round(v, 1), unit)
