"""Month-on-month changes of scorecard rows on a small in-memory framework."""

from __future__ import annotations

import pytest
from test_scoring import small_framework
from test_scoring_rollup import srow

from scorecard.reports.scoring_changes import changes_since
from scorecard.thread.domain import Framework


@pytest.fixture
def fw() -> Framework:
    return small_framework()


@pytest.mark.parametrize(
    ("before", "after", "kinds"),
    [
        pytest.param(
            ("common_cause", "pass"),
            ("concern_high", "pass"),
            ["new_special_cause"],
            id="new-concern",
        ),
        pytest.param(
            ("none", "none"),
            ("improvement_low", "none"),
            ["new_special_cause"],
            id="new-from-run-chart",
        ),
        pytest.param(
            ("improvement_low", "none"),
            ("concern_high", "none"),
            ["special_cause_changed"],
            id="flip",
        ),
        pytest.param(
            ("concern_high", "none"),
            ("common_cause", "none"),
            ["special_cause_cleared"],
            id="cleared",
        ),
        pytest.param(("concern_high", "none"), ("none", "none"), [], id="to-run-chart-not-cleared"),
        pytest.param(
            ("common_cause", "pass"),
            ("common_cause", "hit_or_miss"),
            ["target_newly_at_risk"],
            id="pass-to-hit-or-miss",
        ),
        pytest.param(
            ("common_cause", "pass"),
            ("common_cause", "fail"),
            ["target_newly_at_risk"],
            id="pass-to-fail",
        ),
        pytest.param(
            ("common_cause", "hit_or_miss"),
            ("common_cause", "fail"),
            ["target_newly_at_risk"],
            id="worse",
        ),
        pytest.param(
            ("common_cause", "fail"),
            ("common_cause", "pass"),
            ["target_now_assured"],
            id="now-assured",
        ),
        pytest.param(
            ("common_cause", "none"), ("common_cause", "fail"), [], id="new-target-not-a-change"
        ),
        pytest.param(("concern_low", "fail"), ("concern_low", "fail"), [], id="unchanged"),
        pytest.param(
            ("improvement_low", "pass"),
            ("common_cause", "fail"),
            ["target_newly_at_risk", "special_cause_cleared"],
            id="two-changes",
        ),
    ],
)
def test_changes_since(fw, before, after, kinds):
    prev = [srow("L1", *before)]
    now = [srow("L1", *after)]
    changes = changes_since(fw, now, prev)
    assert [c.kind for c in changes] == kinds
    for change in changes:
        assert change.kpi_code == "L1"
        assert "KPI L1 (QPM)" in change.sentence


def test_changes_put_new_concerns_first(fw):
    prev = [srow("L1"), srow("ACT1", tier="activity"), srow("L2")]
    now = [
        srow("L1", "improvement_low"),
        srow("ACT1", "concern_low", tier="activity"),
        srow("L2", "concern_high"),
    ]
    assert [c.kpi_code for c in changes_since(fw, now, prev)] == ["L2", "ACT1", "L1"]


def test_a_kpi_new_this_month_shows_its_special_cause(fw):
    assert [c.kind for c in changes_since(fw, [srow("L1", "concern_low")], [])] == [
        "new_special_cause"
    ]
