"""One KPI across areas × months, each cell coloured (and lettered) by its SPC state."""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import Final

import numpy as np
import plotly.graph_objects as go

from scorecard.reports.charts_layout import (
    RUN_CHART_POINT,
    all_months,
    apply_layout,
    period_label,
    x_values,
)
from scorecard.statistics.icons import NHS_DARK_GREY, NHS_MID_GREY, STATE_COLOURS
from scorecard.statistics.spc_icons import COMMON_CAUSE, CONCERN, EXCLUDED, IMPROVEMENT, NEITHER
from scorecard.thread.numbers import format_value

# Cell states of the areas × months heatmap, in legend order, with colour and a cell letter
# (so special causes read without colour: I improvement, C concern, N neither, X excluded).
HEATMAP_STATES: Final = (
    ("missing", "No value", "#ffffff", ""),
    (RUN_CHART_POINT, "Too few points for SPC", "#e8edee", ""),
    (COMMON_CAUSE, "Common cause", STATE_COLOURS[COMMON_CAUSE], ""),
    (IMPROVEMENT, "Special cause – improvement", STATE_COLOURS[IMPROVEMENT], "I"),
    (CONCERN, "Special cause – concern", STATE_COLOURS[CONCERN], "C"),
    (NEITHER, "Special cause – neither", STATE_COLOURS[NEITHER], "N"),
    (EXCLUDED, "Excluded from calculation", NHS_MID_GREY, "X"),
)
HEATMAP_LETTER_CELLS: Final = 4000  # more cells than this: letters would be unreadable


def kpi_heatmap(
    areas: Sequence[str],
    periods: Sequence[str],
    values: np.ndarray,
    states: Sequence[Sequence[str]],
    *,
    title: str,
    unit: str,
    synthetic: bool = False,
) -> go.Figure:
    """One KPI across areas (rows, top first) and months (columns), each cell coloured by state.

    Args:
        areas: row labels, in the order to draw them from the top.
        periods: ``YYYY-MM`` columns, oldest first.
        values: the value of each area × month (NaN where none), shape (areas, periods).
        states: the SPC state of each cell, a name of ``HEATMAP_STATES``.
        title: the figure's title.
        unit: the KPI's unit (for the values on hover).
        synthetic: watermark the figure "Synthetic data".

    Returns:
        The figure; hover shows area, month, value and state; ``layout.meta["alt_text"]``
        summarises the latest month.

    Raises:
        ValueError: values or states not one per area and month, or an unknown state.
    """
    shape = (len(areas), len(periods))
    grid = np.asarray(values, dtype=np.float64)
    if grid.shape != shape or len(states) != shape[0] or any(len(r) != shape[1] for r in states):
        msg = f"the heatmap needs {shape[0]} × {shape[1]} values and states"
        raise ValueError(msg)
    code = {name: k for k, (name, _, _, _) in enumerate(HEATMAP_STATES)}
    unknown = sorted({s for r in states for s in r} - set(code))
    if unknown:
        msg = f"unknown heatmap states {unknown}"
        raise ValueError(msg)
    z = [[code[s] for s in r] for r in states]
    k = len(HEATMAP_STATES)
    scale: list[tuple[float, str]] = []
    for i, (_, _, colour, _) in enumerate(HEATMAP_STATES):
        scale += [(i / k, colour), ((i + 1) / k, colour)]
    label = {name: words for name, words, _, _ in HEATMAP_STATES}
    custom = [
        [
            [
                html.escape(format_value(None if math.isnan(v) else float(v), unit)),
                label[s],
            ]
            for v, s in zip(grid[r], states[r], strict=True)
        ]
        for r in range(shape[0])
    ]
    letters = {name: letter for name, _, _, letter in HEATMAP_STATES}
    few = shape[0] * shape[1] <= HEATMAP_LETTER_CELLS
    xs = x_values(periods)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=xs,
            y=[html.escape(a) for a in areas],
            zmin=-0.5,
            zmax=k - 0.5,
            colorscale=scale,
            showscale=False,
            xgap=1,
            ygap=1,
            customdata=custom,
            text=[[letters[s] for s in r] for r in states] if few else None,
            texttemplate="%{text}" if few else None,
            textfont={"size": 11},
            hovertemplate="<b>%{y}</b><br>%{x|%b %Y}<br>%{customdata[0]}<br>%{customdata[1]}"
            "<extra></extra>",
            name="",
        )
    )
    present = {s for r in states for s in r}
    for name, words, colour, letter in HEATMAP_STATES:
        if name in present:
            fig.add_trace(
                go.Scatter(
                    x=[None],
                    y=[None],
                    mode="markers",
                    marker={
                        "symbol": "square",
                        "size": 13,
                        "color": colour,
                        "line": {"color": NHS_DARK_GREY, "width": 1},
                    },
                    name=f"{words} ({letter})" if letter else words,
                    hoverinfo="skip",
                )
            )
    alt = _heatmap_alt(areas, periods, states, title, synthetic)
    row_px = 26 if shape[0] <= 24 else max(7, 1400 // max(shape[0], 1))
    apply_layout(fig, title, "", alt, synthetic, all_months(periods))
    fig.update_layout(
        height=row_px * shape[0] + 210,
        hovermode="closest",
        margin={"l": 64, "r": 24, "t": 96, "b": 40},
        legend={"y": -0.02 - 60 / (row_px * shape[0] + 210)},
    )
    fig.update_yaxes(autorange="reversed", title_text="", automargin=True, gridcolor=None)
    fig.update_xaxes(side="top")
    return fig


def _heatmap_alt(
    areas: Sequence[str],
    periods: Sequence[str],
    states: Sequence[Sequence[str]],
    title: str,
    synthetic: bool,
) -> str:
    head = f"Heatmap of {title}: {len(areas)} areas by {len(periods)} months"
    if not periods or not areas:
        return head + ", no values."
    span = f"{period_label(periods[0])}–{period_label(periods[-1])}"
    latest = [r[-1] for r in states]
    counts = [
        f"{latest.count(name)} {words.lower()}"
        for name, words, _, _ in HEATMAP_STATES
        if latest.count(name)
    ]
    tail = " Synthetic data." if synthetic else ""
    return (
        f"{head} ({span}); in {period_label(periods[-1])}: {', '.join(counts)}. "
        f"The table view lists every value.{tail}"
    )
