"""KPI detail's benchmark view from comparison rows: peer groups, bad rows, too few peers."""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path

import pandas as pd
import pytest

from scorecard.reports.comparisons import (
    PEER_MEMBER_RULE,
    BenchmarkView,
    absent_peer_members,
    benchmark_view,
    benchmarks_of_frame,
    peer_frame,
)
from scorecard.statistics.benchmark import Band, split_comparisons
from scorecard.thread.domain import PeerGroup, Provenance
from scorecard.thread.framework import load_framework

FRAMEWORK = Path(__file__).resolve().parents[2] / "data" / "framework"
KEY = "nhse.discharge_delays.p0_share"
MIDLANDS = ("QGH", "QHL", "QJ2", "QJM", "QK1", "QNC", "QOC", "QPM", "QT1", "QUA", "QWU")


@pytest.fixture(scope="module")
def fw():
    return load_framework(FRAMEWORK)


def _rows(period: str, icbs: dict[str, tuple[float, float]]) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    total_num = sum(n for n, _ in icbs.values())
    total_den = sum(d for _, d in icbs.values())
    for code, (num, den) in icbs.items():
        rows.append(
            {
                "org_code": code,
                "org_name": f"ICB {code}",
                "org_level": "icb",
                "source_key": KEY,
                "period": period,
                "value": num / den * 100 if den else None,
                "numerator": num,
                "denominator": den,
            }
        )
    rows.append(
        {
            "org_code": "ENGLAND",
            "org_name": "England",
            "org_level": "england",
            "source_key": KEY,
            "period": period,
            "value": total_num / total_den * 100,
            "numerator": total_num,
            "denominator": total_den,
        }
    )
    return rows


def _icbs() -> dict[str, tuple[float, float]]:
    codes = [*MIDLANDS, "QUE", "QMM", "QJG", "QHG", "QM7"]
    return {c: (800.0 + 7 * i, 1000.0 + 3 * i) for i, c in enumerate(codes)}


def test_the_view_uses_the_latest_month_with_the_areas_own_figure(fw) -> None:
    icbs = _icbs()
    later = {c: v for c, v in icbs.items() if c != "QPM"}
    split = split_comparisons(pd.DataFrame(_rows("2024-01", icbs) + _rows("2024-02", later)))
    view = benchmark_view(fw, split, fw.kpi("LEAD-P0"), "QPM", "2024-02")
    assert isinstance(view, BenchmarkView)
    assert view.period == "2024-01"
    assert view.benchmark is not None
    assert view.benchmark.method == "funnel"
    assert [p for p, _, _ in view.history] == ["2024-01", "2024-02"]
    assert view.history[-1][1] is None


def test_a_peer_group_naming_an_organisation_not_in_the_data_says_so(fw) -> None:
    icbs = {c: v for c, v in _icbs().items() if c != "QGH"}
    split = split_comparisons(pd.DataFrame(_rows("2024-01", icbs)))
    view = benchmark_view(fw, split, fw.kpi("LEAD-P0"), "QPM", "2024-01", "midlands")
    assert isinstance(view, BenchmarkView)
    assert view.missing_members == ("QGH",)
    assert len(view.table.codes) == len(MIDLANDS) - 1


def test_fewer_than_five_peers_gives_a_rank_and_the_reason(fw) -> None:
    split = split_comparisons(pd.DataFrame(_rows("2024-01", _icbs())))
    few = PeerGroup("few", "Few", "icb", ("QPM", "QJM", "QT1"), Provenance.ILLUSTRATIVE, "test")
    small = dataclasses.replace(fw, peer_groups=(*fw.peer_groups, few))
    view = benchmark_view(small, split, fw.kpi("LEAD-P0"), "QPM", "2024-01", "few")
    assert isinstance(view, BenchmarkView)
    assert view.table.method == "rank"
    assert view.benchmark is not None
    assert view.benchmark.band is Band.NOT_COMPARABLE
    assert "Only 3 organisations reported" in view.benchmark.reason


