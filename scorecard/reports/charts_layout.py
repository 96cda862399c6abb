"""The look every Plotly figure shares: font, grid, point-state markers, month axis, layout."""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence
from typing import Final

import numpy as np
import plotly.graph_objects as go

from scorecard.statistics.icons import NHS_MID_GREY, NHS_TEXT
from scorecard.statistics.spc_icons import COMMON_CAUSE, CONCERN, EXCLUDED, IMPROVEMENT, NEITHER
from scorecard.thread.periods import month_short

FONT: Final = "Arial, Helvetica, sans-serif"
GRID: Final = "#e8edee"  # NHS pale grey
CHART_HEIGHT: Final = 440  # fits a 1366 × 768 screen with the page's header and icons

RUN_CHART_POINT: Final = "run_chart"  # a point of a partition too short for SPC rules
# Legend names of the point states, and a marker shape for each so colour is never the only cue.
STATE_NAMES: Final = {
    COMMON_CAUSE: "Common cause",
    RUN_CHART_POINT: "Value (run chart: too few points for SPC)",
    IMPROVEMENT: "Special cause – improvement",
    CONCERN: "Special cause – concern",
    NEITHER: "Special cause – neither improvement nor concern",
    EXCLUDED: "Excluded from calculation",
}
STATE_SYMBOLS: Final = {
    COMMON_CAUSE: "circle",
    RUN_CHART_POINT: "circle",
    IMPROVEMENT: "diamond",
    CONCERN: "square",
    NEITHER: "triangle-up",
    EXCLUDED: "x",
}
_MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
period_label = month_short


def all_months(periods: Sequence[str]) -> bool:
    """Whether every period is a ``YYYY-MM`` month (drawn on a date axis)."""
    return bool(periods) and all(_MONTH.fullmatch(p) for p in periods)


def x_values(periods: Sequence[str]) -> list[str]:
    """The x values of the periods: the first day of each month, or the labels as given."""
    if all_months(periods):
        return [f"{p}-01" for p in periods]
    return list(periods)


def nullable(a: np.ndarray) -> list[float | None]:
    """The values with None for every missing or infinite one (a gap in a Plotly line)."""
    return [float(v) if math.isfinite(v) else None for v in a.tolist()]


def apply_layout(
    fig: go.Figure, title: str, unit: str, alt: str, synthetic: bool, dates: bool
) -> None:
    """The shared title, fonts, axes, legend and alt text; watermarked when synthetic."""
    fig.update_layout(
        title={"text": html.escape(title), "x": 0, "xanchor": "left", "font": {"size": 17}},
        font={"family": FONT, "size": 13, "color": NHS_TEXT},
        height=CHART_HEIGHT,
        margin={"l": 64, "r": 24, "t": 72, "b": 40},
        plot_bgcolor="#ffffff",
        paper_bgcolor="#ffffff",
        hovermode="closest",
        hoverlabel={"font": {"family": FONT, "size": 13}},
        legend={
            "orientation": "h",
            "yanchor": "top",
            "y": -0.12,
            "x": 0,
            "font": {"size": 12},
        },
        meta={"alt_text": alt},
        xaxis={
            "showgrid": False,
            "linecolor": NHS_MID_GREY,
            "ticks": "outside",
            **({"type": "date", "tickformat": "%b %Y"} if dates else {"type": "category"}),
        },
        yaxis={
            "title": {"text": html.escape(unit)},
            "gridcolor": GRID,
            "zeroline": False,
            "linecolor": NHS_MID_GREY,
        },
    )
    if synthetic:
        add_synthetic_watermark(fig)


def add_synthetic_watermark(fig: go.Figure) -> None:
    """Write "Synthetic data" faintly across a chart of synthetic values."""
    fig.add_annotation(
        text="Synthetic data",
        xref="paper",
        yref="paper",
        x=0.5,
        y=0.5,
        showarrow=False,
        textangle=-20,
        font={"size": 54, "color": "rgba(66,85,99,0.14)"},
        name="synthetic-watermark",
    )
