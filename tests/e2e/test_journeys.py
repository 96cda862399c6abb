"""The three journeys in a real browser, with a screenshot of each step."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

from browser_support import shot, wait_rendered
from playwright.sync_api import Page, expect

from scorecard.data.store import Store


def params(page: Page) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlparse(page.url).query).items()}


def choose(page: Page, label: str, option: str) -> None:
    """Pick an option of a Streamlit select box by typing it, as a keyboard user would."""
    box = page.get_by_role("combobox", name=label)
    box.click()
    box.fill(option)
    page.get_by_role("option", name=re.compile(re.escape(option))).first.click()


def test_board_member_month_outcome_lead_kpi_i_statements(page: Page, app_url, demo_store):
    months = Store(demo_store).periods()
    month = months[-2]
    month_words = (
        {
            "01": "January",
            "02": "February",
            "03": "March",
            "04": "April",
            "05": "May",
            "06": "June",
            "07": "July",
            "08": "August",
            "09": "September",
            "10": "October",
            "11": "November",
            "12": "December",
        }[month[5:]]
        + " "
        + month[:4]
    )

    page.goto(app_url)
    expect(page.get_by_role("heading", name="Executive scorecard")).to_be_visible()
    wait_rendered(page)
    expect(page.get_by_text("Synthetic demo data.")).to_be_visible()
    choose(page, "Month", month_words)
    page.wait_for_url(re.compile(f"month={month}"))
    wait_rendered(page)
    assert params(page) == {"month": month, "area": "QPM"}
    expect(page.get_by_text("Outcome 7.")).to_be_visible()
    shot(page, "a1_home_month")

    page.get_by_role("link", name="Open outcome 7").click()
    page.wait_for_url(re.compile(r"/golden_thread\?"))
    expect(
        page.get_by_text("Prevented avoidable admissions into the acute setting").first
    ).to_be_visible()
    wait_rendered(page)
    assert params(page) == {"month": month, "area": "QPM", "node": "outcome:O7"}
    shot(page, "a2_outcome_7_golden_thread")

    page.get_by_role("link", name="KPI detail: LEAD-ESC").first.click()
    page.wait_for_url(re.compile(r"/kpi\?"))
    expect(
        page.get_by_role("heading", name=re.compile("Reduced escalations to Acute Hospitals"))
    ).to_be_visible()
    wait_rendered(page)
    assert params(page) == {"month": month, "area": "QPM", "kpi": "LEAD-ESC"}
    expect(page.get_by_text("Chart description:")).to_be_visible()
    shot(page, "a3_lead_kpi_detail")

    page.get_by_role("link", name="Open the I-statements LEAD-ESC evidences").click()
    page.wait_for_url(re.compile(r"/i_statements\?"))
    expect(page.get_by_text("I-statements evidenced by")).to_be_visible()
    wait_rendered(page)
    assert params(page) == {"month": month, "area": "QPM", "kpi": "LEAD-ESC"}
    shot(page, "a4_i_statements_of_lead_kpi")

    page.go_back()  # the browser's back button returns to the KPI
    page.wait_for_url(re.compile(r"/kpi\?"))
    expect(page.get_by_role("heading", name=re.compile("Reduced escalations"))).to_be_visible()
    wait_rendered(page)
    assert params(page)["kpi"] == "LEAD-ESC"


def test_operational_owner_filters_to_a_brick_and_opens_an_activity_kpi(page: Page, app_url):
    page.goto(f"{app_url}/bricks")
    expect(page.get_by_role("heading", name="Bricks", exact=True)).to_be_visible()
    wait_rendered(page)
    choose(page, "Pillar", "Community Resilience")
    page.wait_for_url(re.compile("pillar=CR"))
    wait_rendered(page)
    choose(page, "Brick", "Rapid Response")
    page.wait_for_url(re.compile("brick=CR-RR"))
    wait_rendered(page)
    expect(
        page.get_by_text("Projected additional packages per day to Rapid Response").first
    ).to_be_visible()
    shot(page, "b1_bricks_filtered_to_rapid_response")

    page.get_by_role("link", name="Open ACT-RRPKG").first.click()
    page.wait_for_url(re.compile(r"/kpi\?"))
    expect(
        page.get_by_role("heading", name=re.compile("Projected additional packages"))
    ).to_be_visible()
    wait_rendered(page)
    assert params(page)["kpi"] == "ACT-RRPKG"
    shot(page, "b2_activity_kpi_detail")


def test_reviewer_opens_a_shared_url_and_sees_the_same_view(
    page: Page, app_url, demo_store, browser
):
    month = Store(demo_store).periods()[-4]
    shared = f"{app_url}/kpi?month={month}&area=E06000062&kpi=LEAD-ED"
    page.goto(shared)
    heading = page.get_by_role("heading", name=re.compile("Reduced ED attendances"))
    expect(heading).to_be_visible()
    wait_rendered(page)
    first = heading.inner_text()
    first_alt = page.get_by_text("Chart description:").inner_text()
    shot(page, "c1_shared_url_first_viewer")

    other = browser.new_context(viewport={"width": 1366, "height": 768})
    try:
        viewer = other.new_page()
        viewer.goto(shared)
        again = viewer.get_by_role("heading", name=re.compile("Reduced ED attendances"))
        expect(again).to_be_visible()
        wait_rendered(viewer)
        assert again.inner_text() == first
        assert "West Northamptonshire" in first
        assert viewer.get_by_text("Chart description:").inner_text() == first_alt
        assert params(viewer) == {"month": month, "area": "E06000062", "kpi": "LEAD-ED"}
        for label in ("Month", "Area", "KPI"):
            expect(viewer.get_by_role("combobox", name=label)).to_have_value(
                page.get_by_role("combobox", name=label).input_value()
            )
        expect(viewer.get_by_role("combobox", name="Area")).to_have_value("West Northamptonshire")
        shot(viewer, "c2_shared_url_second_viewer")
    finally:
        other.close()


def test_finance_lead_reads_the_benefits_and_follows_a_line_to_its_kpi(
    page: Page, app_url, demo_store
):
    month = Store(demo_store).periods()[-3]
    page.goto(f"{app_url}/benefits?month={month}&area=QPM")
    expect(page.get_by_role("heading", name="Benefits", exact=True)).to_be_visible()
    wait_rendered(page)
    for label in ("Planned to date", "Signed off by the BRG", "Cashed", "Net to date"):
        expect(page.get_by_text(label, exact=True).first).to_be_visible()
    expect(page.get_by_text("Synthetic:").first).to_be_visible()
    expect(page.get_by_role("heading", name="BRG sign-off")).to_be_visible()
    # the demo's BRG (synthetic) has signed off its quarters up to this month
    expect(page.get_by_text("Nothing has been signed off by the BRG")).to_have_count(0)
    assert params(page)["month"] == month
    shot(page, "f1_benefits_position")

    page.get_by_role("heading", name="Golden thread of each line").scroll_into_view_if_needed()
    shot(page, "f2_benefits_golden_thread")
    page.get_by_role("link", name="Open ACT-D2AWAIT").first.click()
    page.wait_for_url(re.compile(r"/kpi\?"))
    wait_rendered(page)
    assert params(page)["kpi"] == "ACT-D2AWAIT"
    assert params(page)["month"] == month
    assert params(page)["area"] == "QPM"
    shot(page, "f3_benefit_line_kpi_detail")
