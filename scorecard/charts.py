"""Every Plotly figure of the scorecard: SPC charts and sparklines; takes data, returns figures."""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import plotly.graph_objects as go

from scorecard.icons import (
    MDC_TARGET,
    NHS_DARK_GREY,
    NHS_MID_GREY,
    NHS_TEXT,
    STATE_COLOURS,
)
from scorecard.numbers import format_number, format_value
from scorecard.periods import month_short
from scorecard.spc import SpcResult
from scorecard.spc_icons import COMMON_CAUSE, CONCERN, EXCLUDED, IMPROVEMENT, NEITHER, POINT_STATES
from scorecard.spc_rules import RULE_NAMES, rule_description
from scorecard.sustain import Verdict

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


def chart_alt_text(
    periods: Sequence[str],
    result: SpcResult,
    *,
    title: str,
    unit: str = "",
    target_series: Sequence[float | None] | None = None,
    synthetic: bool = False,
) -> str:
    """One sentence summarising an SPC chart for screen readers and the Board pack.

    E.g. "SPC chart of A&E 4-hour % for RNS, Jan 2024–Oct 2026: latest 76% (Oct 2026), mean
    74%, limits 70%–78%; special cause of improving nature (high); target 78%, hit or miss."
    """
    kind = "Run chart" if result.is_run_chart else "SPC chart"
    tail = " (synthetic data)." if synthetic else "."
    if result.latest_index is None or not periods:
        return f"{kind} of {title}: no data{tail}"
    span = f"{period_label(periods[0])}–{period_label(periods[-1])}"
    latest = result.latest_index
    parts = [f"latest {format_value(result.latest_value, unit)} ({period_label(periods[latest])})"]
    if result.is_run_chart:
        parts.append(f"median {format_value(float(result.points.median[latest]), unit)}")
        reading = (
            f"too few points for SPC ({result.n_points} of {result.settings.min_points} needed)"
        )
    else:
        parts.append(f"mean {format_value(result.mean, unit)}")
        parts.append(f"limits {format_value(result.lpl, unit)}–{format_value(result.upl, unit)}")
        reading = _variation_phrase(result)
    target = _latest_target(result, target_series)
    if target is None:
        target_text = "no target"
    else:
        target_text = f"target {format_value(target, unit)}"
        phrase = {
            "pass": "consistently hit",
            "fail": "consistently missed",
            "hit_or_miss": "hit or miss",
        }.get(result.assurance)
        if phrase:
            target_text += f", {phrase}"
    return f"{kind} of {title}, {span}: {', '.join(parts)}; {reading}; {target_text}{tail}"


