"""The framework loader: every integrity rule from a small broken fixture, the iCAN content, CLI."""

from __future__ import annotations

import csv
import json
import math
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from scorecard.cli import main
from scorecard.thread.domain import AreaType, Framework, LinkKind, Provenance, Tier
from scorecard.thread.errors import Problem, UserError
from scorecard.thread.framework import load_framework
from scorecard.thread.framework_checks import CITATION
from scorecard.thread.framework_coverage import coverage, framework_as_dict
from scorecard.thread.framework_tables import COLUMNS

REPO = Path(__file__).resolve().parents[2]


# Helpers to break a copy of the small framework one thing at a time


def _rows(folder: Path, name: str) -> list[list[str]]:
    with (folder / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def _write(folder: Path, name: str, rows: list[list[str]]) -> None:
    with (folder / name).open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def _find(rows: list[list[str]], match: dict[str, str]) -> int:
    """Index in ``rows`` (header = 0) of the first data row matching every column=value."""
    header = rows[0]
    for index, row in enumerate(rows[1:], start=1):
        if len(row) == len(header) and all(
            row[header.index(col)] == value for col, value in match.items()
        ):
            return index
    raise AssertionError(f"no row matching {match}")


def set_cell(folder: Path, name: str, match: dict[str, str], column: str, value: str) -> int:
    """Set one cell; return the row as the user counts it (header = row 1)."""
    rows = _rows(folder, name)
    index = _find(rows, match)
    rows[index][rows[0].index(column)] = value
    _write(folder, name, rows)
    return index + 1


def drop_row(folder: Path, name: str, match: dict[str, str]) -> int:
    rows = _rows(folder, name)
    index = _find(rows, match)
    del rows[index]
    _write(folder, name, rows)
    return index + 1


def row_of(folder: Path, name: str, match: dict[str, str]) -> int:
    return _find(_rows(folder, name), match) + 1


def load_problems(folder: Path) -> list[Problem]:
    with pytest.raises(UserError) as caught:
        load_framework(folder)
    return caught.value.problems


@pytest.fixture
def small(small_framework_dir: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "fw"
    shutil.copytree(small_framework_dir, folder)
    return folder


# Each case breaks one thing and returns the problem it expects:
# (file name, row, column, value, rule).
Expected = tuple[str, int | None, str, str, str]


def _missing_file(f: Path) -> Expected:
    (f / "areas.csv").unlink()
    return ("areas.csv", None, "", "", "file exists")


def _empty_file(f: Path) -> Expected:
    (f / "bricks.csv").write_text("", encoding="utf-8")
    return ("bricks.csv", 1, "", "", "header row")


def _missing_column(f: Path) -> Expected:
    rows = _rows(f, "kpis.csv")
    at = rows[0].index("direction")
    _write(f, "kpis.csv", [r[:at] + r[at + 1 :] for r in rows])
    return ("kpis.csv", 1, "direction", "", "required columns")


def _unknown_column(f: Path) -> Expected:
    rows = _rows(f, "areas.csv")
    _write(f, "areas.csv", [rows[0] + ["colour"]] + [[*r, "red"] for r in rows[1:]])
    return ("areas.csv", 1, "colour", "colour", "known columns")


def _ragged_row(f: Path) -> Expected:
    rows = _rows(f, "links.csv")
    index = _find(rows, {"from_code": "O2"})
    rows[index] = [*rows[index], "extra"]
    _write(f, "links.csv", rows)
    return ("links.csv", index + 1, "", "", "cells match header")


def _cell(
    name: str, match: dict[str, str], column: str, value: str, rule: str
) -> Callable[[Path], Expected]:
    def breaker(f: Path) -> Expected:
        return (name, set_cell(f, name, match, column, value), column, value, rule)

    return breaker


def _add_events(f: Path, *events: list[str]) -> int:
    """Append spc_events rows; return the last one's row as the user counts it."""
    rows = _rows(f, "spc_events.csv")
    rows += [list(e) for e in events]
    _write(f, "spc_events.csv", rows)
    return len(rows)


IMPROVED = ["L-BP", "", "2024-03", "improvement_started", "Discharge hub opened"]


def _support_before_improvement(f: Path) -> Expected:
    row = _add_events(f, IMPROVED, ["L-BP", "", "2024-02", "support_ended", "Partner left"])
    return (
        "spc_events.csv",
        row,
        "period",
        "2024-02",
        "support ends after its improvement started",
    )


def _support_without_improvement(f: Path) -> Expected:
    row = _add_events(f, ["L-BP", "PL1", "2024-05", "support_ended", "Partner left"])
    return (
        "spc_events.csv",
        row,
        "period",
        "2024-05",
        "support ends after its improvement started",
    )


def _support_for_another_area(f: Path) -> Expected:
    improved_pl1 = ["L-BP", "PL1", "2024-03", "improvement_started", "Hub opened in PL1"]
    row = _add_events(f, improved_pl1, ["L-BP", "PL2", "2024-06", "support_ended", "Left PL2"])
    return (
        "spc_events.csv",
        row,
        "period",
        "2024-06",
        "support ends after its improvement started",
    )


def _two_support_ends_same_month(f: Path) -> Expected:
    end = ["L-BP", "", "2024-06", "support_ended", "Partner left"]
    row = _add_events(f, IMPROVED, end, [*end[:4], "Recorded twice"])
    return ("spc_events.csv", row, "kpi_code;area_code;period", "L-BP;;2024-06", "unique")


def _future_improvement(f: Path) -> Expected:
    row = _add_events(f, ["L-BP", "", "2999-01", "improvement_started", "Planned"])
    return ("spc_events.csv", row, "period", "2999-01", "not in the future")


def _future_support_end(f: Path) -> Expected:
    row = _add_events(f, IMPROVED, ["L-BP", "", "2999-12", "support_ended", "Planned"])
    return ("spc_events.csv", row, "period", "2999-12", "not in the future")


def _improvement_for_unknown_kpi(f: Path) -> Expected:
    row = _add_events(f, ["L-XX", "", "2024-03", "improvement_started", "Hub opened"])
    return ("spc_events.csv", row, "kpi_code", "L-XX", "known code")


def _support_end_for_unknown_area(f: Path) -> Expected:
    row = _add_events(f, IMPROVED, ["L-BP", "PL9", "2024-06", "support_ended", "Left"])
    return ("spc_events.csv", row, "area_code", "PL9", "known code")


def _duplicate_code(f: Path) -> Expected:
    row = set_cell(f, "kpis.csv", {"code": "A-CLINIC"}, "code", "A-PHARM")
    return ("kpis.csv", row, "code", "A-PHARM", "unique")


def _duplicate_outcome_number(f: Path) -> Expected:
    row = set_cell(f, "outcomes.csv", {"number": "3"}, "number", "2")
    return ("outcomes.csv", row, "number", "2", "unique")


def _duplicate_link(f: Path) -> Expected:
    rows = _rows(f, "links.csv")
    rows.append(rows[_find(rows, {"from_code": "O2"})])
    _write(f, "links.csv", rows)
    return ("links.csv", len(rows), "kind;from_code;to_code", "outcome_lead_kpi;O2;L-BP", "unique")


def _numbering_gap(f: Path) -> Expected:
    set_cell(f, "outcomes.csv", {"number": "3"}, "number", "4")
    return ("outcomes.csv", None, "number", "3", "numbered 1..N")


def _outcome_without_lead(f: Path) -> Expected:
    drop_row(f, "links.csv", {"kind": "outcome_lead_kpi", "from_code": "O1"})
    return (
        "outcomes.csv",
        row_of(f, "outcomes.csv", {"number": "1"}),
        "number",
        "1",
        "outcome has a lead KPI",
    )


def _brick_without_activity(f: Path) -> Expected:
    drop_row(f, "links.csv", {"kind": "brick_activity_kpi", "from_code": "BP-CHECK"})
    row = row_of(f, "bricks.csv", {"code": "BP-CHECK"})
    return ("bricks.csv", row, "code", "BP-CHECK", "brick has an activity KPI")


def _kpi_without_statement(f: Path) -> Expected:
    drop_row(f, "links.csv", {"kind": "kpi_i_statement", "from_code": "K-ADM"})
    row = row_of(f, "kpis.csv", {"code": "K-ADM"})
    return ("kpis.csv", row, "code", "K-ADM", "KPI has an I-statement")


BROKEN: list[tuple[str, Callable[[Path], Expected]]] = [
    ("missing-file", _missing_file),
    ("empty-file", _empty_file),
    ("missing-column", _missing_column),
    ("unknown-column", _unknown_column),
    ("ragged-row", _ragged_row),
    (
        "unknown-direction",
        _cell("kpis.csv", {"code": "L-BP"}, "direction", "upwards", "allowed values"),
    ),
    ("unknown-unit", _cell("kpis.csv", {"code": "L-BP"}, "unit", "percent", "allowed values")),
    ("unknown-tier", _cell("kpis.csv", {"code": "L-BP"}, "tier", "strategic", "allowed values")),
    (
        "unknown-frequency",
        _cell("kpis.csv", {"code": "L-BP"}, "frequency", "weekly", "allowed values"),
    ),
    (
        "unknown-result-type",
        _cell("kpis.csv", {"code": "A-PHARM"}, "result_type", "how_many", "allowed values"),
    ),
    (
        "unknown-provenance",
        _cell("bricks.csv", {"code": "TITRATE"}, "provenance", "guess", "allowed values"),
    ),
    (
        "unknown-confidence",
        _cell("bricks.csv", {"code": "TITRATE"}, "confidence", "high", "allowed values"),
    ),
    (
        "unknown-pillar-kind",
        _cell("pillars.csv", {"code": "DET"}, "kind", "pillar", "allowed values"),
    ),
    ("unknown-area-type", _cell("areas.csv", {"code": "PL1"}, "type", "county", "allowed values")),
    (
        "unknown-link-kind",
        _cell("links.csv", {"from_code": "O2"}, "kind", "outcome_kpi", "allowed values"),
    ),
    (
        "not-a-boolean",
        _cell("kpis.csv", {"code": "L-BP"}, "suppress_small_numbers", "yes", "allowed values"),
    ),
    (
        "outcome-number-not-whole",
        _cell("outcomes.csv", {"number": "2"}, "number", "two", "whole number"),
    ),
    (
        "pillar-number-not-whole",
        _cell("pillars.csv", {"code": "TRT"}, "number", "2.5", "whole number"),
    ),
    (
        "baseline-not-a-number",
        _cell("kpis.csv", {"code": "L-BP"}, "baseline_value", "62,5%", "number"),
    ),
    ("target-not-a-number", _cell("kpis.csv", {"code": "L-BP"}, "target_value", "high", "number")),
    (
        "baseline-period-not-a-month",
        _cell("kpis.csv", {"code": "L-BP"}, "baseline_period", "2023-13", "period"),
    ),
    (
        "unknown-area-type-in-kpi",
        _cell("kpis.csv", {"code": "L-BP"}, "area_types", "system;region", "area types"),
    ),
    (
        "too-few-baseline-points",
        _cell("kpis.csv", {"code": "L-BP"}, "spc_baseline_points", "8", "baseline points"),
    ),
    (
        "unknown-conflict-rule",
        _cell("kpis.csv", {"code": "L-BP"}, "conflict_rule", "both", "allowed values"),
    ),
    ("blank-source", _cell("bricks.csv", {"code": "TITRATE"}, "source", "", "required")),
    ("blank-name", _cell("kpis.csv", {"code": "L-BP"}, "name", "", "required")),
    ("bad-code", _cell("areas.csv", {"code": "PL2"}, "code", "PL 2", "code")),
    ("duplicate-code", _duplicate_code),
    (
        "duplicate-kpi-name",
        _cell(
            "kpis.csv", {"code": "L-CHECK"}, "name", "Blood pressure treated to target", "unique"
        ),
    ),
    ("duplicate-outcome-number", _duplicate_outcome_number),
    ("duplicate-link", _duplicate_link),
    (
        "duplicate-source-key",
        _cell("kpis.csv", {"code": "A-PHARM"}, "source_key", "test.checks", "unique"),
    ),
    ("outcomes-not-numbered-1-to-n", _numbering_gap),
    (
        "link-to-unknown-code",
        _cell("links.csv", {"from_code": "O2"}, "to_code", "L-BPX", "link to known code"),
    ),
    (
        "link-from-unknown-code",
        _cell("links.csv", {"to_code": "O2"}, "from_code", "H9", "link to known code"),
    ),
    (
        "link-outcome-written-as-number",
        _cell("links.csv", {"to_code": "O3"}, "to_code", "3", "link to known code"),
    ),
    (
        "link-to-wrong-tier",
        _cell("links.csv", {"from_code": "O1"}, "to_code", "A-PHARM", "link to right tier"),
    ),
    (
        "link-from-wrong-tier",
        _cell(
            "links.csv",
            {"from_code": "L-BP", "to_code": "A-CLINIC"},
            "from_code",
            "K-ADM",
            "link to right tier",
        ),
    ),
    ("outcome-without-lead-kpi", _outcome_without_lead),
    ("brick-without-activity-kpi", _brick_without_activity),
    ("kpi-without-i-statement", _kpi_without_statement),
    (
        "seed-without-citation",
        _cell("outcomes.csv", {"number": "1"}, "source", "programme plan", "seed cites file:line"),
    ),
    (
        "seed-kpi-without-citation",
        _cell(
            "kpis.csv", {"code": "A-CLINIC"}, "source", "the plan, page 4", "seed cites file:line"
        ),
    ),
    ("unknown-pillar", _cell("outcomes.csv", {"number": "2"}, "pillar_code", "XX", "known code")),
    (
        "brick-unknown-pillar",
        _cell("bricks.csv", {"code": "TITRATE"}, "pillar_code", "XX", "known code"),
    ),
    (
        "unknown-variant-of",
        _cell("i_statements.csv", {"code": "HS-2b"}, "variant_of", "HS-9", "known code"),
    ),
    (
        "unknown-parent-area",
        _cell("areas.csv", {"code": "PL1"}, "parent_code", "NOPE", "known parent"),
    ),
    (
        "activity-without-result-type",
        _cell("kpis.csv", {"code": "A-PHARM"}, "result_type", "", "activity KPI has a result type"),
    ),
    (
        "spc-event-unknown-kpi",
        _cell("spc_events.csv", {"kpi_code": "L-BP"}, "kpi_code", "L-XX", "known code"),
    ),
    (
        "spc-event-unknown-area",
        _cell("spc_events.csv", {"kpi_code": "A-PHARM"}, "area_code", "PL9", "known code"),
    ),
    (
        "spc-event-area-not-reported",
        _cell(
            "spc_events.csv", {"kpi_code": "A-PHARM"}, "area_code", "PROV1", "area reported for KPI"
        ),
    ),
    (
        "spc-event-bad-period",
        _cell("spc_events.csv", {"kpi_code": "L-BP"}, "period", "2024-1", "period"),
    ),
    (
        "spc-event-unknown-kind",
        _cell("spc_events.csv", {"kpi_code": "L-BP"}, "kind", "shift", "allowed values"),
    ),
    ("improvement-unknown-kpi", _improvement_for_unknown_kpi),
    ("support-end-unknown-area", _support_end_for_unknown_area),
    ("support-ended-before-improvement", _support_before_improvement),
    ("support-ended-without-improvement", _support_without_improvement),
    ("support-ended-for-another-area", _support_for_another_area),
    ("two-support-ends-same-month", _two_support_ends_same_month),
    ("improvement-in-the-future", _future_improvement),
    ("support-end-in-the-future", _future_support_end),
    (
        "trajectory-unknown-kpi",
        _cell("trajectories.csv", {"period": "2024-04"}, "kpi_code", "L-XX", "known code"),
    ),
    (
        "trajectory-unknown-area",
        _cell("trajectories.csv", {"period": "2024-04"}, "area_code", "PL9", "known code"),
    ),
    (
        "trajectory-target-not-a-number",
        _cell("trajectories.csv", {"period": "2024-05"}, "target", "seventy", "number"),
    ),
]


def _add_rows(f: Path, name: str, *rows: list[str]) -> int:
    """Append rows to a file; return the last one's row as the user counts it."""
    table = _rows(f, name)
    table += [list(r) for r in rows]
    _write(f, name, table)
    return len(table)


def _area_target_unknown_area(f: Path) -> Expected:
    row = _add_rows(f, "area_targets.csv", ["L-BP", "ZZZ", "70", "illustrative", "x"])
    return ("area_targets.csv", row, "area_code", "ZZZ", "known code")


def _area_target_unknown_kpi(f: Path) -> Expected:
    row = _add_rows(f, "area_targets.csv", ["L-NOPE", "PL1", "70", "illustrative", "x"])
    return ("area_targets.csv", row, "kpi_code", "L-NOPE", "known code")


def _area_target_twice(f: Path) -> Expected:
    row = _add_rows(f, "area_targets.csv", ["L-BP", "PL1", "76", "illustrative", "x"])
    return ("area_targets.csv", row, "kpi_code;area_code", "L-BP;PL1", "unique")


def _area_target_repeats_system_target(f: Path) -> Expected:
    row = _add_rows(f, "area_targets.csv", ["L-BP", "SYS", "78", "illustrative", "x"])
    return ("area_targets.csv", row, "area_code", "SYS", "one target per KPI, area and period")


def _area_target_area_not_reported(f: Path) -> Expected:
    row = _add_rows(f, "area_targets.csv", ["L-BP", "PROV1", "70", "illustrative", "x"])
    return ("area_targets.csv", row, "area_code", "PROV1", "area reported for KPI")


def _reconciliation_of_a_percentage(f: Path) -> Expected:
    row = _add_rows(f, "reconciliations.csv", ["L-BP", "place", "illustrative", "x"])
    return ("reconciliations.csv", row, "kpi_code", "L-BP", "a unit that adds up")


def _reconciliation_of_a_rate(f: Path) -> Expected:
    row = _add_rows(f, "reconciliations.csv", ["L-CHECK", "place", "illustrative", "x"])
    return ("reconciliations.csv", row, "kpi_code", "L-CHECK", "a unit that adds up")


def _reconciliation_unknown_kpi(f: Path) -> Expected:
    row = _add_rows(f, "reconciliations.csv", ["L-NOPE", "place", "illustrative", "x"])
    return ("reconciliations.csv", row, "kpi_code", "L-NOPE", "known code")


def _reconciliation_parts_not_reported(f: Path) -> Expected:
    row = _add_rows(f, "reconciliations.csv", ["K-ADM", "place", "illustrative", "x"])
    return ("reconciliations.csv", row, "parts", "place", "area type reported for KPI")


BROKEN += [
    ("area-target-unknown-area", _area_target_unknown_area),
    ("area-target-unknown-kpi", _area_target_unknown_kpi),
    ("area-target-twice", _area_target_twice),
    ("area-target-repeats-system-target", _area_target_repeats_system_target),
    ("area-target-area-not-reported", _area_target_area_not_reported),
    (
        "area-target-not-a-number",
        _cell("area_targets.csv", {"area_code": "PL1"}, "target", "lots", "number"),
    ),
    ("reconciliation-of-a-percentage", _reconciliation_of_a_percentage),
    ("reconciliation-of-a-rate", _reconciliation_of_a_rate),
    ("reconciliation-unknown-kpi", _reconciliation_unknown_kpi),
    ("reconciliation-parts-not-reported", _reconciliation_parts_not_reported),
    (
        "reconciliation-parts-system",
        _cell("reconciliations.csv", {"kpi_code": "A-PHARM"}, "parts", "system", "allowed values"),
    ),
]


def test_targets_belong_to_their_area(small: Path) -> None:
    fw = load_framework(small)
    assert fw.target_of("L-BP", "SYS") == 77.0  # kpis.csv's target is the system's
    assert fw.target_of("L-BP", "PL1") == 75.0  # the place's own row
    assert fw.target_of("L-BP", "PL2") is None  # no target of its own: never the system's
    assert fw.target_of("A-PHARM", "PL2") == 520.0
    assert fw.target_of("A-PHARM", "PL1") is None
    assert fw.reconciliation_of("A-PHARM") is not None
    assert fw.reconciliation_of("L-BP") is None
    as_json = framework_as_dict(fw)
    assert {"kpi_code": "L-BP", "area_code": "PL1"}.items() <= as_json["area_targets"][0].items()
    assert as_json["reconciliations"][0]["parts"] == "place"


@pytest.mark.parametrize("breaker", [b for _, b in BROKEN], ids=[name for name, _ in BROKEN])
def test_broken_framework_names_file_row_column_value(
    small: Path, breaker: Callable[[Path], Expected]
) -> None:
    file, row, column, value, rule = breaker(small)
    problems = load_problems(small)
    found = [(Path(p.file).name, p.row, p.column, p.value, p.rule) for p in problems]
    assert (file, row, column, value, rule) in found, problems
    for problem in problems:
        assert problem.message
        assert problem.sentence().startswith(problem.file)


def test_the_small_fixture_itself_is_valid(small: Path) -> None:
    fw = load_framework(small)
    assert [o.number for o in fw.outcomes] == [1, 2, 3]


def test_every_problem_is_reported_at_once(small: Path) -> None:
    set_cell(small, "kpis.csv", {"code": "L-BP"}, "direction", "upwards")
    set_cell(small, "bricks.csv", {"code": "TITRATE"}, "confidence", "high")
    set_cell(small, "kpis.csv", {"code": "K-ADM"}, "unit", "percent")
    found = {(Path(p.file).name, p.column, p.value) for p in load_problems(small)}
    assert {
        ("kpis.csv", "direction", "upwards"),
        ("bricks.csv", "confidence", "high"),
        ("kpis.csv", "unit", "percent"),
    } <= found


def test_every_cross_table_problem_is_reported_at_once(small: Path) -> None:
    set_cell(small, "links.csv", {"from_code": "O2"}, "to_code", "L-BPX")
    set_cell(small, "outcomes.csv", {"number": "1"}, "source", "no citation")
    set_cell(small, "areas.csv", {"code": "PL1"}, "parent_code", "NOPE")
    rules = {p.rule for p in load_problems(small)}
    assert {"link to known code", "seed cites file:line", "known parent"} <= rules


def test_a_relative_folder_is_named_relative(
    small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_cell(small, "kpis.csv", {"code": "L-BP"}, "direction", "upwards")
    monkeypatch.chdir(tmp_path)
    (problem,) = load_problems(Path("fw"))
    assert problem.file == "fw/kpis.csv"
    assert problem.sentence() == (
        "fw/kpis.csv, row 3, column direction: value 'upwards': is not one of the allowed "
        "values: increase, decrease, neutral (rule: allowed values)"
    )


def test_a_missing_folder_is_a_problem(tmp_path: Path) -> None:
    problems = load_problems(tmp_path / "nowhere")
    assert problems[0].rule == "framework folder"


def test_improvement_and_support_events_load(small: Path) -> None:
    _add_events(
        small,
        IMPROVED,
        ["L-BP", "PL1", "2024-09", "support_ended", "Partner left PL1"],
        ["L-BP", "", "2024-10", "support_ended", "Partner left"],
    )
    fw = load_framework(small, use_cache=False)
    kinds = [(e.area_code, e.period, str(e.kind)) for e in fw.spc_events if e.kpi_code == "L-BP"]
    assert kinds[1:] == [
        ("", "2024-03", "improvement_started"),
        ("PL1", "2024-09", "support_ended"),
        ("", "2024-10", "support_ended"),
    ]


def test_optional_files_may_be_absent(small: Path) -> None:
    (small / "spc_events.csv").unlink()
    (small / "trajectories.csv").unlink()
    fw = load_framework(small)
    assert fw.spc_events == ()
    assert fw.trajectories == ()


def test_blank_lines_are_skipped_and_rows_still_count_from_the_file(small: Path) -> None:
    rows = _rows(small, "kpis.csv")
    rows.insert(2, [])
    _write(small, "kpis.csv", rows)
    row = set_cell(small, "kpis.csv", {"code": "L-BP"}, "unit", "percent")
    problems = load_problems(small)
    assert [(p.row, p.column) for p in problems] == [(row, "unit")]


def test_small_framework_values_become_domain_objects(small_framework_dir: Path) -> None:
    fw = load_framework(small_framework_dir)
    lbp = fw.kpi("L-BP")
    assert lbp.baseline_value == 62.5
    assert lbp.spc_baseline_points == 12
    assert str(lbp.conflict_rule) == "improvement"
    assert lbp.area_types == (AreaType.SYSTEM, AreaType.PLACE)
    assert fw.kpi("L-CHECK").target_value is None
    assert fw.kpi("K-ADM").suppress_small_numbers is True
    assert [a.code for a in fw.kpi_areas("L-BP")] == ["SYS", "PL1", "PL2"]
    assert fw.linked(LinkKind.OUTCOME_LEAD_KPI, "O3") == ("L-BP",)
    assert [(e.kpi_code, e.area_code, str(e.kind)) for e in fw.spc_events] == [
        ("L-BP", "", "change_point"),
        ("A-PHARM", "PL1", "exclude"),
    ]
    assert [t.target for t in fw.trajectories] == [70.0, 71.0]


# The iCAN framework's content

OUTCOMES = [
    (1, "More people remain at home in the community", "CR"),
    (2, "Holistic planned care provided in the community", "CR"),
    (3, "Reduced avoidable escalations", "CR"),
    (4, "Reduced unplanned primary care demand", "CR"),
    (5, "People with frailty access the services they need", "FEFD"),
    (6, "People have input into the care they receive", "FEFD"),
    (7, "Prevented avoidable admissions into the acute setting", "FEFD"),
    (8, "Reduced unnecessary time in hospital beds", "FG"),
    (9, "Maximised independence by helping more people return home", "FG"),
    (10, "Improved the experience of people in our care", "FG"),
]


def test_exactly_the_ten_ican_outcomes_in_exact_wording(framework: Framework) -> None:
    assert [(o.number, o.wording, o.pillar_code) for o in framework.outcomes] == OUTCOMES
    assert all(o.provenance == Provenance.SEED for o in framework.outcomes)


def test_pillars_and_streams(framework: Framework) -> None:
    assert [(p.code, p.number, p.kind) for p in framework.pillars] == [
        ("CR", 1, "foundation"),
        ("FEFD", 2, "foundation"),
        ("FG", 3, "foundation"),
        ("CD", 4, "stream"),
        ("SW", 5, "stream"),
        ("EN", 6, "enabling"),
    ]


def test_every_named_brick_with_its_confidence(framework: Framework) -> None:
    per_pillar = {p.code: 0 for p in framework.pillars}
    for brick in framework.bricks:
        per_pillar[brick.pillar_code] += 1
        assert brick.confidence in {"H", "M", "L"}
        assert "004_76ce9cc29bd9e152.txt:909" in brick.source
    assert per_pillar == {"CR": 9, "FEFD": 4, "FG": 6, "CD": 0, "SW": 9, "EN": 7}
    names = {b.name for b in framework.bricks}
    assert {"Rapid Response", "Virtual wards", "BI", "Discharge to Assess Model"} <= names


def test_population_outcomes_and_ambitions(framework: Framework) -> None:
    assert [(p.name, p.placeholder) for p in framework.population_outcomes] == [
        ("Stay Well", False),
        ("Age Well", False),
    ]
    named = [a for a in framework.ambitions if not a.placeholder]
    assert [a.name for a in named] == [
        "Opportunity to be fit, well and independent",
        "Access to health and social care when they need it",
    ]
    placeholders = [a for a in framework.ambitions if a.placeholder]
    assert len(placeholders) == 8
    for number, ambition in enumerate(placeholders, start=3):
        assert ambition.provenance == Provenance.ILLUSTRATIVE
        assert ambition.name == f"ICP ambition {number} (not named in the iCAN documents)"


def test_every_i_statement_of_the_documents(framework: Framework) -> None:
    by_collection: dict[str, list[str]] = {}
    for statement in framework.i_statements:
        by_collection.setdefault(statement.collection, []).append(statement.code)
        assert CITATION.search(statement.source)
    assert by_collection["iCAN in 2025"] == [f"IS-{n:02d}" for n in range(1, 25)]
    assert by_collection["For Patients"] == [f"IP-{n:02d}" for n in range(1, 9)]
    assert by_collection["I want…"] == [f"IW-{n:02d}" for n in range(1, 9)]
    domains = {s.domain for s in framework.i_statements if s.collection == "iCAN in 2025"}
    assert len(domains) == 5
    example = {
        s.text: s.variant_of for s in framework.i_statements if s.collection == "example scorecard"
    }
    assert example == {
        "I understand and can access alternative options to the Emergency Department": "IS-19",
        "I am involved in my care and understand my condition.": "IP-03",
    }


SYSTEM_KPIS = ["SYS-ATT", "SYS-ADM", "SYS-LOS", "SYS-BEDDAYS", "SYS-CHC"]
# all-ages measures a publication gives, standing in for over-65 ones no publication splits
PUBLISHED_PROXIES = ["SYS-AEATT", "SYS-EMADMALL", "SYS-GABEDOCC"]


def test_the_kpi_codes_others_rely_on(framework: Framework) -> None:
    system = [k for k in framework.kpis if k.tier == Tier.SYSTEM]
    assert [k.code for k in system] == SYSTEM_KPIS + PUBLISHED_PROXIES
    for kpi in system[len(SYSTEM_KPIS) :]:
        assert kpi.name.endswith("(published proxy)")
        assert kpi.source_key
    assert framework.kpi("LEAD-ESC").name == "Reduced escalations to Acute Hospitals"
    assert framework.kpi("LEAD-ED").name == "Reduced ED attendances"
    nctr = framework.kpi("LEAD-NCTR")
    assert nctr.source_key == "nhse.discharge_delays.nctr_remaining_mean"
    assert nctr.area_types == (AreaType.SYSTEM, AreaType.PROVIDER)
    p0 = framework.kpi("LEAD-P0")
    assert p0.source_key == "nhse.discharge_delays.p0_share"
    assert p0.area_types == (AreaType.SYSTEM, AreaType.PROVIDER)
    assert str(p0.unit) == "%"
    ucr = framework.kpi("ACT-UCR2H")
    assert (ucr.tier, str(ucr.direction), ucr.target_value) == (Tier.ACTIVITY, "increase", 70.0)
    names = {k.name for k in framework.kpis if k.tier == Tier.ACTIVITY}
    assert {
        "Avoided attendances due to Community Resilience Intervention",
        "Projected additional packages per day to Rapid Response",
        "Number of people discussed in GP Reviews",
    } <= names


def test_ucr_recording_change_is_a_change_point(framework: Framework) -> None:
    events = [e for e in framework.spc_events if e.kpi_code == "ACT-UCR2H"]
    assert [(e.area_code, e.period, str(e.kind)) for e in events] == [
        ("", "2025-04", "change_point")
    ]
    assert events[0].reason.startswith("Recording change: 2-hour clock")


def test_every_kpi_has_a_plausible_baseline(framework: Framework) -> None:
    for kpi in framework.kpis:
        assert kpi.baseline_value is not None, kpi.code
        assert kpi.baseline_period, kpi.code
        # published annual measures are shown at their financial year's last month
        assert str(kpi.frequency) == ("annual" if kpi.code == "ACT-ASCSEQUEL" else "monthly")
        if str(kpi.unit) == "%":
            assert 0 <= kpi.baseline_value <= 100, kpi.code
        else:
            assert kpi.baseline_value > 0, kpi.code
        if kpi.tier == Tier.ACTIVITY:
            assert kpi.result_type is not None, kpi.code
        if kpi.provenance == Provenance.ILLUSTRATIVE:
            assert kpi.source.startswith("illustrative"), kpi.code


@pytest.mark.parametrize(
    ("code", "baseline", "cut"),
    [("SYS-ATT", 4470, 0.05), ("SYS-ADM", 2790, 0.05), ("SYS-BEDDAYS", 21330, 0.07)],
    ids=["attendances-5pc", "admissions-5pc", "bed-days-7pc"],
)
def test_documented_targets_are_absolute_monthly_values(
    framework: Framework, code: str, baseline: float, cut: float
) -> None:
    kpi = framework.kpi(code)
    assert kpi.baseline_value == baseline
    assert kpi.target_value == math.floor(baseline * (1 - cut) + 0.5)
    assert kpi.baseline_period == "2022-06"
    assert "004_76ce9cc29bd9e152.txt:550" in kpi.target_note


def test_every_outcome_brick_and_kpi_is_linked(framework: Framework) -> None:
    cov = coverage(framework)
    assert cov.complete
    assert cov.outcomes_without_lead_kpi == ()
    assert cov.bricks_without_activity_kpi == ()
    assert cov.kpis_without_i_statement == ()
    assert cov.placeholders == tuple(f"A{n}" for n in range(3, 11))
    for outcome in framework.outcomes:
        leads = framework.linked(LinkKind.OUTCOME_LEAD_KPI, outcome.code)
        assert leads, outcome.number
        assert all(framework.kpi(code).tier == Tier.LEAD for code in leads)


def test_areas(framework: Framework) -> None:
    assert [(a.code, str(a.type), a.parent_code) for a in framework.areas] == [
        ("QPM", "system", ""),
        ("E06000061", "place", "QPM"),
        ("E06000062", "place", "QPM"),
        ("RNS", "provider", "QPM"),
        ("RNQ", "provider", "QPM"),
        ("RP1", "provider", "QPM"),
    ]


def test_framework_as_dict_is_json_with_the_contract_keys(framework: Framework) -> None:
    data = framework_as_dict(framework)
    keys = "population_outcomes ambitions outcomes pillars bricks kpis i_statements areas links"
    assert set(keys.split()) <= set(data)
    again = json.loads(json.dumps(data))
    assert again["outcomes"][6] == {
        "code": "O7",
        "number": 7,
        "wording": "Prevented avoidable admissions into the acute setting",
        "pillar_code": "FEFD",
        "provenance": "seed",
        "source": framework.outcome(7).source,
    }
    kpi = next(k for k in again["kpis"] if k["code"] == "LEAD-NCTR")
    assert kpi["area_types"] == ["system", "provider"]
    assert kpi["tier"] == "lead"


def test_the_framework_files_have_exactly_the_interface_columns(framework_dir: Path) -> None:
    for stem, columns in COLUMNS.items():
        assert tuple(_rows(framework_dir, f"{stem}.csv")[0]) == columns, stem


# The `framework` command


def test_small_framework_loads_through_the_cli(
    small_framework_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["framework", "--framework", str(small_framework_dir)]) == 0
    out = capsys.readouterr().out
    assert "3 outcomes" in out
    assert "outcomes without lead KPI: none" in out
    assert main(["framework", "--json", "--framework", str(small_framework_dir)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["outcomes"][0]["wording"] == "More people know their blood pressure"
    assert data["coverage"]["outcomes_without_lead_kpi"] == []


def test_broken_framework_through_the_cli(small: Path, capsys: pytest.CaptureFixture[str]) -> None:
    row = set_cell(small, "kpis.csv", {"code": "L-BP"}, "direction", "upwards")
    assert main(["framework", "--json", "--framework", str(small)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"kpis.csv, row {row}, column direction: value 'upwards'" in captured.err


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scorecard", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_framework_json_from_the_repository() -> None:
    done = _run("framework", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert len(data["outcomes"]) == 10
    assert data["coverage"]["outcomes_without_lead_kpi"] == []
    assert data["coverage"]["bricks_without_activity_kpi"] == []
    assert data["coverage"]["kpis_without_i_statement"] == []


def test_broken_framework_exits_1_without_traceback(small: Path) -> None:
    set_cell(small, "links.csv", {"from_code": "O2"}, "to_code", "L-BPX")
    (small / "areas.csv").unlink()
    done = _run("framework", "--framework", str(small))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "areas.csv: the file is missing" in done.stderr
    assert done.stdout == ""


def test_support_ended_before_improvement_through_the_cli(
    small: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    row = _support_before_improvement(small)[1]
    assert main(["framework", "--framework", str(small)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"spc_events.csv, row {row}, column period: value '2024-02'" in captured.err
    assert "support ends after its improvement started" in captured.err
    # nothing else runs on such a framework: the scorecard refuses it with the same sentence
    db = tmp_path / "store.duckdb"
    assert (
        main(["scorecard", "--month", "2024-06", "--framework", str(small), "--db", str(db)]) == 1
    )
    assert "support ends after its improvement started" in capsys.readouterr().err
