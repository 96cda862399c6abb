"""The app names a record of people's words rewritten outside it, and waits for an administrator."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from scorecard.data.access import Source, parse_role_map, principal_for
from scorecard.data.reviews import Reviews

ROLES = """
[[people]]
id = "chair@example.nhs.uk"
name = "Example chair"
roles = ["executive_board"]

[[people]]
id = "admin@example.nhs.uk"
name = "Example administrator"
roles = ["administrator"]
"""
CHAIR = principal_for("chair@example.nhs.uk", "", parse_role_map({}), Source.LOGIN)


def texts(at: AppTest) -> str:
    parts: list[str] = []
    for kind in ("markdown", "error", "warning", "success", "caption"):
        parts += [str(el.value) for el in getattr(at, kind)]
    return "\n".join(parts).replace("\\", "")


@pytest.fixture
def forged_db(demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the demo store whose Board sign-off was rewritten with INSERT OR REPLACE."""
    db = tmp_path / "store.duckdb"
    shutil.copy(demo_db, db)
    roles = tmp_path / "roles.toml"
    roles.write_text(ROLES, encoding="utf-8")
    monkeypatch.setenv("SCORECARD_ROLES", str(roles))
    for name in ("SCORECARD_LOCAL_MODE", "SCORECARD_LOCAL_USER", "SCORECARD_LOCAL_ROLE"):
        monkeypatch.delenv(name, raising=False)
    mapping = parse_role_map(
        {"people": [{"id": "chair@example.nhs.uk", "roles": ["executive_board"]}]}
    )
    chair = principal_for("chair@example.nhs.uk", "Example chair", mapping, Source.LOGIN)
    reviews = Reviews.beside(db)
    reviews.sign_off(chair, "2024-01", None, [], "store-1", "minute 4")
    con = sqlite3.connect(reviews.path, isolation_level=None)
    con.execute(
        "INSERT OR REPLACE INTO signoffs SELECT id, period, scope, action, 'approved in full',"
        " store_identity, rows_hash, rows_json, commentary_json, author_id, author_name,"
        " written_at FROM signoffs WHERE id = 1"
    )
    con.close()
    return db


def test_every_page_names_the_rewritten_sign_off(open_page, forged_db):
    at = open_page("app.py", db=forged_db)
    assert not at.exception
    text = texts(at)
    assert "has been altered outside the scorecard" in text
    assert "Board sign-off record 1 (2024-01 by Example chair" in text
    assert "changed since" in text


def test_an_administrator_acknowledges_and_sign_off_resumes(open_page, forged_db, monkeypatch):
    monkeypatch.setenv("SCORECARD_LOCAL_MODE", "1")
    monkeypatch.setenv("SCORECARD_LOCAL_USER", "admin@example.nhs.uk")
    at = open_page("pages/7_review.py", db=forged_db)
    assert not at.exception
    assert "Board sign-off record 1" in texts(at)
    reason = [t for t in at.text_input if t.label.startswith("What happened")]
    assert reason, "the administrator is offered the acknowledgement"
    reason[0].set_value("The note was edited by hand; minuted at the May Board.")
    next(b for b in at.button if b.label == "Acknowledge").click()
    at.run()
    assert not at.exception
    assert "has been altered outside the scorecard" not in texts(at)
    assert Reviews.beside(forged_db).verify().intact
