"""Pandera schema of a monthly KPI extract (CONTRACT §2.2) and the framework's cross-table rules."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, TypeAlias, cast

import numpy as np
import numpy.typing as npt
import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series
from pandera.typing.common import Category

from scorecard.thread.domain import DERIVED_KPIS, Framework, Unit

KEY_COLUMNS: Final = ("kpi_code", "area_code", "period")
REQUIRED_COLUMNS: Final = KEY_COLUMNS  # plus value, or numerator and denominator
NUMBER_COLUMNS: Final = ("value", "numerator", "denominator")
TEXT_COLUMNS: Final = ("kpi_code", "area_code", "period", "status")
STATUSES: Final = ("final", "provisional")
DEFAULT_STATUS: Final = "final"
NOTE_MAX_CHARS: Final = 500

# value must agree with numerator / denominator (x 100 for a %, x 1 otherwise) to within
# 0.01 in the KPI's unit or 0.05% of the computed value, whichever is larger: a value given
# to two decimal places always agrees; a value rounded to one decimal place may not.
AGREEMENT_ABS: Final = 0.01
AGREEMENT_REL: Final = 0.0005

# The earliest year a period may have: the scorecard's data start in the 2010s, so a year
# before 2000 is a typing error (0000, 1900), not history.
MIN_YEAR: Final = 2000

# The largest magnitude a value may have in each unit: far above anything Northamptonshire can
# report for a month (about 800,000 residents; an ICB budget under £2bn), far below the sizes
# that make sums and SPC limits meaningless (1e300).
MAGNITUDE_LIMITS: Final[dict[Unit, float]] = {
    Unit.COUNT: 10_000_000.0,  # people or events in a month
    Unit.RATE: 1_000_000.0,  # per 1,000 or per 100,000 residents
    Unit.DAYS: 10_000_000.0,  # a length of stay, or bed days summed over a month's patients
    Unit.GBP: 10_000_000_000.0,  # £10bn, either sign
}
MAX_COUNT: Final = 100_000_000.0  # a numerator or denominator

# Units whose values can be negative (a £ figure can be a saving or a deficit).
SIGNED_UNITS: Final = frozenset({Unit.GBP})

# One short id per rule (the "rule" of a Problem) and what a valid cell looks like.
RULES: Final[dict[str, str]] = {
    "required": "the cell must not be blank",
    "number": "a plain number such as 12 or 45.5 (no commas, symbols or formulas)",
    "finite": "a finite number (not nan or inf)",
    "known_kpi": "a KPI code of the framework",
    "not_derived": "a KPI measured by data owners, not one derived from people's records",
    "known_area": "an area code of the framework",
    "kpi_area": "an area the KPI is reported for (by its area types)",
    "period_format": "a month written YYYY-MM, e.g. 2024-03",
    "real_month": "a month 01 to 12",
    "not_future": "a month not after the current month",
    "unique_key": "each kpi_code, area_code and period once per file",
    "non_negative": "zero or more",
    "percent_range": "a percentage from 0 to 100",
    "numerator_le_denominator": "a numerator no larger than the denominator",
    "denominator_positive": "a denominator above 0 when a numerator is given",
    "value_required": "a value, or both numerator and denominator",
    "value_agrees": "value = numerator / denominator (x 100 for a %)",
    "status": "final or provisional (blank means final)",
    "note_length": f"at most {NOTE_MAX_CHARS} characters",
    "plausible_year": f"a year from {MIN_YEAR}",
    "magnitude": "a value within the largest its KPI's unit allows",
    "count_size": f"a count of at most {MAX_COUNT:,.0f}",
    "no_nul": "text without NUL bytes",
}

# A check's answer: True when every row passes (cheap for Pandera on millions of rows),
# otherwise one boolean per row so that Pandera can list the failing rows.
Verdict: TypeAlias = "bool | Series[bool]"


def verdict(ok: npt.NDArray[np.bool_], index: pd.Index) -> Verdict:
    """A check's answer from one boolean per row."""
    if bool(ok.all()):
        return True
    return cast("Series[bool]", pd.Series(ok, index=index, dtype=bool))


def factor(unit: Unit) -> float:
    """What numerator / denominator is multiplied by to give a value in ``unit``."""
    return 100.0 if unit == Unit.PERCENT else 1.0


