"""KPI detail's "Compared with England": funnel or ranked plot, value against England, peers."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from scorecard.data import exports
from scorecard.reports import charts_benchmark
from scorecard.reports.comparisons import (
    BenchmarkView,
    benchmark_view,
    level_of,
    missing_members_sentence,
    peer_frame,
)
from scorecard.statistics.benchmark import (
    BAND_WORDS,
    LEVEL_PLURAL,
    Band,
    Funnel,
    NoFunnel,
    benchmark_sentence,
)
from scorecard.thread.domain import Direction, Kpi, PeerGroup, Provenance
from scorecard.thread.numbers import format_value
from scorecard.ui import data, views
from scorecard.ui.frame import Context, url_selectbox
from scorecard.ui.views import md

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXCLUDED_WORDS = {
    "missing": "with no figures",
    "zero_denominator": "with a denominator of 0",
    "numerator_above_denominator_or_negative": "with a numerator above the denominator or below 0",
}
LEVEL_WORDS = {"icb": "integrated care boards", "trust": "trusts", "council": "councils"}


def benchmark_section(ctx: Context, kpi: Kpi) -> None:
    """The section, or one line saying why the KPI is not compared."""
    if ctx.store is None or not ctx.month:
        return
    st.subheader("Compared with England", anchor=False)
    if not kpi.source_key:
        st.caption("This KPI is not published nationally, so it is not compared with England.")
        return
    split = data.comparison_split(ctx.store.path, ctx.store.identity)
    level_groups = _groups_for(ctx, kpi)
    chosen = ""
    if len(level_groups) > 1:
        labels = {
            g.code: g.name
            + (
                " (illustrative)"
                if g.members
                and g.provenance == Provenance.ILLUSTRATIVE
                and "illustrative" not in g.name.lower()
                else ""
            )
            for g in level_groups
        }
        chosen = url_selectbox(
            "Compare with",
            "peers",
            [g.code for g in level_groups],
            ctx.selection.peers,
            labels,
            key="ican-benchmark-peers",
            help_text="England compares with every organisation of the level; the other groups "
            "are lists in data/framework/peer_groups.csv.",
        )
    found = benchmark_view(ctx.fw, split, kpi, ctx.area, ctx.month, chosen or ctx.selection.peers)
    if isinstance(found, str):
        st.caption(md(found))
        return
    _show(ctx, found)


def _groups_for(ctx: Context, kpi: Kpi) -> list[PeerGroup]:
    level = level_of(ctx.fw, ctx.area)
    return [g for g in ctx.fw.peer_groups if g.level == level] if kpi.source_key else []


def _show(ctx: Context, view: BenchmarkView) -> None:
    kpi, table = view.kpi, view.table
    unit = str(kpi.unit)
    month = views.month_label(view.period)
    group_name = view.group.name if view.group is not None else "England"
    if view.period != ctx.month:
        st.caption(
            f"The latest national figures up to {md(views.month_label(ctx.month))} with a "
            f"figure for {md(views.area_name(ctx.fw, view.area))} are for {md(month)}."
        )
    if view.group is not None and view.group.members:
        illustrative = view.group.provenance == Provenance.ILLUSTRATIVE
        st.caption(
            f"{'Illustrative peer group' if illustrative else 'Peer group'}: "
            f"{md(view.group.name)}. Source: {md(view.group.source)}."
        )
    if view.missing_members and view.group is not None:
        st.warning(md(missing_members_sentence(view.group, view.missing_members, month)))
    own_codes = {a.code for a in ctx.fw.areas}
    area_names = {a.code: a.name for a in ctx.fw.areas}
    plural = LEVEL_PLURAL.get(view.level, "organisations")
    if view.benchmark is not None:
        unit_format = ("", "%") if unit == "%" else ("", f" {unit}" if unit else "")
        st.markdown(
            md(
                benchmark_sentence(
                    views.area_name(ctx.fw, view.area),
                    kpi.name[0].lower() + kpi.name[1:],
                    view.benchmark,
                    plural,
                    unit_format,
                )
            )
        )
        st.markdown(f"**vs England:** {md(band_label(view.benchmark.band))}")
    else:
        st.caption(
            f"{md(views.area_name(ctx.fw, view.area))} is not among the organisations "
            f"compared for {md(month)}."
        )
    better = {
        Direction.INCREASE: "higher is better",
        Direction.DECREASE: "lower is better",
    }.get(kpi.direction, "neither direction is better")
    points = [
        charts_benchmark.FunnelPoint(
            code=code,
            name=area_names.get(code, name) if code in own_codes else name,
            value=float(value),
            size=float(size) if table.method == "funnel" and size == size else None,
            own=code in own_codes,
            band_words=BAND_WORDS[band],
        )
        for code, name, value, size, band in zip(
            table.codes, table.names, table.figures, table.denominators, table.bands, strict=True
        )
        if value == value
    ]
    own_names = ", ".join(p.name for p in points if p.own) or "none of Northamptonshire's"
    chart_title = f"{kpi.name}: {LEVEL_WORDS.get(view.level, plural)}, {month} ({group_name})"
    funnel = table.funnel
    if isinstance(funnel, Funnel) and table.england is not None:
        scale = table.scale
        target = funnel.target
        tau2 = funnel.tau2

        def limits(
            n: np.ndarray,
        ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
            lo95, hi95, lo998, hi998 = funnel.limits_at(n)
            return (lo95 * scale, hi95 * scale, lo998 * scale, hi998 * scale)

        dispersion = _dispersion_words(funnel)
        alt = (
            f"Funnel plot of {kpi.name} for {len(points)} {LEVEL_WORDS.get(view.level, plural)} "
            f"in {month}: each organisation's value against its size ({kpi.denominator or 'the'}"
            f" denominator), England's line at {format_value(target * scale, unit)}, and the 95% "
            f"and 99.8% limits that narrow as size grows. Northamptonshire's: {own_names}. "
            f"{dispersion}"
        )
        fig = charts_benchmark.funnel_chart(
            points,
            target * scale,
            limits,
            title=chart_title,
            unit=unit,
            size_label=f"Size: {kpi.denominator or 'denominator'} (log scale)",
            better=better,
            dispersion=dispersion,
            alt=alt,
        )
        _readable(fig, points, limits, unit)
        st.plotly_chart(fig, width="stretch", config={"displayModeBar": False}, key="ican-funnel")
        st.caption(f"Chart description: {md(alt)}")
        st.caption(
            md(
                f"How to read it: a point outside the dashed 99.8% limits is significantly "
                f"different from England for its size; τ² = {tau2:.5f} widens the limits for "
                "real differences between organisations that size alone does not explain "
                "(Spiegelhalter 2005)."
                + (
                    " Here those differences are much larger than chance, so the limits are "
                    "nearly flat: size makes little difference to what counts as unusual."
                    if funnel.phi > 10
                    else ""
                )
            )
        )
    else:
        reason = (
            funnel.reason
            if isinstance(funnel, NoFunnel)
            else "The measure has no denominator, so it is ranked, not tested against England."
        )
        ranked = "" if "ranked" in reason else " The peers are ranked instead."
        st.caption(f"No funnel plot: {md(reason)}{ranked}")
        alt = (
            f"Ranked dot plot of {kpi.name} for {len(points)} "
            f"{LEVEL_WORDS.get(view.level, plural)} in {month}, lowest to highest, with "
            f"England's line at {format_value(table.england, unit)}. Northamptonshire's: "
            f"{own_names}."
        )
        fig = charts_benchmark.ranked_dot_chart(
            points, table.england, title=chart_title, unit=unit, better=better, alt=alt
        )
        fig.update_layout(height=420)
        st.plotly_chart(fig, width="stretch", config={"displayModeBar": False}, key="ican-ranked")
        st.caption(f"Chart description: {md(alt)}")
    excluded = funnel.excluded if isinstance(funnel, Funnel | NoFunnel) else {}
    if excluded:
        parts = [
            f"{n} organisation{'s' if n != 1 else ''} {EXCLUDED_WORDS.get(k, k)}"
            for k, n in excluded.items()
        ]
        st.caption(f"Left out of the comparison: {md('; '.join(parts))}.")
    _history(ctx, view, unit, better)
    _downloads(ctx, view, own_codes, group_name)


def band_label(band: Band) -> str:
    """The band in words with a text symbol (never colour alone)."""
    return {
        Band.BETTER_998: "▲ better (significantly, 99.8%)",
        Band.BETTER_95: "△ better (95%)",
        Band.SIMILAR: "● similar",
        Band.WORSE_95: "▽ worse (95%)",
        Band.WORSE_998: "▼ worse (significantly, 99.8%)",
        Band.NOT_COMPARABLE: "– not compared",
    }[band]


def versus_england(benchmark: Mapping[str, object] | None) -> str:
    """A row's "vs England" cell: a symbol and words, "– not compared" without a benchmark."""
    band = benchmark.get("band") if benchmark is not None else None
    try:
        return band_label(Band(str(band))) if band is not None else band_label(Band.NOT_COMPARABLE)
    except ValueError:
        return band_label(Band.NOT_COMPARABLE)


