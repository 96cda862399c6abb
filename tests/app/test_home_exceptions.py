"""Page one: the structured commentary form, the exceptions and decisions and the summary grid."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from scorecard.reviews import Reviews

ROLES = """
[default]
roles = ["board_viewer"]

[[people]]
id = "discharge@example.nhs.uk"
name = "Example discharge brick lead"
roles = ["kpi_owner"]
owner_roles = ["Brick lead: Discharge Improvements and early planning"]
"""
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
