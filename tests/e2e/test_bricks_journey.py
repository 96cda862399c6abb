"""A brick owner's journey in a real browser: their bricks, activity beside lead, every area."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

from browser_support import VIEWPORT, shot, wait_rendered
from playwright.sync_api import Page, expect

SCREENS = 3  # the Bricks page, every card closed, is under this many 1366×768 screens


def params(page: Page) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlparse(page.url).query).items()}


def page_height(page: Page) -> int:
    """The height of the page's scrolling content (Streamlit scrolls its main block)."""
    return int(
        page.evaluate(
            """() => Math.max(
                document.querySelector('[data-testid="stMain"]').scrollHeight,
                document.documentElement.scrollHeight)"""
        )
    )


def test_the_bricks_page_is_under_three_screens_before_a_card_is_opened(page: Page, app_url):
    page.goto(f"{app_url}/bricks")
    expect(page.get_by_role("heading", name="Bricks", exact=True)).to_be_visible()
    wait_rendered(page)
    expect(page.get_by_text("Rapid Response").first).to_be_visible()
    assert page.locator('[data-testid="stExpander"]').count() >= 30
    assert not page.locator("table").count(), "every card starts closed"
    height = page_height(page)
    assert height < SCREENS * VIEWPORT["height"], f"{height} px"
    shot(page, "k0_bricks_all_closed")
    page.get_by_text("Rapid Response", exact=True).first.click()  # open one card on demand
    wait_rendered(page)
    card = page.locator("table").first
    expect(
        card.get_by_text("Projected additional packages per day to Rapid Response")
    ).to_be_visible()
    expect(card.get_by_role("columnheader", name="Latest")).to_be_visible()


def test_brick_owner_filters_to_their_bricks_and_reads_values_and_trends(page: Page, app_url):
    page.goto(f"{app_url}/bricks")
    wait_rendered(page)
    box = page.get_by_role("combobox", name="Owner")
    box.click()
    box.fill("Rapid Response")
    page.get_by_role("option", name="Rapid Response", exact=True).click()
    page.wait_for_url(re.compile("owner=Brick"))
    wait_rendered(page)
    assert params(page)["owner"] == "Brick lead: Rapid Response"
    table = page.locator("table").first
    expect(table).to_be_visible()  # one brick left: its card opens by itself
    expect(table.get_by_text("Urgent community response referrals")).to_be_visible()
    expect(table.get_by_role("img", name="Trend").first).to_be_visible()
    expect(table.get_by_role("columnheader", name="Target")).to_be_visible()
    table.scroll_into_view_if_needed()
    shot(page, "k1_bricks_filtered_to_one_owner")


def test_a_bricks_activity_and_lead_share_one_time_axis_with_its_events(page: Page, app_url):
    page.goto(f"{app_url}/bricks?brick=SW-FFD")
    wait_rendered(page)
    chart = page.locator(".js-plotly-plot").first
    chart.scroll_into_view_if_needed()
    expect(chart.get_by_text("Improvement started (ACT-FFD)")).to_be_visible()
    expect(chart.get_by_text("Support ended (ACT-FFD)")).to_be_visible()
    assert chart.locator(".cartesianlayer .subplot").count() == 2  # activity above lead
    expect(page.get_by_text("What moved, and when:")).to_be_visible()
    page.mouse.wheel(0, 180)
    page.wait_for_timeout(400)
    shot(page, "k2_brick_activity_beside_lead")


def test_one_kpi_across_every_area_and_month(page: Page, app_url):
    page.goto(f"{app_url}/kpi?kpi=ACT-FFD")
    wait_rendered(page)
    page.get_by_role("radio", name="Every area and month").click()
    page.wait_for_url(re.compile("view=areas"))
    wait_rendered(page)
    heat = page.locator(".js-plotly-plot").first
    expect(heat.locator(".heatmaplayer")).to_have_count(1)
    heat.scroll_into_view_if_needed()
    shot(page, "k3_kpi_heatmap")
    grids = page.locator('[data-testid="stDataFrame"]').count()
    page.get_by_text("Show as a table").click()
    wait_rendered(page)
    expect(page.locator(".js-plotly-plot .heatmaplayer")).to_have_count(0)
    expect(page.locator('[data-testid="stDataFrame"]')).to_have_count(grids + 1)
    assert params(page)["view"] == "areas"
