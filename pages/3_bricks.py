"""Bricks: each brick on one line with its worst state; its card shows activity and lead KPIs."""

from scorecard.ui import bricks as ui
from scorecard.ui.frame import frame

asked = ui.asked_filters()  # before the frame rewrites the URL, to name what it did not know
ctx = frame("Bricks", page="pages/3_bricks.py")

pillar, owner, state, brick = ui.brick_filters(ctx)
ui.unknown_filters(ctx, asked)
ui.bricks_view(ctx, pillar, owner, state, brick)
ui.brick_charts(ctx, brick)
