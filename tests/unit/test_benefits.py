"""Delivered against planned: a benefit line's position from crafted observations."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pytest

from scorecard.reports.benefits import Status, benefits_position, line_evidence_hash
from scorecard.reports.benefits_attribution import Case
from scorecard.reports.benefits_plan import months_between
from scorecard.reports.benefits_report import as_contract_dict
from scorecard.thread.domain import Framework

ICB = "QPM"


def frame(rows: list[tuple[str, str, float]], area: str = ICB) -> pd.DataFrame:
    """Observations as ``Store.current`` returns them."""
    return pd.DataFrame(
        {
            "kpi_code": [r[0] for r in rows],
            "area_code": [area] * len(rows),
            "period": [r[1] for r in rows],
            "value": [r[2] for r in rows],
            "numerator": [None] * len(rows),
            "denominator": [None] * len(rows),
            "status": ["final"] * len(rows),
            "note": [""] * len(rows),
            "load_id": [1] * len(rows),
            "synthetic": [False] * len(rows),
        }
    )


def ae_rows(periods: list[str], avoided: float, attendances: float) -> list[tuple[str, str, float]]:
    return [("ACT-CRAVOID", p, avoided) for p in periods] + [
        ("SYS-ATT", p, attendances) for p in periods
    ]


def line(position, code):  # type: ignore[no-untyped-def]
    return next(one for one in position.lines if one.code == code)


@dataclass(frozen=True)
class _SignOff:
    line_code: str
    period: str
    amount_k: float


def test_one_month_is_credited_by_the_formula_against_a_trend_adjusted_baseline(
    framework: Framework,
) -> None:
    reg = framework.benefits
    cost = reg.line_variables("BEN-AE")["cost_per_attendance"]
    growth = reg.line_variables("BEN-AE")["growth_pct_a_year"]
    (system,) = [k for k in reg.kpis if k.line_code == "BEN-AE" and k.role == "system_wide"]
    baseline = system.baseline * (1 + growth / 100) ** (2026 - 2019)  # 2026/27 vs 2019/20
    position = benefits_position(
        framework, frame(ae_rows(["2026-05"], 200, baseline - 500)), "2026-05"
    )
    ae = line(position, "BEN-AE")
    assert ae.attribution is not None
    assert ae.attribution.case == Case.EXPLAINED
    assert ae.attribution.system == pytest.approx(500)
    assert ae.attribution.programme == pytest.approx(200)
    assert ae.attribution.other == pytest.approx(300)
    assert ae.delivered_to_date_k == pytest.approx(200 * cost / 1000)
    assert ae.months_measured == 1
    assert ae.planned_measured_k == pytest.approx(5390 / 12)
    # Planned to date counts every month since April 2021, measured or not.
    assert ae.planned_to_date_k == pytest.approx(1078 + 2695 + 5390 * 3 + 5390 / 12 * 2)


def test_credit_is_capped_at_the_system_wide_improvement(framework: Framework) -> None:
    reg = framework.benefits
    cost = reg.line_variables("BEN-AE")["cost_per_attendance"]
    growth = reg.line_variables("BEN-AE")["growth_pct_a_year"]
    (system,) = [k for k in reg.kpis if k.line_code == "BEN-AE" and k.role == "system_wide"]
    baseline = system.baseline * (1 + growth / 100) ** (2026 - 2019)
    position = benefits_position(
        framework, frame(ae_rows(["2026-05"], 200, baseline - 80)), "2026-05"
    )
    ae = line(position, "BEN-AE")
    assert ae.attribution is not None
    assert ae.attribution.case == Case.CAPPED
    assert ae.attribution.offset == pytest.approx(120)
    assert ae.delivered_to_date_k == pytest.approx(80 * cost / 1000)


def test_status_against_the_plan_for_the_months_measured(framework: Framework) -> None:
    periods = months_between("2025-04", "2026-03")
    per_month = 5390 / 12  # YR5's plan
    cost = framework.benefits.line_variables("BEN-AE")["cost_per_attendance"]
    on_plan = per_month * 1000 / cost  # avoided attendances a month that deliver the plan
    for avoided, status in ((on_plan, Status.ON_PLAN), (on_plan * 0.8, Status.BEHIND)):
        rows = [("ACT-CRAVOID", p, avoided) for p in periods]  # no system-wide data: bottom up
        ae = line(benefits_position(framework, frame(rows), "2026-03"), "BEN-AE")
        assert ae.status == status, ae.status_sentence
        assert ae.attribution is not None
        assert ae.attribution.case == Case.NOT_RECONCILED
    rows = [("ACT-CRAVOID", p, on_plan * 1.2) for p in periods]
    assert (
        line(benefits_position(framework, frame(rows), "2026-03"), "BEN-AE").status
        == "ahead_of_plan"
    )


def test_a_line_without_data_in_the_month_says_so_instead_of_a_number(framework: Framework) -> None:
    rows = ae_rows(["2026-04"], 200, 4000)  # data for April only
    position = benefits_position(framework, frame(rows), "2026-05")
    ae = line(position, "BEN-AE")
    assert ae.status == Status.NO_DATA
    assert ae.delivered_to_date_k is None
    assert "ACT-CRAVOID" in ae.status_sentence
    assert "2026-05" in ae.status_sentence
    assert "BEN-AE" in position.totals.lines_not_shown
    assert as_contract_dict(framework, position)["lines"][0]["delivered_to_date_k"] is None


def test_special_cause_concern_on_the_driving_kpi_hides_the_number(framework: Framework) -> None:
    periods = months_between("2024-01", "2026-05")
    values = [190.0 + (i % 5) for i in range(len(periods) - 8)] + [120.0] * 8  # a run low
    rows = [("ACT-CRAVOID", p, v) for p, v in zip(periods, values, strict=True)]
    ae = line(benefits_position(framework, frame(rows), "2026-05"), "BEN-AE")
    assert ae.status == Status.SPECIAL_CAUSE_CONCERN, ae.status_sentence
    assert ae.delivered_to_date_k is None
    assert "special-cause" in ae.status_sentence


def test_values_of_other_areas_are_not_used(framework: Framework) -> None:
    rows = ae_rows(["2026-05"], 200, 4000)
    position = benefits_position(framework, frame(rows, area="E06000061"), "2026-05")
    assert line(position, "BEN-AE").status == Status.NO_DATA


def test_organisations_share_each_line_equally_and_signoffs_add_up(framework: Framework) -> None:
    rows = ae_rows(["2026-05"], 200, 4000)
    signoffs = [_SignOff("BEN-AE", "2026-04", 100.0), _SignOff("BEN-AE", "2026-06", 50.0)]
    position = benefits_position(framework, frame(rows), "2026-05", signoffs)
    ae = line(position, "BEN-AE")
    assert ae.signed_off_k == 100.0  # the later sign-off is after the month
    assert position.totals.signed_off_k == 100.0
    orgs = {o.organisation: o for o in position.organisations}
    bed = line(position, "BEN-BED")
    share = bed.planned_to_date_k / len(bed.organisations)
    assert orgs["WNC"].planned_to_date_k == pytest.approx(share)  # WNC is only on BEN-BED
    total = sum(o.planned_to_date_k for o in position.organisations)
    assert total == pytest.approx(position.totals.planned_to_date_k)
    assert position.totals.net_to_date_k == pytest.approx(
        position.totals.delivered_to_date_k - position.totals.cost_to_date_k
    )


def test_the_cumulative_series_ends_at_the_totals(framework: Framework) -> None:
    rows = ae_rows(months_between("2026-01", "2026-05"), 200, 4000)
    position = benefits_position(framework, frame(rows), "2026-05")
    last = position.months[-1]
    assert last.period == "2026-05"
    assert last.planned_k == pytest.approx(position.totals.planned_to_date_k)
    assert last.delivered_k == pytest.approx(position.totals.delivered_to_date_k)
    assert position.months[0].delivered_k is None  # nothing measured in April 2021


def test_the_evidence_hash_follows_the_lines_own_data(framework: Framework) -> None:
    rows = ae_rows(["2026-04", "2026-05"], 200, 4000)
    before = line_evidence_hash(framework, frame(rows), "BEN-AE", "2026-05")
    assert before == line_evidence_hash(framework, frame(rows), "BEN-AE", "2026-05")
    revised = [*rows[:1], ("ACT-CRAVOID", "2026-05", 201.0), *rows[2:]]
    assert line_evidence_hash(framework, frame(revised), "BEN-AE", "2026-05") != before
    other = [*rows, ("ACT-RRPKG", "2026-05", 40.0)]
    assert line_evidence_hash(framework, frame(other), "BEN-AE", "2026-05") == before
    later = [*rows, ("ACT-CRAVOID", "2026-06", 1.0)]
    assert line_evidence_hash(framework, frame(later), "BEN-AE", "2026-05") == before


@pytest.mark.parametrize(
    ("verdicts", "flag"),
    [
        ({"ACT-CRAVOID": "lost"}, "lost"),
        ({"ACT-CRAVOID": "slipping"}, "slipping"),
        ({"ACT-CRAVOID": "holding"}, ""),
        ({"SYS-ATT": "lost"}, ""),  # only the driving (operational) KPI flags the line
        ({}, ""),
    ],
)
def test_a_line_whose_driving_kpi_is_not_holding_is_flagged(
    framework: Framework, verdicts: dict[str, str], flag: str
) -> None:
    rows = ae_rows(["2026-05"], 200, 4000)
    position = benefits_position(framework, frame(rows), "2026-05", sustainability=verdicts)
    ae = line(position, "BEN-AE")
    assert ae.sustainability == flag
    assert ("support ended" in ae.status_sentence) == bool(flag)
    assert not flag or f"is {flag}" in ae.status_sentence
    assert ae.delivered_to_date_k is not None  # flagged, the number is still shown


def test_a_signoff_is_of_the_value_to_its_month_so_the_latest_counts(framework: Framework) -> None:
    rows = ae_rows(months_between("2026-01", "2026-05"), 200, 4000)
    signoffs = [
        _SignOff("BEN-AE", "2026-03", 100.0),
        _SignOff("BEN-AE", "2026-04", 150.0),  # to April: includes the 100 to March
        _SignOff("BEN-BED", "2026-02", 20.0),
    ]
    position = benefits_position(framework, frame(rows), "2026-05", signoffs)
    assert line(position, "BEN-AE").signed_off_k == 150.0
    assert position.totals.signed_off_k == 170.0
    by_month = {p.period: p.signed_off_k for p in position.months}
    assert by_month["2026-01"] == 0.0
    assert by_month["2026-02"] == 20.0
    assert by_month["2026-03"] == 120.0
    assert by_month["2026-05"] == 170.0
    earlier = benefits_position(framework, frame(rows), "2026-03", signoffs)
    assert line(earlier, "BEN-AE").signed_off_k == 100.0
