"""Page one: the structured commentary form, the exceptions and decisions and the summary grid."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from scorecard.data.reviews import Reviews

ROLES = """
[default]
roles = ["board_viewer"]

[[people]]
id = "discharge@example.nhs.uk"
name = "Example discharge brick lead"
roles = ["kpi_owner"]
owner_roles = ["Brick lead: Discharge Improvements and early planning"]
"""
REPO = Path(__file__).resolve().parents[2]
KPI = "ACT-DISCHNOON"
OWNER = "discharge@example.nhs.uk"


@pytest.fixture
def own_db(demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the demo store without its people's words, and a roles file, for this test."""
    db = tmp_path / "store.duckdb"
    shutil.copy(demo_db, db)
    roles = tmp_path / "roles.toml"
    roles.write_text(ROLES, encoding="utf-8")
    monkeypatch.setenv("SCORECARD_ROLES", str(roles))
    monkeypatch.setenv("SCORECARD_LOCAL_MODE", "1")
    monkeypatch.setenv("SCORECARD_LOCAL_USER", OWNER)
    monkeypatch.delenv("SCORECARD_LOCAL_ROLE", raising=False)
    return db


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def errors(at: AppTest) -> list[str]:
    return [str(e.value) for e in at.error]


def widget(elements, label: str):
    found = [e for e in elements if e.label == label]
    assert found, f"no widget {label!r}: {[e.label for e in elements]}"
    return found[0]


def fill(
    at: AppTest,
    *,
    action: str = "",
    owner: str = "",
    due: dt.date | None = None,
    decision_required: bool = False,
    decision: str = "",
) -> AppTest:
    widget(at.text_area, "What the chart tells us").set_value("Fewer discharges before noon.")
    widget(at.text_input, "Action 1").set_value(action)
    widget(at.text_input, "Owner 1").set_value(owner)
    widget(at.date_input, "Due 1").set_value(due)
    if decision_required:
        widget(at.checkbox, "Decision required from the Board").check()
    widget(at.text_area, "The Board is asked to …").set_value(decision)
    widget(at.button, "Save commentary").click()
    return at.run()


def first_of(month: str) -> dt.date:
    return dt.date(int(month[:4]), int(month[5:7]), 1)


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        pytest.param(
            {"decision_required": True, "decision": ""},
            "a decision request needs its text",
            id="decision-without-text",
        ),
        pytest.param(
            {"action": "Audit ward rounds", "due": "month+10"},
            "action 1 needs an owner",
            id="action-without-owner",
        ),
        pytest.param(
            {"action": "Audit ward rounds", "owner": "Discharge lead"},
            "action 1 needs a due date",
            id="action-without-due-date",
        ),
        pytest.param(
            {"action": "Audit ward rounds", "owner": "Discharge lead", "due": "month-1"},
            "is before the month reviewed",
            id="due-date-before-the-month",
        ),
    ],
)
def test_the_form_refuses_an_incomplete_commentary_and_writes_nothing(
    open_page, own_db, case, expected
):
    at = open_page("pages/2_kpi.py", db=own_db, kpi=KPI)
    assert_clean(at)
    month = at.query_params["month"]
    given = dict(case)
    if given.get("due") == "month+10":
        given["due"] = first_of(month) + dt.timedelta(days=10)
    elif given.get("due") == "month-1":
        given["due"] = first_of(month) - dt.timedelta(days=1)
    at = fill(at, **given)
    assert_clean(at)
    shown = errors(at)
    assert len(shown) == 1, shown
    assert expected in shown[0]
    assert Reviews.beside(own_db).commentary_history(KPI, "QPM", month) == []


def test_a_complete_decision_request_is_saved_and_shown(open_page, own_db):
    at = open_page("pages/2_kpi.py", db=own_db, kpi=KPI)
    month = at.query_params["month"]
    at = fill(
        at,
        action="Audit ward rounds",
        owner="Discharge lead",
        due=first_of(month) + dt.timedelta(days=40),
        decision_required=True,
        decision="fund a seven-day discharge team for the winter",
    )
    assert_clean(at)
    assert errors(at) == []
    saved = Reviews.beside(own_db).commentary(KPI, "QPM", month)
    assert saved is not None
    assert saved.decision_required
    assert saved.decision == "fund a seven-day discharge team for the winter"
    assert saved.actions[0].owner == "Discharge lead"


