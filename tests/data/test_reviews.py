"""People's words in SQLite beside the store: history kept, permissions at the writer, sign-off."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from cli_process import run_scorecard as scorecard_cli

from scorecard.data.access import ANONYMOUS, PermissionDenied, Source, parse_role_map, principal_for
from scorecard.data.reviews import Reviews
from scorecard.data.reviews_annotations import with_declared_change_points
from scorecard.data.reviews_commentary import MAX_FIELD_CHARS, Action
from scorecard.data.reviews_core import reviews_path
from scorecard.data.reviews_signoffs import row_record, rows_hash
from scorecard.data.store import Store
from scorecard.reports.scoring import compute_scorecard
from scorecard.reports.scoring_series import compute_series
from scorecard.thread.errors import UserError

REPO = Path(__file__).resolve().parents[2]
MAPPING = parse_role_map(
    {
        "people": [
            {
                "id": "fefd@example.nhs.uk",
                "roles": ["kpi_owner"],
                "owner_roles": ["FEFD pillar lead"],
            },
            {
                "id": "flow@example.nhs.uk",
                "roles": ["kpi_owner"],
                "owner_roles": ["Flow & Grip pillar lead"],
            },
            {"id": "viewer@example.nhs.uk", "roles": ["board_viewer", "assurance_reviewer"]},
            {"id": "chair@example.nhs.uk", "name": "Board chair", "roles": ["executive_board"]},
            {"id": "admin@example.nhs.uk", "roles": ["administrator"]},
        ]
    }
)
FEFD = principal_for("fefd@example.nhs.uk", "FEFD lead", MAPPING, Source.LOGIN)
FLOW = principal_for("flow@example.nhs.uk", "Flow lead", MAPPING, Source.LOGIN)
VIEWER = principal_for("viewer@example.nhs.uk", "Viewer", MAPPING, Source.LOGIN)
CHAIR = principal_for("chair@example.nhs.uk", "", MAPPING, Source.LOGIN)
ADMIN = principal_for("admin@example.nhs.uk", "Admin", MAPPING, Source.LOGIN)
ESC = "LEAD-ESC"  # owner_role "FEFD pillar lead"
NCTR = "LEAD-NCTR"  # owner_role "Flow & Grip pillar lead"


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("reviews") / "demo.duckdb"
    done = scorecard_cli("demo", "--db", str(db), "--months", "24")
    assert done.returncode == 0, done.stderr
    return db


@pytest.fixture
def reviews(tmp_path: Path) -> Reviews:
    return Reviews(tmp_path / "words.reviews.sqlite")


def write(reviews, framework, principal, text, kpi=ESC, area="QPM", month="2025-03", **kw):
    return reviews.add_commentary(framework, principal, kpi, area, month, chart_says=text, **kw)


def test_the_file_sits_beside_the_store():
    assert reviews_path(Path("data/scorecard.duckdb")) == Path("data/scorecard.reviews.sqlite")


def test_edits_are_new_versions_and_history_is_never_lost(reviews, framework):
    write(reviews, framework, FEFD, "First reading.", issues="none yet")
    write(
        reviews,
        framework,
        FEFD,
        "Second reading.",
        actions=[Action("Audit escalations", "Ward manager", "2025-04-30")],
        expected_version=1,
    )
    write(reviews, framework, ADMIN, "Third, by the administrator.", expected_version=2)
    history = reviews.commentary_history(ESC, "QPM", "2025-03")
    assert [c.version for c in history] == [1, 2, 3]
    assert [c.chart_says for c in history] == [
        "First reading.",
        "Second reading.",
        "Third, by the administrator.",
    ]
    assert history[0].issues == "none yet"
    assert history[1].actions == (Action("Audit escalations", "Ward manager", "2025-04-30"),)
    assert [c.author_id for c in history] == [
        "fefd@example.nhs.uk",
        "fefd@example.nhs.uk",
        "admin@example.nhs.uk",
    ]
    assert all(c.written_at.endswith("+00:00") for c in history)
    assert reviews.commentary(ESC, "QPM", "2025-03").version == 3


def test_the_database_itself_refuses_to_change_history(reviews, framework):
    write(reviews, framework, FEFD, "Kept.")
    con = sqlite3.connect(reviews.path)
    try:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            con.execute("UPDATE commentary SET chart_says = 'rewritten'")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            con.execute("DELETE FROM commentary")
    finally:
        con.close()
    assert reviews.commentary(ESC, "QPM", "2025-03").chart_says == "Kept."


def test_a_stale_edit_is_refused_not_lost(reviews, framework):
    write(reviews, framework, FEFD, "Mine.")
    write(reviews, framework, ADMIN, "Someone else's, meanwhile.", expected_version=1)
    with pytest.raises(UserError, match="someone saved version 2"):
        write(reviews, framework, FEFD, "Mine, edited from v1.", expected_version=1)
    assert len(reviews.commentary_history(ESC, "QPM", "2025-03")) == 2


def test_over_long_text_is_refused_with_a_message(reviews, framework):
    with pytest.raises(UserError) as info:
        write(reviews, framework, FEFD, "x" * (MAX_FIELD_CHARS + 1))
    assert f"shorten it to {MAX_FIELD_CHARS:,} or fewer" in str(info.value)
    with pytest.raises(UserError, match="is not a date"):
        write(reviews, framework, FEFD, "ok", actions=[Action("Do", "Me", "31/04/2025")])
    with pytest.raises(UserError, match="write at least one field"):
        write(reviews, framework, FEFD, "   ")
    assert reviews.commentary_history(ESC, "QPM", "2025-03") == []


def test_script_and_markup_are_stored_as_written(reviews, framework):
    text = "<script>alert('x')</script> **bold** =HYPERLINK(\"http://x\")"
    saved = write(reviews, framework, FEFD, text)
    assert reviews.commentary(ESC, "QPM", "2025-03").chart_says == text == saved.chart_says


def test_an_owner_cannot_write_another_owners_commentary(reviews, framework):
    with pytest.raises(PermissionDenied, match="LEAD-NCTR is owned by Flow & Grip pillar lead"):
        write(reviews, framework, FEFD, "Not mine.", kpi=NCTR, area="QPM")
    write(reviews, framework, FLOW, "Mine.", kpi=NCTR, area="QPM")
    with pytest.raises(PermissionDenied):
        reviews.add_annotation(
            framework, FEFD, NCTR, "QPM", "2025-01", kind="intervention", text="Not mine"
        )
    assert [c.author_id for c in reviews.commentary_history(NCTR, "QPM", "2025-03")] == [
        "flow@example.nhs.uk"
    ]


@pytest.mark.parametrize("principal", [VIEWER, CHAIR, ANONYMOUS], ids=["viewer", "board", "anon"])
def test_readers_cannot_write_at_all(reviews, framework, principal):
    with pytest.raises(PermissionDenied):
        write(reviews, framework, principal, "Should not be saved.")
    with pytest.raises(PermissionDenied):
        reviews.add_annotation(framework, principal, ESC, "QPM", "2025-01", kind="other", text="No")
    assert reviews.commentary_history(ESC, "QPM", "2025-03") == []
    assert reviews.annotations(ESC) == []


def test_viewers_and_owners_cannot_sign_off(reviews):
    for principal in (VIEWER, FEFD, ANONYMOUS):
        with pytest.raises(PermissionDenied):
            reviews.sign_off(principal, "2025-03", "QPM", [], "identity")
    assert reviews.signoff("2025-03", "QPM") is None


def test_unknown_codes_and_injection_strings(reviews, framework):
    with pytest.raises(UserError, match="not a KPI of the framework"):
        write(reviews, framework, ADMIN, "x", kpi="NOPE")
    with pytest.raises(UserError, match="is not reported here"):
        write(reviews, framework, ADMIN, "x", kpi=NCTR, area="E06000061")  # system;provider only
    write(reviews, framework, FEFD, "Real.")
    hostile = "QPM' OR '1'='1"
    assert reviews.commentary_history(ESC, hostile, "2025-03") == []
    assert reviews.month_commentary("2025-03' OR 1=1 --") == []
    assert reviews.annotations("x' OR '1'='1") == []


def test_reading_a_missing_file_creates_nothing(tmp_path):
    empty = Reviews(tmp_path / "none.sqlite")
    assert empty.commentary_history(ESC, "QPM", "2025-03") == []
    assert empty.signoff("2025-03", "QPM") is None
    assert not (tmp_path / "none.sqlite").exists()


def test_annotations_declare_change_points(reviews, framework, demo_db):
    month = Store(demo_db).periods()[-1]
    periods = Store(demo_db).periods()
    declared = periods[-8]
    reviews.add_annotation(
        framework,
        FEFD,
        ESC,
        "",
        declared,
        kind="go_live",
        text="Frailty hub opens",
        change_point=True,
    )
    note = reviews.add_annotation(
        framework, FEFD, ESC, "QPM", periods[-3], kind="intervention", text="Winter plan"
    )
    assert reviews.declared_change_points(ESC, "QPM") == [
        (declared, "Brick go-live: Frailty hub opens")
    ]
    assert [p for p, _ in [(a.period, a.label) for a in reviews.annotations(ESC, "RNS")]] == [
        declared
    ]
    live = with_declared_change_points(framework, reviews)
    frame = Store(demo_db).current(area_codes=["QPM"])
    before = compute_series(framework, frame, month, "QPM")[(ESC, "QPM")]
    after = compute_series(live, frame, month, "QPM")[(ESC, "QPM")]
    assert after.periods.index(declared) in after.change_points
    assert len(after.change_points) == len(before.change_points) + 1
    reviews.withdraw_annotation(framework, FEFD, note.id, "Wrong month")
    assert [a.text for a in reviews.annotations(ESC, "QPM")] == ["Frailty hub opens"]
    assert [a.withdrawn for a in reviews.annotations(ESC, "QPM", withdrawn=True)] == [False, True]


def revision_file(folder: Path, db: Path, kpi: str, area: str, period: str, factor: float) -> Path:
    frame = Store(db).current(kpi_codes=[kpi], area_codes=[area])
    row = frame.loc[frame["period"] == period].iloc[0]
    path = folder / f"revision-{kpi}-{period}.csv"
    pd.DataFrame(
        [
            {
                "kpi_code": kpi,
                "area_code": area,
                "period": period,
                "value": float(row["value"]) * factor,
            }
        ]
    ).to_csv(path, index=False)
    return path


def test_sign_off_freezes_the_month_and_flags_later_revisions(tmp_path, framework, demo_db):
    db = tmp_path / "store.duckdb"
    db.write_bytes(demo_db.read_bytes())
    store = Store(db)
    words = Reviews.beside(db)
    month = store.periods()[-1]
    write(words, framework, FEFD, "Signed-off reading.", month=month)
    rows = compute_scorecard(framework, store, month, "QPM")
    signed = words.sign_off(CHAIR, month, "QPM", rows, store.identity(), note="Board 12 June")
    assert signed.rows_hash == rows_hash([row_record(r) for r in rows])
    assert [c.chart_says for c in signed.commentary] == ["Signed-off reading."]
    assert words.changed_since_signoff(month, "QPM", rows) == []
    # Frozen: the commentary cannot change, and the month cannot be signed off twice.
    with pytest.raises(UserError, match="signed off by Board chair"):
        write(words, framework, FEFD, "Rewriting history.", month=month, expected_version=1)
    with pytest.raises(UserError, match="already signed off"):
        words.sign_off(ADMIN, month, "QPM", rows, store.identity())
    # A later load revises the month's value of a lead KPI: flagged, snapshot unchanged.
    extract = revision_file(tmp_path, db, ESC, "QPM", month, 1.5)
    done = scorecard_cli("load", str(extract), "--db", str(db))
    assert done.returncode == 0, done.stderr
    rows_now = compute_scorecard(framework, Store(db), month, "QPM")
    changes = words.changed_since_signoff(month, "QPM", rows_now)
    assert (ESC, "value") in {(c.kpi_code, c.field) for c in changes}
    assert all(c.kpi_code == ESC for c in changes)
    assert words.signoff(month, "QPM").rows == signed.rows
    # Re-opening (administrators only) unfreezes, and is kept in the log.
    with pytest.raises(PermissionDenied):
        words.reopen(CHAIR, month, "QPM", "Revised data")
    words.reopen(ADMIN, month, "QPM", "Revised data")
    assert words.signoff(month, "QPM") is None
    write(words, framework, FEFD, "After re-opening.", month=month, expected_version=1)
    assert [s.action.value for s in words.signoff_log(month)] == ["signed_off", "reopened"]


def test_commentary_history_survives_a_concurrent_load(tmp_path, framework, demo_db):
    db = tmp_path / "store.duckdb"
    db.write_bytes(demo_db.read_bytes())
    words = Reviews.beside(db)
    month = Store(db).periods()[-1]
    extract = revision_file(tmp_path, db, NCTR, "QPM", month, 1.2)
    load = subprocess.Popen(
        [sys.executable, "-m", "scorecard", "load", str(extract), "--db", str(db)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    written = 0
    overlapped = False
    while load.poll() is None or written < 20:
        write(words, framework, FEFD, f"Reading {written + 1}.", month=month)
        written += 1
        overlapped = overlapped or load.poll() is None
        time.sleep(0.01)
    _, err = load.communicate(timeout=120)
    assert load.returncode == 0, err
    assert overlapped, "the load finished before any commentary was written"
    history = words.commentary_history(ESC, "QPM", month)
    assert [c.version for c in history] == list(range(1, written + 1))
    assert [c.chart_says for c in history] == [f"Reading {n}." for n in range(1, written + 1)]
    revised = Store(db).current(kpi_codes=[NCTR], area_codes=["QPM"])
    assert len(Store(db).history(kpi_code=NCTR, area_code="QPM")) == len(revised) + 1


def test_a_signed_off_month_is_frozen_for_annotations_change_points_and_withdrawals(
    reviews, framework
):
    early = reviews.add_annotation(
        framework, FEFD, ESC, "QPM", "2025-01", kind="intervention", text="Winter plan"
    )
    late = reviews.add_annotation(
        framework, FEFD, ESC, "QPM", "2025-05", kind="other", text="After the Board"
    )
    reviews.sign_off(CHAIR, "2025-03", "QPM", [], "store-1", "Board minute 7")
    # Every note that the signed-off month's charts showed, or would show, is refused ...
    for period, area, change_point in (("2025-03", "QPM", False), ("2025-02", "QPM", True)):
        with pytest.raises(UserError, match="signed off by Board chair") as refused:
            reviews.add_annotation(
                framework,
                FEFD,
                ESC,
                area,
                period,
                kind="other",
                text="late",
                change_point=change_point,
            )
        assert "re-opens the month with a reason" in str(refused.value)
    with pytest.raises(UserError, match="signed-off months are frozen"):  # every area's note
        reviews.add_annotation(framework, FEFD, ESC, "", "2024-12", kind="other", text="all")
    with pytest.raises(UserError, match="cannot be withdrawn from"):
        reviews.withdraw_annotation(framework, FEFD, early.id, "Wrong month")
    with pytest.raises(UserError, match="signed off by Board chair"):
        write(reviews, framework, FEFD, "Rewriting.", month="2025-03")
    # ... while later months, and other areas' own notes, are not frozen by it.
    reviews.add_annotation(framework, FEFD, ESC, "QPM", "2025-04", kind="other", text="next")
    reviews.add_annotation(framework, FEFD, ESC, "RNS", "2025-02", kind="other", text="trust")
    reviews.withdraw_annotation(framework, FEFD, late.id, "Duplicate")
    with pytest.raises(UserError, match="already withdrawn by"):
        reviews.withdraw_annotation(framework, FEFD, late.id, "Twice")
    assert [a.id for a in reviews.annotations(ESC, "QPM", withdrawn=True) if a.withdrawn] == [
        late.id
    ]
    # An administrator's reasoned re-opening (a sealed record) unfreezes the month.
    reviews.reopen(ADMIN, "2025-03", "QPM", "The recording change was missed")
    reviews.add_annotation(
        framework,
        FEFD,
        ESC,
        "QPM",
        "2025-02",
        kind="recording_change",
        text="new system",
        change_point=True,
    )
    reviews.withdraw_annotation(framework, FEFD, early.id, "Wrong month")
    state = reviews.verify()
    assert state.intact
    assert [s.action.value for s in reviews.signoff_log("2025-03")] == ["signed_off", "reopened"]
