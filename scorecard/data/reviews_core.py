"""People's records: the SQLite file beside the store, its schema, hash chain, freeze and checks.

Every kind of record (commentary, annotations, sign-offs, benefit sign-offs) is written through
``ReviewsDatabase``: short connections, the append-only schema, the seal on every row, the refusal
to write over a signed-off month, and the checks of text, month, KPI and area shared by them all.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Self

from scorecard.data import ledger
from scorecard.data.access import Principal, require_administrator
from scorecard.thread.domain import Framework, Kpi
from scorecard.thread.errors import Problem, UserError

SCHEMA_VERSION = "1"  # as written into meta by _SCHEMA
MAX_NOTE_CHARS = 1000  # a note or reason
BUSY_TIMEOUT_MS = 15000  # a writer waits this long for another writer before giving up
ALL_AREAS = "*"  # the scope of a sign-off of every area's scorecard
PERIOD = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

_SCHEMA = """
BEGIN IMMEDIATE;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS commentary (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kpi_code TEXT NOT NULL,
    area_code TEXT NOT NULL,
    period TEXT NOT NULL,
    version INTEGER NOT NULL,
    chart_says TEXT NOT NULL,
    issues TEXT NOT NULL,
    actions TEXT NOT NULL,
    mitigations TEXT NOT NULL,
    author_id TEXT NOT NULL,
    author_name TEXT NOT NULL,
    written_at TEXT NOT NULL,
    UNIQUE (kpi_code, area_code, period, version)
);
CREATE TABLE IF NOT EXISTS annotations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kpi_code TEXT NOT NULL,
    area_code TEXT NOT NULL,
    period TEXT NOT NULL,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    change_point INTEGER NOT NULL,
    author_id TEXT NOT NULL,
    author_name TEXT NOT NULL,
    written_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS annotation_withdrawals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    annotation_id INTEGER NOT NULL REFERENCES annotations(id),
    reason TEXT NOT NULL,
    author_id TEXT NOT NULL,
    author_name TEXT NOT NULL,
    written_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS signoffs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    period TEXT NOT NULL,
    scope TEXT NOT NULL,
    action TEXT NOT NULL,
    note TEXT NOT NULL,
    store_identity TEXT NOT NULL,
    rows_hash TEXT NOT NULL,
    rows_json TEXT NOT NULL,
    commentary_json TEXT NOT NULL,
    author_id TEXT NOT NULL,
    author_name TEXT NOT NULL,
    written_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS commentary_key ON commentary (kpi_code, area_code, period);
CREATE INDEX IF NOT EXISTS annotations_key ON annotations (kpi_code, area_code);
CREATE INDEX IF NOT EXISTS signoffs_key ON signoffs (period, scope);
-- History is never lost: the database itself refuses to change or delete a written row.
CREATE TRIGGER IF NOT EXISTS commentary_no_update BEFORE UPDATE ON commentary
    BEGIN SELECT RAISE(ABORT, 'commentary is append-only'); END;
CREATE TRIGGER IF NOT EXISTS commentary_no_delete BEFORE DELETE ON commentary
    BEGIN SELECT RAISE(ABORT, 'commentary is append-only'); END;
CREATE TRIGGER IF NOT EXISTS annotations_no_update BEFORE UPDATE ON annotations
    BEGIN SELECT RAISE(ABORT, 'annotations is append-only'); END;
CREATE TRIGGER IF NOT EXISTS annotations_no_delete BEFORE DELETE ON annotations
    BEGIN SELECT RAISE(ABORT, 'annotations is append-only'); END;
CREATE TRIGGER IF NOT EXISTS annotation_withdrawals_no_update
    BEFORE UPDATE ON annotation_withdrawals
    BEGIN SELECT RAISE(ABORT, 'annotation_withdrawals is append-only'); END;
CREATE TRIGGER IF NOT EXISTS annotation_withdrawals_no_delete
    BEFORE DELETE ON annotation_withdrawals
    BEGIN SELECT RAISE(ABORT, 'annotation_withdrawals is append-only'); END;