def scorecard_json(db: Path, month: str, area: str) -> list[dict[str, object]]:
    args = ["scorecard", "--db", str(db), "--month", month, "--area", area, "--json"]
    done = subprocess.run(
        [sys.executable, "-m", "scorecard", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def grid_markdown(at: AppTest) -> list[str]:
    found = [str(m.value) for m in at.markdown if str(m.value).startswith("| Lead KPIs (")]
    assert len(found) == 1
    return found[0].split("\n\n")


def cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def read_grid(table: str) -> tuple[str, int, dict[tuple[str, str], int]]:
    lines = table.splitlines()
    head = cells(lines[0])
    tier, total = re.fullmatch(r"(Lead|Activity) KPIs \((\d+)\)", head[0]).groups()
    columns = {
        "Passing target": "pass",
        "Hit or miss": "hit_or_miss",
        "Failing target": "fail",
        "No target assurance": "none",
    }
    rows = {
        "Improvement": "improvement",
        "Common cause": "common_cause",
        "Concern": "concern",
        "Special cause, neutral": "neutral",
        "No SPC reading (too few points or no data)": "no_reading",
    }
    counts: dict[tuple[str, str], int] = {}
    for line in lines[2:]:
        row = cells(line)
        variation = rows[row[0].strip("*")]
        for name, cell in zip(head[1:], row[1:], strict=True):
            counts[(variation, columns[name])] = int(re.match(r"\[?(\d+)", cell).group(1))
    return tier.lower(), int(total), counts


def variation_of(code: str) -> str:
    for prefix, name in (
        ("improvement", "improvement"),
        ("concern", "concern"),
        ("neither", "neutral"),
        ("common_cause", "common_cause"),
    ):
        if code.startswith(prefix):
            return name
    return "no_reading"


def test_the_grid_counts_equal_the_rows_of_scorecard_json(open_page, demo_db):
    at = open_page("app.py")
    assert_clean(at)
    month, area = at.query_params["month"], at.query_params["area"]
    rows = scorecard_json(demo_db, month, area)
    for table in grid_markdown(at):
        tier, total, counts = read_grid(table)
        mine = [r for r in rows if r["tier"] == tier]
        assert total == len(mine)
        expected: dict[tuple[str, str], int] = {}
        for r in mine:
            key = (variation_of(str(r["variation"])), str(r["assurance"]))
            expected[key] = expected.get(key, 0) + 1
        assert {k: v for k, v in counts.items() if v} == expected
        assert sum(counts.values()) == len(mine)


def test_each_grid_cell_links_to_the_list_of_its_kpis(open_page):
    at = open_page("app.py")
    text = "\n".join(str(m.value) for m in at.markdown)
    anchors = re.findall(r"\]\(#([a-z0-9-]+)\)", "\n\n".join(grid_markdown(at)))
    assert anchors
    headings = {
        re.sub(r"[^a-z0-9]+", "-", h.lower()).strip("-"): h
        for h in re.findall(r"^### (.+)$", text, flags=re.MULTILINE)
    }
    for anchor in anchors:
        assert anchor in headings, anchor
        count = int(re.search(r"\((\d+)\)$", headings[anchor]).group(1))
        section = text.split(f"### {headings[anchor]}\n\n", 1)[1].split("\n\n", 1)[0]
        assert len(section.splitlines()) == count
        assert all("](kpi?month=" in line for line in section.splitlines())


def exception_markdown(at: AppTest) -> str:
    found = [str(m.value) for m in at.markdown if str(m.value).startswith("1. **")]
    assert found, "no exceptions list"
    return found[0]


def test_the_demo_puts_discharges_before_noon_and_a_decision_first(open_page):
    at = open_page("app.py")
    assert_clean(at)
    month, area = at.query_params["month"], at.query_params["area"]
    shown = exception_markdown(at)
    assert "ACT-DISCHNOON" in shown
    assert f"(kpi?month={month}&area={area}&kpi=ACT-DISCHNOON)" in shown
    assert shown.startswith("1. **Decision:**")
    assert "The Board is asked to" in shown
    assert "Synthetic demo" in shown  # the demo's words say what they are
    headline = next(str(m.value) for m in at.markdown if "lead KPIs reported" in str(m.value))
    assert "activity KPIs reported" in headline
    assert re.search(r"\*\*[1-9]\d* decisions? for the Board\*\*", headline), headline


def test_a_local_decision_request_reaches_the_exceptions_on_home(open_page, own_db):
    home = open_page("app.py", db=own_db)
    month = home.query_params["month"]
    before = "\n".join(str(m.value) for m in home.markdown)
    assert "The Board is asked to open a second discharge lounge" not in before
    at = open_page("pages/2_kpi.py", db=own_db, kpi=KPI)
    at = fill(
        at,
        action="Draft the business case",
        owner="Discharge lead",
        due=first_of(month) + dt.timedelta(days=20),
        decision_required=True,
        decision="open a second discharge lounge at the county hospital",
    )
    assert_clean(at)
    assert errors(at) == []
    home = open_page("app.py", db=own_db)
    assert_clean(home)
    shown = exception_markdown(home)
    first = shown.split("\n2. ")[0].replace("\\", "")  # Markdown escapes dropped
    assert first.startswith("1. **Decision:**")
    assert "ACT-DISCHNOON" in first
    assert "The Board is asked to open a second discharge lounge at the county hospital." in first
    assert "Draft the business case (Discharge lead" in first


def test_kpi_detail_shows_the_latest_commentary_beside_the_chart(open_page):
    at = open_page("pages/2_kpi.py", kpi=KPI)
    assert_clean(at)
    shown = [str(m.value) for m in at.markdown]
    heading = shown.index("**Latest commentary**")
    beside = shown[heading + 1].replace("\\", "")
    assert "Synthetic demo" in beside
    assert "**Decision required.** The Board is asked to agree to fund" in beside
    assert "**Next action:** Re-audit board round start times" in beside
    assert heading < shown.index("**Actions**")  # above the full commentary further down


def test_kpi_detail_without_commentary_says_so(open_page, own_db):
    at = open_page("pages/2_kpi.py", db=own_db, kpi=KPI)
    assert_clean(at)
    assert any("No commentary written for" in str(c.value) for c in at.caption)
