"""ACT-BENEFIT on a demo store: derived from the BRG's sign-offs, the same figure everywhere."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_process import run_scorecard as scorecard

from scorecard.data.access import Principal, Role, Source
from scorecard.data.reviews import Reviews
from scorecard.data.store import Store
from scorecard.reports.benefits import line_evidence_hash, system_area
from scorecard.reports.derived import (
    ACT_BENEFIT,
    DERIVED_SOURCE,
    SYNTHETIC_LABEL,
    SYNTHETIC_SIGNER,
    WithDerived,
    benefit_rows,
)
from scorecard.reports.pack.inputs import read_pack_data
from scorecard.thread.framework import load_framework

REPO = Path(__file__).resolve().parents[2]
BRG = Principal("brg@example.nhs.uk", "BRG chair", frozenset({Role.BRG}), source=Source.LOCAL)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("derived-benefit") / "demo.duckdb"
    done = scorecard("demo", "--db", str(db), "--months", "24")
    assert done.returncode == 0, done.stderr
    return db


def _latest(db: Path) -> str:
    return Store(db).periods()[-1]


def _signed_off_k(db: Path, month: str) -> float:
    done = scorecard("benefits", "--month", month, "--json", "--db", str(db))
    assert done.returncode == 0, done.stderr
    return float(json.loads(done.stdout)["totals"]["signed_off_k"])


def _act_benefit(db: Path, month: str) -> dict[str, object]:
    done = scorecard("scorecard", "--month", month, "--json", "--db", str(db))
    assert done.returncode == 0, done.stderr
    [row] = [r for r in json.loads(done.stdout) if r["kpi_code"] == ACT_BENEFIT]
    assert isinstance(row, dict)
    return row


def _derived_total(db: Path, month: str) -> float:
    fw = load_framework(REPO / "data" / "framework")
    derived = benefit_rows(fw, Reviews.beside(db).benefit_signoffs(), month)
    frame = WithDerived(Store(db), derived).current([ACT_BENEFIT], up_to=month)
    return float(frame["value"].sum())


def test_the_demo_stores_no_act_benefit_value_and_signs_off_through_the_records(
    demo_db: Path,
) -> None:
    assert ACT_BENEFIT not in set(Store(demo_db).current()["kpi_code"])
    signoffs = Reviews.beside(demo_db).benefit_signoffs()
    assert signoffs
    for s in signoffs:
        assert s.author_id == SYNTHETIC_SIGNER
        assert s.note.startswith(SYNTHETIC_LABEL)
        assert "Synthetic demo" in s.author_name
    # written through the records' own API: sealed like every other record
    assert Reviews.beside(demo_db).verify().intact


def test_act_benefit_over_the_months_is_the_benefits_pages_signed_off_total(
    demo_db: Path,
) -> None:
    month = _latest(demo_db)
    signed_k = _signed_off_k(demo_db, month)
    assert signed_k > 0
    assert _derived_total(demo_db, month) == pytest.approx(signed_k * 1000)
    row = _act_benefit(demo_db, month)
    assert (row["synthetic"], row["source"]) == (True, DERIVED_SOURCE)
    assert row["period"] == month
    n_points, mean = row["n_points"], row["mean"]
    assert isinstance(n_points, int)
    assert isinstance(mean, float)
    assert n_points * mean == pytest.approx(signed_k * 1000)


def test_the_board_pack_reads_the_same_series(demo_db: Path) -> None:
    month = _latest(demo_db)
    fw = load_framework(REPO / "data" / "framework")
    data = read_pack_data(fw, Store(demo_db), Reviews.beside(demo_db), month, system_area(fw))
    [row] = [r for r in data.rows if r.kpi_code == ACT_BENEFIT]
    series = data.series[(ACT_BENEFIT, system_area(fw))]
    assert float(series.values.sum()) == pytest.approx(_signed_off_k(demo_db, month) * 1000)
    assert row.synthetic
    assert data.benefits is not None
    assert data.benefits.totals.signed_off_k == pytest.approx(_signed_off_k(demo_db, month))


def test_a_new_sign_off_changes_both(demo_db: Path, tmp_path: Path) -> None:
    # a copy of the demo, so the other tests keep the demo's own sign-offs
    db = tmp_path / "copy.duckdb"
    db.write_bytes(demo_db.read_bytes())
    Reviews.beside(db).path.write_bytes(Reviews.beside(demo_db).path.read_bytes())
    month = _latest(db)
    before_k = _signed_off_k(db, month)
    fw = load_framework(REPO / "data" / "framework")
    line = fw.benefits.lines[0].code
    current = {s.line_code: s for s in Reviews.beside(db).benefit_signoffs()}
    to_date = current[line].amount_k if line in current else 0.0
    frame = Store(db).current(list(fw.benefits.kpi_codes()), [system_area(fw)], up_to=month)
    Reviews.beside(db).sign_off_benefit(
        BRG,
        line,
        month,
        to_date + 250,
        line_evidence_hash(fw, frame, line, month),
        "BRG minute 9",
    )
    after_k = _signed_off_k(db, month)
    assert after_k == pytest.approx(before_k + 250)
    assert _derived_total(db, month) == pytest.approx(after_k * 1000)
    row = _act_benefit(db, month)
    assert row["value"] == pytest.approx(250_000)
    assert row["source"] == DERIVED_SOURCE


def test_loading_act_benefit_is_refused_with_a_sentence(demo_db: Path, tmp_path: Path) -> None:
    month = _latest(demo_db)
    extract = tmp_path / "benefits.csv"
    extract.write_text(f"kpi_code,area_code,period,value\nACT-BENEFIT,QPM,{month},893959\n")
    before = Store(demo_db).identity()
    done = scorecard("load", str(extract), "--db", str(demo_db), "--json")
    assert done.returncode == 1
    [error] = json.loads(done.stdout)["files"][0]["errors"]
    assert error["row"] == 2
    assert (error["column"], error["value"], error["rule"]) == (
        "kpi_code",
        "ACT-BENEFIT",
        "not_derived",
    )
    assert "ACT-BENEFIT is derived from the BRG sign-offs and cannot be loaded" in error["message"]
    assert "Traceback" not in done.stderr
    assert Store(demo_db).identity() == before  # nothing written


def test_the_apps_cached_counts_and_quality_follow_a_new_sign_off(
    demo_db: Path, tmp_path: Path
) -> None:
    from scorecard.ui import data

    # the demo's values without its records: the BRG has signed nothing off yet
    db = tmp_path / "unsigned.duckdb"
    db.write_bytes(demo_db.read_bytes())
    path, identity, month = str(db), Store(db).identity(), _latest(db)
    before = data.period_summary(path, identity)
    [quality_before] = [
        q for q in data.kpi_quality(path, identity, month) if q.kpi_code == ACT_BENEFIT
    ]
    assert quality_before.areas_reporting == 0
    fw = load_framework(REPO / "data" / "framework")
    line = fw.benefits.lines[0].code
    frame = Store(db).current(list(fw.benefits.kpi_codes()), [system_area(fw)], up_to=month)
    Reviews.beside(db).sign_off_benefit(
        BRG, line, month, 250, line_evidence_hash(fw, frame, line, month), "BRG minute 1"
    )
    # the same store identity: only the records beside it changed
    assert Store(db).identity() == identity
    after = data.period_summary(path, identity)
    assert after.total_values == before.total_values + 1  # ACT-BENEFIT for the month signed off
    [quality] = [q for q in data.kpi_quality(path, identity, month) if q.kpi_code == ACT_BENEFIT]
    assert quality.areas_reporting == 1
