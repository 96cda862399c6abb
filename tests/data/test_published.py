"""``published``: the store of published figures, built from the repository's files only."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from cli_process import run_scorecard

from scorecard.commands.published import PUBLISHED_DIR, build_published
from scorecard.data.store import Store
from scorecard.reports.comparisons import absent_peer_members
from scorecard.thread.errors import UserError

REPO_ROOT = Path(__file__).resolve().parents[2]
FRAMEWORK = REPO_ROOT / "data" / "framework"


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("published") / "published.duckdb"
    result = run_scorecard("published", "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert "No value is synthetic" in result.stdout
    return db


def test_the_month_has_the_four_published_kpis_with_their_sources(published: Path) -> None:
    result = run_scorecard(
        "scorecard", "--month", "2024-01", "--area", "QPM", "--db", str(published), "--json"
    )
    assert result.returncode == 0, result.stderr
    rows = {r["kpi_code"]: r for r in json.loads(result.stdout)}
    for code in ("LEAD-NCTR", "LEAD-P0", "ACT-P1DISCH", "ACT-VWOCC"):
        row = rows[code]
        assert isinstance(row["value"], float), code
        assert row["synthetic"] is False
        assert row["source"].startswith('NHS England "'), code
    assert rows["LEAD-NCTR"]["period"] == "2024-01"
    assert "january2024.xlsx, published 8 February 2024" in rows["LEAD-NCTR"]["source"]
    # the ICB did not complete January's virtual ward submission: December is the latest value
    assert rows["ACT-VWOCC"]["period"] == "2023-12"
    assert rows["ACT-VWOCC"]["value"] == pytest.approx(238 / 338 * 100)
    # a KPI no publication measures has no value and no source
    assert (rows["LEAD-HOME91"]["value"], rows["LEAD-HOME91"]["source"]) == (None, None)


def test_nothing_in_the_store_is_synthetic_and_every_value_has_a_source(published: Path) -> None:
    store = Store(published)
    current = store.current()
    assert len(current) > 600
    assert not current["synthetic"].any()
    assert not store.loads()["synthetic"].any()
    sources = store.sources().set_index("load_id")
    assert sources.loc[current["load_id"].unique(), "publication"].notna().all()
    compared = store.comparisons()
    assert set(compared["org_level"]) == {"england", "region", "icb", "trust", "council"}
    assert compared["edition"].str.len().gt(0).all()


def test_a_second_build_over_a_store_is_refused(published: Path) -> None:
    before = Store(published).identity()
    result = run_scorecard("published", "--db", str(published))
    assert result.returncode == 1
    assert "already exists" in result.stderr
    assert Store(published).identity() == before


def test_a_bad_published_file_leaves_nothing(tmp_path: Path) -> None:
    root = tmp_path / "published"
    shutil.copytree(PUBLISHED_DIR, root)
    ucr = root / "retabulated" / "nhse_ucr_2h_monthly_2024_25.csv"
    text = ucr.read_text(encoding="utf-8")
    ucr.write_text(text.replace("2024-06-01,icb,QPM", "2023-06-01,icb,QPM"), encoding="utf-8")
    db = tmp_path / "out" / "published.duckdb"
    with pytest.raises(UserError) as caught:
        build_published(db, FRAMEWORK, "tester", root=root)
    (problem,) = caught.value.problems
    assert (problem.file, problem.column, problem.value) == (ucr.name, "period", "2023-06-01")
    assert not db.exists()
    assert list(db.parent.iterdir()) == []  # the half-built copy is gone too


def test_a_peer_group_member_no_publication_holds_is_a_warning_not_a_rejection(
    tmp_path: Path,
) -> None:
    framework = tmp_path / "framework"
    shutil.copytree(FRAMEWORK, framework)
    groups = framework / "peer_groups.csv"
    text = groups.read_text(encoding="utf-8").rstrip("\n")
    groups.write_text(
        text + "\nsimilar,Similar systems (illustrative until the programme chooses them),icb,"
        "QZZ,illustrative,a proposal\n",
        encoding="utf-8",
    )
    row = len(groups.read_text(encoding="utf-8").splitlines())
    db = tmp_path / "published.duckdb"
    result = run_scorecard("published", "--db", str(db), "--framework", str(framework))
    assert result.returncode == 0, result.stderr
    assert db.is_file()
    (warning,) = [line for line in result.stdout.splitlines() if line.startswith("Warning:")]
    assert f"peer_groups.csv, row {row}, column org_code: value 'QZZ':" in warning
    assert "peer group 'similar' names QZZ, which the comparison data does not hold" in warning
    assert "(rule: a peer-group member is an organisation of the comparison data)" in warning
    # the repository's own peer groups name only organisations the publications hold
    assert absent_peer_members(FRAMEWORK, Store(db).comparisons()) == []


def test_the_framework_command_warns_of_a_peer_member_the_stores_comparisons_lack(
    published: Path, tmp_path: Path
) -> None:
    framework = tmp_path / "framework"
    shutil.copytree(FRAMEWORK, framework)
    groups = framework / "peer_groups.csv"
    text = groups.read_text(encoding="utf-8").rstrip("\n")
    groups.write_text(
        text + "\nsimilar,Similar systems (illustrative until the programme chooses them),icb,"
        "QZZ,illustrative,a proposal\n",
        encoding="utf-8",
    )
    row = len(groups.read_text(encoding="utf-8").splitlines())
    args = ("framework", "--framework", str(framework), "--db", str(published))
    result = run_scorecard(*args)
    assert result.returncode == 0, result.stderr
    (warning,) = [line for line in result.stdout.splitlines() if line.startswith("Warning:")]
    assert f"peer_groups.csv, row {row}, column org_code: value 'QZZ':" in warning
    as_json = run_scorecard(*args, "--json")
    [item] = json.loads(as_json.stdout)["warnings"]
    assert (item["row"], item["column"], item["value"]) == (row, "org_code", "QZZ")
    # without comparison data there is nothing to check against: no warning
    alone = run_scorecard("framework", "--framework", str(framework), "--db", str(tmp_path / "x"))
    assert alone.returncode == 0
    assert "Warning:" not in alone.stdout
