"""The hash chain over people's words: rewrites and removals are named, sign-offs wait for them."""

from __future__ import annotations

import json
import sqlite3
import stat
from pathlib import Path

import pytest
from cli_process import run_scorecard

from scorecard.data import ledger
from scorecard.data.access import PermissionDenied, Source, parse_role_map, principal_for
from scorecard.data.reviews import Reviews
from scorecard.data.reviews_core import reviews_path
from scorecard.thread.errors import UserError

MAPPING = parse_role_map(
    {
        "people": [
            {
                "id": "fefd@example.nhs.uk",
                "roles": ["kpi_owner"],
                "owner_roles": ["FEFD pillar lead"],
            },
            {"id": "chair@example.nhs.uk", "name": "Board chair", "roles": ["executive_board"]},
            {"id": "brg@example.nhs.uk", "name": "BRG chair", "roles": ["brg"]},
            {"id": "admin@example.nhs.uk", "name": "Admin", "roles": ["administrator"]},
        ]
    }
)
FEFD = principal_for("fefd@example.nhs.uk", "FEFD lead", MAPPING, Source.LOGIN)
CHAIR = principal_for("chair@example.nhs.uk", "", MAPPING, Source.LOGIN)
BRG = principal_for("brg@example.nhs.uk", "", MAPPING, Source.LOGIN)
ADMIN = principal_for("admin@example.nhs.uk", "", MAPPING, Source.LOGIN)
ESC = "LEAD-ESC"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """Where a store would be: the reviews file sits beside it (the store itself is not needed)."""
    return tmp_path / "store.duckdb"


@pytest.fixture
def written(db: Path, framework) -> Reviews:
    """A reviews file with one record of every kind, written through the scorecard."""
    reviews = Reviews.beside(db)
    reviews.add_commentary(framework, FEFD, ESC, "QPM", "2025-03", chart_says="Falling.")
    note = reviews.add_annotation(
        framework, FEFD, ESC, "QPM", "2025-01", kind="go_live", text="Rapid Response"
    )
    reviews.withdraw_annotation(framework, FEFD, note.id, "wrong month")
    reviews.sign_off(CHAIR, "2025-03", None, [], "store-1", "minute 4")
    reviews.sign_off_benefit(BRG, "BEN-BED", "2025-03", 120.5, "a" * 64, "BRG minute 2")
    return reviews


def raw(reviews: Reviews) -> sqlite3.Connection:
    return sqlite3.connect(reviews.path, isolation_level=None)


def verify_cli(db: Path):
    return run_scorecard("verify", "--db", str(db))


def test_records_written_through_the_scorecard_are_sealed_and_intact(written, db):
    state = written.verify()
    assert state.intact, state.breaks
    assert state.seals == 5
    done = verify_cli(db)
    assert done.returncode == 0, done.stderr
    assert "intact: 5 records sealed" in done.stdout
    assert state.head[:16] in done.stdout


def test_insert_or_replace_of_a_board_sign_off_is_named(written, db):
    with raw(written) as con:
        row = con.execute("SELECT * FROM signoffs WHERE id = 1").fetchone()
        forged = list(row)
        forged[4] = "minute 4 (amended)"  # note
        con.execute(
            f"INSERT OR REPLACE INTO signoffs VALUES ({','.join('?' * len(forged))})", forged
        )
    state = written.verify()
    assert [b.kind for b in state.breaks] == [ledger.BreakKind.CHANGED]
    found = state.breaks[0]
    assert found.table == "signoffs"
    assert found.record_id == 1
    assert "Board sign-off record 1" in found.sentence
    assert "Board chair" in found.sentence
    assert found.since in found.sentence  # since when: the time it was sealed
    done = verify_cli(db)
    assert done.returncode == 1
    assert "Board sign-off record 1" in done.stderr
    assert "changed since" in done.stderr
    assert "Traceback" not in done.stderr
    data = json.loads(run_scorecard("verify", "--db", str(db), "--json").stdout)
    assert data["intact"] is False
    assert data["breaks"][0]["record_id"] == 1


def test_insert_or_replace_of_a_brg_amount_is_named(written):
    with raw(written) as con:
        con.execute(
            "INSERT OR REPLACE INTO benefit_signoffs SELECT id, line_code, period, 99999,"
            " evidence_hash, note, author_id, author_name, written_at FROM benefit_signoffs"
            " WHERE id = 1"
        )
    assert written.benefit_signoffs()[0].amount_k == 99999  # the rewrite took ...
    (found,) = written.verify().breaks  # ... and is evident
    assert "BRG sign-off record 1" in found.sentence
    assert "BEN-BED" in found.sentence


