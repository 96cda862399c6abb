"""The review page and the commentary panel through AppTest: roles, local mode, text not markup."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from scorecard.reviews import Reviews
from scorecard.store import Store

ROLES = """
[default]
roles = ["board_viewer"]

[[people]]
id = "chair@example.nhs.uk"
name = "Example chair"
roles = ["executive_board"]

[[people]]
id = "fefd@example.nhs.uk"
name = "Example FEFD lead"
roles = ["kpi_owner"]
owner_roles = ["FEFD pillar lead"]

[[people]]
id = "flow@example.nhs.uk"
name = "Example Flow lead"
roles = ["kpi_owner"]
owner_roles = ["Flow & Grip pillar lead"]
"""
REPO = Path(__file__).resolve().parents[2]
HOSTILE = "<script>alert('x')</script> **not bold** [link](javascript:alert(1))"


def texts(at: AppTest) -> str:
    parts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error"):
        parts += [str(el.value) for el in getattr(at, kind)]
    parts += [str(el.value) for el in at.success]
    return "\n".join(parts).replace("\\", "")


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


@pytest.fixture
def own_db(demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the demo store (people's words beside it stay in this test) and a roles file."""
    db = tmp_path / "store.duckdb"
    shutil.copy(demo_db, db)
    roles = tmp_path / "roles.toml"
    roles.write_text(ROLES, encoding="utf-8")
    monkeypatch.setenv("SCORECARD_ROLES", str(roles))
    for name in ("SCORECARD_LOCAL_MODE", "SCORECARD_LOCAL_USER", "SCORECARD_LOCAL_ROLE"):
        monkeypatch.delenv(name, raising=False)
    return db


def local_user(monkeypatch: pytest.MonkeyPatch, user: str) -> None:
    monkeypatch.setenv("SCORECARD_LOCAL_MODE", "1")
    monkeypatch.setenv("SCORECARD_LOCAL_USER", user)


def button(at: AppTest, label: str):
    found = [b for b in at.button if b.label == label]
    assert found, f"no button {label!r}: {[b.label for b in at.button]}"
    return found[0]


def text_area(at: AppTest, label: str):
    found = [t for t in at.text_area if t.label == label]
    assert found, f"no text area {label!r}"
    return found[0]


def test_without_a_sign_in_the_review_page_is_read_only(open_page, own_db):
    at = open_page("pages/7_review.py", db=own_db)
    assert_clean(at)
    text = texts(at)
    assert "Read-only: no sign-in is configured" in text
    assert "is **not signed off**" in text or "not signed off" in text
    assert not [b for b in at.button if b.label == "Sign off the month"]
    assert "Local mode" not in text
    downloads = at.get("download_button")
    assert len(downloads) == 3
    overview = [d.value for d in at.dataframe if "Commentary" in d.value.columns]
    assert overview
    assert Reviews.beside(own_db).signoff_log() == []


def test_the_board_signs_off_in_local_mode_and_the_month_freezes(open_page, own_db, monkeypatch):
    local_user(monkeypatch, "chair@example.nhs.uk")
    at = open_page("pages/7_review.py", db=own_db)
    assert_clean(at)
    text = texts(at)
    assert "Local mode." in text
    assert "Example chair" in text
    at.checkbox[0].check()
    button(at, "Sign off the month").click()
    at.run()
    assert_clean(at)
    month = at.query_params["month"]
    signed = Reviews.beside(own_db).signoff(month, "QPM")
    assert signed is not None
    assert signed.author_id == "chair@example.nhs.uk"
    assert signed.rows  # the month's scorecard rows, frozen
    assert "Signed off by **Example chair**" in texts(at).replace("\\", "")
    assert "Nothing has changed since sign-off." in texts(at)
    assert not [b for b in at.button if b.label == "Sign off the month"]


def test_commentary_with_script_is_saved_and_shown_as_text(open_page, own_db, monkeypatch):
    local_user(monkeypatch, "fefd@example.nhs.uk")
    at = open_page("pages/2_kpi.py", db=own_db, kpi="LEAD-ESC")
    assert_clean(at)
    text_area(at, "What the chart tells us").set_value(HOSTILE)
    text_area(at, "Issues").set_value("=1+1")
    button(at, "Save commentary").click()
    at.run()
    assert_clean(at)
    month = at.query_params["month"]
    saved = Reviews.beside(own_db).commentary("LEAD-ESC", "QPM", month)
    assert saved is not None
    assert saved.chart_says == HOSTILE
    assert saved.author_id == "fefd@example.nhs.uk"
    shown = [t for t in at.text if "<script>" in str(t.value)]
    assert shown, "the commentary is shown by a text element"
    assert HOSTILE in str(shown[0].value)
    for element in (*at.markdown, *at.caption):
        assert "<script>" not in str(element.value)


def test_another_owner_and_a_viewer_get_no_form_and_write_nothing(open_page, own_db, monkeypatch):
    local_user(monkeypatch, "fefd@example.nhs.uk")
    at = open_page("pages/2_kpi.py", db=own_db, kpi="LEAD-ESC")
    assert_clean(at)
    text_area(at, "What the chart tells us").set_value("Written by someone else.")
    # The identity changes before the form is sent: the owner's form does not write for them.
    monkeypatch.setenv("SCORECARD_LOCAL_USER", "flow@example.nhs.uk")
    button(at, "Save commentary").click()
    at.run()
    assert_clean(at)
    assert not [t for t in at.text_area if t.label == "What the chart tells us"]
    assert "Only the KPI's owner (FEFD pillar lead) or an administrator" in texts(at)
    month = at.query_params["month"]
    assert Reviews.beside(own_db).commentary_history("LEAD-ESC", "QPM", month) == []
    monkeypatch.delenv("SCORECARD_LOCAL_MODE")
    viewer = open_page("pages/2_kpi.py", db=own_db, kpi="LEAD-ESC")
    assert_clean(viewer)
    assert not [t for t in viewer.text_area if t.label == "What the chart tells us"]
    assert not [b for b in viewer.button if b.label == "Save commentary"]
    assert "Read-only" in texts(viewer)


def test_small_numbers_show_as_a_star_on_the_review_page(open_page, own_db, tmp_path):
    month = Store(own_db).periods()[-1]
    extract = tmp_path / "small.csv"
    pd.DataFrame(
        [{"kpi_code": "ACT-CIV", "area_code": "E06000061", "period": month, "value": 4}]
    ).to_csv(extract, index=False)
    done = subprocess.run(
        [sys.executable, "-m", "scorecard", "load", str(extract), "--db", str(own_db)],
        cwd=REPO,
        env={k: v for k, v in os.environ.items() if k != "SCORECARD_DB"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    at = open_page("pages/7_review.py", db=own_db, area="E06000061", month=month)
    assert_clean(at)
    tables = [d.value for d in at.dataframe if {"kpi_code", "value"} <= set(d.value.columns)]
    assert tables
    row = tables[0].loc[tables[0]["kpi_code"] == "ACT-CIV"].iloc[0]
    assert row["value"] == "*"
    assert "1-7 people" in texts(at)
