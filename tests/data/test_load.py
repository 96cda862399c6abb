"""Good loads: new values, same file twice, revisions with history, provisional then final,
dry runs, CSV with BOM, XLSX, header case, computed values, several files, formula notes."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from schemas.store import Current, Loads, Observations
from scorecard.data import pipeline, pipeline_reading, pipeline_validation, store, store_writes
from scorecard.thread.domain import Framework
from scorecard.thread.errors import UserError

HEADER = "kpi_code,area_code,period,value,numerator,denominator,status,note"
BAD = Path(__file__).resolve().parent / "bad"


def _current(db: Path) -> pd.DataFrame:
    return store.Store(db).current()


def _value(db: Path, kpi: str, area: str, period: str) -> pd.Series:
    frame = _current(db)
    rows = frame[
        (frame["kpi_code"] == kpi) & (frame["area_code"] == area) & (frame["period"] == period)
    ]
    assert len(rows) == 1
    return rows.iloc[0]


def test_load_stores_every_row_with_its_load(run_cli, db: Path, tmp_path, write_extract):
    path = write_extract(
        tmp_path / "march.csv",
        "SYS-ATT,QPM,2024-03,4470,,,final,from ECDS",
        "LEAD-P0,RNS,2024-03,,450,1000,,",
        "LEAD-P0,RNQ,2024-03,45.67,4567,10000,provisional,",
    )
    done = run_cli("load", path, "--db", db, "--json", "--user", "ana")
    assert done.code == 0, done.err
    (report,) = json.loads(done.out)["files"]
    assert report == {
        "file": str(path),
        "sha256": pipeline.file_sha256(path),
        "status": "loaded",
        "rows": 3,
        "revisions": 0,
        "errors": [],
    }
    current = Current.validate(_current(db))
    assert len(current) == 3
    assert set(current["load_id"]) == {1}
    assert not current["synthetic"].any()
    p0 = _value(db, "LEAD-P0", "RNS", "2024-03")
    assert p0["value"] == 45.0  # computed: 450 / 1000 x 100
    assert p0["status"] == "final"  # blank status means final
    assert _value(db, "SYS-ATT", "QPM", "2024-03")["note"] == "from ECDS"
    (load,) = Loads.validate(store.Store(db).loads()).to_dict("records")
    assert load["file_name"] == str(path)
    assert load["sha256"] == pipeline.file_sha256(path)
    assert (load["rows"], load["new_rows"], load["revisions"], load["unchanged"]) == (3, 3, 0, 0)
    assert load["loaded_by"] == "ana"
    assert load["kind"] == "extract"
    assert not load["synthetic"]
    age = dt.datetime.now(dt.UTC).replace(tzinfo=None) - load["loaded_at"].to_pydatetime()
    assert dt.timedelta(0) <= age < dt.timedelta(minutes=10), "loaded_at is UTC"


def test_same_file_twice_is_a_no_op(run_cli, loaded_db: Path, tmp_path, write_extract):
    path = write_extract(tmp_path / "again.csv", "SYS-ATT,E06000061,2024-03,1200,,,final,")
    assert run_cli("load", path, "--db", loaded_db).code == 0
    before = (store.Store(loaded_db).identity(), loaded_db.read_bytes())
    done = run_cli("load", path, "--db", loaded_db, "--json")
    assert done.code == 0
    assert json.loads(done.out)["files"][0]["status"] == "unchanged"
    assert "unchanged" in run_cli("load", path, "--db", loaded_db).out
    # nothing written at all: same file, same identity, no load-log row
    assert (store.Store(loaded_db).identity(), loaded_db.read_bytes()) == before
    assert len(store.Store(loaded_db).loads()) == 2


def test_revision_keeps_the_old_value_in_history(run_cli, loaded_db, tmp_path, write_extract):
    path = write_extract(
        tmp_path / "restated.csv",
        "SYS-ATT,QPM,2024-03,4410,,,final,restated",  # revised
        "SYS-ATT,RNS,2024-03,1900,,,final,",  # unchanged
        "SYS-ATT,QPM,2024-04,4300,,,final,",  # new
    )
    done = run_cli("load", path, "--db", loaded_db, "--json")
    (report,) = json.loads(done.out)["files"]
    assert (report["status"], report["rows"], report["revisions"]) == ("loaded", 3, 1)
    assert _value(loaded_db, "SYS-ATT", "QPM", "2024-03")["value"] == 4410
    history = Observations.validate(store.Store(loaded_db).history("SYS-ATT", "QPM"))
    march = history[history["period"] == "2024-03"]
    assert march[["value", "load_id", "superseded_by", "current"]].to_dict("records") == [
        {"value": 4400.0, "load_id": 1, "superseded_by": 2, "current": False},
        {"value": 4410.0, "load_id": 2, "superseded_by": None, "current": True},
    ]
    assert list(march["file_name"]) == [str(tmp_path / "baseline.csv"), str(path)]
    load = store.Store(loaded_db).loads().iloc[-1]
    assert (load["new_rows"], load["revisions"], load["unchanged"]) == (1, 1, 1)


def test_history_command_shows_the_load_log_and_superseded_values(
    run_cli, loaded_db, tmp_path, write_extract
):
    path = write_extract(tmp_path / "restated.csv", "SYS-ATT,QPM,2024-03,4410,,,final,")
    run_cli("load", path, "--db", loaded_db)
    done = run_cli("history", "--db", loaded_db, "--kpi", "SYS-ATT", "--area", "QPM", "--json")
    data = json.loads(done.out)
    assert [load["load_id"] for load in data["loads"]] == [1, 2]
    assert [(r["value"], r["current"]) for r in data["revisions"]] == [(4400, False), (4410, True)]
    assert data["revisions"][0]["superseded_by"] == 2
    text = run_cli("history", "--db", loaded_db).out
    assert "load 2: " + str(path) in text
    assert "SYS-ATT QPM 2024-03: 4400 (final) from load 1" in text
    assert "superseded by load 2" in text
    other = json.loads(run_cli("history", "--db", loaded_db, "--kpi", "LEAD-P0", "--json").out)
    assert other["revisions"] == []
    assert [load["load_id"] for load in other["loads"]] == [1]


def test_provisional_is_superseded_by_final(run_cli, loaded_db, tmp_path, write_extract):
    # the baseline has SYS-ATT RNQ 2024-03 = 1700 provisional
    path = write_extract(tmp_path / "final.csv", "SYS-ATT,RNQ,2024-03,1700,,,final,")
    done = run_cli("load", path, "--db", loaded_db, "--json")
    (report,) = json.loads(done.out)["files"]
    assert (report["status"], report["revisions"]) == ("loaded", 1)
    assert _value(loaded_db, "SYS-ATT", "RNQ", "2024-03")["status"] == "final"
    history = store.Store(loaded_db).history("SYS-ATT", "RNQ")
    assert list(history["status"]) == ["provisional", "final"]


def test_a_provisional_copy_of_a_final_value_is_unchanged(
    run_cli, loaded_db, tmp_path, write_extract
):
    path = write_extract(
        tmp_path / "rolling.csv", "SYS-ATT,QPM,2024-03,4400,,,provisional,baseline"
    )
    done = run_cli("load", path, "--db", loaded_db, "--json")
    assert json.loads(done.out)["files"][0]["status"] == "unchanged"
    assert _value(loaded_db, "SYS-ATT", "QPM", "2024-03")["status"] == "final"


def test_dry_run_writes_nothing(run_cli, loaded_db, tmp_path, write_extract, export_of):
    path = write_extract(
        tmp_path / "try.csv", "SYS-ATT,QPM,2024-03,4410,,,final,", "SYS-ATT,QPM,2024-05,1,,,final,"
    )
    before = (loaded_db.read_bytes(), store.Store(loaded_db).identity())
    done = run_cli("load", path, "--db", loaded_db, "--dry-run", "--json")
    assert done.code == 0
    (report,) = json.loads(done.out)["files"]
    assert (report["status"], report["rows"], report["revisions"]) == ("loaded", 2, 1)
    assert "dry run: nothing written" in run_cli("load", path, "--db", loaded_db, "--dry-run").out
    assert (loaded_db.read_bytes(), store.Store(loaded_db).identity()) == before
    assert not store_writes.tmp_path(loaded_db).exists()


def test_csv_with_bom_crlf_and_any_header_case(run_cli, db: Path, tmp_path: Path):
    path = tmp_path / "excel.csv"
    header = " KPI_Code ,Area_CODE,Period,VALUE,Numerator,Denominator,Status,Note"
    lines = [
        header,
        "SYS-ATT , QPM ,2024-03, 4470 ,,,FINAL,",
        "",
        "LEAD-P0,RNS,2024-03,,450,1000,,",
    ]
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode() + b"\r\n,,,,,,,\r\n")
    done = run_cli("load", path, "--db", db, "--json")
    assert done.code == 0, done.err
    assert json.loads(done.out)["files"][0]["rows"] == 2
    assert _value(db, "SYS-ATT", "QPM", "2024-03")["value"] == 4470
    assert _value(db, "SYS-ATT", "QPM", "2024-03")["status"] == "final"


def test_rows_are_counted_as_in_the_file_despite_blank_lines(framework, tmp_path, write_extract):
    path = write_extract(
        tmp_path / "gaps.csv",
        "SYS-ATT,QPM,2024-03,1,,,,",
        "",
        ",,,,,,,",
        "SYS-ATT,QPM,2024-13,1,,,,",
    )
    problems = pipeline_validation.validate_extract(
        pipeline_reading.read_extract(path), framework, "gaps.csv"
    )
    assert [(p.row, p.rule) for p in problems] == [(5, "real_month")]


def test_optional_columns_may_be_left_out(run_cli, db: Path, tmp_path, write_extract):
    path = write_extract(
        tmp_path / "short.csv",
        "LEAD-P0,RNS,2024-03,450,1000",
        header="kpi_code,area_code,period,numerator,denominator",
    )
    assert run_cli("load", path, "--db", db).code == 0
    row = _value(db, "LEAD-P0", "RNS", "2024-03")
    assert (row["value"], row["status"]) == (45.0, "final")
    assert pd.isna(row["note"])


def test_xlsx_first_sheet(run_cli, db: Path, tmp_path: Path) -> None:
    path = tmp_path / "march.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["KPI_CODE", "area_code", "Period", "value", "numerator", "denominator", None])
    sheet.append(["SYS-ATT", "QPM", "2024-03", 4470])
    excel_date = dt.datetime(2024, 3, 1)  # noqa: DTZ001 -- Excel turns "2024-03" into a date
    sheet.append(["LEAD-P0", "RNS", excel_date, None, 450, 1000])
    sheet.append(["LEAD-P0", "RNQ", "2024-03", 45.67, 4567, 10000])
    sheet.append([None, None, None])
    book.create_sheet("Notes").append(["ignored", "sheet"])
    book.save(path)
    done = run_cli("load", path, "--db", db, "--json")
    assert done.code == 0, done.err
    assert json.loads(done.out)["files"][0]["rows"] == 3
    assert _value(db, "LEAD-P0", "RNS", "2024-03")["value"] == 45.0
    assert _value(db, "LEAD-P0", "RNQ", "2024-03")["value"] == 45.67


def test_xlsx_problems_count_rows_like_excel(framework, tmp_path: Path) -> None:
    path = tmp_path / "bad.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append(["SYS-ATT", "QPM", "2024-03", "=B2*2"])
    sheet.append(["SYS-ATT", "QPM", "2024-04", 1, None, None, None, None, "stray"])
    book.save(path)
    with pytest.raises(UserError) as raised:
        pipeline_reading.read_extract(path)
    assert [(p.row, p.rule) for p in raised.value.problems] == [(3, "columns_unknown")]
    sheet.delete_rows(3)
    book.save(path)
    problems = pipeline_validation.validate_extract(
        pipeline_reading.read_extract(path), framework, "bad.xlsx"
    )
    assert [(p.row, p.column, p.value, p.rule) for p in problems] == [
        (2, "value", "=B2*2", "number")
    ]
    assert "formulas are not read" in problems[0].message


def test_several_files_each_all_or_nothing(run_cli, db: Path, tmp_path, write_extract):
    good = write_extract(tmp_path / "good.csv", "SYS-ATT,QPM,2024-03,4470,,,,")
    later = write_extract(tmp_path / "later.csv", "SYS-ATT,QPM,2024-03,4480,,,,")
    done = run_cli("load", good, BAD / "unknown_kpi.csv", later, "--db", db, "--json")
    assert done.code == 1
    statuses = [(f["file"], f["status"]) for f in json.loads(done.out)["files"]]
    assert statuses == [
        (str(good), "loaded"),
        (str(BAD / "unknown_kpi.csv"), "rejected"),
        (str(later), "loaded"),
    ]
    assert _value(db, "SYS-ATT", "QPM", "2024-03")["value"] == 4480
    assert list(store.Store(db).loads()["file_name"]) == [str(good), str(later)]


def test_load_needs_a_store(run_cli, tmp_path, write_extract):
    path = write_extract(tmp_path / "a.csv", "SYS-ATT,QPM,2024-03,4470,,,,")
    done = run_cli("load", path, "--db", tmp_path / "none.duckdb")
    assert done.code == 1
    assert "there is no store at" in done.err
    assert "init" in done.err
    assert not (tmp_path / "none.duckdb").exists()


def test_load_frame_for_connectors_and_the_demo(db: Path, framework: Framework) -> None:
    frame = pd.DataFrame(
        {
            "kpi_code": ["LEAD-P0", "SYS-ATT"],
            "area_code": ["RNS", "QPM"],
            "period": ["2024-03", "2024-03"],
            "value": [45.0, 4470.0],
            "numerator": [450.0, np.nan],
            "denominator": [1000.0, np.nan],
        }
    )
    report = pipeline.load_frame(db, framework, frame, "demo", "demo", "demo", synthetic=True)
    assert (report.status, report.rows, report.new, report.load_id) == ("loaded", 2, 2, 1)
    assert _current(db)["synthetic"].all()
    assert store.Store(db).loads()["synthetic"].all()
    # the same figures again, even from a real source, are a no-op: a value keeps its label
    # (so loading a demo store's export back never passes synthetic values off as real)
    same = pipeline.load_frame(db, framework, frame, "real", "nhse", "me", synthetic=False)
    assert same.status == "unchanged"
    assert _current(db)["synthetic"].all()
    # different figures are a revision and carry the new load's label
    real = frame.assign(value=[46.0, 4471.0], numerator=[460.0, np.nan])
    report = pipeline.load_frame(db, framework, real, "real", "nhse", "me", synthetic=False)
    assert (report.status, report.revisions) == ("loaded", 2)
    assert not _current(db)["synthetic"].any()
    # a bad frame is a rejected report, not an exception
    bad = pipeline.load_frame(db, framework, frame.assign(value=[145.0, 1.0]), "x", "nhse", "me")
    assert bad.status == "rejected"
    assert [(e.row, e.rule) for e in bad.errors] == [(2, "percent_range"), (2, "value_agrees")]


def test_formula_notes_are_stored_as_text_and_exported_harmless(run_cli, db, tmp_path, export_of):
    path = BAD / "formula_note.csv"
    assert run_cli("load", path, "--db", db).code == 0
    notes = dict(
        zip(
            _current(db)["area_code"] + " " + _current(db)["kpi_code"],
            _current(db)["note"],
            strict=True,
        )
    )
    assert notes["QPM SYS-ATT"] == '=HYPERLINK("http://evil.example","click")'
    assert notes["RNS SYS-ATT"] == "+44 1604 000000"
    assert notes["RNQ SYS-ATT"] == "@SUM(A1)"
    assert notes["RNS LEAD-P0"] == "-already escaped"  # the sender's own apostrophe is undone
    exported = run_cli("export", "--db", db).out.splitlines()
    risky = [
        line for line in exported[1:] if any(f",{c}" in line or f',"{c}' in line for c in "=+-@")
    ]
    assert risky == [], "no exported cell may start with a formula character"
    assert '"\'=HYPERLINK(""http://evil.example"",""click"")"' in "\n".join(exported)
    out = tmp_path / "export.csv"
    assert run_cli("export", "--db", db, "--out", out).code == 0
    again = run_cli("load", out, "--db", db, "--json")
    assert json.loads(again.out)["files"][0]["status"] == "unchanged"


@pytest.mark.parametrize(
    ("stored", "exported"),
    [
        ("=1+1", "'=1+1"),
        ("'=1+1", "''=1+1"),
        ("+44", "'+44"),
        ("-5 on last month", "'-5 on last month"),
        ("@here", "'@here"),
        ("\tindented", "'\tindented"),
        ("'quoted", "'quoted"),
        ("plain = fine", "plain = fine"),
        ("it's", "it's"),
    ],
)
def test_note_neutralisation_round_trips(stored: str, exported: str) -> None:
    notes = pd.Series([stored], dtype="str")
    assert pipeline_validation.neutralise_notes(notes).iloc[0] == exported
    assert pipeline_validation._notes(pd.Series([exported], dtype="str")).iloc[0] == stored


def test_text_output_for_people(run_cli, db: Path, tmp_path, write_extract) -> None:
    path = write_extract(
        tmp_path / "m.csv", "SYS-ATT,QPM,2024-03,4470,,,,", "SYS-ATT,RNS,2024-03,1,,,,"
    )
    done = run_cli("load", path, "--db", db)
    assert done.out == f"{path}: 2 rows: 2 new, 0 revisions, 0 unchanged (load 1)\n"
    assert done.err == ""
    bad = run_cli("load", BAD / "future_period.csv", "--db", db)
    assert bad.out.endswith("rejected, nothing written (1 problem)\n")
    assert bad.err.count("\n") == 1
