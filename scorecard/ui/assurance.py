"""Assurance for ICB reviewers: data quality, loads, revisions, coverage and gaps."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
import streamlit as st

from scorecard.statistics.disclosure import apply_suppression
from scorecard.statistics.quality import KpiQuality
from scorecard.statistics.reconciliation import Reconciled, reconcile
from scorecard.thread.domain import Framework
from scorecard.thread.framework_coverage import coverage
from scorecard.thread.numbers import format_value
from scorecard.thread.periods import month_short
from scorecard.ui import data
from scorecard.ui.display import QUALITY_SYMBOLS, bullet_list, kite_svg, readable, svg_data_uri
from scorecard.ui.frame import Context, empty_state
from scorecard.ui.thread import thread_gaps
from scorecard.ui.views import md

# Column widths in pixels: every kite-mark dimension fits beside the KPI without scrolling
# sideways in a 1366-pixel-wide window (the page's content is about 1,200 pixels wide).
QUALITY_WIDTHS: Mapping[str, int] = {
    "KPI": 262,
    "Kite mark": 72,
    "Overall": 100,
    "Latest": 80,
    "Areas": 56,
}
DIMENSION_WIDTH = 96
SHORT_LABELS: Mapping[str, str] = {"Audit (revisions)": "Audit"}


def quality_frame(items: Sequence[KpiQuality]) -> pd.DataFrame:
    """One row per KPI: the kite mark, its overall rating and each dimension with a symbol."""
    records: list[dict[str, object]] = []
    for item in items:
        record: dict[str, object] = {
            "KPI": f"{item.kpi_code} — {item.kpi_name}",
            "Kite mark": svg_data_uri(kite_svg(item.kite_mark)),
            "Overall": QUALITY_SYMBOLS.get(item.kite_mark.overall, item.kite_mark.overall),
            "Latest": month_short(item.reference_period) if item.reference_period else "No data",
            "Areas": f"{item.areas_reporting} of {item.areas_expected}",
        }
        for mark in item.kite_mark.marks:
            label = SHORT_LABELS.get(mark.label, mark.label)
            record[label] = QUALITY_SYMBOLS.get(mark.rating, mark.rating)
        records.append(record)
    return pd.DataFrame.from_records(records)


def quality_reasons(items: Sequence[KpiQuality]) -> list[str]:
    """Why each KPI's kite mark is not all good, one line per KPI (empty when all are good)."""
    lines: list[str] = []
    for item in items:
        marks = [m for m in item.kite_mark.marks if m.rating != "good"]
        if marks:
            why = " ".join(f"{m.label}: {m.sentence}" for m in marks)
            lines.append(f"**{md(item.kpi_code)}** ({md(item.kpi_name)}): {md(why)}")
    return lines


def assurance_quality(ctx: Context) -> None:
    """Data quality per KPI as kite marks (timeliness, completeness, validation, …)."""
    if ctx.store is None or not ctx.month:
        empty_state("No data quality to show: there are no KPI values yet.")
        return
    items = data.kpi_quality(ctx.store.path, ctx.store.identity, ctx.month)
    frame = quality_frame(items)
    if frame.empty:
        empty_state(f"No KPI has values up to {md(ctx.month_label)}.")
        return
    counts = frame["Overall"].value_counts()
    st.markdown(
        f"Up to **{md(ctx.month_label)}**, across all areas: "
        + ", ".join(f"{int(n)} KPIs {md(label)}" for label, n in counts.items())
        + ". Each kite mark is a diamond of wedges, one per dimension (timeliness against "
        "frequency, completeness across areas, validation, sign-off, audit of revisions, "
        "source), with the overall rating as a letter: G good, A attention, P poor. The overall "
        "rating is the worst of the first five and never more than one step better than any "
        "dimension: a poor source (synthetic data) makes it attention at best."
    )
    widths = {
        **QUALITY_WIDTHS,
        **dict.fromkeys(frame.columns[len(QUALITY_WIDTHS) :], DIMENSION_WIDTH),
    }
    config = {
        name: st.column_config.TextColumn(name, width=width) for name, width in widths.items()
    }
    config["Kite mark"] = st.column_config.ImageColumn("Kite mark", width=widths["Kite mark"])
    st.dataframe(frame, hide_index=True, width="stretch", row_height=48, column_config=config)
    reasons = quality_reasons(items)
    if reasons:
        with st.expander(f"Why {len(reasons)} of {len(items)} kite marks are not all good"):
            bullet_list(reasons)


def reconciliation_frame(items: Sequence[Reconciled], fw: Framework) -> pd.DataFrame:
    """One row per declared KPI × whole area × month: the whole, its parts' sum, the gap."""
    return pd.DataFrame.from_records(
        [
            {
                "KPI": f"{r.kpi_code} — {fw.kpi(r.kpi_code).name}",
                "Whole": fw.area(r.whole_code).name,
                "Month": month_short(r.period),
                "Whole's value": format_value(r.whole, r.unit),
                "Sum of the parts": format_value(r.parts_sum, r.unit),
                "Difference": "–" if r.difference is None else format_value(r.difference, r.unit),
                "Adds up": {"agrees": "● Yes", "differs": "✖ No", "incomplete": "▲ Cannot tell"}[
                    r.status
                ],
            }
            for r in items
        ]
    )


