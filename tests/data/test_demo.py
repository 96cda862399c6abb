"""The synthetic demo store: shape, ranges, calibration, planted special causes, atomic build."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from schemas.extract import extract_schema, tolerance
from scorecard.cli import main
from scorecard.data.store import Store, store_events
from scorecard.reports.scoring import compute_scorecard
from scorecard.statistics import sustain
from scorecard.statistics.reconciliation import reconcile
from scorecard.statistics.spc import analyse
from scorecard.synthetic import demo, demo_plants, demo_profiles, demo_series
from scorecard.thread.domain import (
    DERIVED_KPIS,
    EXTRACT_COLUMNS,
    AreaType,
    Direction,
    Framework,
    SpcEvent,
    SpcEventKind,
    Unit,
    with_events,
)

REPO_FRAMEWORK = Path(__file__).resolve().parents[2] / "data" / "framework"
REALDATA = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "realdata"
END = "2026-10"  # a fixed window (Nov 2023 - Oct 2026) so the tests do not move with the date
MONTHS = 36
SEEDS = (demo_series.DEFAULT_SEED, 1, 2, 3, 4, 5, 6, 7)


@pytest.fixture(scope="module")
def frame(framework: Framework) -> pd.DataFrame:
    return demo_series.generate_demo(framework, MONTHS, demo_series.DEFAULT_SEED, END)


@pytest.fixture(scope="module")
def causes(framework: Framework) -> dict[str, demo_plants.PlantedCause]:
    return {c.kind: c for c in demo_plants.planted_causes(framework, MONTHS, END)}


def series(df: pd.DataFrame, kpi: str, area: str = "QPM") -> pd.DataFrame:
    rows = df[(df["kpi_code"] == kpi) & (df["area_code"] == area)]
    return rows.sort_values("period").reset_index(drop=True)


# Shape


def test_every_kpi_area_and_month_once(framework: Framework, frame: pd.DataFrame) -> None:
    # a derived KPI (ACT-BENEFIT) comes from the BRG's sign-offs, never from the generator
    loaded = [k for k in framework.kpis if k.code not in DERIVED_KPIS]
    expected = sum(len(framework.kpi_areas(k.code)) for k in loaded) * MONTHS
    assert len(frame) == expected
    assert not frame["kpi_code"].isin(DERIVED_KPIS).any()
    assert not frame.duplicated(["kpi_code", "area_code", "period"]).any()
    assert list(frame.columns) == list(EXTRACT_COLUMNS)
    for kpi in loaded:
        areas = set(frame.loc[frame["kpi_code"] == kpi.code, "area_code"])
        assert areas == {a.code for a in framework.kpi_areas(kpi.code)}, kpi.code
    periods = sorted(frame["period"].unique())
    assert periods == demo_plants.month_range(END, MONTHS)
    assert (periods[0], periods[-1]) == ("2023-11", "2026-10")


def test_window_ends_last_month() -> None:
    from datetime import UTC, datetime

    assert demo_plants.last_month(datetime(2026, 11, 23, tzinfo=UTC)) == "2026-10"
    assert demo_plants.last_month(datetime(2027, 1, 1, tzinfo=UTC)) == "2026-12"
    assert demo_plants.month_range("2024-02", 3) == ["2023-12", "2024-01", "2024-02"]


def test_passes_the_extract_schema_of_real_loads(framework: Framework, frame: pd.DataFrame) -> None:
    # the same Pandera schema and cross rules that every real load goes through
    extract_schema(framework, END).validate(frame.copy(), lazy=True)


def test_values_in_range(framework: Framework, frame: pd.DataFrame) -> None:
    assert frame["value"].notna().all()
    assert np.isfinite(frame["value"]).all()
    for kpi in framework.kpis:
        rows = frame[frame["kpi_code"] == kpi.code]
        value = rows["value"].to_numpy()
        assert (value >= 0).all(), kpi.code
        if kpi.unit == Unit.PERCENT:
            num, den = rows["numerator"].to_numpy(), rows["denominator"].to_numpy()
            assert (value <= 100).all(), kpi.code
            assert (num == np.rint(num)).all(), kpi.code
            assert (den == np.rint(den)).all(), kpi.code
            assert (num >= 0).all(), kpi.code
            assert (num <= den).all(), kpi.code
            assert (den > 0).all(), kpi.code
            expected = 100 * num / den
            assert (np.abs(value - expected) <= tolerance(expected)).all(), kpi.code
        else:
            assert rows["numerator"].isna().all(), kpi.code
            assert rows["denominator"].isna().all(), kpi.code
        if kpi.unit == Unit.COUNT and not demo_profiles.is_snapshot(kpi):
            assert (value == np.rint(value)).all(), f"{kpi.code}: counts are whole numbers"


def test_same_seed_same_rows_other_seed_other_rows(
    framework: Framework, frame: pd.DataFrame
) -> None:
    again = demo_series.generate_demo(framework, MONTHS, demo_series.DEFAULT_SEED, END)
    pd.testing.assert_frame_equal(frame, again)
    other = demo_series.generate_demo(framework, MONTHS, demo_series.DEFAULT_SEED + 1, END)
    assert (other["value"].to_numpy() != frame["value"].to_numpy()).mean() > 0.5


def test_every_value_says_it_is_synthetic(framework: Framework, frame: pd.DataFrame) -> None:
    assert frame["note"].str.startswith(demo_series.DEMO_NOTE).all()
    for kpi in framework.kpis:
        notes = set(frame.loc[frame["kpi_code"] == kpi.code, "note"])
        if kpi.code in DERIVED_KPIS:
            assert notes == set()
            continue
        assert notes == {demo_series.CONNECTOR_NOTE if kpi.source_key else demo_series.DEMO_NOTE}
    assert "import-nhse" in demo_series.CONNECTOR_NOTE


def test_last_month_provisional_for_a_couple_of_kpis(frame: pd.DataFrame) -> None:
    provisional = frame[frame["status"] == "provisional"]
    assert set(provisional["kpi_code"]) == set(demo_profiles.PROVISIONAL_KPIS)
    assert set(provisional["period"]) == {END}
    assert set(frame["status"]) == {"final", "provisional"}


def test_other_frameworks_and_short_windows(small_framework_dir: Path) -> None:
    from scorecard.thread.framework import load_framework

    small = load_framework(small_framework_dir)
    df = demo_series.generate_demo(small, 6, 3, "2025-06")
    assert len(df) == sum(len(small.kpi_areas(k.code)) for k in small.kpis) * 6
    extract_schema(small, "2025-06").validate(df.copy(), lazy=True)
    assert demo_plants.planted_causes(small, 6, "2025-06") == ()
    with pytest.raises(ValueError, match="at least 1"):
        demo_series.generate_demo(small, 0)


# Magnitudes: the documents' anchors and the real-data calibration


def test_icb_levels_follow_the_baselines(framework: Framework, frame: pd.DataFrame) -> None:
    for code in ("SYS-ATT", "SYS-ADM", "SYS-BEDDAYS", "LEAD-ESC", "SYS-CHC"):
        kpi = framework.kpi(code)
        assert kpi.baseline_value is not None
        mean = series(frame, code)["value"].mean()
        assert 0.85 * kpi.baseline_value < mean < 1.1 * kpi.baseline_value, code
    per_day = series(frame, "SYS-ATT")["value"].sum() / (MONTHS * demo_profiles.MEAN_DAYS_PER_MONTH)
    assert 125 < per_day < 155  # about 149 over-65s at ED a day (June 2022), improving
    in_bed = series(frame, "SYS-BEDDAYS")["value"].sum() / (
        MONTHS * demo_profiles.MEAN_DAYS_PER_MONTH
    )
    assert 620 < in_bed < 730  # about 711 over-65s in a bed at any time


def test_areas_split_by_population_and_trust_activity(
    framework: Framework, frame: pd.DataFrame
) -> None:
    def share(kpi: str, area: str) -> float:
        return float(series(frame, kpi, area)["value"].sum() / series(frame, kpi)["value"].sum())

    assert share("SYS-ATT", "E06000061") == pytest.approx(0.47, abs=0.02)
    assert share("SYS-ATT", "E06000062") == pytest.approx(0.53, abs=0.02)
    providers = [a.code for a in framework.kpi_areas("SYS-ADM") if a.type == AreaType.PROVIDER]
    others = len([c for c in providers if c not in ("RNS", "RNQ")])
    acute = 1 - demo_profiles.MINOR_PROVIDER_SHARE * others  # a community trust takes a minor share
    assert share("SYS-ADM", "RNS") == pytest.approx(acute * 0.592, abs=0.02)
    assert share("SYS-ADM", "RNQ") == pytest.approx(acute * 0.408, abs=0.02)
    assert share("SYS-ATT", "RNS") == pytest.approx(acute * 0.56, abs=0.02)
    assert share("LEAD-NCTR", "RNS") > 2 * share("LEAD-NCTR", "RNQ")  # 0.697 / 0.303
    p0 = {a: series(frame, "LEAD-P0", a)["value"].mean() for a in ("RNS", "RNQ")}
    assert p0["RNQ"] > p0["RNS"] + 5  # RNQ discharges almost all to pathway 0 (97% vs 83%)


def test_winter_is_busier_for_acute_activity(framework: Framework) -> None:
    # Oct-Dec against Apr, Aug and Sep, per day, over several seeds: the calibrated admissions
    # index gives about +8%; noise and the improvement drift alone give under +5%.
    only = replace(framework, kpis=(framework.kpi("SYS-ADM"),), _index={})
    ratios = []
    for seed in range(6):
        adm = series(demo_series.generate_demo(only, MONTHS, seed, END), "SYS-ADM")
        days = adm["period"].map(lambda p: pd.Period(p, freq="M").days_in_month)
        per_day = adm["value"] / days
        month = adm["period"].str[5:7]
        winter = per_day[month.isin(["10", "11", "12"])].mean()
        ratios.append(winter / per_day[month.isin(["04", "08", "09"])].mean())
    assert np.mean(ratios) > 1.06


def test_calibration_constants_match_the_real_data() -> None:
    from scorecard.data.calibration import derive

    cal = derive(REALDATA)
    assert cal.attendance_share == demo_profiles.ATTENDANCE_SHARE
    assert cal.admission_share == demo_profiles.ADMISSION_SHARE
    assert cal.bed_share == demo_profiles.BED_SHARE
    assert cal.nctr_share == demo_profiles.NCTR_SHARE
    assert cal.occupancy_pct == demo_profiles.OCCUPANCY_PCT
    assert cal.nctr_remaining == demo_profiles.NCTR_REMAINING
    assert cal.p0_pct == demo_profiles.P0_PCT
    assert cal.discharges_per_day == demo_profiles.DISCHARGES_PER_DAY
    assert cal.reablement_pct == demo_profiles.REABLEMENT_PCT
    assert cal.season_attendances == demo_profiles.SEASON_ATTENDANCES
    assert cal.season_admissions == demo_profiles.SEASON_ADMISSIONS
    assert cal.season_beds == demo_profiles.SEASON_BEDS
    assert cal.noise_attendances == demo_profiles.NOISE_ATTENDANCES
    assert cal.noise_admissions == demo_profiles.NOISE_ADMISSIONS
    assert cal.noise_beds == demo_profiles.NOISE_BEDS
    assert cal.duplicated_months == ("2025-02", "2025-03")


def test_the_calibration_command_prints_the_demos_constants(capsys) -> None:
    from scorecard.commands.calibration import main as calibrate

    assert calibrate([str(REALDATA)]) == 0
    printed = dict(line.split(" = ", 1) for line in capsys.readouterr().out.splitlines())
    assert printed["ATTENDANCE_SHARE"] == repr(demo_profiles.ATTENDANCE_SHARE)
    assert printed["SEASON_BEDS"] == repr(demo_profiles.SEASON_BEDS)
    assert printed["DUPLICATED_MONTHS"] == repr(("2025-02", "2025-03"))


# Planted special causes, read by the SPC engine (CONTRACT §4)


def test_the_plants_are_all_there(
    framework: Framework, causes: dict[str, demo_plants.PlantedCause]
) -> None:
    assert set(causes) == {
        "shift",
        "outlier",
        "trend",
        "assurance_fail",
        "assurance_pass",
        "change_point",
        "holding",
        "slipping",
        "lost",
    }
    assert causes["change_point"].kpi_code == "ACT-UCR2H"
    assert causes["change_point"].period == "2025-04"
    assert any(
        e.kpi_code == "ACT-UCR2H" and e.period == "2025-04" and e.kind == SpcEventKind.CHANGE_POINT
        for e in framework.spc_events
    )


def _read(framework: Framework, df: pd.DataFrame, cause: demo_plants.PlantedCause, **kw: object):
    kpi = framework.kpi(cause.kpi_code)
    values = series(df, cause.kpi_code, cause.area_code)["value"].to_numpy()
    target = demo_plants.target_for(framework, kpi, cause.area_code, END)
    return analyse(values, kpi.direction, target, **kw), kpi  # type: ignore[arg-type]


@pytest.mark.parametrize("seed", SEEDS)
def test_spc_sees_every_planted_cause(framework: Framework, seed: int) -> None:
    df = demo_series.generate_demo(framework, MONTHS, seed, END)
    causes = {c.kind: c for c in demo_plants.planted_causes(framework, MONTHS, END)}

    shift = causes["shift"]
    result, kpi = _read(framework, df, shift)
    side = "high" if kpi.direction == Direction.INCREASE else "low"
    window = range(shift.index, shift.index + shift.length)
    assert shift.length >= 7
    assert all(f"run_on_one_side_{side}" in result.points.rules[i] for i in window)
    assert result.variation == f"improvement_{side}"

    outlier = causes["outlier"]
    result, _ = _read(framework, df, outlier)
    i = outlier.index
    assert result.points.values[i] > result.points.upl[i]
    assert "points_outside_limits_high" in result.points.rules[i]
    others = np.delete(result.points.values, i)
    assert (others < result.points.upl[0]).all(), "a single outlier"

    trend = causes["trend"]
    result, kpi = _read(framework, df, trend)
    side = "high" if kpi.direction == Direction.INCREASE else "low"
    rising = result.points.values[trend.index :]
    assert (np.diff(rising) * (1 if side == "high" else -1) > 0).all()
    assert all(f"trend_{side}" in result.points.rules[i] for i in range(trend.index, MONTHS))
    assert result.variation == f"improvement_{side}"

    result, _ = _read(framework, df, causes["assurance_fail"])
    assert result.assurance == "fail"
    result, _ = _read(framework, df, causes["assurance_pass"])
    assert result.assurance == "pass"

    change = causes["change_point"]
    split, _ = _read(framework, df, change, change_points=(change.index,))
    assert split.points.partition[change.index] == split.points.partition[change.index - 1] + 1
    before = split.points.mean[change.index - 1]
    after = split.points.mean[change.index]
    assert after - before > 4  # percentage points: the recording change steps the series up
    whole, _ = _read(framework, df, change)
    assert all(
        "run_on_one_side_high" in whole.points.rules[i] for i in range(change.index, MONTHS)
    ), "without the change point the step reads as a shift"


@pytest.mark.parametrize("seed", SEEDS)
def test_the_sustainability_plants_read_as_planted(framework: Framework, seed: int) -> None:
    df = demo_series.generate_demo(framework, MONTHS, seed, END)
    periods = demo_plants.month_range(END, MONTHS)
    events = demo_plants.demo_events(framework, periods)
    for kind in demo_plants.SUSTAIN_KINDS:
        cause = next(
            c for c in demo_plants.planted_causes(framework, MONTHS, END) if c.kind == kind
        )
        mine = [e for e in events if e.kpi_code == cause.kpi_code]
        assert [str(e.kind) for e in mine] == ["improvement_started", "support_ended"]
        assert all(e.reason.startswith("synthetic demo") for e in mine)
        values = series(df, cause.kpi_code)["value"].to_numpy()
        verdict = sustain.assess(
            values,
            framework.kpi(cause.kpi_code).direction,
            periods.index(mine[0].period),
            periods.index(mine[1].period),
            periods=periods,
        )
        assert verdict.status == kind, verdict.sentence


def test_declared_totals_add_up_in_every_month(framework: Framework, frame: pd.DataFrame) -> None:
    found = reconcile(framework, frame)
    assert len(found) == len(framework.reconciliations) * MONTHS
    assert {r.status for r in found} == {"agrees"}


def test_the_demo_records_a_change_point_where_it_plants_a_shift_or_trend(
    framework: Framework,
) -> None:
    periods = demo_plants.month_range(END, MONTHS)
    events = demo_plants.demo_events(framework, periods)
    causes = {c.kind: c for c in demo_plants.planted_causes(framework, MONTHS, END)}
    recorded = {(e.kpi_code, e.period) for e in events if e.kind == SpcEventKind.CHANGE_POINT}
    assert recorded == {
        (causes["shift"].kpi_code, causes["shift"].period),
        (causes["trend"].kpi_code, causes["trend"].period),
    }
    for event in events:
        assert event.reason.startswith("synthetic demo: ")
        assert "plant" not in event.reason


def test_sustainability_plants_give_way_to_real_events(framework: Framework) -> None:
    real = SpcEvent("ACT-FFD", "2025-01", SpcEventKind.IMPROVEMENT_STARTED, "a real one")
    fw = replace(framework, spc_events=(*framework.spc_events, real), _index={})
    kinds = {c.kpi_code: c.kind for c in demo_plants.planted_causes(fw, MONTHS, END)}
    assert "ACT-FFD" not in kinds
    assert kinds["ACT-DISCHNOON"] == "lost"
    assert "lost" not in {c.kind for c in demo_plants.planted_causes(framework, 24, END)}  # no room


def test_the_demo_store_holds_its_planted_events(framework: Framework, tmp_path: Path) -> None:
    db = tmp_path / "demo.duckdb"
    demo.build_demo_store(db, framework, MONTHS, demo_series.DEFAULT_SEED, END)
    held = Store(db).events()
    assert held == demo_plants.demo_events(framework, demo_plants.month_range(END, MONTHS))
    assert {e.kpi_code for e in held} == {
        "LEAD-LONGSTAY",
        "ACT-FFD",
        "ACT-DISCHNOON",
        "LEAD-NCTR",
        "LEAD-P0",
    }
    assert all(e.reason.startswith("synthetic demo") for e in held)
    with duckdb.connect(str(db), read_only=True) as con:
        flags = con.execute("SELECT DISTINCT synthetic FROM events").fetchall()
    assert flags == [(True,)]
    live = with_events(framework, store_events(db))
    assert live.spc_events == (*framework.spc_events, *held)
    assert with_events(framework, store_events(tmp_path / "absent.duckdb")) is framework


def test_the_demo_events_survive_a_corrective_load(framework: Framework, tmp_path: Path) -> None:
    db = tmp_path / "demo.duckdb"
    demo.build_demo_store(db, framework, MONTHS, demo_series.DEFAULT_SEED, END)
    planted = Store(db).events()
    current = Store(db).current(area_codes=["QPM"])
    plain = current[
        current["numerator"].isna() & ~current["kpi_code"].isin({e.kpi_code for e in planted})
    ]
    row = plain.iloc[[-1]].loc[:, list(EXTRACT_COLUMNS)].copy()
    row["value"] = row["value"] + 1
    row["status"] = "final"
    row["note"] = "corrected by the data owner"
    extract = tmp_path / "correction.csv"
    row.to_csv(extract, index=False)
    assert main(["load", str(extract), "--db", str(db), "--user", "analyst"]) == 0
    loads = Store(db).loads()
    assert not loads["synthetic"].astype(bool).all()  # the store now holds a real load
    assert Store(db).events() == planted
    rows = compute_scorecard(with_events(framework, store_events(db)), Store(db), END, "QPM")
    verdicts = {r.kpi_code: r.sustainability for r in rows}
    assert verdicts["LEAD-LONGSTAY"] == "holding"
    assert verdicts["ACT-FFD"] == "slipping"
    assert verdicts["ACT-DISCHNOON"] == "lost"


def test_plants_need_room_and_a_target(framework: Framework) -> None:
    short = {c.kind for c in demo_plants.planted_causes(framework, 12, END)}
    assert "shift" not in short
    assert "trend" not in short
    assert "change_point" in short or "2025-04" not in demo_plants.month_range(END, 12)
    later = {c.kind for c in demo_plants.planted_causes(framework, MONTHS, "2030-12")}
    assert "change_point" not in later  # 2025-04 is outside that window
    kpis = tuple(
        replace(k, target_value=None) if k.code == "SYS-LOS" else k for k in framework.kpis
    )
    no_target = replace(framework, kpis=kpis, _index={})
    assert "assurance_fail" not in {
        c.kind for c in demo_plants.planted_causes(no_target, MONTHS, END)
    }


def test_other_kpis_keep_their_plants_out(frame: pd.DataFrame, framework: Framework) -> None:
    # system-level activity shows its planted signal only where it was planted: the ICB series
    # of the acute flows (seasonal, improving gently) stay within their limits.
    for code in ("SYS-ATT", "SYS-ADM"):
        kpi = framework.kpi(code)
        result = analyse(series(frame, code)["value"].to_numpy(), kpi.direction)
        assert not any("points_outside_limits" in r for rules in result.points.rules for r in rules)


def test_area_types_are_covered(framework: Framework, frame: pd.DataFrame) -> None:
    types = {framework.area(a).type for a in frame["area_code"].unique()}
    assert {AreaType.SYSTEM, AreaType.PLACE, AreaType.PROVIDER} <= types


# The store: built through the real pipeline, replaced atomically


def _files(folder: Path) -> set[str]:
    # The demo's synthetic commentary lives beside the store in its people's-words file.
    return {p.name for p in folder.iterdir() if p.name != "demo.reviews.sqlite"}


def test_store_holds_every_row_marked_synthetic(framework: Framework, tmp_path: Path) -> None:
    from scorecard.data.store import Store

    db = tmp_path / "demo.duckdb"
    summary = demo.build_demo_store(db, framework, MONTHS, 11, END)
    expected = demo_series.generate_demo(framework, MONTHS, 11, END)
    stored = Store(db).current()
    assert len(stored) == len(expected) == summary.rows
    assert stored["synthetic"].all()
    loads = Store(db).loads()
    assert len(loads) == 1
    assert loads.loc[0, "kind"] == "demo"
    assert bool(loads.loc[0, "synthetic"])
    assert loads.loc[0, "file_name"].startswith("synthetic-demo")
    key = ["kpi_code", "area_code", "period"]
    merged = expected.merge(stored, on=key, suffixes=("", "_stored"), validate="one_to_one")
    assert len(merged) == len(expected)
    np.testing.assert_allclose(merged["value"], merged["value_stored"])
    assert (merged["status"] == merged["status_stored"]).all()
    assert (merged["note_stored"] == merged["note"]).all()
    assert summary.planted == demo_plants.planted_causes(framework, MONTHS, END)
    assert _files(tmp_path) == {"demo.duckdb", "demo.duckdb.lock"}


def test_rebuild_replaces_the_store(framework: Framework, tmp_path: Path) -> None:
    from scorecard.data.store import Store

    db = tmp_path / "demo.duckdb"
    demo.build_demo_store(db, framework, 15, 1, END)
    first = Store(db).identity()
    demo.build_demo_store(db, framework, 16, 2, END)
    store = Store(db)
    assert store.identity() != first
    assert len(store.loads()) == 1, "a fresh store, not a revision of the old one"
    assert len(store.periods()) == 16
    assert _files(tmp_path) == {"demo.duckdb", "demo.duckdb.lock"}


def test_a_failed_build_leaves_the_old_store(
    framework: Framework, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scorecard.data import pipeline
    from scorecard.data.store import Store

    db = tmp_path / "demo.duckdb"
    demo.build_demo_store(db, framework, 15, 1, END)
    before = Store(db).current()
    identity = Store(db).identity()

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("killed half-way")

    monkeypatch.setattr(pipeline, "load_frame", crash)
    with pytest.raises(RuntimeError, match="half-way"):
        demo.build_demo_store(db, framework, 15, 2, END)
    assert Store(db).identity() == identity
    pd.testing.assert_frame_equal(Store(db).current(), before)
    assert _files(tmp_path) == {"demo.duckdb", "demo.duckdb.lock"}


def test_rows_the_validation_rejects_are_not_loaded(
    framework: Framework, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scorecard.data.store import Store
    from scorecard.thread.errors import UserError

    db = tmp_path / "demo.duckdb"
    demo.build_demo_store(db, framework, 15, 1, END)
    identity = Store(db).identity()
    good = demo_series.generate_demo

    def broken(*args: object, **kwargs: object) -> pd.DataFrame:
        df = good(*args, **kwargs)  # type: ignore[arg-type]
        percent = df["kpi_code"] == "LEAD-P0"
        df.loc[percent, "value"] = 120.0  # outside 0-100 and disagreeing with num/den
        return df

    monkeypatch.setattr(demo, "generate_demo", broken)
    with pytest.raises(UserError) as err:
        demo.build_demo_store(db, framework, 15, 2, END)
    rules = {p.rule for p in err.value.problems}
    assert "percent_range" in rules
    assert Store(db).identity() == identity
    assert _files(tmp_path) == {"demo.duckdb", "demo.duckdb.lock"}


def test_cli_demo(framework_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from scorecard.data.store import Store
    from scorecard.thread.framework import load_framework

    db = tmp_path / "cli.duckdb"
    args = ["demo", "--db", str(db), "--framework", str(framework_dir), "--months", "15"]
    assert main([*args, "--seed", "5"]) == 0
    out = capsys.readouterr().out
    assert "SYNTHETIC" in out
    assert "15 months" in out
    assert db.exists()
    assert main([*args, "--seed", "6", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["synthetic"] is True
    assert data["months"] == 15
    assert data["seed"] == 6
    assert data["last_period"] == demo_plants.last_month()
    fw = load_framework(framework_dir)
    loaded = [k for k in fw.kpis if k.code not in DERIVED_KPIS]
    assert data["rows"] == sum(len(fw.kpi_areas(k.code)) for k in loaded) * 15
    assert len(Store(db).current()) == data["rows"]


def test_cli_demo_refuses_no_months(
    framework_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "cli.duckdb"
    args = ["demo", "--db", str(db), "--framework", str(framework_dir), "--months", "0"]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "--months" in err
    assert "Traceback" not in err
    assert not db.exists()


def test_never_replaces_real_data_or_other_files(
    framework: Framework, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from scorecard.data import pipeline, store, store_writes
    from scorecard.thread.errors import UserError

    real = tmp_path / "real.duckdb"
    store_writes.init_store(real, framework)
    demo.build_demo_store(real, framework, 15, 1, END)  # an empty store may become the demo
    assert store.Store(real).current()["synthetic"].all()
    one = pd.DataFrame({"kpi_code": ["SYS-ATT"], "area_code": ["QPM"], "period": ["2026-11"]})
    report = pipeline.load_frame(
        real, framework, one.assign(value=4400.0), "real.csv", "extract", "t"
    )
    assert report.status == pipeline.LOADED
    identity = store.Store(real).identity()
    with pytest.raises(UserError, match="real data"):
        demo.build_demo_store(real, framework, 15, 2, END)
    assert store.Store(real).identity() == identity

    other = tmp_path / "notes.txt"
    other.write_text("not a store")
    args = ["demo", "--db", str(other), "--framework", str(REPO_FRAMEWORK), "--months", "15"]
    assert main(args) == 1
    assert "not a scorecard store" in capsys.readouterr().err
    assert other.read_text() == "not a store"
