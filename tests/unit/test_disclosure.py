"""Small-number suppression: 1-7 people at sub-ICB areas are never published."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from scorecard.statistics.disclosure import (
    SUPPRESSION_NOTE,
    apply_suppression,
    hidden_cells,
    is_suppressed,
    published_result,
    shown,
)
from scorecard.statistics.spc import analyse
from scorecard.thread.domain import (
    Area,
    AreaType,
    Direction,
    Framework,
    Frequency,
    Kpi,
    Provenance,
    Tier,
    Unit,
)
from scorecard.thread.numbers import SUPPRESSED_MARK

ICB = Area("QPM", "NHS Northamptonshire ICB", AreaType.SYSTEM)
PLACE = Area("E06000061", "North Northamptonshire", AreaType.PLACE, "QPM")
TRUST = Area("RNS", "Northampton General Hospital", AreaType.PROVIDER, "QPM")
PCN = Area("PCN1", "A PCN", AreaType.PCN, "E06000061")
LAP = Area("LAP1", "A local area partnership", AreaType.LAP, "E06000061")


def make_kpi(code: str = "K1", unit: Unit = Unit.COUNT, suppress: bool = True) -> Kpi:
    return Kpi(
        code=code,
        name=f"KPI {code}",
        definition="d",
        numerator="n",
        denominator="d",
        unit=unit,
        direction=Direction.DECREASE,
        frequency=Frequency.MONTHLY,
        tier=Tier.LEAD,
        owner_role="Owner",
        data_source="s",
        area_types=(AreaType.SYSTEM, AreaType.PLACE, AreaType.PROVIDER),
        provenance=Provenance.ILLUSTRATIVE,
        source="test",
        suppress_small_numbers=suppress,
    )


COUNT = make_kpi("C", Unit.COUNT)
PERCENT = make_kpi("P", Unit.PERCENT)
RATE = make_kpi("R", Unit.RATE)
OFF = make_kpi("X", Unit.COUNT, suppress=False)


@pytest.mark.parametrize(
    ("kpi", "area", "value", "numerator", "denominator", "expected"),
    [
        pytest.param(COUNT, PLACE, 0, None, None, False, id="count-zero-published"),
        pytest.param(COUNT, PLACE, 1, None, None, True, id="count-one-suppressed"),
        pytest.param(COUNT, PLACE, 7, None, None, True, id="count-seven-suppressed"),
        pytest.param(COUNT, PLACE, 8, None, None, False, id="count-eight-published"),
        pytest.param(COUNT, PLACE, 7.4, None, None, True, id="count-rounds-to-seven"),
        pytest.param(COUNT, PLACE, 7.6, None, None, False, id="count-rounds-to-eight"),
        pytest.param(COUNT, PLACE, 0.4, None, None, False, id="count-rounds-to-zero"),
        pytest.param(COUNT, ICB, 3, None, None, False, id="icb-level-never"),
        pytest.param(COUNT, TRUST, 3, None, None, True, id="provider"),
        pytest.param(COUNT, PCN, 3, None, None, True, id="pcn"),
        pytest.param(COUNT, LAP, 3, None, None, True, id="lap"),
        pytest.param(OFF, PLACE, 3, None, None, False, id="kpi-setting-off"),
        pytest.param(COUNT, PLACE, None, None, None, False, id="missing-value"),
        pytest.param(COUNT, PLACE, math.nan, None, None, False, id="nan-value"),
        pytest.param(COUNT, PLACE, 20, 5, 40, True, id="count-small-numerator"),
        pytest.param(PERCENT, PLACE, 50.0, 5, 10, True, id="percent-small-numerator"),
        pytest.param(PERCENT, PLACE, 50.0, 8, 16, False, id="percent-numerator-eight"),
        pytest.param(PERCENT, PLACE, 0.0, 0, 5, False, id="percent-zero-numerator"),
        pytest.param(PERCENT, PLACE, 5.0, None, None, False, id="percent-value-not-a-count"),
        pytest.param(PERCENT, ICB, 50.0, 5, 10, False, id="percent-at-icb"),
        pytest.param(RATE, TRUST, 3.2, 2, 6250, True, id="rate-small-numerator"),
    ],
)
def test_is_suppressed(kpi, area, value, numerator, denominator, expected):
    assert is_suppressed(kpi, area, value, numerator, denominator) is expected


def framework(*kpis: Kpi) -> Framework:
    return Framework(
        population_outcomes=(),
        ambitions=(),
        pillars=(),
        outcomes=(),
        bricks=(),
        kpis=kpis,
        i_statements=(),
        areas=(ICB, PLACE, TRUST),
        links=(),
    )


def test_apply_suppression_hides_value_and_counts_but_keeps_the_input():
    fw = framework(COUNT, PERCENT)
    frame = pd.DataFrame(
        {
            "kpi_code": ["C", "C", "C", "P", "P", "UNKNOWN"],
            "area_code": ["QPM", "E06000061", "RNS", "RNS", "RNS", "RNS"],
            "period": ["2025-01"] * 6,
            "value": [3.0, 3.0, 12.0, 40.0, 50.0, 2.0],
            "numerator": [None, None, None, 4.0, 20.0, None],
            "denominator": [None, None, None, 10.0, 40.0, None],
        }
    )
    out = apply_suppression(fw, frame)
    assert out["suppressed"].tolist() == [False, True, False, True, False, False]
    assert out["value"].isna().tolist() == [False, True, False, True, False, False]
    assert math.isnan(out.loc[3, "numerator"])
    assert math.isnan(out.loc[3, "denominator"])
    # The caller's frame (the store's values) is untouched.
    assert frame["value"].tolist() == [3.0, 3.0, 12.0, 40.0, 50.0, 2.0]
    assert "suppressed" not in frame.columns


def test_apply_suppression_keeps_an_earlier_flag():
    fw = framework(COUNT)
    frame = pd.DataFrame(
        {"kpi_code": ["C"], "area_code": ["QPM"], "value": [None], "suppressed": [True]}
    )
    assert apply_suppression(fw, frame)["suppressed"].tolist() == [True]


def test_shown_and_note():
    assert shown(3.0, True) == SUPPRESSED_MARK
    assert shown(None, False) == "–"
    assert shown(1234.0, False) == "1,234"
    assert shown(12.345, False) == "12.3"
    assert "1-7" in SUPPRESSION_NOTE
    assert SUPPRESSED_MARK in SUPPRESSION_NOTE


def test_secondary_suppression_hides_the_smallest_other_part_or_the_total(framework):
    def cells(values: dict[str, float]) -> dict[str, str]:
        frame = pd.DataFrame(
            [
                {"kpi_code": "ACT-CRAVOID", "area_code": a, "period": "2025-01", "value": v}
                for a, v in values.items()
            ]
        )
        found = hidden_cells(framework, frame)
        return {
            a: "primary" if p else "secondary" if s else ""
            for a, p, s in zip(
                frame["area_code"], found["primary"], found["secondary"], strict=True
            )
        }

    # one part small, total published: the other part goes too
    assert cells({"QPM": 305, "E06000061": 5, "E06000062": 300}) == {
        "QPM": "",
        "E06000061": "primary",
        "E06000062": "secondary",
    }
    # no other part published: the total goes
    assert cells({"QPM": 5, "E06000061": 5}) == {"QPM": "secondary", "E06000061": "primary"}
    # both parts small: their sum (9) is not small, nothing more to hide
    assert cells({"QPM": 9, "E06000061": 5, "E06000062": 4}) == {
        "QPM": "",
        "E06000061": "primary",
        "E06000062": "primary",
    }
    # both parts small and so is their sum: the total goes too
    assert cells({"QPM": 5, "E06000061": 3, "E06000062": 2})["QPM"] == "secondary"
    # nothing small: nothing hidden
    assert set(cells({"QPM": 305, "E06000061": 50, "E06000062": 255}).values()) == {""}


def test_a_published_result_withholds_the_lines_that_would_give_a_hidden_point_away():
    values = [40.0, 42, 39, 41, 44, 40, 38, 43, 41, 40, 42, 39, 41, 40, 43, 5]
    result = analyse(values, "decrease")
    hidden = np.array([False] * 15 + [True])
    shown = published_result(result, hidden)
    recovered = result.mean * len(values) - sum(values[:-1])
    assert recovered == pytest.approx(5)  # what the exact mean gave away
    assert shown.mean is None
    assert shown.upl is None
    assert shown.lpl is None
    for line in (shown.points.mean, shown.points.upl, shown.points.lpl, shown.points.upper_2s):
        assert np.isnan(line).all()
    assert math.isnan(shown.points.values[-1])
    assert shown.points.values[0] == 40
    assert shown.variation == result.variation  # the icon is kept
    assert published_result(result, np.zeros(16, dtype=bool)) is result
