"""Golden-thread explorer: any node with everything above and below it, and the gaps."""

import streamlit as st

from scorecard.thread.citations import readable
from scorecard.thread.framework_coverage import threads
from scorecard.ui import thread as ui
from scorecard.ui.frame import frame

ctx = frame("Golden thread", page="pages/1_golden_thread.py")

st.markdown(
    "Every KPI links up to an ICS population outcome and ICP ambition and down to the "
    "I-statements residents co-produced. Pick any node to see everything above and below it."
)
node = ui.node_picker(ctx)
if node:
    ui.explorer(ctx, node)
else:
    st.header("The documents' example scorecard rows")
    st.caption(
        "The three rows of the documents' example scorecard ("
        + readable("004_76ce9cc29bd9e152.txt:1098-1107")
        + "), reproduced from the framework's link tables."
    )
    ui.document_threads(ctx, threads(ctx.fw))
    st.header("Start from an outcome")
    ui.outcome_links(ctx)
st.header("Gaps in the golden thread")
ui.thread_gaps(ctx)
