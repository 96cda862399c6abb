"""The benefits plan's calendar: financial years, the plan and costs in a month, baselines."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from scorecard.thread.domain import (
    BASELINE_YEAR,
    GROWTH_VARIABLE,
    PLAN_YEARS,
    BaselineType,
    BenefitKpi,
    BenefitKpiRole,
    BenefitLine,
    BenefitsRegister,
)

PLAN_START: Final = PLAN_YEARS[0][:4] + "-04"  # April of YR1


def financial_year(period: str) -> str:
    """The April-March financial year of a month: ``2022-03`` -> ``2021/22``."""
    year, month = int(period[:4]), int(period[5:7])
    start = year if month >= 4 else year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def months_between(start: str, end: str) -> list[str]:
    """Every month from ``start`` to ``end`` inclusive (empty when end is before start)."""
    y, m = int(start[:4]), int(start[5:7])
    ey, em = int(end[:4]), int(end[5:7])
    out: list[str] = []
    while (y, m) <= (ey, em):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _yearly(amounts: Mapping[str, float], period: str) -> float:
    """A year's amount for a month's year: before YR1 none, after YR5 the YR5 amount."""
    year = financial_year(period)
    if year < PLAN_YEARS[0]:
        return 0.0
    if year > PLAN_YEARS[-1]:
        year = PLAN_YEARS[-1]
    return amounts.get(year, 0.0)


def planned_in_month(register: BenefitsRegister, line_code: str, period: str) -> float:
    """The planned £'000 of a line in a month: its year's amount over twelve months."""
    amounts = {p.year: p.planned_k for p in register.plan if p.line_code == line_code}
    return _yearly(amounts, period) / 12


def cost_in_month(register: BenefitsRegister, period: str) -> float:
    """The costs table's £'000 in a month (TBC cells count as nothing).

    After YR5 only recurrent costs carry on at their YR5 amount (illustrative).
    """
    year = financial_year(period)
    after = year > PLAN_YEARS[-1]
    total = 0.0
    for row in register.costs:
        if after and row.kind != "recurrent":
            continue
        if row.year == (PLAN_YEARS[-1] if after else year) and row.cost_k is not None:
            total += row.cost_k
    return total / 12


def baseline_in(
    line: BenefitLine, kpi: BenefitKpi, variables: Mapping[str, float], period: str
) -> float:
    """A KPI's baseline in a month: static, or grown each financial year since 2019/20."""
    if line.baseline_type != BaselineType.TREND_ADJUSTED or kpi.role != BenefitKpiRole.SYSTEM_WIDE:
        return kpi.baseline
    years = int(financial_year(period)[:4]) - int(BASELINE_YEAR[:4])
    return kpi.baseline * (1 + variables.get(GROWTH_VARIABLE, 0.0) / 100) ** years


__all__ = [
    "PLAN_START",
    "baseline_in",
    "cost_in_month",
    "financial_year",
    "months_between",
    "planned_in_month",
]
