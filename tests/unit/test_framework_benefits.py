"""The benefits register's files: read with the framework, every bad cell named (§3.6, §4)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from test_framework import Expected, drop_row, load_problems, row_of, set_cell

from scorecard.cli import main
from scorecard.thread.domain import PLAN_YEARS, BenefitMethod, Framework
from scorecard.thread.framework import load_framework


@pytest.fixture
def real(framework_dir: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "fw"
    shutil.copytree(framework_dir, folder)
    return folder


def test_the_register_reads_the_documents_tables(framework: Framework) -> None:
    reg = framework.benefits
    assert [line.name for line in reg.lines] == [
        "Reduce A&E attendances (including associated admission & LoS)",
        "Reduce Admissions (including associated LoS)",
        "Reduce admissions avoidance packages",
        "Reduce bed days",
        "Reduction in cost of CHC packages",
    ]
    by_year = {y: sum(p.planned_k for p in reg.plan if p.year == y) for y in PLAN_YEARS}
    assert by_year == {
        "2021/22": 2668,
        "2022/23": 6670,
        "2023/24": 13340,
        "2024/25": 13340,
        "2025/26": 13340,
    }
    assert sum(by_year.values()) == 49358
    costs = {y: sum(c.cost_k or 0 for c in reg.costs if c.year == y) for y in PLAN_YEARS}
    assert list(costs.values()) == [11270, 8950, 8100, 8100, 7600]
    assert sum(costs.values()) == 44020
    tbc = [c for c in reg.costs if c.cost_k is None]
    assert {c.line for c in tbc} == {"Additional IV Costs"}
    assert len(tbc) == 5
    assert all(c.note for c in tbc)


def test_every_line_has_an_operational_kpi_and_owners(framework: Framework) -> None:
    reg = framework.benefits
    for line in reg.lines:
        assert reg.line_kpis(line.code, "operational"), line.code  # type: ignore[arg-type]
        assert line.organisations
        assert line.technical_owner
        assert line.realisation_owner
        assert 1 <= line.brg_step <= 9
        assert line.method in set(BenefitMethod)
    # "admissions avoidance packages has no system-wide KPI" (ICAN_FRAMEWORK §3.6)
    assert not reg.line_kpis("BEN-AAP", "system_wide")  # type: ignore[arg-type]


def _unknown_kpi(f: Path) -> Expected:
    row = set_cell(f, "benefit_kpis.csv", {"kpi_code": "ACT-CRAVOID"}, "kpi_code", "ACT-NOPE")
    return ("benefit_kpis.csv", row, "kpi_code", "ACT-NOPE", "known code")


def _year_outside(f: Path) -> Expected:
    match = {"line_code": "BEN-AE", "year": "2025/26"}
    row = set_cell(f, "benefit_plan.csv", match, "year", "2026/27")
    return ("benefit_plan.csv", row, "year", "2026/27", "year of the plan")


def _negative_planned(f: Path) -> Expected:
    match = {"line_code": "BEN-AE", "year": "2021/22"}
    row = set_cell(f, "benefit_plan.csv", match, "planned_k", "-1078")
    return ("benefit_plan.csv", row, "planned_k", "-1078", "amount not negative")


def _variable_missing(f: Path) -> Expected:
    formula = "impact * cost_per_attendance / 1000"
    drop_row(f, "benefit_variables.csv", {"line_code": "BEN-AE", "name": "cost_per_attendance"})
    row = row_of(f, "benefit_lines.csv", {"code": "BEN-AE"})
    return ("benefit_lines.csv", row, "value_formula", formula, "formula variable defined")


def _not_arithmetic(f: Path) -> Expected:
    bad = "__import__('os').getcwd()"
    row = set_cell(f, "benefit_lines.csv", {"code": "BEN-BED"}, "value_formula", bad)
    return ("benefit_lines.csv", row, "value_formula", bad, "arithmetic formula")


def _method_outside(f: Path) -> Expected:
    row = set_cell(f, "benefit_lines.csv", {"code": "BEN-CHC"}, "method", "gut_feeling")
    return ("benefit_lines.csv", row, "method", "gut_feeling", "allowed values")


def _duplicated_line(f: Path) -> Expected:
    row = set_cell(f, "benefit_lines.csv", {"code": "BEN-CHC"}, "code", "BEN-BED")
    return ("benefit_lines.csv", row, "code", "BEN-BED", "unique")


def _duplicated_name(f: Path) -> Expected:
    name = "Reduce bed days"
    row = set_cell(f, "benefit_lines.csv", {"code": "BEN-CHC"}, "name", name)
    return ("benefit_lines.csv", row, "name", name, "unique")


def _system_kpi_as_operational(f: Path) -> Expected:
    row = set_cell(f, "benefit_kpis.csv", {"kpi_code": "ACT-FFD"}, "kpi_code", "SYS-LOS")
    return ("benefit_kpis.csv", row, "kpi_code", "SYS-LOS", "KPI tier fits role")


def _unknown_line(f: Path) -> Expected:
    match = {"line_code": "BEN-CHC", "name": "package_cost_a_month"}
    row = set_cell(f, "benefit_variables.csv", match, "line_code", "BEN-XYZ")
    return ("benefit_variables.csv", row, "line_code", "BEN-XYZ", "known code")


def _step_out_of_range(f: Path) -> Expected:
    row = set_cell(f, "benefit_lines.csv", {"code": "BEN-AE"}, "brg_step", "10")
    return ("benefit_lines.csv", row, "brg_step", "10", "BRG step 1-9")


def _no_growth(f: Path) -> Expected:
    drop_row(f, "benefit_variables.csv", {"line_code": "BEN-ADM", "name": "growth_pct_a_year"})
    row = row_of(f, "benefit_lines.csv", {"code": "BEN-ADM"})
    return (
        "benefit_lines.csv",
        row,
        "baseline_type",
        "trend_adjusted",
        "growth for a trend-adjusted baseline",
    )


def _year_missing(f: Path) -> Expected:
    drop_row(f, "benefit_plan.csv", {"line_code": "BEN-CHC", "year": "2023/24"})
    row = row_of(f, "benefit_lines.csv", {"code": "BEN-CHC"})
    return ("benefit_lines.csv", row, "code", "BEN-CHC", "planned every year")


def _negative_cost(f: Path) -> Expected:
    match = {"line": "Newton", "year": "2021/22"}
    row = set_cell(f, "benefit_costs.csv", match, "cost_k", "-8000")
    return ("benefit_costs.csv", row, "cost_k", "-8000", "amount not negative")


BROKEN: list[tuple[str, Callable[[Path], Expected]]] = [
    ("unknown KPI code", _unknown_kpi),
    ("year outside the plan", _year_outside),
    ("negative planned amount", _negative_planned),
    ("formula variable missing", _variable_missing),
    ("formula not arithmetic", _not_arithmetic),
    ("method outside the five", _method_outside),
    ("duplicated line code", _duplicated_line),
    ("duplicated line name", _duplicated_name),
    ("system KPI as operational", _system_kpi_as_operational),
    ("unknown line", _unknown_line),
    ("BRG step out of range", _step_out_of_range),
    ("trend-adjusted without growth", _no_growth),
    ("a plan year missing", _year_missing),
    ("negative cost", _negative_cost),
]


@pytest.mark.parametrize("breaker", [b for _, b in BROKEN], ids=[name for name, _ in BROKEN])
def test_a_broken_register_names_file_row_column_value_and_rule(
    real: Path, breaker: Callable[[Path], Expected]
) -> None:
    file, row, column, value, rule = breaker(real)
    problems = load_problems(real)
    found = [(Path(p.file).name, p.row, p.column, p.value, p.rule) for p in problems]
    assert (file, row, column, value, rule) in found, problems
    assert all(p.sentence().startswith(p.file) for p in problems)


def test_a_framework_without_a_register_has_an_empty_one(small_framework_dir: Path) -> None:
    assert load_framework(small_framework_dir).benefits.lines == ()


def test_the_framework_command_refuses_a_broken_register(
    real: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _negative_planned(real)
    assert main(["framework", "--framework", str(real)]) == 1
    err = capsys.readouterr().err
    assert "benefit_plan.csv" in err
    assert "planned_k" in err
    assert "-1078" in err
