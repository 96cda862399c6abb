"""I-statements: what residents said good care means, and the KPIs that evidence each one."""

import streamlit as st

from scorecard.ui import statements as ui
from scorecard.ui.frame import frame

ctx = frame("I-statements", page="pages/4_i_statements.py")

st.markdown(
    "The statements residents and carers co-produced, by collection and domain, with the KPIs "
    "that evidence each one and their state for the month and area chosen."
)
ui.i_statements_view(ctx)
