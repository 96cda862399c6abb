"""Assurance for ICB reviewers: data quality, loads, revisions, coverage, gaps, synthetic data."""

import streamlit as st

from scorecard.ui import assurance as ui
from scorecard.ui import provenance as sources
from scorecard.ui.frame import frame

ctx = frame("Assurance", page="pages/5_assurance.py")

st.markdown(
    "Can we trust these numbers, does every KPI trace up to an ambition and down to what "
    "residents told us, and what is the programme not measuring?"
)
st.header("Data quality per KPI", anchor=False)
ui.assurance_quality(ctx)
st.header("Synthetic and real data", anchor=False)
ui.synthetic_share(ctx)
if ctx.store is not None and ctx.month:
    sources.coverage_share(ctx.fw, ctx.store.path, ctx.store.identity, ctx.month)
st.header("Load log", anchor=False)
ui.load_log(ctx)
st.header("Revisions", anchor=False)
ui.revisions(ctx)
st.header("Golden-thread coverage and gaps", anchor=False)
ui.coverage_section(ctx)
st.header("KPIs without a baseline or target", anchor=False)
ui.missing_baselines(ctx)
