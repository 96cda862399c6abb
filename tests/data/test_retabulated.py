"""The re-tabulated published files converted to KPI extracts and comparisons, and bad copies."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from cli_process import run_scorecard

from scorecard.data.retabulated import (
    AE_ATTENDANCES,
    ASC_SEQUEL,
    DRD_AVERAGE_DELAY,
    SPECS,
    UCR_REFERRALS,
    convert,
    main,
)
from scorecard.thread.errors import UserError
from scorecard.thread.framework import load_framework

REPO_ROOT = Path(__file__).resolve().parents[2]
SOURCE = REPO_ROOT / "data" / "published" / "retabulated"
DRD = "nhse_drd_monthly_2024_25.csv"
UCR = "nhse_ucr_2h_monthly_2024_25.csv"


@pytest.fixture(scope="module")
def fw():
    return load_framework(REPO_ROOT / "data" / "framework")


def _rows(name: str) -> list[dict[str, str]]:
    with (SOURCE / name).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_drd_average_delay_is_bed_days_over_delayed_discharges(fw) -> None:
    done = convert(SOURCE / DRD, fw)
    extract = done.extract.set_index(["kpi_code", "area_code", "period"])
    # QPM, April 2024, as printed: 4019 bed days after the DRD over 446 delayed discharges
    qpm = extract.loc[("ACT-DRDDELAY", "QPM", "2024-04")]
    assert (qpm["numerator"], qpm["denominator"]) == (4019, 446)
    assert qpm["value"] == pytest.approx(4019 / 446)
    areas = set(done.extract["area_code"])
    assert areas == {"QPM", "E06000061", "E06000062", "RNS", "RNQ"}  # RP1 is not in the file
    assert len(done.extract) == 5 * 12
    assert set(done.keys) == {DRD_AVERAGE_DELAY}
    # every organisation of the file is kept for comparisons, at its level
    source = _rows(DRD)
    compared = done.comparisons[done.comparisons["source_key"] == DRD_AVERAGE_DELAY]
    assert len(compared) == len(source)
    levels = compared.groupby("org_level").size().to_dict()
    assert levels == {"england": 12, "icb": 504, "council": 1836, "trust": 1511}
    assert done.source.file == DRD
    assert "re-tabulated" in done.source.publication


def test_ucr_loads_the_icb_and_nhft_and_keeps_referrals_apart(fw) -> None:
    done = convert(SOURCE / UCR, fw)
    assert set(done.extract["area_code"]) == {"QPM", "RP1"}
    rp1 = done.extract.set_index(["area_code", "period"]).loc[("RP1", "2024-04")]
    assert rp1["value"] == 90.0
    assert rp1["numerator"] != rp1["numerator"]  # referrals are not the denominator: NaN
    referrals = done.comparisons[done.comparisons["source_key"] == UCR_REFERRALS]
    assert referrals.set_index(["org_code", "period"]).at[("RP1", "2024-04"), "value"] == 385


def test_ae_maps_the_icb_ons_code_and_ascof_is_annual(fw) -> None:
    ae = convert(SOURCE / "healthyr_ae_monthly_2021_2025.csv", fw)
    attendances = ae.extract[ae.extract["kpi_code"] == "SYS-AEATT"]
    assert attendances.set_index(["area_code", "period"]).at[("QPM", "2022-04"), "value"] == 27364
    compared = ae.comparisons[ae.comparisons["source_key"] == AE_ATTENDANCES]
    assert "E54000059" in set(compared["org_code"])  # as the file gives it
    ascof = convert(SOURCE / "oflog_asc_measures_all_councils.csv", fw)
    values = ascof.extract.set_index(["area_code", "period"])["value"].to_dict()
    assert values == {
        ("E06000061", "2022-03"): 61.7,
        ("E06000062", "2022-03"): 53.4,
        ("E06000061", "2023-03"): 77.1,
        ("E06000062", "2023-03"): 37.2,
    }
    councils = ascof.comparisons[ascof.comparisons["source_key"] == ASC_SEQUEL]
    england = councils[councils["org_level"] == "england"].set_index("period")["value"]
    assert england["2023-03"] == 78.2  # the England median of 2022-23
    assert "E10000021" in set(councils["org_code"])  # the old county council, comparisons only


def test_the_conversion_round_trips_through_load(fw, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main([str(SOURCE), str(out)]) == 0
    db = tmp_path / "store.duckdb"
    assert run_scorecard("init", "--db", str(db)).returncode == 0
    extracts = sorted(out.glob("*.extract.csv"))
    assert len(extracts) == len(SPECS)
    loaded = run_scorecard("load", *map(str, extracts), "--db", str(db), "--json")
    assert loaded.returncode == 0, loaded.stderr
    from scorecard.data.store import Store

    current = Store(db).current()
    expected = sum(len(convert(SOURCE / spec.file, fw).extract) for spec in SPECS)
    assert len(current) == expected
    assert not current["synthetic"].any()


def _copy(tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copyfile(SOURCE / name, target)
    return target


def _rewrite(path: Path, change) -> None:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    fields = list(rows[0])
    rows, fields = change(rows, fields)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def _problems(path: Path, fw) -> list:
    with pytest.raises(UserError) as caught:
        convert(path, fw)
    return caught.value.problems


def test_a_missing_column_is_named(fw, tmp_path: Path) -> None:
    path = _copy(tmp_path, DRD)
    _rewrite(
        path,
        lambda rows, f: (
            [{k: v for k, v in r.items() if k != "delayed_count"} for r in rows],
            [c for c in f if c != "delayed_count"],
        ),
    )
    (problem,) = _problems(path, fw)
    assert (problem.file, problem.row, problem.column) == (DRD, 1, "delayed_count")
    assert problem.rule == "retabulated.columns"


def test_a_month_outside_the_files_year_is_named(fw, tmp_path: Path) -> None:
    path = _copy(tmp_path, UCR)

    def move(rows, fields):
        rows[4]["period"] = "2025-04-01"
        return rows, fields

    _rewrite(path, move)
    (problem,) = _problems(path, fw)
    assert (problem.row, problem.column, problem.value) == (6, "period", "2025-04-01")
    assert problem.rule == "retabulated.period_in_file_range"
    assert "2024-04 to 2025-03" in problem.sentence()


def test_a_percentage_above_100_is_named(fw, tmp_path: Path) -> None:
    path = _copy(tmp_path, UCR)

    def high(rows, fields):
        rows[2]["two_hour_performance_percent"] = "104.2"
        return rows, fields

    _rewrite(path, high)
    (problem,) = _problems(path, fw)
    assert (problem.row, problem.column, problem.value) == (
        4,
        "two_hour_performance_percent",
        "104.2",
    )
    assert problem.rule == "retabulated.percent_above_100"


def test_a_cli_load_of_a_bad_conversion_writes_nothing(tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    for spec in SPECS:
        _copy(source, spec.file)

    def high(rows, fields):
        rows[0]["general_acute_beds_occupancy_rate"] = "1.2"
        return rows, fields

    _rewrite(source / "healthyr_beds_ga_cc_monthly_2022_2025.csv", high)
    out = tmp_path / "out"
    assert main([str(source), str(out)]) == 1
    assert not (out / "healthyr_beds_ga_cc_monthly_2022_2025.extract.csv").exists()
