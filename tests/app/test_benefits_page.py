"""The Benefits page through AppTest: the four amounts, the thread, downloads, the BRG sign-off."""

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

REPO = Path(__file__).resolve().parents[2]
PAGE = "pages/8_benefits.py"
ROLES = """
[default]
roles = ["board_viewer"]

[[people]]
id = "brg.chair@example.nhs.uk"
name = "Example Benefits Realisation Group chair"
roles = ["brg", "board_viewer"]

[[people]]
id = "chair@example.nhs.uk"
name = "Example Executive Board chair"
roles = ["executive_board"]
"""
SIGN = "Sign off the delivered value"


def texts(at: AppTest) -> str:
    parts: list[str] = []
    for kind in ("title", "subheader", "markdown", "caption", "info", "warning", "error"):
        parts += [str(el.value) for el in getattr(at, kind)]
    parts += [str(el.value) for el in at.success]
    return "\n".join(parts).replace("\\", "")


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def table(at: AppTest, column: str) -> pd.DataFrame:
    found = [d.value for d in at.dataframe if column in d.value.columns]
    assert found, f"no table with a {column!r} column"
    return found[0]


def buttons(at: AppTest, label: str) -> list:
    return [b for b in at.button if b.label == label]


@pytest.fixture
def own_db(demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the demo store (sign-offs beside it stay in this test) and a roles file."""
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


def test_the_page_shows_the_four_amounts_by_line_on_the_demo_store(open_page, demo_db):
    at = open_page(PAGE)
    assert_clean(at)
    metrics = {m.label: m.value for m in at.metric}
    for label in (
        "Planned to date",
        "Delivered to date (calculated)",
        "Signed off by the BRG",
        "Cashed",
        "Cost to date",
        "Net to date",
    ):
        assert label in metrics, metrics
        assert "£" in metrics[label]
    lines = table(at, "Delivered (calculated)")
    assert list(lines["Line"]) == ["BEN-AE", "BEN-ADM", "BEN-AAP", "BEN-BED", "BEN-CHC"]
    assert {"Planned", "Delivered (calculated)", "Signed off by the BRG", "Cashed"} <= set(
        lines.columns
    )
    assert set(lines["Data"]) == {"synthetic"}
    assert all(
        str(v).startswith(("£", "−£", "not shown: ")) for v in lines["Delivered (calculated)"]
    )
    orgs = table(at, "Organisation")
    assert "UHN" in set(orgs["Organisation"])
    text = texts(at)
    assert "Synthetic:" in text
    assert "illustrative: " in text
    assert "Chart description: Cumulative benefits from Apr 2021" in text
    assert len(at.get("plotly_chart")) == 1
    assert len(at.get("download_button")) == 3
    assert "Read-only" in text
    assert not buttons(at, SIGN)
    # the demo's BRG sign-offs, by a synthetic BRG member, none changed since
    signoffs = table(at, "Signed off (£k)")
    # the page's month is at or after the demo's last quarterly review
    assert len(signoffs) == len(Reviews.beside(demo_db).benefit_signoffs()) > 0
    assert set(signoffs["By"]) == {"Synthetic demo (Benefits Realisation Group)"}
    assert all(str(n).startswith("[Synthetic demo]") for n in signoffs["Note"])
    assert set(signoffs["State"]) == {"unchanged since sign-off"}


def test_the_thread_links_each_line_to_kpi_detail_at_system_level(open_page):
    at = open_page(PAGE, area="RNS")
    assert_clean(at)
    links = at.get("page_link")
    labels = {str(link.proto.label).replace("\\", ""): link.proto for link in links}
    for code in ("ACT-D2AWAIT", "LEAD-NCTR", "SYS-BEDDAYS", "ACT-CRAVOID", "SYS-CHC"):
        proto = labels[f"Open {code}"]
        assert proto.page == "kpi"
        # Benefits are system level: the link opens the KPI at the ICB, not the selected area.
        assert proto.query_string.endswith(f"area=QPM&kpi={code}")
        assert "month=" in proto.query_string
    text = texts(at)
    assert "Lead KPI:" in text
    assert "Outcome " in text
    assert "measured at system level (NHS Northamptonshire ICB)" in text


def test_a_month_in_the_url_is_the_month_shown(open_page):
    month = "2025-06"
    at = open_page(PAGE, month=month)
    assert_clean(at)
    assert "to the end of June 2025" in texts(at)


def test_the_brg_signs_off_in_local_mode(open_page, own_db, monkeypatch):
    local_user(monkeypatch, "brg.chair@example.nhs.uk")
    at = open_page(PAGE, db=own_db)
    assert_clean(at)
    assert "Local mode." in texts(at)
    month = at.query_params["month"]
    month = month[0] if isinstance(month, list) else month
    at.selectbox(key="brg-line").set_value("BEN-BED")
    at.text_input[0].set_value("BRG minute 7 <b>")
    buttons(at, SIGN)[0].click()
    at.run()
    assert_clean(at)
    signed = Reviews.beside(own_db).benefit_signoffs(up_to=month)
    assert [(s.line_code, s.period, s.author_id) for s in signed] == [
        ("BEN-BED", month, "brg.chair@example.nhs.uk")
    ]
    assert signed[0].note == "BRG minute 7 <b>"
    assert signed[0].amount_k > 0
    history = table(at, "State")
    assert list(history["State"]) == ["unchanged since sign-off"]
    lines = table(at, "Delivered (calculated)")
    bed = lines.loc[lines["Line"] == "BEN-BED"].iloc[0]
    assert bed["Signed off by the BRG"] == f"£{signed[0].amount_k:,.0f}k"
    for element in (*at.markdown, *at.caption):
        assert "<b>" not in str(element.value)


@pytest.mark.parametrize("user", ["chair@example.nhs.uk", "someone@example.nhs.uk"])
def test_others_in_local_mode_get_no_form_and_write_nothing(open_page, own_db, monkeypatch, user):
    local_user(monkeypatch, user)
    at = open_page(PAGE, db=own_db)
    assert_clean(at)
    assert "Local mode." in texts(at)
    assert not buttons(at, SIGN)
    assert "Only the Benefits Realisation Group (or an administrator)" in texts(at)
    assert Reviews.beside(own_db).benefit_signoff_log() == []


def test_a_brg_form_sent_after_the_identity_changes_is_refused(open_page, own_db, monkeypatch):
    local_user(monkeypatch, "brg.chair@example.nhs.uk")
    at = open_page(PAGE, db=own_db)
    assert_clean(at)
    monkeypatch.setenv("SCORECARD_LOCAL_USER", "chair@example.nhs.uk")
    buttons(at, SIGN)[0].click()
    at.run()
    assert_clean(at)
    assert Reviews.beside(own_db).benefit_signoff_log() == []
    assert not buttons(at, SIGN)


def test_a_revised_extract_shows_changed_since_sign_off(open_page, own_db, monkeypatch, tmp_path):
    local_user(monkeypatch, "brg.chair@example.nhs.uk")
    at = open_page(PAGE, db=own_db)
    month = at.query_params["month"]
    month = month[0] if isinstance(month, list) else month
    at.selectbox(key="brg-line").set_value("BEN-BED")
    buttons(at, SIGN)[0].click()
    at.run()
    assert_clean(at)
    before = Reviews.beside(own_db).benefit_signoffs(up_to=month)
    assert len(before) == 1
    current = Store(own_db).current()
    row = current.loc[
        (current["kpi_code"] == "ACT-D2AWAIT")
        & (current["area_code"] == "QPM")
        & (current["period"] == month)
    ].iloc[0]
    extract = tmp_path / "revised.csv"
    pd.DataFrame(
        [
            {
                "kpi_code": "ACT-D2AWAIT",
                "area_code": "QPM",
                "period": month,
                "value": float(row["value"]) + 0.5,
                "status": "final",
            }
        ]
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
    again = open_page(PAGE, db=own_db, month=month)
    assert_clean(again)
    history = table(again, "State")
    assert list(history["State"]) == ["changed since sign-off"]
    assert "1 sign-off(s) changed since sign-off" in texts(again)
    # The stored sign-off is never altered.
    assert Reviews.beside(own_db).benefit_signoffs(up_to=month) == before


def test_a_line_whose_driving_kpi_slips_after_support_ended_is_flagged(open_page):
    at = open_page(PAGE)
    assert_clean(at)
    labels = [e.label for e in at.expander]
    flagged = [label for label in labels if "after support ended" in label]
    # The demo plants a slipping improvement on ACT-FFD, which drives the admissions line.
    assert len(flagged) == 1, labels
    assert flagged[0].startswith("BEN-ADM: ")
    assert flagged[0].endswith(" · ACT-FFD slipping after support ended")
    assert "ACT-FFD is slipping since its improvement's support ended" in texts(at)
