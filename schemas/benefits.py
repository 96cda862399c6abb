"""Pandera models of the benefits register files (data/framework/benefit_*.csv).

Each file is judged cell by cell here; what needs other files (a KPI code, a formula's
variables, the plan's years) is checked across files by ``scorecard.thread.framework_checks``.
"""

from __future__ import annotations

from typing import cast

import pandera.pandas as pa
from pandera.typing import Series

from schemas.framework import (
    CODE,
    NUMBER,
    PERIOD,
    _Base,
    _filled,
    _matches,
    _Provenanced,
    _rule,
    _values,
)
from scorecard.thread.domain import (
    BaselineType,
    BenefitKpiRole,
    BenefitMethod,
    BenefitType,
    CostKind,
    MeasurementLevel,
)

YEAR = r"20\d\d/\d\d"  # a financial year label, e.g. 2021/22
NAME = r"[a-z][a-z0-9_]*"  # a formula variable's name


def _non_negative(series: Series[str], *, blank_ok: bool) -> Series[bool]:
    ok = _matches(series, NUMBER, blank_ok=blank_ok)
    numbers = series.where(ok & (series != ""), "0").astype(float)
    return cast("Series[bool]", ok & (numbers >= 0))


class BenefitLines(_Provenanced):
    """benefit_lines.csv: the business case's benefit lines and how each is measured."""

    code: Series[str]
    name: Series[str]
    benefit_type: Series[str] = pa.Field(isin=_values(BenefitType))
    method: Series[str] = pa.Field(isin=_values(BenefitMethod))
    level: Series[str] = pa.Field(isin=_values(MeasurementLevel))
    baseline_type: Series[str] = pa.Field(isin=_values(BaselineType))
    organisations: Series[str]
    technical_owner: Series[str]
    operational_owner: Series[str]
    realisation_owner: Series[str]
    brg_step: Series[str]
    impact_formula: Series[str]
    value_formula: Series[str]

    @pa.check(
        "name",
        "organisations",
        "impact_formula",
        "value_formula",
        **_rule("required", "must not be blank"),
    )
    @classmethod
    def _required(cls, series: Series[str]) -> Series[bool]:
        return _filled(series)

    @pa.check("code", **_rule("code", "must be a code: letters, digits, '-', '_' or '.'"))
    @classmethod
    def _code(cls, series: Series[str]) -> Series[bool]:
        return _matches(series, CODE, blank_ok=False)

    @pa.check("brg_step", **_rule("BRG step 1-9", "must be the BRG process step reached, 1 to 9"))
    @classmethod
    def _step(cls, series: Series[str]) -> Series[bool]:
        return cast("Series[bool]", series.isin([str(n) for n in range(1, 10)]))


class BenefitKpis(_Provenanced):
    """benefit_kpis.csv: the KPIs that drive each line (many to many) and their baselines."""

    line_code: Series[str]
    kpi_code: Series[str]
    role: Series[str] = pa.Field(isin=_values(BenefitKpiRole))
    baseline: Series[str]

    @pa.check("line_code", "kpi_code", **_rule("required", "must not be blank"))
    @classmethod
    def _required(cls, series: Series[str]) -> Series[bool]:
        return _filled(series)

    @pa.check("baseline", **_rule("number", "must be a number"))
    @classmethod
    def _baseline(cls, series: Series[str]) -> Series[bool]:
        return _matches(series, NUMBER, blank_ok=False)


class BenefitVariables(_Provenanced):
    """benefit_variables.csv: the fixed variables of each line's formulas."""

    line_code: Series[str]
    name: Series[str]
    value: Series[str]
    unit: Series[str]

    @pa.check("line_code", "unit", **_rule("required", "must not be blank"))
    @classmethod
    def _required(cls, series: Series[str]) -> Series[bool]:
        return _filled(series)

    @pa.check(
        "name",
        **_rule("variable name", "must be a name of lower-case letters, digits and '_'"),
    )
    @classmethod
    def _name(cls, series: Series[str]) -> Series[bool]:
        return _matches(series, NAME, blank_ok=False)

    @pa.check("value", **_rule("number", "must be a number"))
    @classmethod
    def _value(cls, series: Series[str]) -> Series[bool]:
        return _matches(series, NUMBER, blank_ok=False)


class _ByYear(_Provenanced):
    """Tables with a row per financial year of the plan."""

    year: Series[str]

    @pa.check("year", **_rule("financial year", "must be a financial year written 2021/22"))
    @classmethod
    def _year(cls, series: Series[str]) -> Series[bool]:
        return _matches(series, YEAR, blank_ok=False)


class BenefitPlan(_ByYear):
    """benefit_plan.csv: the planned £'000 of each line in each financial year."""

    line_code: Series[str]
    planned_k: Series[str]

    @pa.check("line_code", **_rule("required", "must not be blank"))
    @classmethod
    def _required(cls, series: Series[str]) -> Series[bool]:
        return _filled(series)

    @pa.check(
        "planned_k", **_rule("amount not negative", "must be an amount in £'000, zero or more")
    )
    @classmethod
    def _planned(cls, series: Series[str]) -> Series[bool]:
        return _non_negative(series, blank_ok=False)


class BenefitCosts(_ByYear):
    """benefit_costs.csv: the costs table, £'000 by cost line and year (blank: TBC)."""

    line: Series[str]
    kind: Series[str] = pa.Field(isin=_values(CostKind))
    cost_k: Series[str]
    note: Series[str]

    @pa.check("line", **_rule("required", "must not be blank"))
    @classmethod
    def _required(cls, series: Series[str]) -> Series[bool]:
        return _filled(series)

    @pa.check(
        "cost_k",
        **_rule("amount not negative", "must be an amount in £'000, zero or more, or blank (TBC)"),
    )
    @classmethod
    def _cost(cls, series: Series[str]) -> Series[bool]:
        return _non_negative(series, blank_ok=True)


class BenefitCashed(_Base):
    """benefit_cashed.csv: amounts an organisation chose to cash, by line and month."""

    line_code: Series[str]
    period: Series[str]
    cashed_k: Series[str]
    note: Series[str]

    @pa.check("line_code", **_rule("required", "must not be blank"))
    @classmethod
    def _required(cls, series: Series[str]) -> Series[bool]:
        return _filled(series)

    @pa.check("period", **_rule("period", "must be a month YYYY-MM"))
    @classmethod
    def _period(cls, series: Series[str]) -> Series[bool]:
        return _matches(series, PERIOD, blank_ok=False)

    @pa.check(
        "cashed_k", **_rule("amount not negative", "must be an amount in £'000, zero or more")
    )
    @classmethod
    def _cashed(cls, series: Series[str]) -> Series[bool]:
        return _non_negative(series, blank_ok=False)


__all__ = [
    "BenefitCashed",
    "BenefitCosts",
    "BenefitKpis",
    "BenefitLines",
    "BenefitPlan",
    "BenefitVariables",
]