def test_dropping_a_guard_then_deleting_a_row_is_named(written, db):
    with raw(written) as con:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            con.execute("DELETE FROM commentary WHERE id = 1")
        con.execute("DROP TRIGGER commentary_no_delete")
        con.execute("DELETE FROM commentary WHERE id = 1")
    kinds = {b.kind: b for b in written.verify().breaks}
    assert set(kinds) == {ledger.BreakKind.DELETED, ledger.BreakKind.TRIGGER}
    assert "commentary record 1" in kinds[ledger.BreakKind.DELETED].sentence
    assert "deleted" in kinds[ledger.BreakKind.DELETED].sentence
    assert "commentary_no_delete" in kinds[ledger.BreakKind.TRIGGER].sentence
    done = verify_cli(db)
    assert done.returncode == 1
    assert "commentary record 1" in done.stderr
    assert "commentary_no_delete" in done.stderr


def test_a_column_added_later_is_covered_without_a_code_change(db, framework):
    reviews = Reviews.beside(db)
    reviews.add_commentary(framework, FEFD, ESC, "QPM", "2025-02", chart_says="Before.")
    with raw(reviews) as con:  # as a later schema adds a column to an existing file
        con.execute("ALTER TABLE commentary ADD COLUMN decision_text TEXT NOT NULL DEFAULT ''")
    assert reviews.verify().intact  # the records written before it are still what was written
    reviews.add_commentary(framework, FEFD, ESC, "QPM", "2025-03", chart_says="Falling.")
    assert reviews.verify().intact
    with raw(reviews) as con:
        for record_id in (1, 2):
            row = con.execute("SELECT * FROM commentary WHERE id = ?", (record_id,)).fetchone()
            forged = [*row[:-1], "Decided: close the ward"]
            marks = ",".join("?" * len(forged))
            con.execute(f"INSERT OR REPLACE INTO commentary VALUES ({marks})", forged)
    first, second = reviews.verify().breaks
    assert "commentary record 1 (LEAD-ESC QPM 2025-02 by FEFD lead" in first.sentence
    assert "commentary record 2 (LEAD-ESC QPM 2025-03 by FEFD lead" in second.sentence


def test_a_row_added_outside_the_scorecard_and_a_rewritten_seal_are_named(written):
    with raw(written) as con:
        con.execute(
            "INSERT INTO annotations (kpi_code, area_code, period, kind, text, change_point,"
            " author_id, author_name, written_at) VALUES ('LEAD-ESC', '', '2025-02', 'other',"
            " 'planted', 1, 'x', 'x', '2025-01-01')"
        )
        con.execute(
            "INSERT OR REPLACE INTO chain (seq, record_table, record_id, record_hash, prev_hash,"
            " hash, sealed_at) SELECT seq, record_table, record_id, record_hash, prev_hash,"
            " hash, '2020-01-01' FROM chain WHERE seq = 2"
        )
    kinds = {b.kind for b in written.verify().breaks}
    assert kinds == {ledger.BreakKind.UNSEALED, ledger.BreakKind.LINK}


def test_removing_the_latest_records_is_named(written):
    with raw(written) as con:
        for name in ("chain_no_delete", "benefit_signoffs_no_delete"):
            con.execute(f"DROP TRIGGER {name}")
        con.execute("DELETE FROM chain WHERE seq = 5")
        con.execute("DELETE FROM benefit_signoffs WHERE id = 1")
        con.execute(
            "CREATE TRIGGER chain_no_delete BEFORE DELETE ON chain"
            " BEGIN SELECT RAISE(ABORT, 'chain is append-only'); END"
        )
        con.execute(
            "CREATE TRIGGER benefit_signoffs_no_delete BEFORE DELETE ON benefit_signoffs"
            " BEGIN SELECT RAISE(ABORT, 'benefit_signoffs is append-only'); END"
        )
    (found,) = written.verify().breaks
    assert found.kind == ledger.BreakKind.TRUNCATED
    assert "ends at seal 4 but seal 5 was written" in found.sentence


