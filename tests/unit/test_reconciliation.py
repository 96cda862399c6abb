"""Do the areas add up? Parts against their whole for KPIs the framework declares additive."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from scorecard.statistics.reconciliation import reconcile, wholes_and_parts
from scorecard.thread.domain import AreaType, Framework, Provenance, Reconciliation

PERIODS = ["2024-01", "2024-02", "2024-03"]


def frame(rows: list[tuple[str, str, str, float | None]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["kpi_code", "area_code", "period", "value"])


def declared(framework: Framework, kpi_code: str = "SYS-ATT") -> Framework:
    only = Reconciliation(kpi_code, AreaType.PLACE, Provenance.ILLUSTRATIVE, "test")
    return dataclasses.replace(framework, reconciliations=(only,), _index={})


def test_places_are_the_parts_of_the_icb(framework: Framework) -> None:
    pairs = wholes_and_parts(declared(framework), "SYS-ATT")
    assert [(w.code, [p.code for p in parts]) for w, parts in pairs] == [
        ("QPM", ["E06000061", "E06000062"])
    ]
    assert wholes_and_parts(declared(framework), "SYS-LOS") == []


@pytest.mark.parametrize(
    ("north", "west", "status", "difference"),
    [
        pytest.param(40.0, 60.0, "agrees", 0.0, id="adds-up"),
        pytest.param(50.0, 60.0, "differs", 10.0, id="a-place-off-by-10"),
        pytest.param(40.0, 50.0, "differs", -10.0, id="a-place-short-by-10"),
        pytest.param(40.0, None, "incomplete", None, id="a-place-missing"),
    ],
)
def test_the_parts_against_the_whole(framework, north, west, status, difference) -> None:
    rows = [("SYS-ATT", "QPM", "2024-01", 100.0), ("SYS-ATT", "E06000061", "2024-01", north)]
    if west is not None:
        rows.append(("SYS-ATT", "E06000062", "2024-01", west))
    fw = declared(framework)
    (found,) = reconcile(fw, frame(rows))
    assert (found.status, found.difference) == (status, difference)
    assert found.as_dict()["difference"] == difference
    sentence = found.sentence(fw)
    assert sentence.startswith("January 2024: ")
    if status == "differs":
        assert "10 more than" in sentence or "10 less than" in sentence


def test_only_declared_kpis_and_months_up_to_the_month(framework: Framework) -> None:
    rows = [
        (kpi, area, period, value)
        for kpi in ("SYS-ATT", "SYS-ADM")
        for period in PERIODS
        for area, value in (("QPM", 100.0), ("E06000061", 45.0), ("E06000062", 55.0))
    ]
    found = reconcile(declared(framework), frame(rows), month="2024-02")
    assert [(r.kpi_code, r.period, r.status) for r in found] == [
        ("SYS-ATT", "2024-01", "agrees"),
        ("SYS-ATT", "2024-02", "agrees"),
    ]
    assert reconcile(dataclasses.replace(framework, reconciliations=()), frame(rows)) == []
