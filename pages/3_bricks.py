"""Bricks: pillar → brick → activity KPIs, each beside the lead KPI it supports."""

import streamlit as st

from scorecard.ui import bricks as ui
from scorecard.ui.frame import frame

ctx = frame("Bricks", page="pages/3_bricks.py")

st.markdown(
    "For brick owners: is my brick's activity moving, and is it moving the lead KPI it is meant "
    "to? Filter by pillar, brick or owner."
)
pillar, brick, owner = ui.brick_filters(ctx)
ui.bricks_view(ctx, pillar, brick, owner)
