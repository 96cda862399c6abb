"""Structured commentary: a decision request and next actions; incomplete ones are refused."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from scorecard.data.access import Source, parse_role_map, principal_for
from scorecard.data.reviews import Reviews
from scorecard.data.reviews_commentary import Action
from scorecard.data.reviews_core import _SCHEMA as FIRST_SCHEMA
from scorecard.thread.errors import UserError

MAPPING = parse_role_map(
    {
        "people": [
            {
                "id": "flow@example.nhs.uk",
                "roles": ["kpi_owner"],
                "owner_roles": ["Flow & Grip pillar lead"],
            },
            {"id": "chair@example.nhs.uk", "roles": ["executive_board"]},
        ]
    }
)
FLOW = principal_for("flow@example.nhs.uk", "Flow lead", MAPPING, Source.LOGIN)
KPI = "LEAD-NCTR"  # owned by the Flow & Grip pillar lead
MONTH = "2026-11"


@pytest.fixture
def reviews(tmp_path: Path) -> Reviews:
    return Reviews(tmp_path / "words.reviews.sqlite")


def write(reviews: Reviews, framework, **kw):
    kw.setdefault("chart_says", "Delays rose again in November.")
    return reviews.add_commentary(framework, FLOW, KPI, "QPM", MONTH, **kw)


def test_a_decision_request_is_stored_and_read_back(reviews, framework):
    saved = write(
        reviews,
        framework,
        decision_required=True,
        decision="approve twelve more discharge-to-assess beds for the winter",
        actions=[Action("Cost the beds", "Flow & Grip pillar lead", "2026-12-15")],
    )
    again = reviews.commentary(KPI, "QPM", MONTH)
    assert again == saved
    assert again.decision_required
    assert again.decision == "approve twelve more discharge-to-assess beds for the winter"
    assert again.as_dict()["decision_required"] is True
    assert [c.decision_required for c in reviews.latest_commentary(MONTH, "QPM")] == [True]


def test_without_a_decision_nothing_is_asked(reviews, framework):
    saved = write(reviews, framework)
    assert not saved.decision_required
    assert saved.decision == ""


@pytest.mark.parametrize(
    ("kw", "column", "words"),
    [
        pytest.param(
            {"decision_required": True, "decision": "   "},
            "decision",
            "a decision request needs its text",
            id="decision-flag-without-text",
        ),
        pytest.param(
            {"actions": [Action("Cost the beds", "", "2026-12-15")]},
            "action 1 owner",
            "action 1 needs an owner",
            id="action-without-owner",
        ),
        pytest.param(
            {"actions": [Action("Cost the beds", "Flow lead", "")]},
            "action 1 due date",
            "action 1 needs a due date",
            id="action-without-due-date",
        ),
        pytest.param(
            {"actions": [Action("Cost the beds", "Flow lead", "2026-10-31")]},
            "action 1 due date",
            "is before the month reviewed (2026-11)",
            id="due-date-before-the-month",
        ),
        pytest.param(
            {
                "actions": [
                    Action("Fine", "Flow lead", "2026-11-01"),
                    Action("Second", "", "2026-12-01"),
                ]
            },
            "action 2 owner",
            "action 2 needs an owner",
            id="second-action-without-owner",
        ),
    ],
)
def test_an_incomplete_structured_commentary_is_refused_and_nothing_written(
    reviews, framework, kw, column, words
):
    with pytest.raises(UserError) as info:
        write(reviews, framework, **kw)
    problems = info.value.problems
    assert [p.column for p in problems] == [column]
    assert words in problems[0].sentence()
    assert reviews.commentary_history(KPI, "QPM", MONTH) == []


def test_a_due_date_on_the_first_of_the_month_is_accepted(reviews, framework):
    saved = write(reviews, framework, actions=[Action("Start", "Flow lead", "2026-11-01")])
    assert saved.actions[0].due == "2026-11-01"


def test_a_reviews_file_from_before_decisions_gains_the_columns(tmp_path, framework):
    path = tmp_path / "old.reviews.sqlite"
    con = sqlite3.connect(path)
    con.executescript(FIRST_SCHEMA)  # the schema as first released, without the decision
    con.execute(
        "INSERT INTO commentary (kpi_code, area_code, period, version, chart_says, issues,"
        " actions, mitigations, author_id, author_name, written_at)"
        " VALUES ('LEAD-NCTR', 'QPM', '2026-10', 1, 'Older words.', '', '[]', '',"
        " 'flow@example.nhs.uk', 'Flow lead', '2026-11-02T09:00:00+00:00')"
    )
    con.commit()
    con.close()
    old = Reviews(path)
    before = old.commentary(KPI, "QPM", "2026-10")
    assert before is not None
    assert before.chart_says == "Older words."
    assert not before.decision_required
    write(old, framework, decision_required=True, decision="note the risk")
    latest = old.latest_commentary(MONTH, "QPM")
    assert [(c.period, c.decision) for c in latest] == [(MONTH, "note the risk")]
    assert [c.period for c in old.latest_commentary("2026-10", "QPM")] == ["2026-10"]