def spc_chart(
    periods: Sequence[str],
    result: SpcResult,
    *,
    title: str,
    unit: str,
    target_series: Sequence[float | None] | None = None,
    annotations: Sequence[tuple[str, str]] = (),
    show_two_sigma: bool = False,
    synthetic: bool = False,
    sustainability: Verdict | None = None,
) -> go.Figure:
    """The Making Data Count XmR chart of one KPI × area.

    Args:
        periods: ``YYYY-MM`` per point, the same length as the series analysed.
        result: the series' SPC result.
        title: the chart's title (e.g. "KPI name — area name").
        unit: the KPI's unit (count, %, rate, days, £).
        target_series: a monthly target per point (a trajectory; None/NaN where none); drawn
            instead of ``result.target`` when given.
        annotations: (period, text) notes; a note on the first period of a partition labels
            that change point (e.g. the reason for a recording change).
        show_two_sigma: draw the 2σ lines too.
        synthetic: watermark the chart "Synthetic data".
        sustainability: a sustainability verdict (``scorecard.sustain``): draws the mean
            before the improvement, the improved process's limits (fixed on its first 12
            points) and a "Support ended" marker; its sentence joins the alt text.

    Returns:
        The figure; ``fig.layout.meta["alt_text"]`` holds its one-sentence alt text.

    Raises:
        ValueError: periods or target_series not one per point.
    """
    pts = result.points
    n = len(pts)
    if len(periods) != n:
        msg = f"{len(periods)} periods for {n} points"
        raise ValueError(msg)
    trajectory = _trajectory(target_series, n)
    xs = _x_values(periods)
    fig = go.Figure()

    with_limits = [p for p, ok in enumerate(pts.partition_has_limits) if ok]
    run_parts = [p for p, ok in enumerate(pts.partition_has_limits) if not ok]
    limit = {"color": NHS_DARK_GREY, "width": 1.5, "dash": "longdash"}
    two = {"color": NHS_MID_GREY, "width": 1, "dash": "dot"}
    centre = {"color": NHS_TEXT, "width": 1.5}
    steps = [
        ("Process limits", "Upper process limit", pts.upl, with_limits, limit, True),
        ("Process limits", "Lower process limit", pts.lpl, with_limits, limit, False),
    ]
    if show_two_sigma:
        steps += [
            ("2σ lines", "Upper 2σ line", pts.upper_2s, with_limits, two, True),
            ("2σ lines", "Lower 2σ line", pts.lower_2s, with_limits, two, False),
        ]
    steps += [
        ("Mean", "Mean", pts.mean, with_limits, centre, True),
        ("Median", "Median", pts.median, run_parts, centre, True),
    ]
    for legend, label, arr, parts, line, show in steps:
        _add_step(fig, xs, pts.partition, arr, parts, legend, label, line, show)

    _add_target(fig, xs, result, trajectory, unit)
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=_nullable(pts.values),
            mode="lines",
            line={"color": NHS_MID_GREY, "width": 1.5},
            connectgaps=False,
            hoverinfo="skip",
            showlegend=False,
            name="Values",
        )
    )
    _add_points(fig, xs, periods, result, unit)
    _add_change_points(fig, xs, periods, result, annotations)
    if sustainability is not None:
        _add_sustainability(fig, xs, sustainability)
    alt = chart_alt_text(
        periods, result, title=title, unit=unit, target_series=target_series, synthetic=synthetic
    )
    if sustainability is not None and sustainability.sentence:
        alt += f" Sustainability: {sustainability.sentence}"
    _layout(fig, title, unit, alt, synthetic, dates=_all_months(periods))
    if result.is_run_chart and result.latest_index is not None:
        fig.update_layout(
            title_subtitle_text=(
                f"Run chart: {result.n_points} of the {result.settings.min_points} points "
                "needed for process limits"
            )
        )
    return fig


def sparkline(values: Sequence[float | None], states: Sequence[str]) -> go.Figure:
    """A tiny trend line with special-cause points coloured by state (no axes, no legend)."""
    y, st = _spark_inputs(values, states)
    fig = go.Figure(
        go.Scatter(
            y=_nullable(y),
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


# Internals.


def _variation_phrase(result: SpcResult) -> str:
    v = result.variation
    if v == "none":
        return "no variation icon"
    if v == COMMON_CAUSE:
        return "common cause variation"
    kind, side = v.rsplit("_", 1)
    nature = {
        IMPROVEMENT: "improving",
        CONCERN: "concerning",
        NEITHER: "neither improving nor concerning",
    }[kind]
    return f"special cause of {nature} nature ({side})"


def _latest_target(result: SpcResult, target_series: Sequence[float | None] | None) -> float | None:
    if target_series is not None and result.latest_index is not None:
        traj = _trajectory(target_series, len(result.points))
        if traj is not None and math.isfinite(traj[result.latest_index]):
            return float(traj[result.latest_index])
    return result.target


def _trajectory(target_series: Sequence[float | None] | None, n: int) -> np.ndarray | None:
    if target_series is None:
        return None
    traj = np.array([np.nan if t is None else float(t) for t in target_series], dtype=np.float64)
    if traj.shape != (n,):
        msg = f"target_series has {traj.shape[0]} values for {n} points"
        raise ValueError(msg)
    return traj if np.isfinite(traj).any() else None


def _all_months(periods: Sequence[str]) -> bool:
    return bool(periods) and all(_MONTH.fullmatch(p) for p in periods)


def _x_values(periods: Sequence[str]) -> list[str]:
    if _all_months(periods):
        return [f"{p}-01" for p in periods]
    return list(periods)


def _nullable(a: np.ndarray) -> list[float | None]:
    return [float(v) if math.isfinite(v) else None for v in a.tolist()]


def _add_step(
    fig: go.Figure,
    xs: list[str],
    partition: np.ndarray,
    values: np.ndarray,
    parts: list[int],
    legend: str,
    label: str,
    line: dict[str, object],
    show_legend: bool,
) -> None:
    """A horizontal line per partition, broken (None) between partitions."""
    if not parts:
        return
    x: list[str | None] = []
    y: list[float | None] = []
    for p in parts:
        idx = np.flatnonzero(partition == p)
        if not idx.size or not math.isfinite(float(values[idx[0]])):
            continue
        x.extend([xs[i] for i in idx])
        y.extend([float(values[i]) for i in idx])
        x.append(None)
        y.append(None)
    if not x:
        return
    fig.add_trace(
        go.Scatter(
            x=x,
            y=y,
            mode="lines",
            line=line,
            name=legend if show_legend else label,
            legendgroup=legend,
            showlegend=show_legend,
            connectgaps=False,
            hovertemplate=f"{label}: %{{y:,.4~g}}<extra></extra>",
            meta={"line": label},
        )
    )


def _add_target(
    fig: go.Figure, xs: list[str], result: SpcResult, trajectory: np.ndarray | None, unit: str
) -> None:
    line = {"color": MDC_TARGET, "width": 2, "dash": "dash"}
    if trajectory is not None:
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=_nullable(trajectory),
                mode="lines",
                line={**line, "shape": "hv"},
                connectgaps=False,
                name="Target (trajectory)",
                hovertemplate="Target: %{y:,.4~g}<extra></extra>",
            )
        )
    elif result.target is not None and xs:
        fig.add_trace(
            go.Scatter(
                x=[xs[0], xs[-1]],
                y=[result.target, result.target],
                mode="lines",
                line=line,
                name="Target",
                hovertemplate=(
                    f"Target: {html.escape(format_value(result.target, unit))}<extra></extra>"
                ),
            )
        )


