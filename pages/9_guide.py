"""Using the scorecard: the monthly cycle, each step's page or command, and the icons' key."""

from scorecard.ui.frame import frame
from scorecard.ui.guide import guide_page

ctx = frame("Using the scorecard", page="pages/9_guide.py", filters=False)
guide_page(ctx)
