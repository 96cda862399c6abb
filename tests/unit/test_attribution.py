"""The attribution rule (ICAN_FRAMEWORK §4.2) and the plan's calendar, as pure functions."""

from __future__ import annotations

import math

import pytest

from scorecard.reports.benefits_attribution import Case, attribute, attribute_improvements
from scorecard.reports.benefits_plan import (
    cost_in_month,
    financial_year,
    months_between,
    planned_in_month,
)
from scorecard.thread.domain import Direction
from scorecard.thread.formulas import FormulaError, parse


def test_the_documents_example_comes_out_exactly() -> None:
    # "if our LoS has dropped by 3 days and our operational indicators show a process
    # improvement of 2 days, 2 days of impact will be reported against the programme and 1
    # to other impacts i.e. Covid"
    split = attribute(-3, -2, Direction.DECREASE)
    assert split.case == Case.EXPLAINED
    assert split.programme == 2
    assert split.other == 1
    assert split.offset == 0


# system improvement, operational improvement -> case, programme, other, offset (better > 0)
CASES = [
    pytest.param(3.0, 2.0, Case.EXPLAINED, 2.0, 1.0, 0.0, id="explained: the -3/-2 example"),
    pytest.param(3.0, 3.0, Case.EXPLAINED, 3.0, 0.0, 0.0, id="explained: all of it"),
    pytest.param(2.0, 5.0, Case.CAPPED, 2.0, 0.0, 3.0, id="capped: operational > system"),
    pytest.param(-1.0, 2.0, Case.OPPOSITE, 0.0, -1.0, 2.0, id="opposite: system got worse"),
    pytest.param(0.0, 2.0, Case.OPPOSITE, 0.0, 0.0, 2.0, id="opposite: system unchanged"),
    pytest.param(3.0, 0.0, Case.NO_OPERATIONAL_IMPROVEMENT, 0.0, 3.0, 0.0, id="no improvement"),
    pytest.param(3.0, -1.0, Case.NO_OPERATIONAL_IMPROVEMENT, 0.0, 3.0, 0.0, id="got worse"),
    pytest.param(None, 2.0, Case.NOT_RECONCILED, 2.0, None, 0.0, id="no system-wide figure"),
    pytest.param(None, -2.0, Case.NOT_RECONCILED, 0.0, None, 0.0, id="unreconciled, worse"),
    pytest.param(3.0, None, Case.NO_OPERATIONAL_DATA, 0.0, 3.0, 0.0, id="no operational data"),
    pytest.param(3.0, math.nan, Case.NO_OPERATIONAL_DATA, 0.0, 3.0, 0.0, id="NaN operational"),
]


@pytest.mark.parametrize(("system", "operational", "case", "programme", "other", "offset"), CASES)
def test_case_table(
    system: float | None,
    operational: float | None,
    case: Case,
    programme: float,
    other: float | None,
    offset: float,
) -> None:
    split = attribute_improvements(system, operational)
    assert split.case == case
    assert split.programme == pytest.approx(programme)
    assert split.other == (None if other is None else pytest.approx(other))
    assert split.offset == pytest.approx(offset)
    assert split.sentence.endswith(".")
    # Never more credit than the operational improvement, nor than a system-wide improvement.
    measured = operational is not None and not math.isnan(operational)
    assert split.programme <= (max(operational, 0.0) if measured else 0.0) + 1e-9  # type: ignore[type-var]
    if system is not None and measured:
        assert split.programme <= max(system, 0.0) + 1e-9


def test_direction_turns_signed_changes_into_improvements() -> None:
    # A measure where higher is better: +3 system, +2 operational is the same split.
    split = attribute(3, 2, Direction.INCREASE)
    assert (split.programme, split.other) == (2, 1)
    # The same numbers for a lower-is-better measure are a worsening: no credit.
    assert attribute(3, 2, Direction.DECREASE).case == Case.NO_OPERATIONAL_IMPROVEMENT


@pytest.mark.parametrize(
    ("period", "year"),
    [
        ("2021-04", "2021/22"),
        ("2022-03", "2021/22"),
        ("2025-12", "2025/26"),
        ("2099-04", "2099/00"),
    ],
)
def test_financial_year_runs_april_to_march(period: str, year: str) -> None:
    assert financial_year(period) == year


def test_months_between_is_inclusive() -> None:
    assert months_between("2021-11", "2022-02") == ["2021-11", "2021-12", "2022-01", "2022-02"]
    assert months_between("2022-02", "2021-11") == []


def test_the_plan_is_spread_over_twelve_months_and_yr5_carries_on(framework) -> None:  # type: ignore[no-untyped-def]
    reg = framework.benefits
    assert planned_in_month(reg, "BEN-AE", "2021-03") == 0  # before YR1
    assert planned_in_month(reg, "BEN-AE", "2021-04") == pytest.approx(1078 / 12)
    assert planned_in_month(reg, "BEN-AE", "2022-03") == pytest.approx(1078 / 12)
    assert planned_in_month(reg, "BEN-AE", "2022-04") == pytest.approx(2695 / 12)
    assert planned_in_month(reg, "BEN-AE", "2027-01") == pytest.approx(5390 / 12)  # after YR5
    year = months_between("2021-04", "2022-03")
    assert sum(planned_in_month(reg, "BEN-CHC", p) for p in year) == pytest.approx(120)


def test_costs_are_spread_and_only_recurrent_costs_carry_on(framework) -> None:  # type: ignore[no-untyped-def]
    reg = framework.benefits
    first = months_between("2021-04", "2022-03")
    assert sum(cost_in_month(reg, p) for p in first) == pytest.approx(11270)
    last = months_between("2025-04", "2026-03")
    assert sum(cost_in_month(reg, p) for p in last) == pytest.approx(7600)
    after = months_between("2026-04", "2027-03")
    assert sum(cost_in_month(reg, p) for p in after) == pytest.approx(7100)  # recurrent only


@pytest.mark.parametrize(
    "text",
    ['__import__("os").system("x")', "a ** 2", "a.b", "a if b else c", "[a]", "'x'", "1 +", "f(a)"],
)
def test_a_formula_is_arithmetic_only(text: str) -> None:
    with pytest.raises(FormulaError):
        parse(text)


def test_a_formula_evaluates_over_its_variables() -> None:
    formula = parse("impact * cost_per_bed_day / 1000 - (2 - -1)")
    assert formula.names == {"impact", "cost_per_bed_day"}
    assert formula.evaluate({"impact": 300, "cost_per_bed_day": 350}) == pytest.approx(102.0)