def _hover(
    period: str,
    value: float,
    state: str,
    rules: frozenset[str],
    result: SpcResult,
    unit: str,
    provisional: bool,
) -> str:
    lines = [
        f"<b>{html.escape(period_label(period))}</b>",
        html.escape(format_value(value, unit)),
        STATE_NAMES[state],
    ]
    lines.extend(
        html.escape(rule_description(r, result.settings)) for r in RULE_NAMES if r in rules
    )
    if provisional:
        lines.append("Provisional")
    return "<br>".join(lines)


def _add_points(
    fig: go.Figure, xs: list[str], periods: Sequence[str], result: SpcResult, unit: str
) -> None:
    """One trace per (state, provisional) present, so the legend names each state."""
    pts = result.points
    # Points of a run-chart partition were not tested by the rules: not "common cause".
    groups = [
        RUN_CHART_POINT
        if s == COMMON_CAUSE and not pts.partition_has_limits[int(pts.partition[i])]
        else s
        for i, s in enumerate(pts.point_state)
    ]
    for state in (COMMON_CAUSE, RUN_CHART_POINT, IMPROVEMENT, CONCERN, NEITHER, EXCLUDED):
        for provisional in (False, True):
            idx = [
                i
                for i in range(len(pts))
                if groups[i] == state and bool(pts.provisional[i]) == provisional
            ]
            if not idx:
                continue
            symbol = STATE_SYMBOLS[state] + ("-open" if provisional else "")
            colour = STATE_COLOURS.get(state, STATE_COLOURS[COMMON_CAUSE])
            name = STATE_NAMES[state] + (" (provisional)" if provisional else "")
            fig.add_trace(
                go.Scatter(
                    x=[xs[i] for i in idx],
                    y=[float(pts.values[i]) for i in idx],
                    mode="markers",
                    marker={
                        "symbol": symbol,
                        "color": colour,
                        "size": 10 if state != COMMON_CAUSE else 8,
                        "line": {"color": colour, "width": 2},
                    },
                    name=name,
                    legendgroup=f"state-{state}",
                    hovertext=[
                        _hover(
                            periods[i],
                            float(pts.values[i]),
                            state,
                            pts.rules[i],
                            result,
                            unit,
                            provisional,
                        )
                        for i in idx
                    ],
                    hovertemplate="%{hovertext}<extra></extra>",
                    meta={"state": state, "provisional": provisional},
                )
            )


