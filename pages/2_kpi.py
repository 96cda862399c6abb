"""KPI detail: the SPC chart and what it means, the KPI's facts, thread, areas and values."""

import streamlit as st

from scorecard.ui import benchmark, bricks, heatmap
from scorecard.ui import kpi as ui
from scorecard.ui import provenance as sources
from scorecard.ui.frame import frame

ctx = frame("KPI detail", page="pages/2_kpi.py")

code = ui.kpi_picker(ctx)
if not code:
    ui.kpi_index(ctx)
    st.stop()
kpi = ctx.fw.kpi(code)
view = ui.kpi_view(ctx, kpi, ctx.area)
st.header(f"{kpi.name} ({kpi.code}) — {ctx.area_name}", anchor=False)
shown = heatmap.view_picker(ctx, kpi)
if ctx.has_data and shown == "areas":
    heatmap.heatmap_section(ctx, kpi)
elif ctx.has_data and shown == "lead":
    bricks.activity_beside_lead(ctx, kpi)
elif ctx.has_data:
    ui.spc_section(ctx, view)
    benchmark.benchmark_section(ctx, kpi)

left, right = st.columns([3, 2], gap="large")
with left:
    st.subheader("About this KPI", anchor=False)
    ui.kpi_facts(ctx, kpi, view.synthetic)
    if ctx.store is not None and ctx.month:
        sources.kpi_sources(ctx.store.path, ctx.store.identity, kpi, ctx.area, ctx.month)
with right:
    st.subheader("Why this matters", anchor=False)
    ui.why_it_matters(ctx, kpi)
    st.subheader("Who it is for", anchor=False)
    ui.who_it_is_for(ctx, kpi)

# Hook: the KPI owner's commentary panel (scorecard.ui.review, when that feature is present).
ui.commentary_hook(ctx, kpi)

if ctx.has_data:
    st.subheader("Across areas", anchor=False)
    ui.show_area_comparison(ctx, kpi)
    st.subheader("Values, loads and revisions", anchor=False)
    ui.show_values(ctx, kpi, view)
