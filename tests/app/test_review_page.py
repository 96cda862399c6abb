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

from scorecard.data.reviews import Reviews
from scorecard.data.store import Store

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
    monkeypatch.setenv("SCORECARD_DB", str(db))
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
    tables = [d.value for d in at.dataframe if {"Code", "Value"} <= set(d.value.columns)]
    assert tables
    row = tables[0].loc[tables[0]["Code"] == "ACT-CIV"].iloc[0]
    assert row["Value"] == "*"
    assert "1-7 people" in texts(at)


# With the sign-in configured ([auth], OpenID Connect through Authlib): the identity provider's
# claims (st.user) decide who is writing; the provider itself is outside these tests.
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "a-test-cookie-secret",
    "client_id": "scorecard-test",
    "client_secret": "not-a-real-secret",
    "server_metadata_url": "https://login.example.invalid/.well-known/openid-configuration",
}


def signed_in(page: str, user: dict[str, object], **params: str) -> AppTest:
    """A page run with the sign-in configured and the given identity claims as st.user.

    The store is the one ``SCORECARD_DB`` names (the ``own_db`` fixture's copy).
    """
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    at.secrets["auth"] = AUTH
    at.user = user
    if page != "app.py":
        at.switch_page(page)
    for name, value in params.items():
        at.query_params[name] = value
    return at.run()


def test_signed_out_the_app_offers_the_sign_in_and_writes_nothing(own_db):
    at = signed_in("pages/2_kpi.py", {"is_logged_in": False}, kpi="LEAD-ESC")
    assert_clean(at)
    assert "You are not signed in: the scorecard is read-only." in texts(at)
    assert button(at, "Sign in")
    assert not [t for t in at.text_area if t.label == "What the chart tells us"]


def test_a_signed_in_owner_writes_commentary_under_their_own_identity(own_db):
    # The provider's subject claim matches roles.toml; the e-mail is shown, never matched.
    user = {
        "is_logged_in": True,
        "sub": "fefd@example.nhs.uk",
        "email": "FEFD.Lead@Example.NHS.uk",
        "name": "Example FEFD lead",
    }
    at = signed_in("pages/2_kpi.py", user, kpi="LEAD-ESC")
    assert_clean(at)
    assert "Signed in as Example FEFD lead (FEFD.Lead@Example.NHS.uk)" in texts(at)
    assert "Local mode" not in texts(at)
    text_area(at, "What the chart tells us").set_value("Escalations steady since the spring.")
    button(at, "Save commentary").click()
    at.run()
    assert_clean(at)
    saved = Reviews.beside(own_db).commentary("LEAD-ESC", "QPM", at.query_params["month"])
    assert saved is not None
    assert saved.author_id == "fefd@example.nhs.uk"
    assert saved.chart_says == "Escalations steady since the spring."


def test_a_signed_in_stranger_gets_the_default_roles_and_no_form(own_db):
    user = {
        "is_logged_in": True,
        "sub": "someone-else",
        "email": "someone@elsewhere.example",
        "name": "Someone",
    }
    at = signed_in("pages/2_kpi.py", user, kpi="LEAD-ESC")
    assert_clean(at)
    assert "Signed in as Someone" in texts(at)
    assert not [t for t in at.text_area if t.label == "What the chart tells us"]
    review = signed_in("pages/7_review.py", user)
    assert_clean(review)
    assert not [b for b in review.button if b.label == "Sign off the month"]
    assert Reviews.beside(own_db).signoff_log() == []


def test_the_signed_in_board_chair_signs_off_the_month(own_db):
    user = {
        "is_logged_in": True,
        "sub": "chair@example.nhs.uk",
        "email": "chair@example.nhs.uk",
        "name": "Example chair",
    }
    at = signed_in("pages/7_review.py", user)
    assert_clean(at)
    at.checkbox[0].check()
    button(at, "Sign off the month").click()
    at.run()
    assert_clean(at)
    signed = Reviews.beside(own_db).signoff(at.query_params["month"], "QPM")
    assert signed is not None
    assert signed.author_id == "chair@example.nhs.uk"


def test_an_e_mail_claim_grants_nothing_and_local_mode_is_refused(own_db, monkeypatch):
    # The e-mail claim names the Board chair, but the subject is someone else's: no sign-off.
    monkeypatch.setenv("SCORECARD_LOCAL_MODE", "1")
    monkeypatch.setenv("SCORECARD_LOCAL_USER", "chair@example.nhs.uk")
    monkeypatch.setenv("SCORECARD_LOCAL_ROLE", "administrator")
    user = {
        "is_logged_in": True,
        "sub": "a-stranger",
        "email": "chair@example.nhs.uk",
        "name": "Not the chair",
    }
    at = signed_in("pages/7_review.py", user)
    assert_clean(at)
    assert "Signed in as Not the chair" in texts(at)
    assert "refused while a sign-in is configured" in texts(at)
    assert "Local mode." not in texts(at)
    assert not [b for b in at.button if b.label == "Sign off the month"]
    no_subject = signed_in("pages/7_review.py", {"is_logged_in": True, "email": "chair@x"})
    assert "no subject (sub) claim" in texts(no_subject)
    assert not [b for b in no_subject.button if b.label == "Sign off the month"]
