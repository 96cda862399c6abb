"""Home: exceptions and decisions, the summary grid, the 10 iCAN outcomes, lead KPIs, changes."""

import streamlit as st

from scorecard.ui import home as ui
from scorecard.ui import page_one
from scorecard.ui.frame import frame

ctx = frame("Executive scorecard", page="app.py")

board = ui.home_board(ctx)
if board is None:
    st.header("The 10 iCAN outcomes by pillar")
    ui.outcomes_by_pillar(ctx, None)
else:
    items = page_one.exception_items(ctx, board.rows, board.previous, board.quality)
    page_one.headline(ctx, board.rows, items)
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.header("Exceptions and decisions")
        page_one.exceptions_list(ctx, items)
    with right:
        st.header("Variation and assurance")
        grids = page_one.summary_grid(ctx, board.rows)
        ui.sustainability(ctx, board)
    st.header("The 10 iCAN outcomes by pillar")
    ui.outcomes_by_pillar(ctx, board)
    st.header("Lead KPIs")
    ui.lead_kpi_table(ctx, board)
    st.header("What changed since last month")
    ui.changes(ctx, board)
    st.header("The KPIs in each cell of the summary grid")
    page_one.grid_lists(ctx, board.rows, grids)
