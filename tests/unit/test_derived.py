"""ACT-BENEFIT derived from the BRG's sign-offs: the months, the £ values, the join with a store."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from scorecard.data.pipeline_validation import validate_extract
from scorecard.reports.derived import (
    ACT_BENEFIT,
    DERIVED_LOAD_ID,
    DERIVED_SOURCE,
    SYNTHETIC_LABEL,
    SYNTHETIC_SIGNER,
    WithDerived,
    benefit_rows,
    empty_observations,
    is_synthetic,
    joined,
    signed_off_by_month,
    with_derived_sources,
)
from scorecard.thread.domain import DERIVED_KPIS, OBSERVATION_COLUMNS, AreaType, Framework
from scorecard.thread.framework import load_framework

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Entry:
    """A sign-off as ``Reviews.benefit_signoffs`` returns it (the fields derivation reads)."""

    line_code: str
    period: str
    amount_k: float
    author_id: str = "brg@example.nhs.uk"
    note: str = "BRG minute 4"


@pytest.fixture(scope="module")
def fw() -> Framework:
    return load_framework(REPO / "data" / "framework")


def test_act_benefit_is_the_derived_kpi_of_the_framework(fw: Framework) -> None:
    assert {ACT_BENEFIT} == DERIVED_KPIS
    kpi = fw.kpi(ACT_BENEFIT)
    assert kpi.data_source.startswith("Derived from the BRG's sign-offs")
    assert [a.type for a in fw.kpi_areas(ACT_BENEFIT)] == [AreaType.SYSTEM]


def test_a_month_holds_the_rise_in_the_lines_latest_sign_offs() -> None:
    months = ["2025-01", "2025-02", "2025-03", "2025-04", "2025-05"]
    signoffs = [
        Entry("BEN-BED", "2025-01", 100.0),
        Entry("BEN-ADM", "2025-03", 40.0),
        Entry("BEN-BED", "2025-03", 160.0),  # to March: 60 more than to January
        Entry("BEN-BED", "2025-05", 150.0),  # revised down to May: 10 less
        Entry("BEN-XYZ", "2025-02", 999.0),  # not a line of the register: not counted
    ]
    got = signed_off_by_month(signoffs, ["BEN-BED", "BEN-ADM"], months)
    assert got == [100.0, 0.0, 100.0, 0.0, -10.0]
    assert sum(got) == 150.0 + 40.0  # each line's latest sign-off


def test_rows_start_at_the_first_sign_off_and_are_zero_where_nothing_was_signed(
    fw: Framework,
) -> None:
    line = fw.benefits.lines[0].code
    rows = benefit_rows(fw, [Entry(line, "2025-02", 12.5), Entry(line, "2025-04", 20.0)], "2025-06")
    assert list(rows.columns) == list(OBSERVATION_COLUMNS)
    assert list(rows["period"]) == ["2025-02", "2025-03", "2025-04", "2025-05", "2025-06"]
    assert list(rows["value"]) == [12_500.0, 0.0, 7_500.0, 0.0, 0.0]  # £, not £'000
    assert set(rows["kpi_code"]) == {ACT_BENEFIT}
    assert set(rows["area_code"]) == {"QPM"}
    assert set(rows["load_id"]) == {DERIVED_LOAD_ID}
    assert set(rows["note"]) == {DERIVED_SOURCE}
    assert set(rows["status"]) == {"final"}
    assert not rows["synthetic"].any()
    assert rows["numerator"].isna().all()


def test_a_later_sign_off_than_the_end_is_left_out(fw: Framework) -> None:
    line = fw.benefits.lines[0].code
    rows = benefit_rows(fw, [Entry(line, "2025-02", 10.0), Entry(line, "2025-08", 30.0)], "2025-03")
    assert list(rows["value"]) == [10_000.0, 0.0]
    assert benefit_rows(fw, [Entry(line, "2025-08", 30.0)], "2025-03").empty


def test_no_sign_off_is_no_data_not_zero(fw: Framework) -> None:
    assert benefit_rows(fw, [], "2025-06").empty
    unknown = [Entry("BEN-NOPE", "2025-01", 10.0)]
    assert benefit_rows(fw, unknown, "2025-06").empty


def test_the_series_is_synthetic_when_a_sign_off_is(fw: Framework) -> None:
    line = fw.benefits.lines[0].code
    demo = Entry(line, "2025-01", 5.0, author_id=SYNTHETIC_SIGNER, note=f"{SYNTHETIC_LABEL} x")
    assert is_synthetic(demo)
    assert is_synthetic(Entry(line, "2025-01", 5.0, note=f"{SYNTHETIC_LABEL} x"))
    assert not is_synthetic(Entry(line, "2025-01", 5.0))
    rows = benefit_rows(fw, [demo, Entry(line, "2025-02", 9.0)], "2025-03")
    assert rows["synthetic"].all()


def _stored() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "kpi_code": ["ACT-BENEFIT", "ACT-BENEFIT", "SYS-ATT", "SYS-ATT"],
            "area_code": ["QPM", "QPM", "QPM", "RNS"],
            "period": ["2025-01", "2025-02", "2025-01", "2025-01"],
            "value": [893_959.0, 1.0, 4_000.0, 2_000.0],
            "numerator": [float("nan")] * 4,
            "denominator": [float("nan")] * 4,
            "status": ["final"] * 4,
            "note": [""] * 4,
            "load_id": [1, 1, 1, 1],
            "synthetic": [True] * 4,
        }
    )


def test_stored_values_of_a_derived_kpi_are_ignored(fw: Framework) -> None:
    line = fw.benefits.lines[0].code
    derived = benefit_rows(fw, [Entry(line, "2025-02", 3.0)], "2025-02")
    out = joined(_stored(), derived)
    mine = out[out["kpi_code"] == ACT_BENEFIT]
    assert list(mine["period"]) == ["2025-02"]
    assert list(mine["value"]) == [3_000.0]
    assert len(out[out["kpi_code"] == "SYS-ATT"]) == 2
    assert list(out["kpi_code"]) == sorted(out["kpi_code"])  # sorted as the store returns
    # without any sign-off the stored values are dropped all the same
    none = joined(_stored(), empty_observations())
    assert ACT_BENEFIT not in set(none["kpi_code"])
    assert len(none) == 2


def test_the_join_keeps_the_readers_filters(fw: Framework) -> None:
    line = fw.benefits.lines[0].code
    derived = benefit_rows(fw, [Entry(line, "2025-01", 3.0)], "2025-03")
    assert (
        len(joined(_stored(), derived, up_to="2025-02")[lambda f: f.kpi_code == ACT_BENEFIT]) == 2
    )
    only_rns = joined(_stored().iloc[3:], derived, area_codes=["RNS"])
    assert set(only_rns["kpi_code"]) == {"SYS-ATT"}
    other = joined(_stored().iloc[2:3], derived, kpi_codes=["SYS-ATT"])
    assert set(other["kpi_code"]) == {"SYS-ATT"}
    alone = joined(empty_observations(), derived)
    assert list(alone["value"]) == [3_000.0, 0.0, 0.0]


class _Store:
    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self.asked: list[tuple[object, object, object]] = []

    def current(
        self,
        kpi_codes: list[str] | None = None,
        area_codes: list[str] | None = None,
        up_to: str | None = None,
    ) -> pd.DataFrame:
        self.asked.append((kpi_codes, area_codes, up_to))
        frame = self.frame
        if up_to is not None:
            frame = frame[frame["period"] <= up_to]
        return frame.reset_index(drop=True)


def test_a_reader_with_derived_values_reads_the_store_once_with_its_filters(fw: Framework) -> None:
    line = fw.benefits.lines[0].code
    store = _Store(_stored())
    reader = WithDerived(store, benefit_rows(fw, [Entry(line, "2025-01", 7.0)], "2025-02"))
    frame = reader.current(up_to="2025-01")
    assert store.asked == [(None, None, "2025-01")]
    assert frame.loc[frame["kpi_code"] == ACT_BENEFIT, "value"].tolist() == [7_000.0]


def test_json_rows_of_the_derived_kpi_name_the_sign_offs(fw: Framework) -> None:
    line = fw.benefits.lines[0].code
    derived = benefit_rows(fw, [Entry(line, "2025-01", 7.0)], "2025-02")
    rows: list[dict[str, object]] = [
        {"kpi_code": ACT_BENEFIT, "area_code": "QPM", "period": "2025-02", "value": 0.0},
        {"kpi_code": ACT_BENEFIT, "area_code": "QPM", "period": None, "value": None},
        {"kpi_code": "SYS-ATT", "area_code": "QPM", "period": "2025-02", "source": "x"},
    ]
    out = with_derived_sources(rows, derived)
    assert (out[0]["source"], out[0]["synthetic"]) == (DERIVED_SOURCE, False)
    assert (out[1]["source"], out[1]["synthetic"]) == (None, False)
    assert out[2] == rows[2]


def test_an_extract_of_the_derived_kpi_is_refused_with_a_sentence(fw: Framework) -> None:
    extract = pd.DataFrame(
        {"kpi_code": ["SYS-ATT", "ACT-BENEFIT"], "area_code": ["QPM", "QPM"]}
        | {"period": ["2025-01", "2025-01"], "value": ["4000", "893959"]}
    )
    problems = validate_extract(extract, fw, "benefits.csv", today=dt.date(2025, 6, 1))
    assert len(problems) == 1
    problem = problems[0]
    assert (problem.file, problem.row, problem.column) == ("benefits.csv", 3, "kpi_code")
    assert (problem.value, problem.rule) == ("ACT-BENEFIT", "not_derived")
    assert "ACT-BENEFIT is derived from the BRG sign-offs and cannot be loaded" in problem.message