def _readable(
    fig: go.Figure,
    points: list[charts_benchmark.FunnelPoint],
    limits: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]],
    unit: str,
) -> None:
    """Room for the legend under the size axis, plain size ticks, a % axis kept to 0-100."""
    sizes = np.array([p.size for p in points if p.size], dtype=float)
    low, high = float(sizes.min()), float(sizes.max())
    ticks = [
        m * 10.0**e
        for e in range(int(np.floor(np.log10(low))), int(np.ceil(np.log10(high))) + 1)
        for m in (1, 2, 5)
        if low * 0.8 <= m * 10.0**e <= high * 1.1
    ]
    fig.update_layout(
        height=500,
        margin={"b": 120},
        legend={"y": -0.3},
        xaxis={"tickvals": ticks, "ticktext": [f"{t:,.0f}" for t in ticks]},
    )
    if unit == "%":
        grid = np.geomspace(max(low * 0.8, 1.0), high * 1.1, 120)
        _, _, lo998, hi998 = limits(grid)
        values = [p.value for p in points]
        bottom = max(0.0, min(min(values), float(np.nanmin(lo998))) - 3)
        top = min(102.0, max(max(values), float(np.nanmax(hi998))) + 3)
        fig.update_layout(yaxis={"range": [bottom, top]})


