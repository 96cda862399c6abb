"""The benchmark figures: funnel plot, ranked dot plot, and a value against England."""

from __future__ import annotations

import numpy as np
import pytest

from scorecard.reports.charts_benchmark import (
    FunnelPoint,
    funnel_chart,
    ranked_dot_chart,
    versus_england_chart,
)
from scorecard.statistics.benchmark import funnel_limits

POINTS = [
    FunnelPoint("QPM", "Northamptonshire", 80.9, 3899, True, "worse"),
    *[FunnelPoint(f"Q{i}", f"ICB {i}", 80 + i, 2000 + 300 * i, False, "similar") for i in range(8)],
]


def _limits(n: np.ndarray):
    lo95, hi95, lo998, hi998 = funnel_limits(0.865, 0.0004, n)
    return lo95 * 100, hi95 * 100, lo998 * 100, hi998 * 100


def test_funnel_chart_draws_limits_england_and_names_ours() -> None:
    fig = funnel_chart(
        POINTS,
        86.5,
        _limits,
        title="Discharged on their ready date",
        unit="%",
        size_label="Discharges in the month",
        better="higher is better",
        dispersion="Over-dispersion allowed for: τ² = 0.0004",
        alt="Funnel plot ...",
    )
    names = [t.name for t in fig.data]
    assert names.count("99.8% limits") == 2
    assert names.count("95% limits") == 2
    assert "England 86.5%" in names
    ours = next(t for t in fig.data if t.name == "Northamptonshire")
    assert list(ours.text) == ["Northamptonshire"]
    assert list(ours.y) == [80.9]
    others = next(t for t in fig.data if t.name == "Other organisations")
    assert len(others.x) == 8
    assert fig.layout.xaxis.type == "log"
    assert fig.layout.xaxis.title.text == "Discharges in the month"
    assert fig.layout.yaxis.title.text == "% (higher is better)"
    assert fig.layout.meta["alt_text"] == "Funnel plot ..."
    upper = next(t for t in fig.data if t.name == "99.8% limits" and t.showlegend)
    assert upper.y[0] > upper.y[-1] > 86.5  # the funnel narrows as organisations grow
    assert any("τ²" in a.text for a in fig.layout.annotations)


def test_ranked_dot_chart_orders_values_and_draws_england() -> None:
    points = [
        FunnelPoint(c, c, v, None, c == "QPM", "")
        for c, v in [("A", 7.1), ("QPM", 9.0), ("B", 5.0)]
    ]
    fig = ranked_dot_chart(
        points, 7.2, title="Average delay", unit="days", better="lower is better", alt="Ranked"
    )
    ours = next(t for t in fig.data if t.name == "Northamptonshire")
    assert list(ours.x) == [3]
    assert any("England 7.2 days" in (a.text or "") for a in fig.layout.annotations)


@pytest.mark.parametrize("better", ["higher is better", "lower is better"])
def test_versus_england_chart_has_both_series(better: str) -> None:
    fig = versus_england_chart(
        ["2024-04", "2024-05"],
        [80.0, 81.0],
        [86.0, 86.5],
        title="t",
        own_name="QPM",
        unit="%",
        better=better,
        alt="a",
    )
    assert [t.name for t in fig.data] == ["England", "QPM"]
    assert better in fig.layout.yaxis.title.text
