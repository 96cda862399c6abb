"""The golden-thread explorer: any node with everything above and below it, and the gaps."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
import streamlit as st

from scorecard.reports.scoring import ScorecardRow
from scorecard.thread.domain import Provenance
from scorecard.thread.framework_coverage import Thread, coverage, threads, unthreaded
from scorecard.ui import views
from scorecard.ui.display import bullet_list, kpi_states, node_line, state_text
from scorecard.ui.frame import Context, empty_state, page_link, url_selectbox
from scorecard.ui.views import md

THREAD_COLUMNS = (
    "ICS population outcome",
    "ICP ambition",
    "iCAN outcome",
    "Lead KPI",
    "Activity KPI",
    "I-statement",
)


def threads_frame(
    ctx: Context, paths: Sequence[Thread], states: Mapping[str, ScorecardRow]
) -> pd.DataFrame:
    """Threads as the documents' scorecard shows them, with the KPIs' current state."""
    records: list[dict[str, str]] = []
    for t in paths:
        cells = t.cells(ctx.fw)
        record = dict(zip(THREAD_COLUMNS, cells, strict=True))
        record["iCAN outcome"] = f"Outcome {t.outcome}: {cells[2]}"
        record["Lead KPI state"] = state_text(states.get(t.lead_kpi)) if states else ""
        if t.activity_kpi:
            record["Activity KPI state"] = state_text(states.get(t.activity_kpi)) if states else ""
        else:
            record["Activity KPI"] = "Gap: no activity KPI linked"
            record["Activity KPI state"] = ""
        if not t.i_statement:
            record["I-statement"] = "Gap: no I-statement linked"
        record["From the documents?"] = (
            "Yes: every link is stated in the documents"
            if t.provenance == Provenance.SEED
            else "No: at least one link is proposed by the team (illustrative)"
        )
        records.append(record)
    frame = pd.DataFrame.from_records(records)
    if not states and not frame.empty:
        frame = frame.drop(columns=["Lead KPI state", "Activity KPI state"])
    return frame


def document_threads(ctx: Context, paths: Sequence[Thread]) -> None:
    """The documents' three example scorecard rows, reproduced from the link tables."""
    rows = views.document_rows(ctx.fw, paths)
    if not rows:
        empty_state("The framework's links do not cite the documents' example scorecard rows.")
        return
    states = kpi_states(ctx)
    frame = threads_frame(ctx, [t for _, t in rows], states)
    frame.insert(0, "Row", [f"Example row {n}" for n, _ in rows])
    frame = frame.drop(columns=["From the documents?"])
    # st.table renders Markdown in its cells: make the framework's words inert.
    st.table(frame.set_index("Row").map(md))


def node_picker(ctx: Context) -> str:
    """The node select box (mirrors the URL's ``node``); returns the chosen key or ""."""
    catalogue = views.nodes(ctx.fw)
    with ctx.slot or st.container():
        return url_selectbox(
            "Node of the golden thread",
            "node",
            list(catalogue),
            ctx.selection.node,
            {k: views.short(n.label, 110) for k, n in catalogue.items()},
            allow_none="Overview: the documents' example rows",
            help_text="Type to search: population outcomes, ambitions, outcomes, KPIs, bricks, "
            "I-statements.",
        )


def node_list(
    ctx: Context,
    title: str,
    keys: Sequence[str],
    states: Mapping[str, ScorecardRow],
    *,
    focus_links: bool = False,
) -> None:
    """A group of nodes with their state, one list; links to KPI detail (and to focus, if asked).

    Kept to one Markdown list and a few links: a page of a hundred links is slow to paint.
    """
    catalogue = views.nodes(ctx.fw)
    shown = [catalogue[k] for k in keys if k in catalogue]
    st.subheader(f"{title} ({len(shown)})", anchor=False)
    if not shown:
        st.caption("Nothing.")
        return
    bullet_list([node_line(node, states) for node in shown])
    kpis = [n for n in shown if n.kind in ("lead_kpi", "activity_kpi", "system_kpi")]
    with st.container(horizontal=True, key=f"ican-links-{title}".replace(" ", "-")):
        if focus_links:
            for node in shown:
                page_link(ctx, "pages/1_golden_thread.py", f"Focus on {node.code}", node=node.key)
        for node in kpis:
            page_link(ctx, "pages/2_kpi.py", f"KPI detail: {node.code}", kpi=node.code)


