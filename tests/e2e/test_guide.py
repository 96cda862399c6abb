"""The guide in a real browser: reached by a click in any page's navigation, its links work."""

from __future__ import annotations

import pytest
from browser_support import shot, wait_rendered
from playwright.sync_api import Page, expect


@pytest.mark.parametrize("start", ["/", "/benefits", "/kpi?kpi=LEAD-ESC"])
def test_a_click_on_guide_in_the_navigation_opens_the_guide(page: Page, app_url, start):
    page.goto(app_url + start)
    page.get_by_role("heading", level=1).first.wait_for()
    wait_rendered(page)
    month = page.evaluate("new URL(location.href).searchParams.get('month')")
    page.get_by_role("link", name="Guide", exact=True).click()  # a real click, at its centre
    expect(page.get_by_role("heading", name="Using the scorecard", level=1)).to_be_visible()
    wait_rendered(page)
    assert "/guide" in page.url
    assert f"month={month}" in page.url  # the month and area travel with the link
    expect(page.get_by_role("heading", name="1. Load the month's extracts and publications"))
    shot(page, f"guide_from_{start.strip('/').split('?')[0] or 'home'}")


def test_the_guide_shows_the_icons_and_opens_the_pages_it_names(page: Page, app_url):
    page.goto(app_url + "/guide")
    page.get_by_role("heading", name="Using the scorecard", level=1).wait_for()
    wait_rendered(page)
    key = page.get_by_role("img", name="Consistently failing the target")
    key.scroll_into_view_if_needed()
    expect(key).to_be_visible()
    assert key.evaluate("img => img.naturalWidth") > 0  # the icon's picture was drawn
    shot(page, "guide_icons")
    page.get_by_role("link", name="Open Review").first.click()
    expect(page.get_by_role("heading", name="Monthly review", level=1)).to_be_visible()
