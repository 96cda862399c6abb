"""`python -m scorecard scorecard` on a demo store built by the real pipeline (CONTRACT §3)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_process import run_scorecard as scorecard

from scorecard.data.provenance import add_sources
from scorecard.data.reviews import Reviews
from scorecard.data.store import Store, store_events
from scorecard.reports.derived import (
    DERIVED_SOURCE,
    WithDerived,
    benefit_rows,
    with_derived_sources,
)
from scorecard.reports.scoring import (
    CONTRACT_FIELDS,
    JSON_FIELDS,
    SUSTAINABILITY,
    compute_scorecard,
)
from scorecard.statistics.spc_icons import ASSURANCES, VARIATIONS
from scorecard.thread.domain import DERIVED_KPIS, with_events
from scorecard.thread.framework import load_framework

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("scorecard-cli") / "demo.duckdb"
    done = scorecard("demo", "--db", str(db))
    assert done.returncode == 0, done.stderr
    return db


@pytest.fixture(scope="session")
def latest(demo_db: Path) -> str:
    return Store(demo_db).periods()[-1]


@pytest.fixture(scope="session")
def rows(demo_db: Path, latest: str) -> list[dict[str, object]]:
    done = scorecard("scorecard", "--month", latest, "--json", "--db", str(demo_db))
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert isinstance(data, list)
    return data


def test_every_kpi_and_area_has_a_row_with_exactly_the_contract_fields(rows, latest):
    fw = load_framework(REPO / "data" / "framework")
    expected = [(k.code, a.code) for k in fw.kpis for a in fw.kpi_areas(k.code)]
    assert [(r["kpi_code"], r["area_code"]) for r in rows] == expected
    names = {k.code: k.name for k in fw.kpis}
    tiers = {k.code: str(k.tier) for k in fw.kpis}
    directions = {k.code: str(k.direction) for k in fw.kpis}
    for row in rows:
        assert tuple(row) == JSON_FIELDS
        assert [k for k in row if k in CONTRACT_FIELDS] == list(CONTRACT_FIELDS)
        assert row["sustainability"] in SUSTAINABILITY
        assert row["kpi_name"] == names[row["kpi_code"]]
        assert row["tier"] == tiers[row["kpi_code"]]
        assert row["direction"] == directions[row["kpi_code"]]
        assert row["variation"] in VARIATIONS
        assert row["assurance"] in ASSURANCES
        assert isinstance(row["outcome_numbers"], list)
        assert all(isinstance(n, int) and 1 <= n <= 10 for n in row["outcome_numbers"])
        assert isinstance(row["suppressed"], bool)
        assert isinstance(row["n_points"], int)
        assert row["n_points"] >= 0
        if row["period"] is not None:
            assert row["period"] <= latest
            assert row["status"] in ("final", "provisional")
        if row["suppressed"]:
            assert row["value"] is None
        if row["n_points"] < 15:
            assert (row["variation"], row["assurance"]) == ("none", "none")
        if row["assurance"] != "none":
            assert row["target"] is not None
            assert row["direction"] != "neutral"
        if row["tier"] == "lead":
            assert row["outcome_numbers"], row["kpi_code"]
        if row["tier"] == "system":
            assert row["outcome_numbers"] == []


@pytest.mark.parametrize("area", ["RNS", "E06000061"])
def test_no_row_carries_another_areas_target(demo_db, latest, area):
    done = scorecard("scorecard", "--month", latest, "--area", area, "--json", "--db", str(demo_db))
    assert done.returncode == 0, done.stderr
    fw = load_framework(REPO / "data" / "framework")
    own = {(t.kpi_code, t.area_code): t.target for t in fw.area_targets}
    found = json.loads(done.stdout)
    assert found
    for row in found:
        assert row["area_code"] == area
        expected = own.get((row["kpi_code"], area))
        assert row["target"] == expected, row["kpi_code"]
        if expected is None:
            assert row["assurance"] == "none", row["kpi_code"]
    # the trusts and places have targets of their own, so some show real assurance
    assert any(r["assurance"] in ("pass", "fail") for r in found)
    # and the system's over-65 attendances target is not a trust's or a place's
    (att,) = [r for r in found if r["kpi_code"] == "SYS-ATT"]
    assert att["target"] != fw.kpi("SYS-ATT").target_value


def test_every_row_says_whether_a_sustained_shift_needs_a_change_point(rows, latest):
    suggested = [r for r in rows if r["suggested_change_point"] is not None]
    assert suggested, "the demo's drifting KPIs show sustained shifts"
    for row in rows:
        point = row["suggested_change_point"]
        if point is None:
            continue
        assert isinstance(point, str)
        assert len(point) == 7
        assert point[4] == "-"
        assert point <= row["period"] <= latest
        assert row["n_points"] >= 15


def test_the_demo_records_a_change_point_for_each_improvement_it_plants(rows):
    at_icb = {r["kpi_code"]: r for r in rows if r["area_code"] == "QPM"}
    p0 = at_icb["LEAD-P0"]
    assert p0["value"] > p0["target"]
    # the recorded change point starts the improved process: no icon reads "consistently
    # failing" while the value is above the target, and no shift is left to record
    assert p0["assurance"] != "fail"
    assert p0["suggested_change_point"] is None
    assert at_icb["LEAD-NCTR"]["suggested_change_point"] is None


def test_every_demo_value_says_it_is_synthetic_and_where_from(rows):
    with_value = [r for r in rows if r["period"] is not None and not r["suppressed"]]
    assert with_value
    for row in with_value:
        assert row["synthetic"] is True
        if row["kpi_code"] in DERIVED_KPIS:  # from the BRG's synthetic sign-offs
            assert row["source"] == DERIVED_SOURCE
            continue
        assert row["source"].startswith("synthetic demo data, not real (load ")
    for row in rows:
        if row["period"] is None:
            assert (row["synthetic"], row["source"]) == (False, None)


def test_the_demo_month_has_data_and_icons(rows, latest):
    with_data = [r for r in rows if r["period"] == latest]
    assert len(with_data) > 0.8 * len(rows)
    assert any(r["variation"] not in ("common_cause", "none") for r in rows)
    assert any(r["assurance"] != "none" for r in rows)
    # a KPI that suppresses small numbers withholds the mean of a series with a hidden point
    fw = load_framework(REPO / "data" / "framework")
    open_kpis = {k.code for k in fw.kpis if not k.suppress_small_numbers}
    charted = [r for r in with_data if r["n_points"] >= 15 and r["kpi_code"] in open_kpis]
    assert charted
    assert all(r["mean"] is not None for r in charted)


def test_json_matches_the_library(demo_db, latest, rows):
    fw = load_framework(REPO / "data" / "framework")
    live = with_events(fw, store_events(demo_db))
    derived = benefit_rows(fw, Reviews.beside(demo_db).benefit_signoffs(), latest)
    reader = WithDerived(Store(demo_db), derived)
    computed = [r.as_contract_dict() for r in compute_scorecard(live, reader, latest)]
    sourced = with_derived_sources(add_sources(computed, Store(demo_db), latest), derived)
    assert json.loads(json.dumps(sourced)) == rows


def test_the_demo_plants_one_improvement_holding_one_slipping_one_lost(rows):
    at_icb = {r["kpi_code"]: r["sustainability"] for r in rows if r["area_code"] == "QPM"}
    assert at_icb["LEAD-LONGSTAY"] == "holding"
    assert at_icb["ACT-FFD"] == "slipping"
    assert at_icb["ACT-DISCHNOON"] == "lost"
    planted = {"LEAD-LONGSTAY", "ACT-FFD", "ACT-DISCHNOON"}
    # only the planted KPIs have declared improvements: every other row reads "none"
    assert {r["sustainability"] for r in rows if r["kpi_code"] not in planted} == {"none"}


def test_the_real_framework_declares_no_demo_events():
    fw = load_framework(REPO / "data" / "framework")
    assert not [e for e in fw.spc_events if "synthetic" in e.reason.lower()]


def test_one_area(demo_db, latest, rows):
    done = scorecard(
        "scorecard", "--month", latest, "--area", "RNS", "--json", "--db", str(demo_db)
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data
    assert {r["area_code"] for r in data} == {"RNS"}
    assert data == [r for r in rows if r["area_code"] == "RNS"]


def test_an_earlier_month_uses_periods_at_or_before_it(demo_db):
    periods = Store(demo_db).periods()
    month = periods[-7]
    done = scorecard("scorecard", "--month", month, "--json", "--db", str(demo_db))
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert max(r["period"] for r in data if r["period"]) == month


def test_text_output_is_a_table_labelled_synthetic(demo_db, latest):
    done = scorecard("scorecard", "--month", latest, "--area", "QPM", "--db", str(demo_db))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"iCAN scorecard for {latest}, area QPM")
    assert lines[2].split()[:3] == ["KPI", "name", "area"]
    assert "SYNTHETIC demo data: these values are not real." in done.stdout


def test_unknown_area_is_rejected_with_a_sentence(demo_db, latest):
    done = scorecard("scorecard", "--month", latest, "--area", "XYZ", "--db", str(demo_db))
    assert done.returncode == 1
    assert done.stdout == ""
    assert "'XYZ'" in done.stderr
    assert "no area with this code" in done.stderr
    assert "QPM" in done.stderr
    assert "Traceback" not in done.stderr


def test_missing_store_says_how_to_make_one(tmp_path):
    db = tmp_path / "none.duckdb"
    done = scorecard("scorecard", "--month", "2024-01", "--json", "--db", str(db))
    assert done.returncode == 1
    assert f"no store at {db}" in done.stderr
    assert "python -m scorecard demo" in done.stderr
    assert "Traceback" not in done.stderr
    assert not db.exists()


@pytest.mark.parametrize("month", ["2024-13", "24-01", "2024-1", "latest"])
def test_bad_month_is_a_usage_error(month, tmp_path):
    done = scorecard("scorecard", "--month", month, "--db", str(tmp_path / "x.duckdb"))
    assert done.returncode == 2
    assert "YYYY-MM" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_demos_declared_totals_add_up(rows):
    fw = load_framework(REPO / "data" / "framework")
    declared = {r.kpi_code for r in fw.reconciliations}
    assert declared
    found = {r["kpi_code"]: r["reconciliation"] for r in rows if r["reconciliation"] is not None}
    assert set(found) == declared
    for kpi_code, rec in found.items():
        assert rec["status"] == "agrees", kpi_code
        assert rec["difference"] == 0
        assert rec["parts"] == "place"
    # only the whole's row carries the check
    assert {r["area_code"] for r in rows if r["reconciliation"] is not None} == {"QPM"}


def test_a_place_value_off_by_10_shows_a_difference_of_10(tmp_path, latest):
    db = tmp_path / "demo.duckdb"
    assert scorecard("demo", "--db", str(db)).returncode == 0
    done = scorecard(
        "scorecard", "--month", latest, "--area", "E06000061", "--json", "--db", str(db)
    )
    (north,) = [r for r in json.loads(done.stdout) if r["kpi_code"] == "SYS-ATT"]
    extract = tmp_path / "north.csv"
    extract.write_text(
        f"kpi_code,area_code,period,value\nSYS-ATT,E06000061,{latest},{north['value'] + 10:.0f}\n",
        encoding="utf-8",
    )
    assert scorecard("load", str(extract), "--db", str(db)).returncode == 0
    done = scorecard("scorecard", "--month", latest, "--area", "QPM", "--json", "--db", str(db))
    assert done.returncode == 0, done.stderr
    (icb,) = [r for r in json.loads(done.stdout) if r["kpi_code"] == "SYS-ATT"]
    rec = icb["reconciliation"]
    assert (rec["status"], rec["difference"]) == ("differs", 10)
    assert rec["parts_sum"] - rec["whole"] == 10
