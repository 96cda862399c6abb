"""Every benchmark at once (statistics.funnels) equals the per-table method, group by group.

The tables are random but seeded (synthetic figures): over-dispersed proportions, small
groups, missing and impossible counts, a zero denominator, England missing or at 0%, ties,
a measure in days and every direction. Each organisation of each (measure, month, level)
must get exactly the ``Benchmark`` that ``benchmark_of(level_table(...))`` gives it.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from scorecard.statistics.benchmark import (
    LEVEL_OF_AREA_TYPE,
    Band,
    Benchmark,
    PeerTable,
    benchmark_of,
    level_table,
    split_comparisons,
)
from scorecard.statistics.benchmark_many import (
    benchmarks_for,
    benchmarks_of_sorted,
    sorted_comparisons,
)
from scorecard.thread.domain import Direction, Framework, Kpi, Unit

TYPE_OF_LEVEL = {level: area_type for area_type, level in LEVEL_OF_AREA_TYPE.items()}
MEASURES = (
    ("k-rise", Unit.PERCENT, Direction.INCREASE),
    ("k-fall", Unit.PERCENT, Direction.DECREASE),
    ("k-flat", Unit.PERCENT, Direction.NEUTRAL),
    ("k-days", Unit.DAYS, Direction.DECREASE),
    ("k-nocounts", Unit.PERCENT, Direction.INCREASE),
)
PERIODS = ("2023-11", "2023-12", "2024-01")


def _row(key: str, period: str, level: str, code: str, value, num, den) -> dict[str, object]:
    return {
        "org_code": code,
        "org_name": f"Synthetic {code}",
        "org_level": level,
        "source_key": key,
        "period": period,
        "value": value,
        "numerator": num,
        "denominator": den,
    }


def _table(seed: int) -> pd.DataFrame:
    """A synthetic comparison table: every measure × month × level, England's row included."""
    rng = np.random.default_rng(seed)
    rows: list[dict[str, object]] = []
    for key, _unit, _direction in MEASURES:
        for period in PERIODS:
            target = float(rng.uniform(0.2, 0.9))
            england = rng.choice(["ok", "ok", "ok", "ok", "missing", "zero", "nan"])
            if england == "ok":
                rows.append(_row(key, period, "england", "ENG", target * 100, target * 1e6, 1e6))
            elif england == "zero":
                rows.append(_row(key, period, "england", "ENG", 0.0, 0.0, 1e6))
            elif england == "nan":
                rows.append(_row(key, period, "england", "ENG", np.nan, np.nan, np.nan))
            for level in ("icb", "trust", "council"):
                size = int(rng.choice([1, 3, 4, 5, 6, 12, 42, 80]))
                spread = float(rng.choice([0.0, 0.02, 0.08]))
                codes = sorted(rng.choice(200, size=size, replace=False).tolist())
                for c in codes:
                    code = f"{level[0].upper()}{c:03d}"
                    den = float(rng.integers(50, 5000))
                    p = float(np.clip(rng.normal(target, spread), 0.01, 0.99))
                    num = float(rng.binomial(int(den), p))
                    if rng.random() < 0.1:  # a tie with the previous organisation
                        num, den = (rows[-1]["numerator"], rows[-1]["denominator"])  # type: ignore[assignment]
                    flaw = rng.random()
                    if flaw < 0.04:
                        num = np.nan
                    elif flaw < 0.07:
                        den = 0.0
                    elif flaw < 0.10:
                        num = den + 5.0
                    elif flaw < 0.11:
                        num = -1.0
                    value = np.nan if den == 0 or num != num else 100 * num / den
                    if key == "k-days":
                        value, num, den = float(rng.gamma(4.0, 2.0)), np.nan, np.nan
                        if rng.random() < 0.05:
                            value = np.nan
                    elif key == "k-nocounts":
                        num, den = np.nan, np.nan
                    rows.append(_row(key, period, level, code, value, num, den))
    return pd.DataFrame(rows).sample(frac=1.0, random_state=seed)  # order must not matter


def _kpis(framework: Framework) -> dict[str, Kpi]:
    base = framework.kpi("LEAD-P0")
    return {
        f"K-{key}": replace(base, code=f"K-{key}", source_key=key, unit=unit, direction=direction)
        for key, unit, direction in MEASURES
    }


@pytest.mark.parametrize("seed", range(12))
def test_every_group_equals_the_per_table_method(framework: Framework, seed: int) -> None:
    frame = _table(seed)
    kpis = _kpis(framework)
    types = {
        str(code): TYPE_OF_LEVEL[str(level)]
        for code, level in zip(frame["org_code"], frame["org_level"], strict=True)
        if level in TYPE_OF_LEVEL
    }
    wanted = [
        (kpi_code, area, period)
        for kpi_code in kpis
        for area in [*sorted(types), "NOT-AN-ORG"]
        for period in [*PERIODS, "2099-01"]
    ]
    split = split_comparisons(frame)
    expected: dict[tuple[str, str, str], Benchmark] = {}
    tables: dict[tuple[str, str, str], PeerTable | None] = {}
    for kpi_code, area, period in wanted:
        kpi = kpis[kpi_code]
        level = LEVEL_OF_AREA_TYPE.get(types.get(area, ""))
        if level is None:
            continue
        at = (kpi_code, period, level)
        if at not in tables:
            tables[at] = level_table(
                split, kpi.source_key, period, level, str(kpi.unit), kpi.direction
            )
        table = tables[at]
        found = benchmark_of(table, area) if table is not None else None
        if found is not None:
            expected[(kpi_code, area, period)] = found

    at_once = benchmarks_of_sorted(wanted, kpis, types, sorted_comparisons(frame))
    assert set(at_once) == set(expected)
    for key, benchmark in expected.items():
        assert at_once[key] == benchmark, key
    assert benchmarks_for(wanted, kpis, types, split) == at_once


def test_the_random_tables_reach_every_case(framework: Framework) -> None:
    """The property above is not vacuous: the seeds cover each branch of the method."""
    kpis = _kpis(framework)
    seen: list[Benchmark] = []
    for seed in range(12):
        frame = _table(seed)
        types = {
            str(c): TYPE_OF_LEVEL[str(lv)]
            for c, lv in zip(frame["org_code"], frame["org_level"], strict=True)
            if lv in TYPE_OF_LEVEL
        }
        wanted = [(k, a, p) for k in kpis for a in types for p in PERIODS]
        seen += benchmarks_of_sorted(wanted, kpis, types, sorted_comparisons(frame)).values()
    reasons = " ".join(b.reason for b in seen)
    for phrase in (
        "Only 1 organisation reported",
        "England's value for the month is not in the comparison data",
        "England's proportion is 0",
        "no denominator",
        "left out of the funnel",
    ):
        assert phrase in reasons
    assert {b.band for b in seen} >= {Band.SIMILAR, Band.NOT_COMPARABLE, Band.WORSE_998}
    assert any(b.band in (Band.BETTER_95, Band.BETTER_998) for b in seen)
    assert any(b.tau2 for b in seen if b.method == "funnel")
    assert any(b.tau2 == 0.0 for b in seen if b.method == "funnel")
    assert any(b.excluded for b in seen)
    ranks = [b.rank for b in seen if b.rank]
    assert len(ranks) > len(set(ranks))  # ties share a rank somewhere