def _add_sustainability(fig: go.Figure, xs: list[str], verdict: Verdict) -> None:
    """The two processes of a sustainability verdict and the month support ended."""
    start, end, first = verdict.improvement_index, verdict.improved_end, verdict.pre_start
    if start is None or end is None or first is None:
        return
    old = {"color": NHS_MID_GREY, "width": 2, "dash": "dash"}
    new = {"color": NHS_DARK_GREY, "width": 2, "dash": "dash"}
    lines = [("Mean before the improvement", verdict.pre_mean, first, end, old, True)]
    lines += [
        (
            "Improved process limits (fixed on 12 points)",
            verdict.improved_upl,
            start,
            end,
            new,
            True,
        ),
        (
            "Improved process limits (fixed on 12 points)",
            verdict.improved_lpl,
            start,
            end,
            new,
            False,
        ),
        ("Improved mean", verdict.improved_mean, start, end, {**new, "dash": "solid"}, True),
    ]
    for label, value, a, b, line, show in lines:
        if value is None:
            continue
        fig.add_trace(
            go.Scatter(
                x=xs[a : b + 1],
                y=[value] * (b + 1 - a),
                mode="lines",
                line=line,
                name=label,
                legendgroup=label,
                showlegend=show,
                hovertemplate=f"{html.escape(label)}: {format_number(value)}<extra></extra>",
            )
        )
    if verdict.support_index is not None:
        x = xs[verdict.support_index]
        fig.add_shape(
            type="line",
            x0=x,
            x1=x,
            xref="x",
            y0=0,
            y1=1,
            yref="paper",
            line={"color": NHS_TEXT, "width": 2, "dash": "dashdot"},
            name="support-ended",
        )
        fig.add_annotation(
            x=x,
            y=0,
            xref="x",
            yref="paper",
            yanchor="bottom",
            xanchor="left",
            text=f"Support ended: {html.escape(verdict.label)}",
            showarrow=False,
            font={"size": 11, "color": NHS_TEXT},
            name="support-ended",
        )


def _add_change_points(
    fig: go.Figure,
    xs: list[str],
    periods: Sequence[str],
    result: SpcResult,
    annotations: Sequence[tuple[str, str]],
) -> None:
    """A dotted vertical line at each change point, labelled with its reason; other notes."""
    partition = result.points.partition
    starts = [i for i in range(1, len(partition)) if partition[i] != partition[i - 1]]
    notes: dict[str, list[str]] = {}
    for period, text in annotations:
        notes.setdefault(period, []).append(text)
    for i in starts:
        reason = "; ".join(notes.pop(periods[i], [])) or "Limits recalculated"
        fig.add_shape(
            type="line",
            x0=xs[i],
            x1=xs[i],
            xref="x",
            y0=0,
            y1=1,
            yref="paper",
            line={"color": NHS_DARK_GREY, "width": 1, "dash": "dot"},
            name="change-point",
        )
        fig.add_annotation(
            x=xs[i],
            y=1,
            xref="x",
            yref="paper",
            yanchor="bottom",
            xanchor="left",
            text=f"Change: {html.escape(reason)}",
            showarrow=False,
            font={"size": 11, "color": NHS_DARK_GREY},
            name="change-point",
        )
    x_of = dict(zip(periods, xs, strict=True))
    values = dict(zip(periods, result.points.values.tolist(), strict=True))
    for period, texts in notes.items():
        if period not in x_of:
            continue
        v = values[period]
        fig.add_annotation(
            x=x_of[period],
            y=v if math.isfinite(v) else None,
            yref="y" if math.isfinite(v) else "paper",
            text=html.escape("; ".join(texts)),
            showarrow=True,
            arrowhead=2,
            ax=0,
            ay=-36,
            font={"size": 11, "color": NHS_TEXT},
            bgcolor="rgba(255,255,255,0.85)",
            name="note",
        )


def _layout(fig: go.Figure, title: str, unit: str, alt: str, synthetic: bool, dates: bool) -> None:
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


# ------------------------------------------------------------------------- Sankey (golden thread)


@dataclass(frozen=True)
class SankeyNode:
    """A node of a column Sankey: its key, short label, hover text, colour and column (0 = left)."""

    key: str
    label: str
    hover: str
    colour: str
    column: int


@dataclass(frozen=True)
class SankeyLink:
    """A link between two node keys (upper column → lower column), its colour and hover text."""

    upper: str
    lower: str
    colour: str
    hover: str


