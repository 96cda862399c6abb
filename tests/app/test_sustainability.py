"""Is it holding? The verdicts on KPI detail and the home page's list, on the demo store."""

from __future__ import annotations

from test_pages import assert_clean, texts


def test_kpi_detail_says_the_verdict_in_words(open_page):
    at = open_page("pages/2_kpi.py", kpi="ACT-DISCHNOON")
    assert_clean(at)
    text = texts(at)
    assert "Sustainability: lost." in text
    assert "Lost: the latest 7 points" in text
    assert "Improvement started" in text
    assert "synthetic demo: external support ended" in text
    assert "Sustainability: Lost: the latest 7 points" in text  # the chart's description
    chart = at.get("plotly_chart")[0].proto.spec
    assert "Improved process limits (fixed on 12 points)" in chart
    assert "Mean before the improvement" in chart
    assert "Support ended: lost" in chart  # the marker


def test_kpi_detail_of_holding_and_slipping(open_page):
    holding = texts(open_page("pages/2_kpi.py", kpi="LEAD-LONGSTAY"))
    assert "Sustainability: holding." in holding
    assert "no special cause of concern against the improved limits" in holding
    slipping = texts(open_page("pages/2_kpi.py", kpi="ACT-FFD"))
    assert "Sustainability: slipping." in slipping


def test_a_kpi_without_a_declared_improvement_shows_no_verdict(open_page):
    at = open_page("pages/2_kpi.py", kpi="LEAD-ESC")
    assert_clean(at)
    assert "Sustainability:" not in texts(at)


def test_home_lists_improvements_holding_slipping_lost(open_page):
    at = open_page("app.py")
    assert_clean(at)
    text = texts(at)
    assert "Is it holding? Improvements after support ended" in text
    assert "Improvements after support ended:** 1 holding, 1 slipping, 1 lost." in text
    holding = text.index("Improvements holding")
    slipping = text.index("Improvements slipping")
    lost = text.index("Improvements lost")
    assert holding < slipping < lost
    assert "(LEAD-LONGSTAY, " in text[holding:slipping]
    assert "(ACT-FFD, " in text[slipping:lost]
    assert "(ACT-DISCHNOON, " in text[lost:]
