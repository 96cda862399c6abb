"""Benchmark charts: funnel plot, ranked dot plot and an organisation against England."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import plotly.graph_objects as go

from scorecard.reports.charts_layout import all_months, apply_layout, nullable, x_values
from scorecard.statistics.icons import NHS_DARK_GREY
from scorecard.thread.numbers import format_value

BENCH_PEER_COLOUR: Final = "#aeb7bd"  # NHS pale grey: every other organisation
BENCH_OWN_COLOUR: Final = "#005eb8"  # NHS Blue: the programme's own organisations
BENCH_ENGLAND_COLOUR: Final = "#212b32"
BENCH_LIMIT_95: Final = "#768692"
BENCH_LIMIT_998: Final = "#425563"


@dataclass(frozen=True)
class FunnelPoint:
    """One organisation on a funnel plot or ranked dot plot."""

    code: str
    name: str
    value: float
    size: float | None  # the denominator; None on a ranked dot plot
    own: bool
    band_words: str


def funnel_chart(
    points: Sequence[FunnelPoint],
    england: float,
    limits: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]],
    *,
    title: str,
    unit: str,
    size_label: str,
    better: str,
    dispersion: str,
    alt: str,
) -> go.Figure:
    """A funnel plot: every peer by size, England's line, the 95% and 99.8% limits.

    ``limits(n)`` gives (lower 95, upper 95, lower 99.8, upper 99.8) for denominators ``n``;
    the programme's own organisations are drawn larger, in NHS Blue, and named.
    """
    fig = go.Figure()
    sizes = [p.size for p in points if p.size is not None and p.size > 0]
    low, high = (min(sizes), max(sizes)) if sizes else (1.0, 10.0)
    grid = np.geomspace(max(low * 0.8, 1.0), high * 1.1, 120)
    lo95, hi95, lo998, hi998 = limits(grid)
    for ys, name, colour, dash, legend in (
        (hi998, "99.8% limits", BENCH_LIMIT_998, "dash", True),
        (lo998, "99.8% limits", BENCH_LIMIT_998, "dash", False),
        (hi95, "95% limits", BENCH_LIMIT_95, "dot", True),
        (lo95, "95% limits", BENCH_LIMIT_95, "dot", False),
    ):
        fig.add_trace(
            go.Scatter(
                x=grid.tolist(),
                y=nullable(np.asarray(ys, dtype=float)),
                mode="lines",
                name=name,
                legendgroup=name,
                showlegend=legend,
                line={"color": colour, "dash": dash, "width": 1.5},
                hoverinfo="skip",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=[grid[0], grid[-1]],
            y=[england, england],
            mode="lines",
            name=f"England {format_value(england, unit)}",
            line={"color": BENCH_ENGLAND_COLOUR, "width": 2},
            hoverinfo="skip",
        )
    )
    for own in (False, True):
        chosen = [p for p in points if p.own is own and p.size is not None]
        if not chosen:
            continue
        fig.add_trace(
            go.Scatter(
                x=[p.size for p in chosen],
                y=[p.value for p in chosen],
                mode="markers+text" if own else "markers",
                text=[html.escape(p.name) for p in chosen] if own else None,
                textposition="top center",
                name="Northamptonshire" if own else "Other organisations",
                marker={
                    "color": BENCH_OWN_COLOUR if own else BENCH_PEER_COLOUR,
                    "size": 13 if own else 8,
                    "symbol": "diamond" if own else "circle",
                    "line": {"color": "#ffffff", "width": 1},
                },
                customdata=[
                    [html.escape(p.name), format_value(p.value, unit), html.escape(p.band_words)]
                    for p in chosen
                ],
                hovertemplate="%{customdata[0]}<br>%{customdata[1]} of %{x:,.0f}"
                "<br>%{customdata[2]}<extra></extra>",
            )
        )
    apply_layout(fig, title, unit, alt, synthetic=False, dates=False)
    fig.update_layout(
        xaxis={"type": "log", "title": {"text": html.escape(size_label)}},
        yaxis={"title": {"text": html.escape(f"{unit} ({better})" if unit else better)}},
    )
    fig.add_annotation(
        text=html.escape(dispersion),
        xref="paper",
        yref="paper",
        x=0,
        y=1.06,
        showarrow=False,
        xanchor="left",
        font={"size": 12, "color": NHS_DARK_GREY},
    )
    return fig


def ranked_dot_chart(
    points: Sequence[FunnelPoint],
    england: float | None,
    *,
    title: str,
    unit: str,
    better: str,
    alt: str,
) -> go.Figure:
    """Peers ranked by value (a measure with no denominator): ours named, England's line."""
    ordered = sorted(points, key=lambda p: p.value)
    fig = go.Figure()
    for own in (False, True):
        chosen = [(i, p) for i, p in enumerate(ordered) if p.own is own]
        if not chosen:
            continue
        fig.add_trace(
            go.Scatter(
                x=[i + 1 for i, _ in chosen],
                y=[p.value for _, p in chosen],
                mode="markers+text" if own else "markers",
                text=[html.escape(p.name) for _, p in chosen] if own else None,
                textposition="top center",
                name="Northamptonshire" if own else "Other organisations",
                marker={
                    "color": BENCH_OWN_COLOUR if own else BENCH_PEER_COLOUR,
                    "size": 13 if own else 8,
                    "symbol": "diamond" if own else "circle",
                },
                customdata=[[html.escape(p.name), format_value(p.value, unit)] for _, p in chosen],
                hovertemplate="%{customdata[0]}: %{customdata[1]}<extra></extra>",
            )
        )
    if england is not None:
        fig.add_hline(
            y=england,
            line={"color": BENCH_ENGLAND_COLOUR, "width": 2},
            annotation_text=html.escape(f"England {format_value(england, unit)}"),
            annotation_position="top left",
        )
    apply_layout(fig, title, unit, alt, synthetic=False, dates=False)
    fig.update_layout(
        xaxis={"type": "linear", "title": {"text": "Organisations, lowest to highest value"}},
        yaxis={"title": {"text": html.escape(f"{unit} ({better})" if unit else better)}},
    )
    return fig


def versus_england_chart(
    periods: Sequence[str],
    own: Sequence[float | None],
    england: Sequence[float | None],
    *,
    title: str,
    own_name: str,
    unit: str,
    better: str,
    alt: str,
) -> go.Figure:
    """An organisation's value and England's over the months, on one axis."""
    xs = x_values(periods)
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=list(england),
            mode="lines+markers",
            name="England",
            line={"color": BENCH_ENGLAND_COLOUR, "width": 2, "dash": "dash"},
            marker={"symbol": "square", "size": 6},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=list(own),
            mode="lines+markers",
            name=html.escape(own_name),
            line={"color": BENCH_OWN_COLOUR, "width": 2},
            marker={"symbol": "diamond", "size": 8},
        )
    )
    apply_layout(fig, title, unit, alt, synthetic=False, dates=all_months(periods))
    fig.update_layout(
        yaxis={"title": {"text": html.escape(f"{unit} ({better})" if unit else better)}}
    )
    return fig