def sankey(
    nodes: Sequence[SankeyNode],
    links: Sequence[SankeyLink],
    *,
    alt_text: str,
    column_x: Sequence[float],
) -> go.Figure:
    """A Sankey with nodes placed in fixed columns, each column's nodes stacked by their flow.

    Every link counts one; a node is as tall as its larger side (in or out). Links whose ends are
    not both among ``nodes`` are left out. Labels and hover texts are escaped (Plotly renders
    a subset of HTML in them).

    Args:
        nodes: in the order to stack them within a column.
        links: upper → lower.
        alt_text: one sentence describing the figure, kept in ``layout.meta["alt_text"]``.
        column_x: the x position (0–1) of each column index.
    """
    columns: dict[int, list[str]] = {}
    by_key = {n.key: n for n in nodes}
    for n in nodes:
        columns.setdefault(n.column, []).append(n.key)
    order = [k for c in sorted(columns) for k in columns[c]]
    index = {k: i for i, k in enumerate(order)}
    shown = [ln for ln in links if ln.upper in index and ln.lower in index]
    flow_in: dict[str, int] = {}
    flow_out: dict[str, int] = {}
    for ln in shown:
        flow_out[ln.upper] = flow_out.get(ln.upper, 0) + 1
        flow_in[ln.lower] = flow_in.get(ln.lower, 0) + 1
    weight = {k: max(flow_in.get(k, 0), flow_out.get(k, 0), 1) for k in order}
    centre_y: dict[str, float] = {}
    for members in columns.values():
        total = sum(weight[k] for k in members)
        seen = 0.0
        for k in members:
            centre_y[k] = 0.02 + 0.96 * (seen + weight[k] / 2) / total
            seen += weight[k]
    single = len(columns) <= 1
    drawn = [by_key[k] for k in order]
    fig = go.Figure(
        go.Sankey(
            arrangement="fixed",
            node={
                "label": [html.escape(n.label) for n in drawn],
                "x": [0.5 if single else column_x[n.column] for n in drawn],
                "y": [centre_y[n.key] for n in drawn],
                "color": [n.colour for n in drawn],
                "customdata": [html.escape(n.hover) for n in drawn],
                "hovertemplate": "%{customdata}<extra></extra>",
                "pad": 6,
                "thickness": 12,
                "line": {"color": NHS_DARK_GREY, "width": 0.5},
            },
            link={
                "source": [index[ln.upper] for ln in shown],
                "target": [index[ln.lower] for ln in shown],
                "value": [1] * len(shown),
                "color": [ln.colour for ln in shown],
                "customdata": [html.escape(ln.hover) for ln in shown],
                "hovertemplate": "%{source.label} → %{target.label}: %{customdata}<extra></extra>",
            },
            textfont={"family": FONT, "size": 12, "color": NHS_TEXT},
        )
    )
    tallest = max((sum(weight[k] for k in v) for v in columns.values()), default=1)
    fig.update_layout(
        height=max(360, min(1400, 24 * tallest + 40)),
        margin={"l": 8, "r": 8, "t": 8, "b": 8},
        font={"family": FONT, "size": 12},
        meta={"alt_text": alt_text},
    )
    return fig


BENEFIT_PLAN_COLOUR: Final = NHS_DARK_GREY
BENEFIT_DELIVERED_COLOUR: Final = "#005eb8"  # NHS Blue
BENEFIT_SIGNED_OFF_COLOUR: Final = "#007f3b"  # NHS Green
BENEFIT_COST_COLOUR: Final = "#8a1538"  # NHS Dark Red


def _money_k(value: float) -> str:
    return f"£{value:,.0f}k"


