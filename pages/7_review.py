"""The monthly review: sign-off, the commentary overview, the Board pack and downloads."""

from scorecard.ui.frame import frame
from scorecard.ui.review import review_page

ctx = frame("Monthly review", page="pages/7_review.py")
review_page(ctx)
