"""The bad-input corpus: each file is rejected with a sentence a data owner can act on, and the
store (its export, its identity, its load log) is exactly as it was before."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from scorecard.data import pipeline_reading, pipeline_validation, store
from scorecard.thread.domain import Framework

BAD = Path(__file__).resolve().parent / "bad"
HEADER = "kpi_code,area_code,period,value,numerator,denominator,status,note"

# file -> (row, column, value, rule, words the message must contain)
CORPUS = {
    "unknown_kpi.csv": (3, "kpi_code", "SYS-XYZ", "known_kpi", "not a KPI code of the framework"),
    "unknown_area.csv": (3, "area_code", "RXX", "known_area", "not an area code"),
    "area_not_for_kpi.csv": (
        3,
        "area_code",
        "E06000061",
        "kpi_area",
        "KPI LEAD-P0 is not reported for this area",
    ),
    "bad_period_format.csv": (3, "period", "2024/03", "period_format", "YYYY-MM"),
    "impossible_month.csv": (2, "period", "2024-13", "real_month", "month 13 does not exist"),
    "future_period.csv": (3, "period", "2099-01", "not_future", "after the current month"),
    "duplicate_key.csv": (
        4,
        "kpi_code, area_code, period",
        "SYS-ATT, QPM, 2024-03",
        "unique_key",
        "as row 2",
    ),
    "non_numeric_count.csv": (2, "numerator", "four hundred", "number", "is not a number"),
    "negative_count.csv": (2, "numerator", "-5", "non_negative", "a count must be zero or more"),
    "percent_over_100.csv": (2, "value", "120", "percent_range", "from 0 to 100"),
    "numerator_above_denominator.csv": (
        2,
        "numerator",
        "1200",
        "numerator_le_denominator",
        "larger than the denominator (1000)",
    ),
    "value_disagrees.csv": (2, "value", "54", "value_agrees", "450 / 1000 x 100 = 45; give 45"),
    "value_missing.csv": (2, "value", "", "value_required", "give a value, or both"),
    "bad_status.csv": (2, "status", "maybe", "status", "final or provisional"),
    "note_too_long.csv": (2, "note", "y" * 501, "note_length", "501 characters; at most 500"),
    "missing_column.csv": (1, "period", "", "columns_missing", "'period' is missing"),
    "unknown_column.csv": (1, "comments", "comments", "columns_unknown", "allowed columns are"),
    "empty.csv": (None, "", "", "empty_file", "the file is empty"),
    "header_only.csv": (2, "", "", "no_rows", "no data rows"),
    "binary.csv": (None, "", "", "file_type", "binary data, not CSV text"),
    "csv_named.xlsx": (None, "", "", "file_type", "named .xlsx but is not an Excel workbook"),
    "utf16.csv": (None, "", "", "encoding", "UTF-16"),
    "gigantic_cell.csv": (2, "note", "x" * 80 + "…", "cell_size", "20,000 characters"),
    "ragged_row.csv": (2, "", "", "row_shape", "9 cells but the header has 8"),
}


def test_the_corpus_has_a_file_for_every_case() -> None:
    on_disk = {p.name for p in BAD.iterdir()} - {"formula_note.csv"}
    assert on_disk == set(CORPUS)


@pytest.fixture
def assert_rejected(run_cli, export_of):
    """``assert_rejected(db, path, (row, column, value, rule, words))``."""

    def check(db: Path, path: Path, expected: tuple[object, ...]) -> None:
        _assert_rejected(run_cli, export_of, db, path, expected)

    return check


def _assert_rejected(run_cli, export_bytes, db: Path, path: Path, expected) -> None:
    row, column, value, rule, words = expected
    before = (export_bytes(db), store.Store(db).identity(), len(store.Store(db).loads()))
    done = run_cli("load", path, "--db", db, "--json")
    assert done.code == 1
    (report,) = json.loads(done.out)["files"]
    assert report["status"] == "rejected"
    assert report["file"] == str(path)
    first = report["errors"][0]
    assert (first["row"], first["column"], first["value"], first["rule"]) == (
        row,
        column,
        value,
        rule,
    )
    assert words in first["message"]
    # the sentence on stderr names the file, the row, the column and the rule
    sentence = done.err.splitlines()[0]
    assert sentence.startswith(str(path))
    assert f"(rule: {rule})" in sentence
    if row is not None:
        assert f"row {row}" in sentence
    if column:
        assert f"column {column}" in sentence
    assert "Traceback" not in done.err
    after = (export_bytes(db), store.Store(db).identity(), len(store.Store(db).loads()))
    assert after == before


@pytest.mark.parametrize("name", sorted(CORPUS), ids=lambda n: n.split(".")[0])
def test_bad_file_is_rejected_and_changes_nothing(assert_rejected, loaded_db: Path, name: str):
    assert_rejected(loaded_db, BAD / name, CORPUS[name])


@pytest.mark.parametrize("name", sorted(CORPUS), ids=lambda n: n.split(".")[0])
def test_dry_run_reports_the_same_problem(run_cli, loaded_db: Path, name: str) -> None:
    done = run_cli("load", BAD / name, "--db", loaded_db, "--json", "--dry-run")
    assert done.code == 1
    (report,) = json.loads(done.out)["files"]
    assert report["errors"][0]["rule"] == CORPUS[name][3]


def test_export_is_byte_identical_across_the_whole_corpus(run_cli, loaded_db: Path) -> None:
    before = run_cli("export", "--db", loaded_db).out
    done = run_cli("load", *sorted(BAD / n for n in CORPUS), "--db", loaded_db, "--json")
    assert done.code == 1
    assert {f["status"] for f in json.loads(done.out)["files"]} == {"rejected"}
    assert run_cli("export", "--db", loaded_db).out == before


def test_merged_header_cells_in_a_workbook(
    assert_rejected, loaded_db: Path, tmp_path: Path
) -> None:
    path = tmp_path / "merged.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append(["SYS-ATT", "QPM", "2024-03", 4470])
    sheet.merge_cells("D1:F1")
    book.save(path)
    expected = (1, "", "", "merged_cells", "the header row has merged cells (D1:F1)")
    assert_rejected(loaded_db, path, expected)


def test_a_workbook_that_is_not_one(assert_rejected, loaded_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    expected = (None, "", "", "file_type", "not a readable Excel workbook")
    assert_rejected(loaded_db, path, expected)


def test_not_utf8(assert_rejected, loaded_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes((HEADER + "\nSYS-ATT,QPM,2024-03,4470,,,final,caf\xe9\n").encode("latin-1"))
    assert_rejected(loaded_db, path, (None, "", "", "encoding", "not UTF-8 text"))


def test_not_utf8_far_into_a_file(assert_rejected, loaded_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "late_latin1.csv"
    good = "".join(f"SYS-ATT,QPM,{p},4470,,,final,{'n' * 400}\n" for p in ["2024-01"] * 300)
    path.write_bytes((HEADER + "\n" + good).encode() + b"SYS-ATT,RNS,2024-03,1,,,final,\xe9\n")
    assert_rejected(loaded_db, path, (302, "", "", "encoding", "from this row on"))


def test_other_file_types(assert_rejected, loaded_db: Path, tmp_path: Path, write_extract):
    path = write_extract(tmp_path / "extract.txt", "SYS-ATT,QPM,2024-03,4470,,,final,")
    assert_rejected(loaded_db, path, (None, "", "", "file_type", "not .txt"))
    xls = tmp_path / "old.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    assert_rejected(loaded_db, xls, (None, "", "", "file_type", "not .xls"))
    named_csv = tmp_path / "workbook.csv"
    book = openpyxl.Workbook()
    book.active.append(HEADER.split(","))
    book.save(named_csv)
    expected = (None, "", "", "file_type", "named .csv but is an Excel workbook")
    assert_rejected(loaded_db, named_csv, expected)


def test_missing_file_is_a_sentence_not_a_traceback(
    assert_rejected, loaded_db: Path, tmp_path: Path
):
    path = tmp_path / "nowhere.csv"
    assert_rejected(loaded_db, path, (None, "", "", "file", "cannot be read"))


def test_every_problem_in_a_file_is_reported_at_once(framework: Framework):
    frame = pipeline_reading.read_extract(BAD / "unknown_kpi.csv")
    frame = frame.astype("str")
    frame.loc[2] = ["SYS-ATT", "QPM", "2024-13", "-1", "", "", "final", ""]
    frame.loc[3] = ["LEAD-P0", "RXX", "2024-03", "x", "5", "4", "draft", ""]
    problems = pipeline_validation.validate_extract(frame, framework, "f.csv")
    found = {(p.row, p.column, p.rule) for p in problems}
    assert found == {
        (3, "kpi_code", "known_kpi"),
        (4, "period", "real_month"),
        (4, "value", "non_negative"),
        (5, "area_code", "known_area"),
        (5, "value", "number"),
        (5, "numerator", "numerator_le_denominator"),
        (5, "status", "status"),
    }


def test_many_bad_rows_are_listed_up_to_a_limit(
    tmp_path: Path, framework: Framework, write_extract
):
    rows = [f"SYS-ATT,QPM,2024-03,x{i},,,final," for i in range(250)]
    frame = pipeline_reading.read_extract(write_extract(tmp_path / "many.csv", *rows))
    problems = pipeline_validation.validate_extract(frame, framework, "many.csv")
    numbers = [p for p in problems if p.rule == "number"]
    assert len(numbers) == pipeline_reading.MAX_PROBLEMS_PER_RULE + 1
    assert numbers[-1].row is None
    assert "and 150 more rows break this rule" in numbers[-1].message
    # the duplicates (every row has the same key) are listed up to the limit too
    assert (
        sum(p.rule == "unique_key" for p in problems) == pipeline_reading.MAX_PROBLEMS_PER_RULE + 1
    )


def test_provisional_cannot_replace_final(assert_rejected, loaded_db, tmp_path, write_extract):
    path = write_extract(tmp_path / "late.csv", "SYS-ATT,QPM,2024-03,4500,,,provisional,")
    expected = (2, "status", "provisional", "final_not_replaced", "is final with value 4400")
    assert_rejected(loaded_db, path, expected)


def test_a_semicolon_separated_file_gets_a_hint(assert_rejected, loaded_db, tmp_path: Path):
    path = tmp_path / "semicolons.csv"
    path.write_text(HEADER.replace(",", ";") + "\nSYS-ATT;QPM;2024-03;4470;;;final;\n")
    expected = (
        1,
        HEADER.replace(",", ";"),
        HEADER.replace(",", ";"),
        "columns_unknown",
        "use commas",
    )
    assert_rejected(loaded_db, path, expected)
