"""export: every current observation in the extract format, loading back as unchanged."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scorecard.data import pipeline, pipeline_reading, pipeline_validation, store, store_writes
from scorecard.thread.domain import EXTRACT_COLUMNS, Framework

HEADER = "kpi_code,area_code,period,value,numerator,denominator,status,note"


def test_csv_export_is_the_extract_format(run_cli, loaded_db: Path) -> None:
    done = run_cli("export", "--db", loaded_db)
    assert done.code == 0
    assert done.out.splitlines() == [
        HEADER,
        "LEAD-P0,RNQ,2024-02,41.5,415,1000,final,",
        "LEAD-P0,RNS,2024-03,40,400,1000,final,",
        "SYS-ATT,QPM,2024-03,4400,,,final,baseline",
        "SYS-ATT,RNQ,2024-03,1700,,,provisional,",
        "SYS-ATT,RNS,2024-03,1900,,,final,",
    ]


def test_export_of_an_empty_store_is_a_header(run_cli, db: Path) -> None:
    assert run_cli("export", "--db", db).out == HEADER + "\r\n"
    assert json.loads(run_cli("export", "--db", db, "--format", "json").out) == []


def test_json_export_labels_synthetic_values(run_cli, db: Path, framework: Framework) -> None:
    frame = pd.DataFrame(
        {"kpi_code": ["SYS-ATT"], "area_code": ["QPM"], "period": ["2024-03"], "value": [4470.5]}
    )
    pipeline.load_frame(db, framework, frame, "demo", "demo", "demo", synthetic=True)
    records = json.loads(run_cli("export", "--db", db, "--format", "json").out)
    assert records == [
        {
            "kpi_code": "SYS-ATT",
            "area_code": "QPM",
            "period": "2024-03",
            "value": 4470.5,
            "numerator": None,
            "denominator": None,
            "status": "final",
            "note": None,
            "synthetic": True,
            "source": "synthetic demo data, not real (load 1)",
        }
    ]


def test_export_to_a_file(run_cli, loaded_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "export.csv"
    done = run_cli("export", "--db", loaded_db, "--out", out, "--json")
    assert done.code == 0
    assert json.loads(done.out) == {
        "out": str(out),
        "format": "csv",
        "rows": 5,
        "synthetic_rows": 0,
    }
    assert out.read_bytes() == run_cli("export", "--db", loaded_db).out.encode()
    assert not list(tmp_path.glob(".*partial"))
    done = run_cli("export", "--db", loaded_db, "--out", tmp_path / "no" / "such" / "dir.csv")
    assert done.code == 1
    assert "does not exist" in done.err


def test_export_of_a_missing_store_is_a_sentence(run_cli, tmp_path: Path) -> None:
    done = run_cli("export", "--db", tmp_path / "none.duckdb")
    assert done.code == 1
    assert "there is no store at" in done.err
    assert "Traceback" not in done.err


def test_a_rich_store_round_trips_as_unchanged(run_cli, db: Path, framework, tmp_path: Path):
    notes = [
        "plain",
        "a, comma",
        'a "quote"',
        "two\nlines",
        "crlf\r\nlines",
        "£ and é and 漢字",
        '=HYPERLINK("http://x")',
        "'=already escaped",
        "''=twice",
        "-minus",
        "+plus",
        "@at",
        "\ttab",
        "'",
        " leading space",
        "x" * 500,
    ]
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(
        {
            "kpi_code": "SYS-ATT",
            "area_code": "QPM",
            "period": [f"20{10 + i // 12:02d}-{i % 12 + 1:02d}" for i in range(len(notes))],
            "value": rng.uniform(0, 1e6, len(notes)),
            "note": notes,
        }
    )
    pct = pd.DataFrame(
        {
            "kpi_code": "LEAD-P0",
            "area_code": "RNS",
            "period": [f"2020-{m:02d}" for m in range(1, 13)],
            "numerator": rng.integers(0, 300, 12).astype(float),
            "denominator": rng.integers(300, 1000, 12).astype(float),
            "status": ["provisional", "final"] * 6,
        }
    )
    for part, name in [(frame, "notes"), (pct, "percentages")]:
        report = pipeline.load_frame(db, framework, part, name, "extract", "me")
        assert report.status == "loaded", report.errors
    stored = store.Store(db).current()
    # stored as sent, except the one apostrophe a spreadsheet puts before a formula sign
    expected = [n[1:] if n in ("'=already escaped", "''=twice") else n for n in notes]
    assert list(stored[stored["kpi_code"] == "SYS-ATT"]["note"]) == expected
    out = tmp_path / "export.csv"
    assert run_cli("export", "--db", db, "--out", out).code == 0
    done = run_cli("load", out, "--db", db, "--json")
    assert json.loads(done.out)["files"][0]["status"] == "unchanged", done.err
    # and into a fresh store it gives back exactly the same current values
    fresh = tmp_path / "fresh.duckdb"
    store_writes.init_store(fresh, framework)
    assert run_cli("load", out, "--db", fresh).code == 0
    columns = list(EXTRACT_COLUMNS)
    pd.testing.assert_frame_equal(store.Store(fresh).current()[columns], stored[columns])


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    # up to the largest a count may be (SYS-ATT is a count)
    value=st.floats(min_value=0, max_value=1e7, allow_nan=False, allow_infinity=False),
    note=st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Cc"), whitelist_characters="\t\n\r"),
        max_size=60,
    ),
)
def test_any_value_and_note_round_trip(value: float, note: str, framework: Framework) -> None:
    current = pd.DataFrame(
        {
            "kpi_code": ["SYS-ATT"],
            "area_code": ["QPM"],
            "period": ["2024-03"],
            "value": [value],
            "numerator": [np.nan],
            "denominator": [np.nan],
            "status": ["final"],
            "note": pd.Series([note if note.strip() else None], dtype="str"),
            "load_id": [1],
            "synthetic": [False],
        }
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.csv"
        path.write_bytes(pipeline.export_csv(current))
        read = pipeline_reading.read_extract(path)
    assert pipeline_validation.validate_extract(read, framework, "rt.csv") == []
    prepared = pipeline_validation.prepare(read, "rt.csv").frame
    assert prepared["value"].iloc[0] == value
    expected = None if not note.strip() else note
    got = prepared["note"].iloc[0]
    assert (None if pd.isna(got) else got) == expected


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_is_deterministic(run_cli, loaded_db: Path, fmt: str) -> None:
    first = run_cli("export", "--db", loaded_db, "--format", fmt).out
    assert run_cli("export", "--db", loaded_db, "--format", fmt).out == first


def test_a_demo_store_export_loads_back_as_unchanged(run_cli, tmp_path: Path) -> None:
    db = tmp_path / "demo.duckdb"
    assert run_cli("demo", "--db", db, "--months", "15").code == 0
    out = tmp_path / "demo.csv"
    assert run_cli("export", "--db", db, "--out", out).code == 0
    before = db.read_bytes()
    done = run_cli("load", out, "--db", db, "--json")
    assert json.loads(done.out)["files"][0]["status"] == "unchanged"
    assert db.read_bytes() == before, "the synthetic values keep their label"
    assert store.Store(db).current()["synthetic"].all()
