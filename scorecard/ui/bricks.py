"""Bricks for their owners: activity KPIs by pillar and brick beside the lead KPI they serve."""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from scorecard.domain import Brick, Kpi, LinkKind
from scorecard.scoring import ScorecardRow
from scorecard.ui import views
from scorecard.ui.display import RESULT_TYPE_LABELS, kpi_states, show_kpi_state
from scorecard.ui.frame import Context, empty_state, page_link, url_selectbox
from scorecard.ui.views import md


def brick_filters(ctx: Context) -> tuple[str, str, str]:
    """Pillar, brick and owner filters (each mirrors its URL parameter)."""
    fw = ctx.fw
    pillar_col, brick_col, owner_col = st.columns(3)
    with pillar_col:
        pillar = url_selectbox(
            "Pillar",
            "pillar",
            [p.code for p in fw.pillars],
            ctx.selection.pillar,
            {p.code: f"{p.number}. {p.name}" for p in fw.pillars},
            allow_none="All pillars",
        )
    bricks = [b for b in fw.bricks if not pillar or b.pillar_code == pillar]
    with brick_col:
        brick = url_selectbox(
            "Brick",
            "brick",
            [b.code for b in bricks],
            ctx.selection.brick,
            {b.code: b.name for b in bricks},
            allow_none="All bricks",
        )
    with owner_col:
        owner = url_selectbox(
            "Owner",
            "owner",
            views.owners(fw),
            ctx.selection.owner,
            {},
            allow_none="All owners",
        )
    return pillar, brick, owner


def bricks_view(ctx: Context, pillar: str, brick: str, owner: str) -> None:
    """Pillar → brick → activity KPIs with their tags, each beside the lead KPI it supports."""
    fw = ctx.fw
    states = kpi_states(ctx)
    kpis = {k.code: k for k in fw.kpis}
    shown = 0
    for p in fw.pillars:
        if pillar and p.code != pillar:
            continue
        bricks = [
            b for b in fw.bricks if b.pillar_code == p.code and (not brick or b.code == brick)
        ]
        blocks: list[tuple[Brick, list[Kpi]]] = []
        for b in bricks:
            activity = [
                kpis[c]
                for c in fw.linked(LinkKind.BRICK_ACTIVITY_KPI, b.code)
                if c in kpis and (not owner or kpis[c].owner_role == owner)
            ]
            if activity or not owner:
                blocks.append((b, activity))
        if not blocks:
            continue
        st.header(f"{p.number}. {p.name}", anchor=False)
        for b, activity in blocks:
            confidence = {"H": "high", "M": "medium", "L": "low"}.get(b.confidence, b.confidence)
            st.subheader(b.name, anchor=False)
            st.caption(
                f"Brick {md(b.code)}; reconstructed from the documents with {md(confidence)} "
                "confidence."
            )
            if not activity:
                st.caption("No activity KPI for this brick yet: a gap.")
                continue
            for kpi in activity:
                shown += 1
                _activity_row(ctx, kpi, states, b.code)
    if shown == 0:
        empty_state("No activity KPI matches these filters.", hint="Clear a filter above.")


def _activity_row(
    ctx: Context, kpi: Kpi, states: Mapping[str, ScorecardRow], brick_code: str
) -> None:
    fw = ctx.fw
    kpis = {k.code: k for k in fw.kpis}
    tag = RESULT_TYPE_LABELS.get(str(kpi.result_type), "No results-based accountability tag")
    with st.container(key=f"ican-activity-{brick_code}-{kpi.code}", border=True):
        left, right = st.columns(2, gap="medium")
        with left:
            st.markdown(f"**Activity KPI** · _{md(tag)}_")
            show_kpi_state(kpi, states)
            st.caption(f"Owner: {md(kpi.owner_role)}")
            page_link(ctx, "pages/2_kpi.py", f"Open {kpi.code}", kpi=kpi.code)
        with right:
            leads = [
                kpis[c] for c in fw.linked_to(LinkKind.LEAD_ACTIVITY_KPI, kpi.code) if c in kpis
            ]
            st.markdown("**Supports lead KPI**")
            if not leads:
                st.caption("Supports no lead KPI yet: a gap in the golden thread.")
            for lead in leads:
                show_kpi_state(lead, states)
                page_link(ctx, "pages/2_kpi.py", f"Open {lead.code}", kpi=lead.code)
