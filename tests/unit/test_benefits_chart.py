"""The cumulative benefits chart: plan, delivered, signed off and cost, described in words."""

from __future__ import annotations

import pytest

from scorecard.reports.charts_benefits import benefits_cumulative_chart

PERIODS = ["2024-04", "2024-05", "2024-06"]


def test_the_chart_draws_plan_delivered_signed_off_and_cost():
    fig = benefits_cumulative_chart(
        PERIODS, [10.0, 20.0, 30.0], [None, 5.0, 12.5], [0.0, 0.0, 4.0], cost_k=[8.0, 16.0, 24.0]
    )
    names = [t.name for t in fig.data]
    assert names == ["Plan", "Delivered (calculated)", "Signed off by the BRG", "Programme cost"]
    assert list(fig.data[1].y) == [None, 5.0, 12.5]
    assert fig.data[0].line.dash == "dash"
    assert fig.data[2].line.shape == "hv"
    assert list(fig.data[0].x) == ["2024-04-01", "2024-05-01", "2024-06-01"]
    alt = fig.layout.meta["alt_text"]
    assert "Plan to date £30k" in alt
    assert "Delivered (calculated) to date £12k" in alt or "to date £13k" in alt
    assert "Signed off by the BRG to date £4k" in alt
    assert "Programme cost to date £24k" in alt
    assert not any(a.name == "synthetic-watermark" for a in fig.layout.annotations)


def test_synthetic_data_is_watermarked_and_said():
    fig = benefits_cumulative_chart(PERIODS, [1.0] * 3, [None] * 3, [0.0] * 3, synthetic=True)
    assert [t.name for t in fig.data] == ["Plan", "Delivered (calculated)", "Signed off by the BRG"]
    assert any(a.name == "synthetic-watermark" for a in fig.layout.annotations)
    alt = fig.layout.meta["alt_text"]
    assert "No delivered value is measured yet." in alt
    assert "synthetic data" in alt


def test_series_of_different_lengths_are_refused():
    with pytest.raises(ValueError, match="one value per month"):
        benefits_cumulative_chart(PERIODS, [1.0, 2.0], [None] * 3, [0.0] * 3)