CREATE TRIGGER IF NOT EXISTS signoffs_no_update BEFORE UPDATE ON signoffs
    BEGIN SELECT RAISE(ABORT, 'signoffs is append-only'); END;
CREATE TRIGGER IF NOT EXISTS signoffs_no_delete BEFORE DELETE ON signoffs
    BEGIN SELECT RAISE(ABORT, 'signoffs is append-only'); END;
INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', '1');
COMMIT;
"""


# The BRG's sign-offs of benefit lines: added after the first schema, so created on their own
# (a reviews file written before them gains the table on its next use).
_BENEFIT_SCHEMA = """
BEGIN IMMEDIATE;
CREATE TABLE IF NOT EXISTS benefit_signoffs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    line_code TEXT NOT NULL,
    period TEXT NOT NULL,
    amount_k REAL NOT NULL,
    evidence_hash TEXT NOT NULL,
    note TEXT NOT NULL,
    author_id TEXT NOT NULL,
    author_name TEXT NOT NULL,
    written_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS benefit_signoffs_key ON benefit_signoffs (line_code, period);
CREATE TRIGGER IF NOT EXISTS benefit_signoffs_no_update BEFORE UPDATE ON benefit_signoffs
    BEGIN SELECT RAISE(ABORT, 'benefit_signoffs is append-only'); END;
CREATE TRIGGER IF NOT EXISTS benefit_signoffs_no_delete BEFORE DELETE ON benefit_signoffs
    BEGIN SELECT RAISE(ABORT, 'benefit_signoffs is append-only'); END;
COMMIT;
"""

# A KPI owner's decision request to the Board: columns added to commentary after the first
# schema (a reviews file written before them gains them on its next use; old rows ask nothing).
_DECISION_SCHEMA = """
BEGIN IMMEDIATE;
ALTER TABLE commentary ADD COLUMN decision_required INTEGER NOT NULL DEFAULT 0;
ALTER TABLE commentary ADD COLUMN decision TEXT NOT NULL DEFAULT '';
COMMIT;
"""


class SignOffAction(StrEnum):
    """A row of the sign-off log."""

    SIGNED_OFF = "signed_off"
    REOPENED = "reopened"


def reviews_path(store_path: Path) -> Path:
    """The SQLite file of people's words beside a DuckDB store (e.g. scorecard.reviews.sqlite)."""
    return store_path.with_name(store_path.stem + ".reviews.sqlite")


def _create_private(path: Path) -> None:
    """Make the file readable and writable by its owner only (0600), creating it if need be.

    SQLite gives its -wal and -shm files the same permissions as the database file.
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        # a file written before (0644) is made owner-only by its owner on next use
        info = path.stat()
        if info.st_mode & 0o077 and info.st_uid == os.getuid():
            path.chmod(0o600)
        return
    os.close(fd)


def now() -> str:
    """The time now, UTC, ISO 8601 to the microsecond: the time written on a record."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def problem(column: str, value: str, rule: str, message: str) -> Problem:
    """A problem with a value given to a record (no file, no row)."""
    return Problem("", None, column, value, rule, message)


def clean_text(text: str, column: str, limit: int, problems: list[Problem]) -> str:
    """Text as stored: line ends normalised, control characters dropped, length checked.

    Nothing is escaped here: people's words are stored as written and escaped where shown.
    """
    cleaned = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip()
    if len(cleaned) > limit:
        problems.append(
            problem(
                column,
                cleaned[:40],
                f"at most {limit} characters",
                f"is {len(cleaned):,} characters long; shorten it to {limit:,} or fewer",
            )
        )
    return cleaned


def check_period(period: str, problems: list[Problem]) -> None:
    """Add a problem when ``period`` is not a month like 2025-03."""
    if not PERIOD.fullmatch(period):
        problems.append(problem("period", period, "YYYY-MM", "is not a month like 2025-03"))


