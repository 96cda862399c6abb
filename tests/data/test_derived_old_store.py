"""A store written before ACT-BENEFIT was derived: its values are ignored and not exported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import schemas.extract
from scorecard.data import pipeline, store
from scorecard.reports.derived import ACT_BENEFIT
from scorecard.thread.domain import Framework

ROWS = (
    "ACT-BENEFIT,QPM,2024-02,893959,,,final,an old synthetic figure",
    "ACT-BENEFIT,QPM,2024-03,901122,,,final,",
    "SYS-ATT,QPM,2024-03,4400,,,final,",
)


@pytest.fixture
def old_db(
    db: Path, tmp_path: Path, framework: Framework, write_extract, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """A store holding ACT-BENEFIT values, loaded as the pipeline did before the rule existed."""
    extract = write_extract(tmp_path / "old.csv", *ROWS)
    with monkeypatch.context() as before:
        before.setattr(schemas.extract, "DERIVED_KPIS", frozenset())
        (report,) = pipeline.load_files([extract], db, framework, "tester")
    assert report.status == "loaded", report.errors
    assert ACT_BENEFIT in set(store.Store(db).current()["kpi_code"])
    return db


def test_the_stored_values_are_ignored_by_the_scorecard(run_cli, old_db: Path) -> None:
    done = run_cli("scorecard", "--month", "2024-03", "--json", "--db", old_db)
    assert done.code == 0, done.err
    rows = {r["kpi_code"]: r for r in json.loads(done.out) if r["area_code"] == "QPM"}
    # no BRG sign-off beside the store: no value, whatever the store holds
    assert rows[ACT_BENEFIT]["value"] is None
    assert (rows[ACT_BENEFIT]["source"], rows[ACT_BENEFIT]["n_points"]) == (None, 0)
    assert rows["SYS-ATT"]["value"] == 4400


def test_the_export_leaves_them_out_and_loads_back_unchanged(
    run_cli, old_db: Path, tmp_path: Path
) -> None:
    out = tmp_path / "export.csv"
    done = run_cli("export", "--db", old_db, "--out", out)
    assert done.code == 0, done.err
    assert "2 stored value(s) of ACT-BENEFIT left out" in done.err
    assert ACT_BENEFIT not in out.read_text(encoding="utf-8")
    again = run_cli("load", out, "--db", old_db, "--json")
    assert again.code == 0, again.err
    assert json.loads(again.out)["files"][0]["status"] == "unchanged"
