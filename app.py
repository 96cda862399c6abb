"""Home: the executive scorecard — the 10 iCAN outcomes by pillar, lead KPIs and what changed."""

import streamlit as st

from scorecard.ui import home as ui
from scorecard.ui.frame import frame

ctx = frame("Executive scorecard", page="app.py")

board = ui.home_board(ctx)
if board is None:
    st.header("The 10 iCAN outcomes by pillar")
    ui.outcomes_by_pillar(ctx, None)
else:
    ui.home_summary(ctx, board)
    st.header("The 10 iCAN outcomes by pillar")
    ui.outcomes_by_pillar(ctx, board)
    st.header("Lead KPIs")
    ui.lead_kpi_table(ctx, board)
    st.header("Is it holding? Improvements after support ended")
    ui.sustainability(ctx, board)
    st.header("What changed since last month")
    ui.changes(ctx, board)
