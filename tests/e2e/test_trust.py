"""Icons the Board can trust, in a real browser: kite marks at 1366 px and a bad shared link."""

from __future__ import annotations

import re

from browser_support import shot, wait_rendered
from playwright.sync_api import Page, expect

from scorecard.data.store import Store
from scorecard.thread.periods import month_long

DIMENSIONS = ("Timeliness", "Completeness", "Validation", "Sign-off", "Audit", "Source")


def test_assurance_shows_every_kite_mark_dimension_at_1366_px(page: Page, app_url):
    page.goto(f"{app_url}/assurance")
    expect(page.get_by_role("heading", name="Data quality per KPI")).to_be_visible()
    wait_rendered(page)
    table = page.locator('[data-testid="stDataFrame"]').first
    expect(table).to_be_visible()
    page.wait_for_timeout(800)
    shot(page, "t1_assurance_kite_marks_1366")
    # the grid paints to a canvas: its scroller says whether any column is out of view
    widths = table.evaluate(
        "e => { const s = e.querySelector('.dvn-scroller'); return [s.scrollWidth, s.clientWidth] }"
    )
    assert widths[0] <= widths[1], "the kite-mark table scrolls sideways"
    # and every dimension is a column of it (the grid's header cells, in order)
    headers = table.evaluate(
        "e => Array.from(e.querySelectorAll('[role=columnheader]')).map(h => h.textContent)"
    )
    assert [h for h in headers if h in DIMENSIONS] == list(DIMENSIONS), headers
    heading = page.get_by_role("heading", name="Do the areas add up?")
    heading.scroll_into_view_if_needed()
    expect(page.get_by_text(re.compile(r"declared KPI totals add up; 0 do not"))).to_be_visible()
    wait_rendered(page)
    shot(page, "t2_assurance_reconciliation")


def test_a_bad_shared_link_says_what_it_shows_instead(page: Page, app_url, demo_store):
    latest = Store(demo_store).periods()[-1]
    page.goto(f"{app_url}/?month=2031-01&area=ZZZ")
    expect(page.get_by_role("heading", name="Executive scorecard")).to_be_visible()
    wait_rendered(page)
    note = page.get_by_text(re.compile("This link asked for January 2031"))
    expect(note).to_be_visible()
    expect(note).to_contain_text(f"it shows {month_long(latest)} for NHS Northamptonshire ICB")
    shot(page, "t3_bad_shared_link")