def test_sign_offs_wait_for_an_administrator_to_acknowledge_a_break(written, db):
    with raw(written) as con:
        con.execute("DROP TRIGGER signoffs_no_delete")
        con.execute("DELETE FROM signoffs WHERE id = 1")
    with pytest.raises(UserError, match="Board sign-off record 1"):
        written.sign_off(CHAIR, "2025-04", None, [], "store-1")
    with pytest.raises(UserError, match="until an administrator acknowledges"):
        written.sign_off_benefit(BRG, "BEN-BED", "2025-04", 1.0, "a" * 64, "")
    with pytest.raises(PermissionDenied):
        written.acknowledge_breaks(CHAIR, "not mine to say")
    with pytest.raises(UserError, match="say what happened"):
        written.acknowledge_breaks(ADMIN, "  ")
    after = written.acknowledge_breaks(ADMIN, "Restored from backup failed; row lost, minuted.")
    assert after.intact, after.breaks
    assert after.acknowledged == 1
    with raw(written) as con:  # the guard is back, and the acknowledgement is a sealed record
        names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='trigger'")}
        ack = con.execute(
            "SELECT findings, reason, author_id FROM chain_acknowledgements"
        ).fetchone()
        last = con.execute("SELECT record_table FROM chain ORDER BY seq DESC LIMIT 1").fetchone()
    assert "signoffs_no_delete" in names
    assert "deleted:signoffs:1" in ack[0]
    assert ack[2] == "admin@example.nhs.uk"
    assert last[0] == "chain_acknowledgements"
    written.sign_off(CHAIR, "2025-04", None, [], "store-1")
    assert written.verify().intact
    assert verify_cli(db).returncode == 0
    with raw(written) as con:  # a later change is a new break, not covered by the old one
        con.execute("DROP TRIGGER signoffs_no_delete")
    assert not written.verify().intact


def test_acknowledging_an_intact_record_is_refused(written):
    with pytest.raises(UserError, match="nothing is broken"):
        written.acknowledge_breaks(ADMIN, "just in case")


def test_a_file_written_before_the_chain_is_sealed_once_as_found(tmp_path, framework):
    old = tmp_path / "old.reviews.sqlite"
    con = sqlite3.connect(old, isolation_level=None)
    con.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    con.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    con.execute(
        "CREATE TABLE commentary (id INTEGER PRIMARY KEY AUTOINCREMENT, kpi_code TEXT NOT NULL,"
        " area_code TEXT NOT NULL, period TEXT NOT NULL, version INTEGER NOT NULL,"
        " chart_says TEXT NOT NULL, issues TEXT NOT NULL, actions TEXT NOT NULL,"
        " mitigations TEXT NOT NULL, author_id TEXT NOT NULL, author_name TEXT NOT NULL,"
        " written_at TEXT NOT NULL, UNIQUE (kpi_code, area_code, period, version))"
    )
    con.execute(
        "INSERT INTO commentary VALUES (1, 'LEAD-ESC', 'QPM', '2024-01', 1, 'old words', '',"
        " '[]', '', 'a', 'A', '2024-02-01')"
    )
    con.close()
    reviews = Reviews(old)
    state = reviews.verify()
    assert state.intact, state.breaks
    assert state.seals == 1
    assert reviews.commentary("LEAD-ESC", "QPM", "2024-01").chart_says == "old words"


def test_files_are_created_owner_only(written):
    assert stat.S_IMODE(written.path.stat().st_mode) == 0o600
    wal = written.path.with_name(written.path.name + "-wal")
    if wal.exists():
        assert stat.S_IMODE(wal.stat().st_mode) == 0o600
    assert written.path == reviews_path(written.path.with_name("store.duckdb"))


def test_the_store_is_created_owner_only(tmp_path):
    db = tmp_path / "new.duckdb"
    done = run_scorecard("init", "--db", str(db))
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(db.stat().st_mode) == 0o600


def test_a_world_readable_file_from_before_is_made_owner_only(written):
    written.path.chmod(0o644)
    assert written.verify().intact
    assert stat.S_IMODE(written.path.stat().st_mode) == 0o600


def test_history_says_whether_the_record_is_intact(written, db):
    assert run_scorecard("init", "--db", str(db)).returncode == 0
    assert (
        "The record of people's words is intact" in run_scorecard("history", "--db", str(db)).stdout
    )
    with raw(written) as con:
        con.execute("DROP TRIGGER annotations_no_delete")
        con.execute("DELETE FROM annotations WHERE id = 1")
    done = run_scorecard("history", "--db", str(db))
    assert "The record of people's words is broken: annotation record 1" in done.stdout