def _dispersion_words(funnel: Funnel) -> str:
    if funnel.tau2 > 0:
        return (
            f"Over-dispersion: φ = {funnel.phi:.1f} (above 1), so the limits are widened by "
            f"τ² = {funnel.tau2:.5f} for differences between organisations beyond chance."
        )
    return (
        f"No over-dispersion: φ = {funnel.phi:.2f} (not above 1), so τ² = 0 and the limits "
        "reflect chance alone."
    )


def _history(ctx: Context, view: BenchmarkView, unit: str, better: str) -> None:
    if len(view.history) < 2:
        return
    periods = [p for p, _, _ in view.history]
    own = [o for _, o, _ in view.history]
    england = [e for _, _, e in view.history]
    name = views.area_name(ctx.fw, view.area)
    latest = next(((p, o, e) for p, o, e in reversed(view.history) if o is not None), None)
    last = (
        f"latest {format_value(latest[1], unit)} in {views.month_label(latest[0])} against "
        f"England's {format_value(latest[2], unit)}"
        if latest is not None
        else "no value of its own"
    )
    alt = (
        f"{name}'s {view.kpi.name} and England's, monthly from "
        f"{views.month_label(periods[0])} to {views.month_label(periods[-1])}; {last}."
    )
    fig = charts_benchmark.versus_england_chart(
        periods,
        own,
        england,
        title=f"{view.kpi.name}: {name} and England over the months",
        own_name=name,
        unit=unit,
        better=better,
        alt=alt,
    )
    fig.update_layout(height=380, margin={"b": 90}, legend={"y": -0.22})
    st.plotly_chart(fig, width="stretch", config={"displayModeBar": False}, key="ican-vs-england")
    st.caption(f"Chart description: {md(alt)}")


def _downloads(ctx: Context, view: BenchmarkView, own_codes: set[str], group: str) -> None:
    stem = f"ican_{view.kpi.code}_peers_{view.level}_{view.period}"
    title = f"{view.kpi.name}: peers ({group}), {views.month_label(view.period)}"
    left, right, _ = st.columns([1, 1, 2])
    left.download_button(
        "Download the peer table (CSV)",
        lambda: exports.to_csv_bytes(peer_frame(view, own_codes)),
        file_name=f"{stem}.csv",
        mime="text/csv",
        key="ican-peers-csv",
    )
    right.download_button(
        "Download the peer table (XLSX)",
        lambda: exports.to_xlsx_bytes(peer_frame(view, own_codes), "Peers", title),
        file_name=f"{stem}.xlsx",
        mime=XLSX,
        key="ican-peers-xlsx",
    )