def explorer(ctx: Context, key: str) -> None:
    """Everything above and below a node, as a Sankey, lists and the threads through it."""
    fw = ctx.fw
    catalogue = views.nodes(fw)
    node = catalogue[key]
    states = kpi_states(ctx)
    hood = views.neighbourhood(fw, key)
    st.markdown(node_line(node, states))
    levels = views.levels_above(fw, hood)
    if levels:
        path = " › ".join(
            ", ".join(
                md(views.short(n.name, 40)) + (" (brick)" if n.kind == "brick" else "")
                for n in level
            )
            for level in levels
        )
        st.caption(f"Above it: {path}")
    if len(hood.members) > 1:
        fig = views.thread_sankey(fw, hood, {c: state_text(r) for c, r in states.items()})
        st.plotly_chart(fig, width="stretch", config={"displayModeBar": False})
        st.caption(f"Chart description: {md(fig.layout.meta['alt_text'])}")
    else:
        empty_state(
            f"{md(node.kind_label)} {md(node.code)} is not linked to anything yet: a gap in the "
            "golden thread."
        )
    paths = views.threads_through(fw, threads(fw), key)
    st.subheader(f"Threads through {node.code} ({len(paths)})", anchor=False)
    if paths:
        st.dataframe(threads_frame(ctx, paths, states), hide_index=True, width="stretch")
    else:
        st.caption(
            "No complete thread (population outcome to I-statement) passes through this node: "
            "a gap in the golden thread."
        )
    up, down, side = st.columns(3, gap="medium")
    with up:
        node_list(ctx, "Above", hood.above, states, focus_links=True)
    with down:
        node_list(ctx, "Below", hood.below, states)
    with side:
        node_list(ctx, "Bricks delivering it", hood.beside, states)


def thread_gaps(ctx: Context, *, outcomes: bool = True) -> None:
    """Placeholders, illustrative items and unlinked nodes, listed as gaps.

    ``outcomes=False`` leaves out the outcomes without a lead KPI (for a page that lists them).
    """
    fw = ctx.fw
    catalogue = views.nodes(fw)
    cov = coverage(fw)
    placeholders = [k for k, n in catalogue.items() if n.placeholder]
    loose = views.unlinked(fw)
    outside = unthreaded(fw)
    illustrative = [k for k, n in catalogue.items() if n.provenance == Provenance.ILLUSTRATIVE]
    lines = [
        f"**Placeholders** ({len(placeholders)}): "
        + (", ".join(md(catalogue[k].label) for k in placeholders) or "none"),
        f"**Not linked at all** ({len(loose)}): "
        + (", ".join(md(catalogue[k].label) for k in loose) or "none"),
        f"**KPIs in no complete thread** ({len(outside.kpis)}): "
        + (", ".join(md(c) for c in outside.kpis) or "none"),
        f"**I-statements in no complete thread** ({len(outside.i_statements)}): "
        + (", ".join(md(c) for c in outside.i_statements) or "none"),
        *(
            [
                "**Outcomes without a lead KPI**: "
                + (", ".join(str(n) for n in cov.outcomes_without_lead_kpi) or "none")
            ]
            if outcomes
            else []
        ),
        f"**Illustrative items** (proposed by the team, not in the documents): {len(illustrative)}",
    ]
    bullet_list(lines)


def outcome_links(ctx: Context) -> None:
    """A link per outcome to focus the explorer on it."""
    with st.container(horizontal=True):
        for outcome in sorted(ctx.fw.outcomes, key=lambda o: o.number):
            page_link(
                ctx,
                "pages/1_golden_thread.py",
                f"Outcome {outcome.number}: {views.short(outcome.wording, 44)}",
                node=f"outcome:{outcome.code}",
            )