def check_area(fw: Framework, kpi: Kpi, area_code: str, problems: list[Problem]) -> None:
    """Add a problem when an area is given and the KPI is not reported for it."""
    if area_code and area_code not in {a.code for a in fw.kpi_areas(kpi.code)}:
        problems.append(
            problem("area_code", area_code, "a reported area", f"{kpi.code} is not reported here")
        )


def kpi_of(fw: Framework, kpi_code: str) -> Kpi:
    """The framework's KPI of that code.

    Raises:
        UserError: When the framework has no such KPI.
    """
    try:
        return fw.kpi(kpi_code)
    except KeyError:
        raise UserError(
            problem("kpi_code", kpi_code, "a framework KPI", "is not a KPI of the framework")
        ) from None


class ReviewsDatabase:
    """People's words in one SQLite file (WAL): append-only, author and time on every row.

    Every call opens a short connection, so concurrent app sessions and a running load never
    block each other for long; writes that race for the same commentary are serialised by
    ``BEGIN IMMEDIATE`` and versioned.
    """

    def __init__(self, path: Path, clock: Callable[[], str] = now) -> None:
        """Use the SQLite file at ``path`` (created with its schema on first write)."""
        self.path = path
        self.clock = clock

    @classmethod
    def beside(cls, store_path: Path) -> Self:
        """The reviews file beside a DuckDB store."""
        return cls(reviews_path(store_path))

    @contextmanager
    def connect(self, write: bool = False) -> Iterator[sqlite3.Connection]:
        """A short connection (schema and chain ensured); ``write`` holds ``BEGIN IMMEDIATE``."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        _create_private(self.path)
        con = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        try:
            con.row_factory = sqlite3.Row
            con.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS:d}")
            con.execute("PRAGMA journal_mode = WAL")
            con.execute("PRAGMA foreign_keys = ON")
            self._ensure_schema(con)
            self._ensure_chain(con)
            if write:
                con.execute("BEGIN IMMEDIATE")
                try:
                    yield con
                except BaseException:
                    con.execute("ROLLBACK")
                    raise
                con.execute("COMMIT")
            else:
                yield con
        finally:
            con.close()

    @staticmethod
    def _ensure_schema(con: sqlite3.Connection) -> None:
        found = {
            str(r[0])
            for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                " AND name IN ('meta', 'benefit_signoffs')"
            ).fetchall()
        }
        # One script, one transaction: a second process creating the schema at the same
        # moment waits on BEGIN IMMEDIATE and then finds every CREATE ... IF NOT EXISTS done.
        if "meta" not in found:
            con.executescript(_SCHEMA)
        if "benefit_signoffs" not in found:
            con.executescript(_BENEFIT_SCHEMA)
        columns = {str(r[1]) for r in con.execute("PRAGMA table_info(commentary)").fetchall()}
        if columns and "decision_required" not in columns:
            try:
                con.executescript(_DECISION_SCHEMA)
            except sqlite3.OperationalError:
                # Another process added the columns between our look and our write.
                if con.in_transaction:
                    con.execute("ROLLBACK")
                columns = {
                    str(r[1]) for r in con.execute("PRAGMA table_info(commentary)").fetchall()
                }
                if "decision_required" not in columns:
                    raise

    def _ensure_chain(self, con: sqlite3.Connection) -> None:
        if not ledger.needs_install(con):
            return
        con.execute("BEGIN IMMEDIATE")
        try:
            if ledger.needs_install(con):
                ledger.install(con)
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")

    def readable(self) -> bool:
        """Whether the file exists (nothing has been written when it does not)."""
        return self.path.exists()

    # ------------------------------------------------------------------ the chain

    def verify(self) -> ledger.ChainState:
        """Check the hash chain over every record; say what is broken and since when."""
        if not self.readable():
            return ledger.ChainState(0, ledger.GENESIS, (), 0)
        with self.connect() as con:
            return ledger.verify(con)

    def acknowledge_breaks(self, principal: Principal, reason: str) -> ledger.ChainState:
        """Record an administrator's acknowledgement of the breaks found (itself sealed).

        Raises:
            PermissionDenied: When the principal is not an administrator.
            UserError: When nothing is broken or no reason is given.
        """
        require_administrator(principal, "acknowledge a broken record of people's words")
        problems: list[Problem] = []
        cleaned = clean_text(reason, "reason", MAX_NOTE_CHARS, problems)
        if not cleaned:
            problems.append(
                problem("reason", "", "not empty", "say what happened to the broken records")
            )
        if problems:
            raise UserError(problems)
        with self.connect(write=True) as con:
            state = ledger.verify(con)
            if state.intact:
                raise UserError(
                    problem(
                        "record", "", "broken", "nothing is broken; there is nothing to acknowledge"
                    )
                )
            ledger.acknowledge(con, state, cleaned, principal.user_id, principal.name, self.clock)
            return ledger.verify(con)

    @staticmethod
    def require_intact(con: sqlite3.Connection) -> None:
        """Refuse a sign-off while the hash chain is broken and unacknowledged.

        Raises:
            UserError: When the chain is broken.
        """
        state = ledger.verify(con)
        if not state.intact:
            raise UserError(
                problem(
                    "record",
                    "",
                    "an intact record",
                    f"{state.summary()} Nothing more can be signed off until an administrator "
                    "acknowledges it",
                )
            )

    def seal(self, con: sqlite3.Connection, table: str, record_id: int | None) -> None:
        """Add the record just written to the hash chain."""
        ledger.seal(con, table, int(record_id or 0))

    # ------------------------------------------------------------------ the freeze

    @staticmethod
    def signoff_in_force(con: sqlite3.Connection, period: str, scope: str) -> sqlite3.Row | None:
        """The sign-off log's row in force for a month and scope (None when open or re-opened)."""
        row: sqlite3.Row | None = con.execute(
            "SELECT * FROM signoffs WHERE period = ? AND scope = ? ORDER BY id DESC LIMIT 1",
            (period, scope),
        ).fetchone()
        if row is None or row["action"] != SignOffAction.SIGNED_OFF:
            return None
        return row

    def freezing_signoff(
        self, con: sqlite3.Connection, period: str, area_code: str
    ) -> sqlite3.Row | None:
        """The sign-off row that freezes an area's month (its own, or the all-areas one)."""
        return self.signoff_in_force(con, period, area_code) or self.signoff_in_force(
            con, period, ALL_AREAS
        )

    def refuse_if_shown_in_signed_off(
        self, con: sqlite3.Connection, period: str, area_code: str, verb: str
    ) -> None:
        """Refuse a chart note at ``period`` that a signed-off month's charts already showed.

        A month's charts run up to it, so a note (or a change point, which moves the limits
        and icons) at ``period`` changes every month from ``period`` on: any of them signed off
        for the area, or for every area, is frozen. A note for every area ("") is frozen by a
        sign-off of any area.

        Raises:
            UserError: When a signed-off month shows ``period``.
        """
        rows = con.execute(
            "SELECT s.* FROM signoffs AS s WHERE s.period >= ?"
            " AND (? = '' OR s.scope = ? OR s.scope = ?)"
            " AND s.id = (SELECT MAX(l.id) FROM signoffs AS l"
            " WHERE l.period = s.period AND l.scope = s.scope)"
            " AND s.action = ? ORDER BY s.period, s.id",
            (period, area_code, area_code, ALL_AREAS, str(SignOffAction.SIGNED_OFF)),
        ).fetchall()
        if not rows:
            return
        first = rows[0]
        scope = "every area" if first["scope"] == ALL_AREAS else str(first["scope"])
        author = str(first["author_name"]) or str(first["author_id"])
        more = f" (and {len(rows) - 1} other signed-off month(s) after it)" if len(rows) > 1 else ""
        raise UserError(
            problem(
                "period",
                period,
                "signed-off months are frozen",
                f"the charts of {first['period']} for {scope}, signed off by {author} at "
                f"{first['written_at']}{more}, show {period}; it cannot be {verb} unless an "
                "administrator re-opens the month with a reason",
            )
        )
