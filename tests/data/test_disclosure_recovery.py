"""Each way a suppressed count was worked back out of published outputs now fails."""

from __future__ import annotations

import argparse
import io
import json
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pandas as pd
import pytest
from cli_process import run_scorecard

from scorecard.commands import store as store_commands
from scorecard.data import steward
from scorecard.data.store import Store
from scorecard.reports.scoring import compute_scorecard

KPI = "ACT-CRAVOID"
NORTH, WEST, ICB = "E06000061", "E06000062", "QPM"
MONTHS = [f"{2022 + i // 12}-{i % 12 + 1:02d}" for i in range(36)]
LAST = MONTHS[-1]
FRAMEWORK = Path(__file__).resolve().parents[2] / "data" / "framework"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("recovery")
    db = folder / "store.duckdb"
    assert run_scorecard("init", "--db", str(db)).returncode == 0
    rows = []
    for i, month in enumerate(MONTHS):
        north = 5 if month == LAST else 40 + (i * 7) % 13
        west = 300 if month == LAST else 280 + (i * 5) % 17
        for area, value in ((NORTH, north), (WEST, west), (ICB, north + west)):
            rows.append({"kpi_code": KPI, "area_code": area, "period": month, "value": value})
    extract = folder / "cravoid.csv"
    pd.DataFrame(rows).to_csv(extract, index=False)
    done = run_scorecard("load", str(extract), "--db", str(db))
    assert done.returncode == 0, done.stderr
    return db


def card(db: Path, area: str) -> dict[str, object]:
    done = run_scorecard("scorecard", "--month", LAST, "--area", area, "--db", str(db), "--json")
    assert done.returncode == 0, done.stderr
    return next(r for r in json.loads(done.stdout) if r["kpi_code"] == KPI)


def test_the_mean_times_n_recovery_fails(db):
    north = card(db, NORTH)
    assert north["suppressed"] is True
    assert north["value"] is None
    # 36 x mean - the 35 published values gave 5.0: the mean is withheld
    assert north["mean"] is None
    assert north["upl"] is None
    assert north["lpl"] is None
    assert north["variation"] != ""  # the icons are still given


def test_the_total_minus_the_other_part_recovery_fails(db):
    icb, west = card(db, ICB), card(db, WEST)
    assert icb["value"] == 305
    # ICB 305 - West 300 gave North's 5: West is suppressed too (the smallest other part)
    assert west["suppressed"] is True
    assert west["value"] is None
    assert west["mean"] is None
    rows = compute_scorecard(
        __import__("scorecard.thread.framework", fromlist=["x"]).load_framework(FRAMEWORK),
        Store(db),
        LAST,
    )
    published = {r.area_code: r.value for r in rows if r.kpi_code == KPI}
    assert published[ICB] == 305
    assert published[NORTH] is None
    assert published[WEST] is None


def run_in_process(handler, **kw):
    args = argparse.Namespace(framework=FRAMEWORK, json=False, **kw)
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        result = handler(args)
    return result, err.getvalue()


@pytest.fixture
def not_steward(monkeypatch):
    """Someone who may read the store but not write it (not the data steward)."""
    monkeypatch.setattr(steward, "may_see_raw", lambda db: False)


def test_the_export_recovery_fails_without_the_data_stewards_right(db, tmp_path, not_steward):
    out = tmp_path / "export.csv"
    result, err = run_in_process(store_commands.run_export, db=db, format="csv", out=out)
    assert result.exit_code == 0
    assert "Small numbers suppressed" in err
    exported = pd.read_csv(out, dtype={"period": str})
    last = exported.loc[exported["period"] == LAST]
    assert set(last["area_code"]) == {ICB}  # North (5) and West (its complement) left out
    assert len(exported) == 3 * 36 - 2
    json_out = tmp_path / "export.json"
    run_in_process(store_commands.run_export, db=db, format="json", out=json_out)
    assert not any(
        r["period"] == LAST and r["area_code"] in (NORTH, WEST)
        for r in json.loads(json_out.read_text())
    )


def test_the_data_steward_gets_raw_values_and_is_told_so(db):
    done = run_scorecard("export", "--db", str(db))
    assert "RAW VALUES" in done.stderr
    assert f"{KPI},{NORTH},{LAST},5" in done.stdout


def test_the_history_recovery_fails_without_the_data_stewards_right(db, tmp_path, not_steward):
    revision = tmp_path / "revision.csv"
    pd.DataFrame([{"kpi_code": KPI, "area_code": NORTH, "period": MONTHS[0], "value": 6}]).to_csv(
        revision, index=False
    )
    done = run_scorecard("load", str(revision), "--db", str(db))
    assert done.returncode == 0, done.stderr
    result, _ = run_in_process(store_commands.run_history, db=db, kpi=KPI, area=NORTH)
    assert result.text.splitlines()[0].startswith("Small numbers suppressed")
    assert f"{MONTHS[0]}: 6" not in result.text
    revised = result.data["revisions"]
    assert revised
    assert all(r["value"] is None or r["value"] != r["value"] or r["value"] > 7 for r in revised)
    raw = run_scorecard("history", "--kpi", KPI, "--area", NORTH, "--db", str(db))
    assert "RAW VALUES" in raw.stdout
    assert f"{MONTHS[0]}: 6" in raw.stdout


def test_the_pack_chart_withholds_the_mean_and_limits(db):
    from scorecard.data.reviews import Reviews
    from scorecard.data.reviews_signoffs import row_record
    from scorecard.reports.pack.inputs import read_pack_data
    from scorecard.reports.pack.pages_kpi import kpi_chart
    from scorecard.thread.framework import load_framework

    fw = load_framework(FRAMEWORK)
    data = read_pack_data(fw, Store(db), Reviews.beside(db), LAST, NORTH)
    row = next(r for r in data.rows if r.kpi_code == KPI)
    chart = kpi_chart(data, fw.kpi(KPI), row_record(row), None)
    assert "mean –" in chart.caption, chart.caption
    assert "limits –" in chart.caption, chart.caption
    assert chart.figure is not None


def test_the_pack_hides_the_second_cell_of_a_total_too(db):
    from scorecard.data.reviews import Reviews
    from scorecard.data.reviews_signoffs import row_record
    from scorecard.reports.pack.inputs import read_pack_data
    from scorecard.reports.pack.pages_kpi import kpi_chart
    from scorecard.thread.framework import load_framework

    fw = load_framework(FRAMEWORK)
    data = read_pack_data(fw, Store(db), Reviews.beside(db), LAST, WEST)
    assert LAST in data.hidden_periods[KPI]
    row = next(r for r in data.rows if r.kpi_code == KPI)
    chart = kpi_chart(data, fw.kpi(KPI), row_record(row), None)
    assert "mean –" in chart.caption, chart.caption
    assert any("not drawn" in note for note in chart.notes)