def tolerance(expected: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """How far a given value may be from the one computed from numerator and denominator."""
    return np.maximum(AGREEMENT_ABS, AGREEMENT_REL * np.abs(expected))


def _categories(series: pd.Series) -> tuple[npt.NDArray[np.intp], list[str]]:
    """(code per row, -1 where missing; distinct values as text) of a column."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        return series.cat.codes.to_numpy().astype(np.intp), [str(c) for c in series.cat.categories]
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    return codes.astype(np.intp), [str(u) for u in uniques]


def per_value(series: pd.Series, test: Callable[[list[str]], npt.NDArray[np.bool_]]) -> Verdict:
    """Run a test once per distinct value and spread the answers over the rows.

    Missing cells pass (blank cells are the ``required`` rule's business). Categorical columns
    (how the pipeline reads codes and periods) cost one test per category, not per row.
    """
    codes, values = _categories(series)
    answers = np.append(np.asarray(test(values), dtype=bool), True)  # code -1 (missing) passes
    return verdict(answers[codes], series.index)


def member_of(codes: frozenset[str]) -> Callable[[list[str]], npt.NDArray[np.bool_]]:
    """A per-value test: is the value one of ``codes``."""
    return lambda values: np.fromiter((v in codes for v in values), dtype=bool, count=len(values))


def numbers(frame: pd.DataFrame, column: str) -> npt.NDArray[np.float64]:
    """A column as floats (NaN where blank or not a number)."""
    series = frame[column]
    if not pd.api.types.is_float_dtype(series.dtype):
        series = pd.to_numeric(series, errors="coerce")
    return np.asarray(series, dtype=np.float64)


def _shaped(values: list[str]) -> npt.NDArray[np.bool_]:
    text = pd.Series(values, dtype="str")
    return np.asarray(text.str.fullmatch(r"\d{4}-\d{2}").fillna(value=False), dtype=bool)


def _real_month(values: list[str]) -> npt.NDArray[np.bool_]:
    month = pd.to_numeric(pd.Series(values, dtype="str").str.slice(5, 7), errors="coerce")
    # a badly shaped period is reported by period_format only
    answer: npt.NDArray[np.bool_] = ~_shaped(values) | np.asarray(month.between(1, 12), dtype=bool)
    return answer


def _plausible_year(values: list[str]) -> npt.NDArray[np.bool_]:
    year = pd.to_numeric(pd.Series(values, dtype="str").str.slice(0, 4), errors="coerce")
    answer: npt.NDArray[np.bool_] = ~_shaped(values) | np.asarray(year >= MIN_YEAR, dtype=bool)
    return answer


class Extract(pa.DataFrameModel):
    """One row per KPI, area and month, as a data owner sends it (after the header is read).

    Codes, periods and status are categorical so that rules cost one test per distinct value.
    """

    kpi_code: Series[Category]
    area_code: Series[Category]
    period: Series[Category]
    value: Series[float] = pa.Field(nullable=True)
    numerator: Series[float] = pa.Field(nullable=True)
    denominator: Series[float] = pa.Field(nullable=True)
    status: Series[Category]
    note: Series[str] = pa.Field(nullable=True)

    class Config:
        """Strict: a column the model does not name is an error; cells are coerced."""

        name = "extract"
        strict = True
        coerce = True

    @pa.check("period", name="period_format")
    @classmethod
    def _period_format(cls, series: Series[Category]) -> Verdict:
        return per_value(series, _shaped)

    @pa.check("period", name="real_month")
    @classmethod
    def _real_month(cls, series: Series[Category]) -> Verdict:
        return per_value(series, _real_month)

    @pa.check("period", name="plausible_year")
    @classmethod
    def _plausible_year(cls, series: Series[Category]) -> Verdict:
        return per_value(series, _plausible_year)

    @pa.check("numerator", "denominator", name="count_size")
    @classmethod
    def _count_size(cls, series: Series[float]) -> Verdict:
        return verdict(~(series.to_numpy(dtype=np.float64) > MAX_COUNT), series.index)

    @pa.check("note", name="no_nul")
    @classmethod
    def _no_nul(cls, series: Series[str]) -> Verdict:
        found = series.str.contains("\x00", regex=False).fillna(value=False)
        return verdict(~np.asarray(found, dtype=bool), series.index)

    @pa.check("value", "numerator", "denominator", name="finite")
    @classmethod
    def _finite(cls, series: Series[float]) -> Verdict:
        values = series.to_numpy(dtype=np.float64)
        return verdict(np.isfinite(values) | np.isnan(values), series.index)

    @pa.check("numerator", "denominator", name="non_negative")
    @classmethod
    def _counts_non_negative(cls, series: Series[float]) -> Verdict:
        return verdict(~(series.to_numpy(dtype=np.float64) < 0), series.index)

    @pa.check("status", name="status")
    @classmethod
    def _status(cls, series: Series[Category]) -> Verdict:
        return per_value(series, member_of(frozenset(STATUSES)))

    @pa.check("note", name="note_length")
    @classmethod
    def _note_length(cls, series: Series[str]) -> Verdict:
        return verdict(np.asarray(series.str.len() <= NOTE_MAX_CHARS, dtype=bool), series.index)


@dataclass(frozen=True)
class FrameworkFacts:
    """What the extract rules need from the framework, precomputed once per validation."""

    kpis: frozenset[str]
    areas: frozenset[str]
    kpi_areas: dict[str, frozenset[str]]
    units: dict[str, Unit]

    @classmethod
    def of(cls, fw: Framework) -> FrameworkFacts:
        """The facts of a framework."""
        return cls(
            kpis=frozenset(k.code for k in fw.kpis),
            areas=frozenset(a.code for a in fw.areas),
            kpi_areas={k.code: frozenset(a.code for a in fw.kpi_areas(k.code)) for k in fw.kpis},
            units={k.code: k.unit for k in fw.kpis},
        )


@dataclass(frozen=True)
class RowUnits:
    """Per row, from the row's KPI: the factor, whether it is a % and whether it may be < 0."""

    factor: npt.NDArray[np.float64]  # NaN where the KPI is unknown
    percent: npt.NDArray[np.bool_]
    signed: npt.NDArray[np.bool_]


def row_units(frame: pd.DataFrame, facts: FrameworkFacts) -> RowUnits:
    """The unit facts of each row's KPI, one lookup per distinct KPI code."""
    codes, kpis = _categories(frame["kpi_code"])
    units = [facts.units.get(code) for code in kpis]
    return RowUnits(
        factor=np.array([math.nan if u is None else factor(u) for u in units] + [math.nan])[codes],
        percent=np.array([u == Unit.PERCENT for u in units] + [False], dtype=bool)[codes],
        signed=np.array([u in SIGNED_UNITS for u in units] + [True], dtype=bool)[codes],
    )


def key_codes(frame: pd.DataFrame) -> tuple[npt.NDArray[np.int64], int]:
    """One integer per (kpi_code, area_code, period) and how many distinct keys are possible.

    Rows with a blank key cell get -1.
    """
    key = np.zeros(len(frame), dtype=np.int64)
    blank = np.zeros(len(frame), dtype=bool)
    space = 1
    for column in KEY_COLUMNS:
        codes, values = _categories(frame[column])
        blank |= codes < 0
        key = key * len(values) + np.maximum(codes, 0)
        space *= max(len(values), 1)
    return np.where(blank, -1, key), space


def duplicated_keys(frame: pd.DataFrame) -> npt.NDArray[np.bool_]:
    """Rows whose key already appeared on an earlier row (rows with a blank key cell excluded)."""
    key, space = key_codes(frame)
    filled = key >= 0
    # counting is O(rows) and most files have no duplicates; find them the slower way if any
    small = space <= 4 * len(frame) + 1024
    if small and int(np.bincount(key[filled], minlength=space).max(initial=0)) <= 1:
        return np.zeros(len(frame), dtype=bool)
    return np.asarray(pd.Series(key).duplicated().to_numpy() & filled, dtype=bool)


def _frame_checks(facts: FrameworkFacts, cap: int) -> list[pa.Check]:
    """The rules that look at several columns of a row, or at the whole file."""
    memo: dict[int, RowUnits] = {}

    def units_of(frame: pd.DataFrame) -> RowUnits:
        # every frame check of one validation sees the same frame: look its KPIs up once
        if id(frame) not in memo:
            memo.clear()
            memo[id(frame)] = row_units(frame, facts)
        return memo[id(frame)]

    def kpi_area(frame: pd.DataFrame) -> Verdict:
        kpi_codes, kpis = _categories(frame["kpi_code"])
        area_codes, areas = _categories(frame["area_code"])
        unknown = ~member_of(facts.areas)(areas)  # unknown areas: known_area's business
        allowed = np.ones((len(kpis) + 1, len(areas) + 1), dtype=bool)
        for i, code in enumerate(kpis):
            if code in facts.kpi_areas:  # unknown KPIs: known_kpi's business
                allowed[i, :-1] = member_of(facts.kpi_areas[code])(areas) | unknown
        return verdict(allowed[kpi_codes, area_codes], frame.index)

    def unique_key(frame: pd.DataFrame) -> Verdict:
        return verdict(~duplicated_keys(frame), frame.index)

    def value_required(frame: pd.DataFrame) -> Verdict:
        given = ~np.isnan(numbers(frame, "value"))
        both = ~np.isnan(numbers(frame, "numerator")) & ~np.isnan(numbers(frame, "denominator"))
        return verdict(given | both, frame.index)

    def percent_range(frame: pd.DataFrame) -> Verdict:
        value = numbers(frame, "value")
        outside = units_of(frame).percent & ((value < 0) | (value > 100))
        return verdict(~outside, frame.index)

    def value_non_negative(frame: pd.DataFrame) -> Verdict:
        units = units_of(frame)
        # percentages have their own, sharper rule (0 to 100)
        negative = ~units.signed & ~units.percent & (numbers(frame, "value") < 0)
        return verdict(~negative, frame.index)

    def magnitude(frame: pd.DataFrame) -> Verdict:
        codes, kpis = _categories(frame["kpi_code"])
        units = [facts.units.get(k) for k in kpis]  # a % has its own rule, percent_range
        limits = [math.inf if u is None else MAGNITUDE_LIMITS.get(u, math.inf) for u in units]
        limit = np.array([*limits, math.inf])[codes]
        value = np.abs(numbers(frame, "value"))
        return verdict(~(np.isfinite(value) & (value > limit)), frame.index)

    def numerator_le_denominator(frame: pd.DataFrame) -> Verdict:
        above = numbers(frame, "numerator") > numbers(frame, "denominator")
        return verdict(~(units_of(frame).percent & above), frame.index)

    def denominator_positive(frame: pd.DataFrame) -> Verdict:
        zero = ~np.isnan(numbers(frame, "numerator")) & (numbers(frame, "denominator") == 0)
        return verdict(~zero, frame.index)

    def value_agrees(frame: pd.DataFrame) -> Verdict:
        units = units_of(frame)
        numerator = numbers(frame, "numerator")
        denominator = numbers(frame, "denominator")
        value = numbers(frame, "value")
        with np.errstate(divide="ignore", invalid="ignore"):
            expected = numerator / denominator * units.factor
            checkable = np.isfinite(expected) & ~np.isnan(value) & (denominator > 0)
            # a % numerator above its denominator is reported by its own rule
            checkable &= ~(units.percent & (numerator > denominator))
            off = checkable & (np.abs(value - expected) > tolerance(expected))
        return verdict(~off, frame.index)

    checks: list[tuple[Callable[[pd.DataFrame], Verdict], str]] = [
        (kpi_area, "kpi_area"),
        (unique_key, "unique_key"),
        (value_required, "value_required"),
        (percent_range, "percent_range"),
        (value_non_negative, "non_negative"),
        (magnitude, "magnitude"),
        (numerator_le_denominator, "numerator_le_denominator"),
        (denominator_positive, "denominator_positive"),
        (value_agrees, "value_agrees"),
    ]
    return [pa.Check(fn, name=name, n_failure_cases=cap) for fn, name in checks]


def extract_schema(fw: Framework, latest_period: str, cap: int = 1_000) -> pa.DataFrameSchema:
    """The extract model plus the framework's rules, for periods up to ``latest_period``.

    Args:
        fw: the framework whose KPI and area codes, units and KPI areas the rows must fit.
        latest_period: the last period allowed (the current month, ``YYYY-MM``).
        cap: how many failing rows a multi-column rule reports at most.

    Returns:
        A Pandera schema to validate with ``lazy=True``; each check is named by its rule id.
    """
    facts = FrameworkFacts.of(fw)

    def known(codes: frozenset[str]) -> Callable[[pd.Series], Verdict]:
        return lambda series: per_value(series, member_of(codes))

    def not_derived(series: pd.Series) -> Verdict:
        derived = member_of(DERIVED_KPIS)
        return per_value(series, lambda values: ~derived(values))

    def not_future(series: pd.Series) -> Verdict:
        def test(values: list[str]) -> npt.NDArray[np.bool_]:
            later = np.array([v > latest_period for v in values], dtype=bool)
            answer: npt.NDArray[np.bool_] = ~(_shaped(values) & _real_month(values) & later)
            return answer

        return per_value(series, test)

    base = Extract.to_schema()
    added = {
        "kpi_code": [
            pa.Check(known(facts.kpis), name="known_kpi"),
            pa.Check(not_derived, name="not_derived"),
        ],
        "area_code": [pa.Check(known(facts.areas), name="known_area")],
        "period": [pa.Check(not_future, name="not_future")],
    }
    schema = base.update_columns(
        {name: {"checks": [*base.columns[name].checks, *checks]} for name, checks in added.items()}
    )
    schema.checks = [*schema.checks, *_frame_checks(facts, cap)]
    return schema
