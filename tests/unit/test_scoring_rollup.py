"""Roll-ups through the golden thread on a small in-memory framework."""

from __future__ import annotations

import pytest
from test_scoring import small_framework

from scorecard.reports.scoring import ScorecardRow
from scorecard.reports.scoring_rollup import rollup, summary_sentence
from scorecard.thread.domain import Framework


@pytest.fixture
def fw() -> Framework:
    return small_framework()


def srow(
    kpi_code, variation="common_cause", assurance="none", *, tier="lead", n_points=24, area="QPM"
):
    return ScorecardRow(
        kpi_code=kpi_code,
        kpi_name=f"KPI {kpi_code}",
        tier=tier,
        outcome_numbers=(),
        area_code=area,
        period="2024-06" if n_points else None,
        value=1.0 if n_points else None,
        status="final" if n_points else None,
        target=None,
        direction="decrease",
        n_points=n_points,
        mean=None,
        upl=None,
        lpl=None,
        variation=variation,
        assurance=assurance,
        suppressed=False,
        area_name=area,
    )


def test_rollup_counts_lead_kpis_without_double_counting(fw):
    rows = [
        srow("L1", "improvement_low", "fail"),
        srow("L2", "concern_high", "hit_or_miss"),
        srow("ACT1", "improvement_high", tier="activity"),
        srow("ACT2", "common_cause", tier="activity"),
        srow("ACT3", "none", tier="activity", n_points=10),
    ]
    result = rollup(fw, rows)
    o7 = result.node("outcome", "O7")
    assert o7.lead.kpi_codes == ("L1",)
    assert o7.lead.improvement == 1
    assert o7.activity.kpi_codes == ("ACT1", "ACT3")
    assert o7.activity.too_few_points == 1
    fefd = result.node("pillar", "FEFD")  # owns O5 and O7, both led by L1: counted once
    assert fefd.lead.kpi_codes == ("L1",)
    assert fefd.lead.total == 1
    cr = result.node("pillar", "CR")
    assert cr.lead.kpi_codes == ("L2",)
    assert cr.activity.kpi_codes == ("ACT2", "ACT3")  # its bricks' activity KPIs
    a1 = result.node("ambition", "A1")  # O7 and O5 → L1 once
    assert a1.lead.total == 1
    p1 = result.node("population_outcome", "P1")  # A1 (O7, O5) and A2 (O3) → L1, L2
    assert p1.lead.kpi_codes == ("L1", "L2")
    assert p1.lead.variation["improvement_low"] == 1
    assert p1.lead.variation["concern_high"] == 1
    assert p1.summary == (
        "1 of 2 lead KPIs shows improvement; 1 shows concern; "
        "1 is not capable of hitting its target; 1 will hit or miss its target by chance."
    )


@pytest.mark.parametrize(
    ("rows", "sentence"),
    [
        pytest.param(
            [
                srow("L1", "improvement_low", "fail"),
                srow("L2", "improvement_high"),
                srow("L3", "none", n_points=9),
            ],
            "2 of 3 lead KPIs show improvement; 1 is not capable of hitting its target; "
            "1 has too few points for SPC.",
            id="documents-example",
        ),
        pytest.param(
            [srow("L1"), srow("L2", assurance="pass")],
            "2 of 2 lead KPIs show common cause variation only; "
            "1 will consistently hit its target.",
            id="all-common-cause",
        ),
        pytest.param(
            [srow("L1", "none", n_points=0), srow("L2", "none", n_points=5)],
            "2 lead KPIs: 1 has too few points for SPC; 1 has no data yet.",
            id="no-icons",
        ),
        pytest.param(
            [srow("L1", "neither_high")],
            "1 of 1 lead KPI shows a special cause in a neutral measure.",
            id="neutral",
        ),
        pytest.param([], "No lead KPI is linked yet.", id="nothing-linked"),
    ],
)
def test_summary_sentences(rows, sentence):
    from scorecard.reports.scoring_rollup import _counts

    by_kpi = {}
    for r in rows:
        by_kpi.setdefault(r.kpi_code, []).append(r)
    counts = _counts([r.kpi_code for r in rows], by_kpi)
    assert summary_sentence(counts) == sentence


def test_rollup_reports_linked_kpis_not_reported_for_the_area(fw):
    result = rollup(fw, [srow("L2", area="E06000061")])
    o7 = result.node("outcome", "O7")
    assert o7.lead.not_reported == 1
    assert o7.summary == "No data: 1 lead KPI linked but not reported for this area."
    p1 = result.node("population_outcome", "P1")
    assert p1.summary == (
        "1 of 1 lead KPI shows common cause variation only; 1 is not reported for this area."
    )


def test_rollup_never_averages_values(fw):
    a = rollup(fw, [srow("L1"), srow("L2")])
    b = rollup(fw, [ScorecardRow(**{**srow("L1").__dict__, "value": 1e9}), srow("L2")])
    assert a == b
