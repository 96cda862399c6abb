"""SPC charts stacked on one time axis: an activity KPI above the lead KPIs it feeds."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import plotly.graph_objects as go

from scorecard.reports.charts import chart_alt_text, spc_chart
from scorecard.reports.charts_layout import (
    FONT,
    GRID,
    add_synthetic_watermark,
    all_months,
    period_label,
    x_values,
)
from scorecard.statistics.icons import NHS_DARK_GREY, NHS_MID_GREY, NHS_TEXT
from scorecard.statistics.spc import SpcResult


@dataclass(frozen=True)
class ChartPanel:
    """One SPC chart of a stack: its periods, SPC result, title, unit and monthly targets."""

    periods: Sequence[str]
    result: SpcResult
    title: str
    unit: str
    target_series: Sequence[float | None] | None = None


@dataclass(frozen=True)
class ChartEvent:
    """A declared event drawn across every chart of a stack: its month and a short label."""

    period: str
    label: str


STACK_PANEL_HEIGHT: Final = 280


def stacked_spc_chart(
    panels: Sequence[ChartPanel],
    events: Sequence[ChartEvent] = (),
    *,
    synthetic: bool = False,
) -> go.Figure:
    """SPC charts stacked on one shared time axis (an activity KPI above the lead KPIs it feeds).

    Each panel is drawn as ``spc_chart`` draws it (limits, mean, target, points by state); each
    event is a vertical line through every panel, labelled once at the top.

    Args:
        panels: the charts, top first; their periods need not be the same months.
        events: declared events (change points, improvement started, support ended).
        synthetic: watermark the figure "Synthetic data".

    Returns:
        The figure; ``fig.layout.meta["alt_text"]`` describes every panel and event.

    Raises:
        ValueError: no panels.
    """
    from plotly.subplots import make_subplots

    if not panels:
        msg = "a stacked SPC chart needs at least one panel"
        raise ValueError(msg)
    n = len(panels)
    fig = make_subplots(
        rows=n,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.22 / n,
        subplot_titles=[html.escape(p.title) for p in panels],
    )
    seen: set[str] = set()
    dates = all(all_months(p.periods) for p in panels)
    for row, panel in enumerate(panels, start=1):
        single = spc_chart(
            panel.periods,
            panel.result,
            title=panel.title,
            unit=panel.unit,
            target_series=panel.target_series,
        )
        for trace in single.data:
            name = str(trace.name or "")
            if trace.showlegend is not False and name in seen:
                trace.showlegend = False
            seen.add(name)
            fig.add_trace(trace, row=row, col=1)
        fig.update_yaxes(
            title_text=html.escape(panel.unit), gridcolor=GRID, zeroline=False, row=row, col=1
        )
    event_x = {e.period for e in events}
    for row, panel in enumerate(panels, start=1):
        partition = panel.result.points.partition
        for i in range(1, len(partition)):
            if partition[i] != partition[i - 1] and panel.periods[i] not in event_x:
                fig.add_vline(
                    x=x_values([panel.periods[i]])[0],
                    line={"color": NHS_DARK_GREY, "width": 1, "dash": "dot"},
                    row=row,
                    col=1,
                )
    for k, event in enumerate(sorted(events, key=lambda e: e.period)):
        x = x_values([event.period])[0]
        fig.add_vline(
            x=x, line={"color": NHS_TEXT, "width": 2, "dash": "dashdot"}, row="all", col=1
        )
        fig.add_annotation(
            x=x,
            y=1,
            xref="x",
            yref="paper",
            yanchor="bottom",
            xanchor="left",
            yshift=24 + 14 * (k % 2),
            text=html.escape(event.label),
            showarrow=False,
            font={"size": 11, "color": NHS_TEXT},
            bgcolor="rgba(255,255,255,0.85)",
            name="event",
        )
    alt = _stack_alt(panels, events, synthetic)
    fig.update_layout(
        font={"family": FONT, "size": 13, "color": NHS_TEXT},
        height=STACK_PANEL_HEIGHT * n + 170,
        margin={"l": 64, "r": 24, "t": 104, "b": 40},
        plot_bgcolor="#ffffff",
        paper_bgcolor="#ffffff",
        hovermode="closest",
        hoverlabel={"font": {"family": FONT, "size": 13}},
        legend={"orientation": "h", "yanchor": "top", "y": -0.06, "x": 0, "font": {"size": 12}},
        meta={"alt_text": alt},
    )
    fig.update_annotations(font_size=14, x=0, xanchor="left", selector={"name": None})
    fig.update_xaxes(
        showgrid=False,
        linecolor=NHS_MID_GREY,
        ticks="outside",
        showticklabels=True,
        **({"type": "date", "tickformat": "%b %Y"} if dates else {"type": "category"}),
    )
    if synthetic:
        add_synthetic_watermark(fig)
    return fig


def _stack_alt(panels: Sequence[ChartPanel], events: Sequence[ChartEvent], synthetic: bool) -> str:
    first = panels[0].title
    below = ", ".join(p.title for p in panels[1:])
    noun = "SPC chart" if len(panels) == 1 else "SPC charts"
    head = f"{len(panels)} {noun} on one time axis: {first}" + (
        f" above {below}." if below else "."
    )
    marks = (
        " Events drawn on every chart: "
        + "; ".join(f"{e.label}, {period_label(e.period)}" for e in events)
        + "."
        if events
        else " No declared events."
    )
    each = " ".join(
        chart_alt_text(
            p.periods, p.result, title=p.title, unit=p.unit, target_series=p.target_series
        )
        for p in panels
    )
    return head + marks + " " + each + (" Synthetic data." if synthetic else "")