def test_zero_denominators_and_impossible_numerators_are_left_out_and_counted(fw) -> None:
    icbs = _icbs()
    icbs["QUE"] = (5.0, 0.0)
    icbs["QMM"] = (1200.0, 1000.0)
    split = split_comparisons(pd.DataFrame(_rows("2024-01", icbs)))
    view = benchmark_view(fw, split, fw.kpi("LEAD-P0"), "QPM", "2024-01")
    assert isinstance(view, BenchmarkView)
    funnel = view.table.funnel
    assert funnel is not None
    assert funnel.excluded == {
        "zero_denominator": 1,
        "numerator_above_denominator_or_negative": 1,
    }
    frame = peer_frame(view, {"QPM"})
    assert list(frame["Organisation code"][-2:]) == ["QMM", "QUE"]
    assert frame.set_index("Organisation code").loc["QPM", "Northamptonshire"] == "yes"


def test_a_kpi_without_comparison_data_gets_a_sentence_and_no_benchmark(fw) -> None:
    split = split_comparisons(pd.DataFrame(_rows("2024-01", _icbs())))
    said = benchmark_view(fw, split, fw.kpi("LEAD-ESC"), "QPM", "2024-01")
    assert said == "This KPI is not published nationally, so it is not compared with England."
    found = benchmarks_of_frame(
        pd.DataFrame(_rows("2024-01", _icbs())),
        fw,
        [("LEAD-ESC", "QPM", "2024-01"), ("LEAD-P0", "QPM", "2024-01")],
    )
    assert set(found) == {("LEAD-P0", "QPM", "2024-01")}


def _framework_with(tmp_path: Path, *extra: str) -> Path:
    folder = tmp_path / "framework"
    folder.mkdir(parents=True)
    text = (FRAMEWORK / "peer_groups.csv").read_text(encoding="utf-8")
    lines = text.rstrip("\n").split("\n")
    (folder / "peer_groups.csv").write_text("\n".join([*lines, *extra]) + "\n", encoding="utf-8")
    return folder


def test_a_peer_group_member_the_data_never_holds_is_named_with_file_row_column_value_rule(
    tmp_path: Path,
) -> None:
    frame = pd.DataFrame(_rows("2024-01", _icbs()))
    folder = _framework_with(
        tmp_path,
        "similar,Similar systems (illustrative until the programme chooses them),icb,QZZ,"
        "illustrative,a proposal",
        # held, but as an England row, not an ICB: still absent at the group's level
        "similar,Similar systems (illustrative until the programme chooses them),icb,ENGLAND,"
        "illustrative,a proposal",
    )
    rows = len((folder / "peer_groups.csv").read_text(encoding="utf-8").splitlines())
    problems = absent_peer_members(folder, frame)
    assert [(p.row, p.column, p.value) for p in problems] == [
        (rows - 1, "org_code", "QZZ"),
        (rows, "org_code", "ENGLAND"),
    ]
    first = problems[0]
    assert first.file.endswith("framework/peer_groups.csv")
    assert first.rule == PEER_MEMBER_RULE
    sentence = first.sentence()
    assert f"peer_groups.csv, row {rows - 1}, column org_code: value 'QZZ':" in sentence
    assert "peer group 'similar' names QZZ" in sentence
    assert "does not hold at level icb" in sentence


def test_every_repository_peer_group_member_held_gives_no_problem(tmp_path: Path) -> None:
    frame = pd.DataFrame(_rows("2024-01", _icbs()))
    assert absent_peer_members(_framework_with(tmp_path), frame) == []
    # with no comparison rows every named member is absent, one problem a row; '*' never
    problems = absent_peer_members(_framework_with(tmp_path / "x"), frame.iloc[0:0])
    with (FRAMEWORK / "peer_groups.csv").open(encoding="utf-8", newline="") as handle:
        named = [
            (row, r["org_code"])
            for row, r in enumerate(csv.DictReader(handle), start=2)
            if r["org_code"] != "*"
        ]
    assert [(p.row, p.value) for p in problems] == named
    assert len(named) > 10
