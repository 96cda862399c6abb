"""Benefits realisation: plan, delivered, signed off and cashed by line; the BRG's sign-off."""

from scorecard.ui.benefits import benefits_page
from scorecard.ui.frame import frame

ctx = frame("Benefits", page="pages/8_benefits.py")
benefits_page(ctx)
