"""Framework table: the golden thread in the documents' six columns, with the month's figures."""

from scorecard.ui import outcomes_table as ui
from scorecard.ui.frame import frame

ctx = frame("Outcomes framework table", page="pages/6_framework_table.py")
pillar, outcome = ui.filters(ctx)
ui.table_view(ctx, pillar, outcome)
ui.not_yet_linked(ctx)
