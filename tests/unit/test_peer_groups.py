"""Peer groups as framework data: read into groups, and every bad row named."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from scorecard.thread.errors import UserError
from scorecard.thread.framework import load_framework
from scorecard.thread.framework_coverage import framework_as_dict


def test_the_framework_holds_england_the_region_and_similar_systems(framework_dir: Path) -> None:
    groups = {g.code: g for g in load_framework(framework_dir).peer_groups}
    assert groups["england"].level == "icb"
    assert groups["england"].members == ()
    assert len(groups["midlands"].members) == 11
    assert "QPM" in groups["midlands"].members
    assert groups["similar"].provenance == "illustrative"
    assert "confirm" in groups["similar"].source


def _broken(tmp_path: Path, framework_dir: Path, rows: list[list[str]]) -> list[tuple]:
    folder = tmp_path / "fw"
    shutil.copytree(framework_dir, folder)
    path = folder / "peer_groups.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        existing = list(csv.reader(handle))
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(existing + rows)
    with pytest.raises(UserError) as caught:
        load_framework(folder, use_cache=False)
    return [
        (p.file.rsplit("/", 1)[-1], p.row, p.column, p.value, p.rule) for p in caught.value.problems
    ]


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        pytest.param(
            [["midlands", "NHS England Midlands region ICBs", "trust", "RNS", "illustrative", "x"]],
            ("level", "trust", "one group, one level"),
            id="level-differs-within-a-group",
        ),
        pytest.param(
            [
                [
                    "england",
                    "England: every integrated care board",
                    "icb",
                    "QPM",
                    "illustrative",
                    "x",
                ]
            ],
            ("org_code", "*", "all of the level alone"),
            id="star-with-other-members",
        ),
        pytest.param(
            [["pcns", "Primary care networks", "pcn", "U1", "illustrative", "x"]],
            ("level", "pcn", "allowed values"),
            id="unknown-level",
        ),
        pytest.param(
            [
                [
                    "similar",
                    "Similar systems (illustrative until the programme chooses them)",
                    "icb",
                    "QPM",
                    "illustrative",
                    "x",
                ]
            ],
            ("group_code;org_code", "similar;QPM", "unique"),
            id="member-twice",
        ),
        pytest.param(
            [["odd", "Odd", "icb", "Q PM", "illustrative", "x"]],
            ("org_code", "Q PM", "organisation code"),
            id="not-a-code",
        ),
    ],
)
def test_bad_peer_group_rows_are_named(
    tmp_path: Path, framework_dir: Path, extra: list[list[str]], expected: tuple[str, str, str]
) -> None:
    problems = _broken(tmp_path, framework_dir, extra)
    column, value, rule = expected
    matching = [p for p in problems if p[0] == "peer_groups.csv" and p[2] == column]
    assert matching, problems
    assert any(p[3] == value and rule in p[4] for p in matching), problems
    assert all(p[1] is not None and p[1] > 1 for p in matching)


def test_framework_json_lists_peer_groups(framework_dir: Path) -> None:
    data = framework_as_dict(load_framework(framework_dir))
    assert {g["code"] for g in data["peer_groups"]} >= {"england", "midlands", "similar"}