def benefits_cumulative_chart(
    periods: Sequence[str],
    planned_k: Sequence[float],
    delivered_k: Sequence[float | None],
    signed_off_k: Sequence[float],
    *,
    cost_k: Sequence[float] | None = None,
    title: str = "Benefits realised: cumulative plan, delivered and signed off",
    synthetic: bool = False,
) -> go.Figure:
    """The programme's cumulative benefits by month: plan, delivered, signed off (and cost).

    The plan is a dashed grey line, delivered a blue line with markers (absent months before
    the first measured one are not drawn), signed off by the BRG a green stepped line, and the
    programme's cumulative cost, when given, a dotted red line. Amounts are £ thousands.

    Args:
        periods: ``YYYY-MM`` months, oldest first.
        planned_k: Cumulative plan at the end of each month.
        delivered_k: Cumulative delivered (calculated) value, None before measurement starts.
        signed_off_k: Cumulative value signed off by the BRG.
        cost_k: Cumulative programme cost, optional.
        title: The chart's title.
        synthetic: Whether the delivered values rest on synthetic data (watermarked).

    Returns:
        The figure; its ``layout.meta["alt_text"]`` describes it in words.
    """
    n = len(periods)
    if not (len(planned_k) == len(delivered_k) == len(signed_off_k) == n) or (
        cost_k is not None and len(cost_k) != n
    ):
        msg = "every series of the benefits chart needs one value per month"
        raise ValueError(msg)
    dates = _all_months(periods)
    x = _x_values(periods)
    labels = [period_label(p) if dates else p for p in periods]
    fig = go.Figure()

    def add(name: str, y: Sequence[float | None], colour: str, **style: object) -> None:
        shown = [None if v is None or not math.isfinite(float(v)) else float(v) for v in y]
        fig.add_trace(
            go.Scatter(
                x=x,
                y=shown,
                name=name,
                customdata=labels,
                hovertemplate=f"%{{customdata}}<br>{html.escape(name)}: £%{{y:,.0f}}k"
                "<extra></extra>",
                line={"color": colour, "width": 2.5, **style.pop("line", {})},  # type: ignore[dict-item]
                connectgaps=False,
                **style,
            )
        )

    add("Plan", planned_k, BENEFIT_PLAN_COLOUR, mode="lines", line={"dash": "dash"})
    add(
        "Delivered (calculated)",
        delivered_k,
        BENEFIT_DELIVERED_COLOUR,
        mode="lines+markers",
        marker={"size": 6, "symbol": "circle"},
    )
    add(
        "Signed off by the BRG",
        signed_off_k,
        BENEFIT_SIGNED_OFF_COLOUR,
        mode="lines+markers",
        marker={"size": 7, "symbol": "diamond"},
        line={"shape": "hv"},
    )
    if cost_k is not None:
        add("Programme cost", cost_k, BENEFIT_COST_COLOUR, mode="lines", line={"dash": "dot"})
    alt = _benefits_alt(labels, planned_k, delivered_k, signed_off_k, cost_k, synthetic)
    _layout(fig, title, "£ thousands (cumulative)", alt, synthetic, dates)
    fig.update_layout(hovermode="x unified")
    return fig


def _benefits_alt(
    labels: Sequence[str],
    planned_k: Sequence[float],
    delivered_k: Sequence[float | None],
    signed_off_k: Sequence[float],
    cost_k: Sequence[float] | None,
    synthetic: bool,
) -> str:
    if not labels:
        return "Cumulative benefits chart with no months."
    last = labels[-1]
    parts = [
        f"Cumulative benefits from {labels[0]} to {last}.",
        f"Plan to date {_money_k(planned_k[-1])}.",
    ]
    delivered = delivered_k[-1]
    if delivered is None:
        parts.append("No delivered value is measured yet.")
    else:
        parts.append(f"Delivered (calculated) to date {_money_k(delivered)}.")
    parts.append(f"Signed off by the BRG to date {_money_k(signed_off_k[-1])}.")
    if cost_k is not None:
        parts.append(f"Programme cost to date {_money_k(cost_k[-1])}.")
    if synthetic:
        parts.append("The delivered values rest on synthetic data.")
    return " ".join(parts)


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
                y=_nullable(np.asarray(ys, dtype=float)),
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
    _layout(fig, title, unit, alt, synthetic=False, dates=False)
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
    _layout(fig, title, unit, alt, synthetic=False, dates=False)
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
    xs = _x_values(periods)
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
    _layout(fig, title, unit, alt, synthetic=False, dates=_all_months(periods))
    fig.update_layout(
        yaxis={"title": {"text": html.escape(f"{unit} ({better})" if unit else better)}}
    )
    return fig


# Activity beside lead, and areas × months


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
    dates = all(_all_months(p.periods) for p in panels)
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
                    x=_x_values([panel.periods[i]])[0],
                    line={"color": NHS_DARK_GREY, "width": 1, "dash": "dot"},
                    row=row,
                    col=1,
                )
    for k, event in enumerate(sorted(events, key=lambda e: e.period)):
        x = _x_values([event.period])[0]
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
    xs = _x_values(periods)
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
    _layout(fig, title, "", alt, synthetic, _all_months(periods))
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
