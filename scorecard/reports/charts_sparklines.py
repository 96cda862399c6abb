"""Sparklines: a KPI's trend in a table cell, as a Plotly figure or as plain SVG."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from scorecard.reports.charts_layout import STATE_SYMBOLS, nullable
from scorecard.statistics.icons import NHS_MID_GREY, STATE_COLOURS
from scorecard.statistics.spc_icons import CONCERN, IMPROVEMENT, NEITHER, POINT_STATES
from scorecard.thread.numbers import format_number


def sparkline(values: Sequence[float | None], states: Sequence[str]) -> go.Figure:
    """A tiny trend line with special-cause points coloured by state (no axes, no legend)."""
    y, st = _spark_inputs(values, states)
    fig = go.Figure(
        go.Scatter(
            y=nullable(y),
            mode="lines",
            line={"color": NHS_MID_GREY, "width": 1.2},
            connectgaps=False,
            hoverinfo="skip",
            name="Values",
        )
    )
    marked = _spark_marked(y, st)
    if marked.size:
        fig.add_trace(
            go.Scatter(
                x=marked.tolist(),
                y=[float(y[i]) for i in marked],
                mode="markers",
                marker={
                    "size": 5,
                    "color": [STATE_COLOURS[st[i]] for i in marked],
                    "symbol": [STATE_SYMBOLS.get(st[i], "circle") for i in marked],
                },
                hovertemplate="%{y}<extra></extra>",
                name="Points",
            )
        )
    fig.update_layout(
        width=140,
        height=40,
        margin={"l": 2, "r": 2, "t": 2, "b": 2},
        showlegend=False,
        xaxis={"visible": False, "fixedrange": True},
        yaxis={"visible": False, "fixedrange": True},
        plot_bgcolor="rgba(0,0,0,0)",
        paper_bgcolor="rgba(0,0,0,0)",
        meta={"alt_text": _spark_alt(y)},
    )
    return fig


def sparkline_svg(
    values: Sequence[float | None], states: Sequence[str], width: float = 120, height: float = 28
) -> str:
    """A sparkline as plain SVG (a polyline per unbroken stretch) for tables and the pack.

    The latest point and every special-cause point are dots in their state's colour; the SVG
    carries only numbers and fixed words (no user text).
    """
    for name, size in (("width", width), ("height", height)):
        if isinstance(size, bool) or not isinstance(size, int | float) or not size > 0:
            msg = f"sparkline {name} must be a positive number, not {size!r}"
            raise ValueError(msg)
    y, st = _spark_inputs(values, states)
    label = _spark_alt(y)
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:g}" height="{height:g}" '
        f'viewBox="0 0 {width:g} {height:g}" role="img" aria-label="{label}">'
        f"<title>{label}</title>"
    )
    finite = np.isfinite(y)
    if not finite.any():
        return head + "</svg>"
    pad = 3.0
    lo, hi = float(np.nanmin(y)), float(np.nanmax(y))
    n = y.shape[0]

    def px(i: int) -> float:
        return pad + (width - 2 * pad) * (i / (n - 1) if n > 1 else 0.5)

    def py(v: float) -> float:
        if hi == lo:
            return height / 2
        return pad + (height - 2 * pad) * (hi - v) / (hi - lo)

    body: list[str] = []
    run: list[str] = []
    for i in range(n + 1):
        if i < n and finite[i]:
            run.append(f"{px(i):.1f},{py(float(y[i])):.1f}")
            continue
        if len(run) > 1:
            body.append(
                f'<polyline points="{" ".join(run)}" fill="none" stroke="{NHS_MID_GREY}" '
                'stroke-width="1.2" stroke-linejoin="round"/>'
            )
        run = []
    for i in _spark_marked(y, st):
        r = 2.6 if i == int(np.flatnonzero(finite)[-1]) else 2.0
        body.append(
            f'<circle cx="{px(int(i)):.1f}" cy="{py(float(y[i])):.1f}" r="{r}" '
            f'fill="{STATE_COLOURS[st[i]]}"/>'
        )
    return head + "".join(body) + "</svg>"


def _spark_inputs(
    values: Sequence[float | None], states: Sequence[str]
) -> tuple[np.ndarray, list[str]]:
    y = np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64)
    st = list(states)
    if len(st) != y.shape[0]:
        msg = f"{len(st)} states for {y.shape[0]} values"
        raise ValueError(msg)
    unknown = sorted(set(st) - set(POINT_STATES))
    if unknown:
        msg = f"unknown point states {unknown}"
        raise ValueError(msg)
    return y, st


def _spark_marked(y: np.ndarray, states: list[str]) -> np.ndarray:
    """Indices drawn as dots: special-cause points and the latest point."""
    finite = np.isfinite(y)
    special = (
        np.array([s in (IMPROVEMENT, CONCERN, NEITHER) for s in states], dtype=np.bool_) & finite
    )
    if finite.any():
        special[int(np.flatnonzero(finite)[-1])] = True
    return np.flatnonzero(special)


def _spark_alt(y: np.ndarray) -> str:
    finite = y[np.isfinite(y)]
    if not finite.size:
        return "Sparkline: no data"
    return (
        f"Sparkline of {finite.size} points: latest {format_number(float(finite[-1]))}, "
        f"range {format_number(float(finite.min()))} to {format_number(float(finite.max()))}"
    )
