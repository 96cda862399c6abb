"""`python -m scorecard benefits` on a fresh demo store, as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_process import run_scorecard as scorecard

from scorecard.data.store import Store

# The documents' benefits table (004_76ce9cc29bd9e152.txt:1117-1124), £'000.
YEARS = ["2021/22", "2022/23", "2023/24", "2024/25", "2025/26"]
BENEFITS = {
    "Reduce A&E attendances (including associated admission & LoS)": [1078, 2695, 5390, 5390, 5390],
    "Reduce Admissions (including associated LoS)": [512, 1280, 2560, 2560, 2560],
    "Reduce admissions avoidance packages": [224, 560, 1120, 1120, 1120],
    "Reduce bed days": [734, 1835, 3670, 3670, 3670],
    "Reduction in cost of CHC packages": [120, 300, 600, 600, 600],
}
# The costs table (004_76ce9cc29bd9e152.txt:1140-1150), £'000; None where it says TBC or '-'.
COSTS = {
    "Internal costs (PMO & Backfill)": [1850, 1850, 1000, 1000, 500],
    "Newton": [8000, 0, 0, 0, 0],
    "ICT & DN Pay Costs": [462, 2740, 2740, 2740, 2740],
    "Additional IV Costs": [None, None, None, None, None],
    "Additional resource within maximum resource envelope": [958, 4360, 4360, 4360, 4360],
}


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("benefits-cli") / "demo.duckdb"
    done = scorecard("demo", "--db", str(db))
    assert done.returncode == 0, done.stderr
    return db


@pytest.fixture(scope="module")
def latest(demo_db: Path) -> str:
    return Store(demo_db).periods()[-1]


@pytest.fixture(scope="module")
def result(demo_db: Path, latest: str) -> dict:  # type: ignore[type-arg]
    done = scorecard("benefits", "--month", latest, "--json", "--db", str(demo_db))
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert isinstance(data, dict)
    return data


def test_the_plan_is_the_documents_table_cell_for_cell(result: dict) -> None:  # type: ignore[type-arg]
    got = {(r["line"], r["year"]): r["planned_k"] for r in result["plan"]}
    want = {
        (line, y): v for line, vals in BENEFITS.items() for y, v in zip(YEARS, vals, strict=True)
    }
    assert got == want
    assert len(result["plan"]) == 25
    totals = [sum(r["planned_k"] for r in result["plan"] if r["year"] == y) for y in YEARS]
    assert totals == [2668, 6670, 13340, 13340, 13340]
    assert sum(totals) == 49358


def test_the_costs_are_the_documents_table_cell_for_cell(result: dict) -> None:  # type: ignore[type-arg]
    got = {(r["line"], r["year"]): r["cost_k"] for r in result["costs"]}
    want = {(line, y): v for line, vals in COSTS.items() for y, v in zip(YEARS, vals, strict=True)}
    assert got == want
    totals = [sum(r["cost_k"] or 0 for r in result["costs"] if r["year"] == y) for y in YEARS]
    assert totals == [11270, 8950, 8100, 8100, 7600]
    assert sum(totals) == 44020


def test_each_line_has_the_contract_fields(result: dict) -> None:  # type: ignore[type-arg]
    fields = {
        "line",
        "planned_to_date_k",
        "delivered_to_date_k",
        "signed_off_k",
        "cashed_k",
        "kpi_codes",
        "method",
        "status",
    }
    assert [r["line"] for r in result["lines"]] == list(BENEFITS)
    for row in result["lines"]:
        assert fields <= set(row)
        assert row["method"] in {
            "ways_of_working",
            "activity_kpis",
            "scaled_trials",
            "bottom_up",
            "top_down",
        }
        assert row["kpi_codes"]
    totals = result["totals"]
    assert {
        "planned_to_date_k",
        "delivered_to_date_k",
        "signed_off_k",
        "cashed_k",
        "cost_to_date_k",
        "net_to_date_k",
    } <= set(totals)
    assert totals["net_to_date_k"] == pytest.approx(
        totals["delivered_to_date_k"] - totals["cost_to_date_k"], abs=0.11
    )


def test_the_demo_is_synthetic_with_one_line_behind_and_one_capped(result: dict) -> None:  # type: ignore[type-arg]
    assert result["synthetic"] is True
    lines = {r["code"]: r for r in result["lines"]}
    assert all(r["synthetic"] for r in lines.values())
    assert any(r["status"] == "behind_plan" for r in lines.values())
    capped = lines["BEN-BED"]["attribution"]
    assert capped["case"] == "capped"
    assert capped["system_improvement"] < capped["operational_improvement"]
    assert capped["programme"] == capped["system_improvement"]
    assert all(r["delivered_to_date_k"] > 0 for r in lines.values())


def test_the_text_says_synthetic_and_names_each_line(demo_db: Path, latest: str) -> None:
    done = scorecard("benefits", "--month", latest, "--db", str(demo_db))
    assert done.returncode == 0, done.stderr
    assert "synthetic" in done.stdout
    assert "Reduce bed days" in done.stdout
    assert "net position" in done.stdout


def test_a_month_without_data_is_refused_with_a_sentence(demo_db: Path) -> None:
    done = scorecard("benefits", "--month", "2019-04", "--json", "--db", str(demo_db))
    assert done.returncode == 1
    assert "no data for 2019-04" in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""


@pytest.mark.parametrize("month", ["2026-13", "26-01", "May 2026"])
def test_a_malformed_month_is_a_usage_error(demo_db: Path, month: str) -> None:
    done = scorecard("benefits", "--month", month, "--db", str(demo_db))
    assert done.returncode == 2
    assert "YYYY-MM" in done.stderr


def test_a_line_driven_by_a_slipping_improvement_is_flagged(result: dict) -> None:  # type: ignore[type-arg]
    from scorecard.synthetic.demo_plants import PLANTS

    slipping = {p.kpi_code for p in PLANTS if p.kind in ("slipping", "lost")}
    for row in result["lines"]:
        driving = set(row["kpi_codes"]) & slipping
        if driving:
            assert row["sustainability"] in {"slipping", "lost"}, row["code"]
            assert row["sustainability_kpi"] in driving
            assert "support ended" in row["status_sentence"]
        else:
            assert row["sustainability"] is None, row["code"]
    assert any(row["sustainability"] for row in result["lines"])  # the demo shows one
