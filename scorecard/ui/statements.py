"""I-statements by collection and domain, with the KPIs that evidence each one."""

from __future__ import annotations

import streamlit as st

from scorecard.thread.domain import LinkKind
from scorecard.ui.display import bullet_list, kpi_states, show_kpi_state
from scorecard.ui.frame import Context, page_link
from scorecard.ui.views import md


def i_statements_view(ctx: Context) -> None:
    """Each I-statement by collection and domain with the KPIs evidencing it and their state."""
    fw = ctx.fw
    states = kpi_states(ctx)
    kpis = {k.code: k for k in fw.kpis}
    only_kpi = ctx.selection.kpi
    chosen = (
        ctx.selection.node[len("i_statement:") :]
        if ctx.selection.node.startswith("i_statement:")
        else ""
    )
    statements = list(fw.i_statements)
    if only_kpi:
        wanted = set(fw.linked(LinkKind.KPI_I_STATEMENT, only_kpi))
        statements = [s for s in statements if s.code in wanted]
        st.markdown(
            f"Showing the {len(statements)} I-statements evidenced by "
            f"**{md(only_kpi)}** {md(kpis[only_kpi].name)}."
        )
        page_link(ctx, "pages/4_i_statements.py", "Show every I-statement")
        page_link(ctx, "pages/2_kpi.py", f"Back to {only_kpi}", kpi=only_kpi)
    if chosen:
        statements.sort(key=lambda s: s.code != chosen)
    evidenced = {
        s.code: [kpis[c] for c in fw.linked_to(LinkKind.KPI_I_STATEMENT, s.code) if c in kpis]
        for s in statements
    }
    without = [s for s in statements if not evidenced[s.code]]
    collections = list(dict.fromkeys(s.collection for s in statements))
    for collection in collections:
        st.header(collection or "Other statements", anchor=False)
        in_collection = [s for s in statements if s.collection == collection]
        for domain in dict.fromkeys(s.domain for s in in_collection):
            if domain:
                st.subheader(domain, anchor=False)
            for statement in (s for s in in_collection if s.domain == domain):
                key = f"ican-statement-{statement.code}"
                with st.container(key=key, border=True):
                    marker = "**Selected:** " if statement.code == chosen else ""
                    variant = (
                        f" (a wording of {md(statement.variant_of)})"
                        if statement.variant_of
                        else ""
                    )
                    st.markdown(f"{marker}“{md(statement.text)}” — {md(statement.code)}{variant}")
                    linked = evidenced[statement.code]
                    if not linked:
                        st.caption("No KPI evidences this statement yet.")
                        continue
                    st.caption(f"Evidenced by {len(linked)} KPI{'s' if len(linked) != 1 else ''}:")
                    for kpi in linked:
                        show_kpi_state(kpi, states)
                    with st.container(horizontal=True):
                        for kpi in linked:
                            page_link(ctx, "pages/2_kpi.py", f"Open {kpi.code}", kpi=kpi.code)
    st.header("Statements with no evidence yet", anchor=False)
    if without:
        bullet_list([f"“{md(s.text)}” — {md(s.code)} ({md(s.collection)})" for s in without])
    else:
        st.markdown("None: every statement shown is evidenced by at least one KPI.")