def reconciliation_section(ctx: Context) -> None:
    """Do the areas add up? Declared KPIs' parts against their whole, this month and before."""
    declared = ctx.fw.reconciliations
    if not declared:
        empty_state("No KPI is declared to add up across areas (reconciliations.csv).")
        return
    st.markdown(
        f"{len(declared)} KPIs count people or events that the framework declares add up across "
        "areas (data/framework/reconciliations.csv): each place's value, summed, should equal "
        "the system's. Trusts are not declared: other providers treat the county's residents."
    )
    if ctx.store is None or not ctx.month:
        empty_state("Nothing to check yet: there are no KPI values.")
        return
    found = reconcile(ctx.fw, ctx.current(), ctx.month)
    now = [r for r in found if r.period == ctx.month]
    earlier = [r for r in found if r.period != ctx.month and r.status == "differs"]
    differs = [r for r in now if r.status == "differs"]
    st.markdown(
        f"**{md(ctx.month_label)}:** {len(now) - len(differs)} of {len(now)} declared KPI "
        f"totals add up; {len(differs)} do not."
        + (f" Earlier months: {len(earlier)} totals that do not add up." if earlier else "")
    )
    if now:
        st.dataframe(reconciliation_frame(now, ctx.fw), hide_index=True, width="stretch")
    if earlier:
        with st.expander(f"Earlier months that do not add up ({len(earlier)})"):
            st.dataframe(reconciliation_frame(earlier, ctx.fw), hide_index=True, width="stretch")


def load_log(ctx: Context) -> None:
    """The load log: every file loaded, with counts of new, revised and unchanged rows."""
    if ctx.store is None:
        empty_state("No load log: the store has not been built yet.")
        return
    loads = data.loads(ctx.store.path, ctx.store.identity)
    if loads.empty:
        empty_state("Nothing has been loaded into the store yet.")
        return
    st.dataframe(readable(loads), hide_index=True, width="stretch", placeholder="–")


def revisions(ctx: Context) -> None:
    """Values revised after their first load: the old value, the new one and both loads."""
    if ctx.store is None:
        return
    old = data.revised_values(ctx.store.path, ctx.store.identity)
    if old.empty:
        empty_state("No revisions: no stored value has been replaced by a later load.")
        return
    shown = apply_suppression(ctx.fw, old)
    st.markdown(
        f"{len(old)} {'value has' if len(old) == 1 else 'values have'} been revised by a later "
        "load; the old values are kept."
    )
    st.dataframe(readable(shown), hide_index=True, width="stretch", height=300, placeholder="–")


FRAMEWORK_PARTS: Mapping[str, str] = {
    "population_outcomes": "ICS population outcomes",
    "ambitions": "ICP ambitions",
    "pillars": "Pillars and streams",
    "outcomes": "iCAN outcomes",
    "bricks": "Bricks",
    "kpis": "KPIs",
    "i_statements": "I-statements",
    "links": "Links between them",
}


def coverage_section(ctx: Context) -> None:
    """Golden-thread coverage (what is linked) and its gaps."""
    cov = coverage(ctx.fw)
    lines = [
        "**Outcomes without a lead KPI:** "
        + (", ".join(str(n) for n in cov.outcomes_without_lead_kpi) or "none"),
        "**Bricks without an activity KPI:** "
        + (", ".join(md(c) for c in cov.bricks_without_activity_kpi) or "none"),
        "**KPIs without an I-statement:** "
        + (", ".join(md(c) for c in cov.kpis_without_i_statement) or "none"),
        "**I-statements without a KPI as evidence:** "
        + (", ".join(md(c) for c in cov.i_statements_without_kpi) or "none"),
    ]
    bullet_list(lines)
    prov = pd.DataFrame(
        {
            "Part of the framework": [FRAMEWORK_PARTS.get(k, k) for k in cov.seed],
            "From the documents": [cov.seed[k] for k in cov.seed],
            "Illustrative (proposed by the team)": [cov.illustrative.get(k, 0) for k in cov.seed],
        }
    )
    st.dataframe(prov, hide_index=True)
    thread_gaps(ctx, outcomes=False)


def missing_baselines(ctx: Context) -> None:
    """KPIs without a baseline or without a target (or trajectory)."""
    with_trajectory = {t.kpi_code for t in ctx.fw.trajectories}
    records = [
        {
            "KPI": f"{k.name} ({k.code})",
            "Tier": str(k.tier),
            "Baseline": "missing" if k.baseline_value is None else "recorded",
            "Target or trajectory": "missing"
            if k.target_value is None and k.code not in with_trajectory
            else "set",
            "Owner": k.owner_role,
        }
        for k in ctx.fw.kpis
        if k.baseline_value is None or (k.target_value is None and k.code not in with_trajectory)
    ]
    if not records:
        st.markdown("Every KPI has a baseline and a target or trajectory.")
        return
    st.markdown(f"{len(records)} of {len(ctx.fw.kpis)} KPIs lack a baseline or a target.")
    st.dataframe(pd.DataFrame.from_records(records), hide_index=True, width="stretch")


def synthetic_share(ctx: Context) -> None:
    """How much of the data is synthetic and how much is real, by KPI tier."""
    if ctx.store is None:
        empty_state("No values stored yet, synthetic or real.")
        return
    table = data.synthetic_counts(ctx.store.path, ctx.store.identity)
    if table.empty:
        empty_state("No values stored yet, synthetic or real.")
        return
    synthetic = int(table["Synthetic"].sum())
    total = int(table["Total"].sum())
    st.markdown(
        f"**{synthetic:,} of {total:,}** current values are synthetic demo data; "
        f"{total - synthetic:,} are real."
    )
    st.dataframe(table, hide_index=True)
