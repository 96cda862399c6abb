"""`python -m scorecard summary`: what `make run` says a store holds, on stores built for real."""

from __future__ import annotations

import json
from pathlib import Path

from cli_process import run_scorecard as scorecard

from scorecard.thread.periods import month_long


def test_the_demo_store_is_said_to_be_synthetic_with_its_months_and_kpis(tmp_path: Path):
    db = tmp_path / "demo.duckdb"
    built = scorecard("demo", "--db", str(db), "--months", "14", "--json")
    assert built.returncode == 0, built.stderr
    demo = json.loads(built.stdout)
    done = scorecard("summary", "--db", str(db), "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["synthetic"] is True
    assert summary["all_synthetic"] is True
    assert summary["months"] == summary["months_with_data"] == 14
    assert summary["first_month"] == demo["first_period"]
    assert summary["last_month"] == demo["last_period"]
    assert summary["kpis"] == demo["kpis"]
    assert summary["areas"] == demo["areas"]
    assert summary["values"] == demo["rows"]
    text = scorecard("summary", "--db", str(db))
    assert text.returncode == 0
    first, last = month_long(demo["first_period"]), month_long(demo["last_period"])
    assert text.stdout.strip() == (
        f"The store {db} holds synthetic demo data (made-up figures, not real ones): "
        f"14 months, {first} to {last}; {demo['kpis']} KPIs in {demo['areas']} areas."
    )
    assert text.stderr == ""


def test_a_store_of_real_extracts_is_not_called_synthetic_and_gaps_are_counted(tmp_path: Path):
    db = tmp_path / "real.duckdb"
    assert scorecard("init", "--db", str(db)).returncode == 0
    extract = tmp_path / "extract.csv"
    extract.write_text(
        "kpi_code,area_code,period,value\n"
        "LEAD-ESC,QPM,2024-01,1001\n"
        "LEAD-ESC,QPM,2024-04,1004\n"
        "LEAD-ED,E06000061,2024-04,31.5\n",
        encoding="utf-8",
    )
    assert scorecard("load", str(extract), "--db", str(db)).returncode == 0
    done = scorecard("summary", "--db", str(db))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (
        f"The store {db} holds real figures (none synthetic): 4 months, January 2024 to "
        "April 2024, 2 of them with data; 2 KPIs in 2 areas."
    )


def test_an_empty_store_says_how_to_fill_it(tmp_path: Path):
    db = tmp_path / "empty.duckdb"
    assert scorecard("init", "--db", str(db)).returncode == 0
    done = scorecard("summary", "--db", str(db), "--json")
    assert done.returncode == 0
    assert json.loads(done.stdout)["values"] == 0
    text = scorecard("summary", "--db", str(db)).stdout
    assert "holds no KPI values yet" in text
    assert "python -m scorecard load FILE" in text


def test_a_missing_or_broken_store_is_one_sentence_and_exit_1(tmp_path: Path):
    missing = tmp_path / "missing.duckdb"
    done = scorecard("summary", "--db", str(missing))
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert f"there is no store at {missing}" in done.stderr
    assert "Traceback" not in done.stderr
    assert not missing.exists()
    junk = tmp_path / "junk.duckdb"
    junk.write_text("not a store", encoding="utf-8")
    done = scorecard("summary", "--db", str(junk))
    assert done.returncode == 1
    assert "could not be opened as a scorecard store" in done.stderr
    assert "Traceback" not in done.stderr
    assert junk.read_text(encoding="utf-8") == "not a store"
