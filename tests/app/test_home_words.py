"""The home page's short words: what differs for a lead KPI, and a node's counts."""

from __future__ import annotations

import pytest

from scorecard.reports.scoring import ScorecardRow
from scorecard.reports.scoring_rollup import StateCounts
from scorecard.ui.home import counts_words, notable


def row(variation: str, assurance: str, sustainability: str = "none") -> ScorecardRow:
    return ScorecardRow(
        kpi_code="L1",
        kpi_name="KPI L1",
        tier="lead",
        outcome_numbers=(1,),
        area_code="QPM",
        period="2026-11",
        value=1.0,
        status="final",
        target=2.0,
        direction="increase",
        n_points=36,
        mean=None,
        upl=None,
        lpl=None,
        variation=variation,
        assurance=assurance,
        suppressed=False,
        sustainability=sustainability,
    )


@pytest.mark.parametrize(
    ("variation", "assurance", "sustainability", "words"),
    [
        ("common_cause", "hit_or_miss", "none", "no significant change"),
        ("common_cause", "none", "holding", "no significant change"),
        ("improvement_high", "hit_or_miss", "none", "improving"),
        ("improvement_low", "fail", "none", "improving, failing its target"),
        (
            "concern_low",
            "fail",
            "lost",
            "special-cause concern, failing its target, improvement lost",
        ),
        ("common_cause", "pass", "slipping", "passing its target, improvement slipping"),
        ("neither_high", "none", "none", "unusual (neutral KPI)"),
        ("none", "none", "none", "too few points for SPC"),
    ],
)
def test_notable_says_only_what_differs(variation, assurance, sustainability, words):
    assert notable(row(variation, assurance, sustainability)) == words


def counts(variation: dict[str, int], assurance: dict[str, int]) -> StateCounts:
    return StateCounts(
        total=sum(variation.values()),
        variation=variation,
        assurance=assurance,
        too_few_points=0,
        no_data=0,
        not_reported=0,
        kpi_codes=(),
    )


def test_counts_words_name_only_the_states_present():
    assert counts_words(counts({"common_cause": 3}, {"hit_or_miss": 3}), "lead KPI") == (
        "3 lead KPIs: no significant change"
    )
    mixed = counts(
        {"improvement_high": 2, "improvement_low": 1, "concern_low": 1, "common_cause": 1},
        {"fail": 2, "pass": 1, "hit_or_miss": 2},
    )
    assert counts_words(mixed, "lead KPI") == (
        "5 lead KPIs: 3 improving, 1 in concern, 2 failing target, 1 passing target"
    )
    assert counts_words(counts({"concern_high": 1}, {}), "lead KPI") == "1 lead KPI: 1 in concern"
