"""Discharge delays: pathway 1 discharges from Table 4, and every organisation kept to compare."""

from __future__ import annotations

from pathlib import Path

import pytest

from scorecard.data.connectors.nhse_discharge_delays import (
    SOURCE_KEY_P0,
    SOURCE_KEY_P1,
    discharge_delay_loads,
    read_discharge_delays_edition,
)
from scorecard.thread.framework import load_framework

REPO_ROOT = Path(__file__).resolve().parents[2]
WORKBOOKS = REPO_ROOT / "data" / "published" / "nhse_discharge_delays_acute"


def test_p1_is_the_sum_of_table_4s_three_p1_columns() -> None:
    # october2022.xlsx, sheet "Table 4", columns G:I ("P1 - Domestic home / Other / Hotel with
    # reablement support"), read by eye: QPM row 38 = 161, 0, 0; RNS row 103 = 161, 0, 0;
    # RNQ row 102 = 0, 0, 0.
    frame, edition = read_discharge_delays_edition(WORKBOOKS / "october2022.xlsx")
    p1 = frame.set_index("org_code")["p1_discharges"]
    assert (p1["QPM"], p1["RNS"], p1["RNQ"]) == (161, 161, 0)
    assert edition == "published 10 November 2022, revised 10 August 2023, status Published"


def test_every_region_icb_and_trust_is_kept_for_comparisons() -> None:
    fw = load_framework(REPO_ROOT / "data" / "framework")
    (load,) = discharge_delay_loads(fw, [WORKBOOKS / "april2022.xlsx"])
    compared = load.comparisons.to_pandas()
    p0 = compared[compared["source_key"] == SOURCE_KEY_P0]
    levels = p0.groupby("org_level").size().to_dict()
    assert levels["england"] == 1
    assert levels["region"] == 7
    assert levels["icb"] == 42
    assert levels["trust"] > 100
    england = p0.set_index("org_code").loc["ENGLAND"]
    assert england["org_name"] == "ENGLAND (Type 1 Trusts)"
    assert england["value"] == pytest.approx(england["numerator"] / england["denominator"] * 100)
    assert load.source.edition == "published 11 May 2022, revised 14 December 2023, status Revised"
    # KPI values only for the framework's areas; other ICBs and trusts are comparisons only
    assert set(load.rows["area_code"]) == {"QPM", "RNS", "RNQ"}
    assert "QOP" in set(p0["org_code"])
    assert set(compared["source_key"]) >= {SOURCE_KEY_P0, SOURCE_KEY_P1}
