"""The Making Data Count SPC chart of one KPI × area and its one-sentence alt text."""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from scorecard.reports.charts_layout import (
    RUN_CHART_POINT,
    STATE_NAMES,
    STATE_SYMBOLS,
    all_months,
    apply_layout,
    nullable,
    period_label,
    x_values,
)
from scorecard.statistics.icons import (
    MDC_TARGET,
    NHS_DARK_GREY,
    NHS_MID_GREY,
    NHS_TEXT,
    STATE_COLOURS,
)
from scorecard.statistics.spc import SpcResult
from scorecard.statistics.spc_icons import COMMON_CAUSE, CONCERN, EXCLUDED, IMPROVEMENT, NEITHER
from scorecard.statistics.spc_rules import RULE_NAMES, rule_description
from scorecard.statistics.sustain import Verdict
from scorecard.thread.numbers import format_number, format_value


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
        sustainability: a sustainability verdict (``scorecard.statistics.sustain``): draws the mean
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
    xs = x_values(periods)
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
            y=nullable(pts.values),
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
    apply_layout(fig, title, unit, alt, synthetic, dates=all_months(periods))
    if result.is_run_chart and result.latest_index is not None:
        fig.update_layout(
            title_subtitle_text=(
                f"Run chart: {result.n_points} of the {result.settings.min_points} points "
                "needed for process limits"
            )
        )
    return fig


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
                y=nullable(trajectory),
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
