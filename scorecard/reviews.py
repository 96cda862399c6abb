"""People's words (commentary, annotations, sign-offs): append-only SQLite beside the store."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import re
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path

from scorecard import icons, ledger
from scorecard.access import (
    Principal,
    require_administrator,
    require_benefit_sign_off,
    require_commentary,
    require_reopen,
    require_sign_off,
)
from scorecard.domain import Framework, Kpi, SpcEvent, SpcEventKind
from scorecard.errors import Problem, UserError

SCHEMA_VERSION = "1"  # as written into meta by _SCHEMA
MAX_FIELD_CHARS = 2000  # each commentary field
MAX_ACTION_CHARS = 300
MAX_OWNER_CHARS = 120
MAX_ACTIONS = 10
MAX_ANNOTATION_CHARS = 500
MAX_NOTE_CHARS = 1000
MAX_LINE_CODE_CHARS = 40
MAX_EVIDENCE_HASH_CHARS = 128
MAX_DECISION_CHARS = 500
BUSY_TIMEOUT_MS = 15000  # a writer waits this long for another writer before giving up
ALL_AREAS = "*"  # the scope of a sign-off of every area's scorecard
PERIOD = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_EVIDENCE_HASH = re.compile(r"[0-9a-f]+")

# Fields of a scorecard row compared for "changed since sign-off", with their labels.
COMPARED_FIELDS: dict[str, str] = {
    "period": "latest period",
    "value": "value",
    "status": "status",
    "suppressed": "suppression",
    "target": "target",
    "mean": "mean",
    "upl": "upper process limit",
    "lpl": "lower process limit",
    "variation": "variation icon",
    "assurance": "assurance icon",
}

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


class AnnotationKind(StrEnum):
    """What an annotation on a KPI's chart marks."""

    INTERVENTION = "intervention"
    GO_LIVE = "go_live"
    RECORDING_CHANGE = "recording_change"
    OTHER = "other"


ANNOTATION_LABELS: dict[AnnotationKind, str] = {
    AnnotationKind.INTERVENTION: "Intervention",
    AnnotationKind.GO_LIVE: "Brick go-live",
    AnnotationKind.RECORDING_CHANGE: "Recording change",
    AnnotationKind.OTHER: "Other",
}


class SignOffAction(StrEnum):
    """A row of the sign-off log."""

    SIGNED_OFF = "signed_off"
    REOPENED = "reopened"


@dataclass(frozen=True)
class Action:
    """An action of an IPR commentary: what, who, by when."""

    text: str
    owner: str = ""
    due: str = ""  # YYYY-MM-DD or empty

    def as_dict(self) -> dict[str, str]:
        """The action as plain JSON."""
        return {"text": self.text, "owner": self.owner, "due": self.due}


@dataclass(frozen=True)
class Commentary:
    """One version of the commentary on a KPI × area × month (IPR form)."""

    id: int
    kpi_code: str
    area_code: str
    period: str
    version: int
    chart_says: str  # what the chart tells us
    issues: str
    actions: tuple[Action, ...]
    mitigations: str  # mitigations and risks
    author_id: str
    author_name: str
    written_at: str  # ISO 8601, UTC
    decision_required: bool = False  # the KPI owner asks the Board for a decision
    decision: str = ""  # what the Board is asked to decide

    @property
    def author(self) -> str:
        """Who wrote this version, as shown."""
        return self.author_name or self.author_id

    def as_dict(self) -> dict[str, object]:
        """The version as plain JSON."""
        out = dataclasses.asdict(self)
        out["actions"] = [a.as_dict() for a in self.actions]
        return out


@dataclass(frozen=True)
class Annotation:
    """A dated note on a KPI's chart; may be declared a change point (new SPC partition)."""

    id: int
    kpi_code: str
    area_code: str  # "" = every area of the KPI
    period: str
    kind: AnnotationKind
    text: str
    change_point: bool
    author_id: str
    author_name: str
    written_at: str
    withdrawn: bool = False

    @property
    def label(self) -> str:
        """Short text for a chart marker, e.g. "Brick go-live: Rapid Response"."""
        return f"{ANNOTATION_LABELS[self.kind]}: {self.text}"

    def as_chart_dict(self) -> dict[str, object]:
        """The annotation as a chart marker: period, text, kind, change point."""
        return {
            "period": self.period,
            "text": self.label,
            "kind": str(self.kind),
            "change_point": self.change_point,
        }


@dataclass(frozen=True)
class SignOff:
    """One row of the sign-off log of a month (and area scope)."""

    id: int
    period: str
    scope: str  # an area code, or "*" for every area
    action: SignOffAction
    note: str
    store_identity: str
    rows_hash: str
    rows: tuple[dict[str, object], ...]
    commentary: tuple[Commentary, ...]
    author_id: str
    author_name: str
    written_at: str

    @property
    def author(self) -> str:
        """Who recorded it, as shown."""
        return self.author_name or self.author_id


@dataclass(frozen=True)
class BenefitSignOff:
    """The BRG's sign-off of a benefit line's delivered value to a month (£ thousands)."""

    line_code: str
    period: str
    amount_k: float
    evidence_hash: str  # what the delivered value rested on (benefits.line_evidence_hash)
    note: str
    author_id: str
    author_name: str
    written_at: str  # ISO 8601, UTC

    @property
    def author(self) -> str:
        """Who recorded it, as shown."""
        return self.author_name or self.author_id


@dataclass(frozen=True)
class SignOffChange:
    """A difference between a signed-off scorecard row and the same row now."""

    kpi_code: str
    area_code: str
    field: str
    signed_off: object
    now: object
    sentence: str


def reviews_path(store_path: Path) -> Path:
    """The SQLite file of people's words beside a DuckDB store (e.g. scorecard.reviews.sqlite)."""
    return store_path.with_name(store_path.stem + ".reviews.sqlite")


def _create_private(path: Path) -> None:
    """Create an empty file readable and writable by its owner only (0600), if none is there.

    SQLite gives its -wal and -shm files the same permissions as the database file.
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.close(fd)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _problem(column: str, value: str, rule: str, message: str) -> Problem:
    return Problem("", None, column, value, rule, message)


def clean_text(text: str, column: str, limit: int, problems: list[Problem]) -> str:
    """Text as stored: line ends normalised, control characters dropped, length checked.

    Nothing is escaped here: people's words are stored as written and escaped where shown.
    """
    cleaned = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip()
    if len(cleaned) > limit:
        problems.append(
            _problem(
                column,
                cleaned[:40],
                f"at most {limit} characters",
                f"is {len(cleaned):,} characters long; shorten it to {limit:,} or fewer",
            )
        )
    return cleaned


def _check_period(period: str, problems: list[Problem]) -> None:
    if not PERIOD.fullmatch(period):
        problems.append(_problem("period", period, "YYYY-MM", "is not a month like 2025-03"))


def _check_area(fw: Framework, kpi: Kpi, area_code: str, problems: list[Problem]) -> None:
    if area_code and area_code not in {a.code for a in fw.kpi_areas(kpi.code)}:
        problems.append(
            _problem("area_code", area_code, "a reported area", f"{kpi.code} is not reported here")
        )


def _check_due(due: str, problems: list[Problem]) -> str:
    due = due.strip()
    if not due:
        return ""
    try:
        return date.fromisoformat(due).isoformat()
    except ValueError:
        problems.append(_problem("due", due, "YYYY-MM-DD", "is not a date like 2025-04-30"))
        return due


def row_record(row: object) -> dict[str, object]:
    """A scorecard row (dataclass, mapping or object with ``as_dict``) as a plain dict."""
    if dataclasses.is_dataclass(row) and not isinstance(row, type):
        record = dataclasses.asdict(row)
    elif isinstance(row, Mapping):
        record = dict(row)
    else:
        as_dict = getattr(row, "as_dict", None)
        if not callable(as_dict):
            msg = f"cannot snapshot a scorecard row of type {type(row).__name__}"
            raise TypeError(msg)
        record = dict(as_dict())
    for key, value in list(record.items()):
        if isinstance(value, tuple):
            record[key] = list(value)
        elif isinstance(value, float) and math.isnan(value):
            record[key] = None
    return record


def rows_hash(records: Sequence[Mapping[str, object]]) -> str:
    """SHA-256 of the rows' canonical JSON (sorted keys): the state of the data signed off."""
    canonical = json.dumps(
        sorted(records, key=lambda r: (str(r.get("kpi_code")), str(r.get("area_code")))),
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _same(before: object, after: object) -> bool:
    if isinstance(before, int | float) and isinstance(after, int | float):
        if isinstance(before, bool) or isinstance(after, bool):
            return before == after
        return math.isclose(float(before), float(after), rel_tol=1e-9, abs_tol=1e-12)
    return before == after


def _shown(value: object, field_name: str = "") -> str:
    if value is None:
        return "none"
    if isinstance(value, float):
        return f"{value:,.4g}"
    labels = {"variation": icons.variation_label, "assurance": icons.assurance_label}
    if field_name in labels:
        try:
            return f'"{labels[field_name](str(value))}"'
        except ValueError:
            return str(value)
    return str(value)


def compare_rows(
    signed: Sequence[Mapping[str, object]], now: Sequence[Mapping[str, object]]
) -> list[SignOffChange]:
    """Every difference between signed-off rows and today's rows of the same scorecard."""
    before = {(str(r.get("kpi_code")), str(r.get("area_code"))): r for r in signed}
    after = {(str(r.get("kpi_code")), str(r.get("area_code"))): r for r in now}
    changes: list[SignOffChange] = []
    for key in sorted(before.keys() | after.keys()):
        kpi_code, area_code = key
        old, new = before.get(key), after.get(key)
        if old is None or new is None:
            then, today = ("absent", "present") if old is None else ("present", "absent")
            sentence = f"{kpi_code} {area_code}: row {today} now, {then} at sign-off."
            changes.append(SignOffChange(kpi_code, area_code, "row", then, today, sentence))
            continue
        for field_name, label in COMPARED_FIELDS.items():
            was, is_ = old.get(field_name), new.get(field_name)
            if not _same(was, is_):
                sentence = (
                    f"{kpi_code} {area_code}: {label} changed since sign-off "
                    f"(signed off {_shown(was, field_name)}, now {_shown(is_, field_name)})."
                )
                changes.append(SignOffChange(kpi_code, area_code, field_name, was, is_, sentence))
    return changes


class Reviews:
    """People's words in one SQLite file (WAL): append-only, author and time on every row.

    Every call opens a short connection, so concurrent app sessions and a running load never
    block each other for long; writes that race for the same commentary are serialised by
    ``BEGIN IMMEDIATE`` and versioned.
    """

    def __init__(self, path: Path, clock: Callable[[], str] = _now) -> None:
        """Use the SQLite file at ``path`` (created with its schema on first write)."""
        self.path = path
        self._clock = clock

    @classmethod
    def beside(cls, store_path: Path) -> Reviews:
        """The reviews file beside a DuckDB store."""
        return cls(reviews_path(store_path))

    @contextmanager
    def _connect(self, write: bool = False) -> Iterator[sqlite3.Connection]:
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
        if "decision_required" not in columns:
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

    def _readable(self) -> bool:
        return self.path.exists()

    # ------------------------------------------------------------------ the chain

    def verify(self) -> ledger.ChainState:
        """Check the hash chain over every record; say what is broken and since when."""
        if not self._readable():
            return ledger.ChainState(0, ledger.GENESIS, (), 0)
        with self._connect() as con:
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
                _problem("reason", "", "not empty", "say what happened to the broken records")
            )
        if problems:
            raise UserError(problems)
        with self._connect(write=True) as con:
            state = ledger.verify(con)
            if state.intact:
                raise UserError(
                    _problem(
                        "record", "", "broken", "nothing is broken; there is nothing to acknowledge"
                    )
                )
            ledger.acknowledge(con, state, cleaned, principal.user_id, principal.name, self._clock)
            return ledger.verify(con)

    @staticmethod
    def _require_intact(con: sqlite3.Connection) -> None:
        state = ledger.verify(con)
        if not state.intact:
            raise UserError(
                _problem(
                    "record",
                    "",
                    "an intact record",
                    f"{state.summary()} Nothing more can be signed off until an administrator "
                    "acknowledges it",
                )
            )

    def _seal(self, con: sqlite3.Connection, table: str, record_id: int | None) -> None:
        ledger.seal(con, table, int(record_id or 0))

    # ------------------------------------------------------------------ commentary

    def add_commentary(
        self,
        fw: Framework,
        principal: Principal,
        kpi_code: str,
        area_code: str,
        period: str,
        *,
        chart_says: str,
        issues: str = "",
        actions: Sequence[Action] = (),
        mitigations: str = "",
        expected_version: int | None = None,
        decision_required: bool = False,
        decision: str = "",
    ) -> Commentary:
        """Save a new version of the commentary on a KPI × area × month.

        Args:
            fw: The framework (KPI owner, reported areas).
            principal: Who is writing; must own the KPI (or administer).
            kpi_code: The KPI.
            area_code: The area.
            period: The month reviewed, ``YYYY-MM``.
            chart_says: What the chart tells us.
            issues: Issues.
            actions: Actions with owner and due date.
            mitigations: Mitigations and risks.
            decision_required: Whether the KPI owner asks the Board for a decision.
            decision: What the Board is asked to decide (needed with ``decision_required``).
            expected_version: The version the writer started from; when another version was
                saved meanwhile the save is refused instead of silently overtaking it.

        Returns:
            The stored version.

        Raises:
            PermissionDenied: When the principal may not write about this KPI.
            UserError: For over-long text, a bad date, an unknown KPI or area, an empty
                commentary, a decision request without its text, an action without an owner
                or a due date, a due date before the month, a signed-off month or a
                conflicting edit.
        """
        kpi = _kpi(fw, kpi_code)
        require_commentary(principal, kpi)
        problems: list[Problem] = []
        _check_period(period, problems)
        _check_area(fw, kpi, area_code, problems)
        says = clean_text(chart_says, "what the chart tells us", MAX_FIELD_CHARS, problems)
        issue_text = clean_text(issues, "issues", MAX_FIELD_CHARS, problems)
        risk_text = clean_text(mitigations, "mitigations and risks", MAX_FIELD_CHARS, problems)
        if len(actions) > MAX_ACTIONS:
            problems.append(
                _problem("actions", str(len(actions)), f"at most {MAX_ACTIONS}", "too many actions")
            )
        kept: list[Action] = []
        for number, action in enumerate(actions, start=1):
            text = clean_text(action.text, f"action {number}", MAX_ACTION_CHARS, problems)
            owner = clean_text(action.owner, f"action {number} owner", MAX_OWNER_CHARS, problems)
            due = _check_due(action.due, problems)
            if text or owner or due:
                if not text:
                    problems.append(
                        _problem(f"action {number}", "", "text", "an action needs a description")
                    )
                if not owner:
                    problems.append(
                        _problem(
                            f"action {number} owner",
                            "",
                            "an owner",
                            f"action {number} needs an owner: say who will do it",
                        )
                    )
                if not due:
                    problems.append(
                        _problem(
                            f"action {number} due date",
                            "",
                            "a due date",
                            f"action {number} needs a due date: say by when",
                        )
                    )
                elif PERIOD.fullmatch(period) and PERIOD.fullmatch(due[:7]) and due[:7] < period:
                    problems.append(
                        _problem(
                            f"action {number} due date",
                            due,
                            f"on or after the first day of {period}",
                            f"is before the month reviewed ({period}): an action cannot be due "
                            "before the month it is written for",
                        )
                    )
                kept.append(Action(text, owner, due))
        decision_text = clean_text(decision, "decision", MAX_DECISION_CHARS, problems)
        if decision_required and not decision_text:
            problems.append(
                _problem(
                    "decision",
                    "",
                    "text with a decision request",
                    "a decision request needs its text: say what the Board is asked to decide",
                )
            )
        if not (says or issue_text or risk_text or kept or decision_text):
            problems.append(_problem("commentary", "", "not empty", "write at least one field"))
        if problems:
            raise UserError(problems)
        with self._connect(write=True) as con:
            frozen = self._signed_off(con, period, area_code)
            if frozen is not None:
                raise UserError(
                    _problem(
                        "period",
                        period,
                        "signed-off months are frozen",
                        f"{period} was signed off by {frozen.author} at {frozen.written_at}; "
                        "an administrator must re-open it before its commentary changes",
                    )
                )
            latest = con.execute(
                "SELECT COALESCE(MAX(version), 0) FROM commentary "
                "WHERE kpi_code = ? AND area_code = ? AND period = ?",
                (kpi.code, area_code, period),
            ).fetchone()[0]
            if expected_version is not None and int(latest) != expected_version:
                raise UserError(
                    _problem(
                        "version",
                        str(expected_version),
                        "no lost edits",
                        f"someone saved version {latest} while you were editing version "
                        f"{expected_version}; reload, then add your changes",
                    )
                )
            cursor = con.execute(
                "INSERT INTO commentary (kpi_code, area_code, period, version, chart_says, issues,"
                " actions, mitigations, author_id, author_name, written_at, decision_required,"
                " decision) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    kpi.code,
                    area_code,
                    period,
                    int(latest) + 1,
                    says,
                    issue_text,
                    json.dumps([a.as_dict() for a in kept]),
                    risk_text,
                    principal.user_id,
                    principal.name,
                    self._clock(),
                    int(bool(decision_required)),
                    decision_text,
                ),
            )
            self._seal(con, "commentary", cursor.lastrowid)
            row = con.execute(
                "SELECT * FROM commentary WHERE id = ?", (cursor.lastrowid,)
            ).fetchone()
        return _commentary(row)

    def commentary_history(self, kpi_code: str, area_code: str, period: str) -> list[Commentary]:
        """Every version of a commentary, oldest first."""
        if not self._readable():
            return []
        with self._connect() as con:
            rows = con.execute(
                "SELECT * FROM commentary WHERE kpi_code = ? AND area_code = ? AND period = ?"
                " ORDER BY version",
                (kpi_code, area_code, period),
            ).fetchall()
        return [_commentary(r) for r in rows]

    def commentary(self, kpi_code: str, area_code: str, period: str) -> Commentary | None:
        """The latest version of a commentary, or None."""
        history = self.commentary_history(kpi_code, area_code, period)
        return history[-1] if history else None

    def month_commentary(self, period: str, area_code: str | None = None) -> list[Commentary]:
        """The latest commentary of every KPI (× area) for a month."""
        if not self._readable():
            return []
        with self._connect() as con:
            return self._latest_commentary(con, period, area_code)

    def latest_commentary(self, month: str, area_code: str | None = None) -> list[Commentary]:
        """Each KPI (× area)'s latest commentary written for ``month`` or an earlier month."""
        if not self._readable():
            return []
        with self._connect() as con:
            rows = con.execute(
                "SELECT * FROM ("
                " SELECT c.*, ROW_NUMBER() OVER ("
                "  PARTITION BY kpi_code, area_code ORDER BY period DESC, version DESC"
                " ) AS newest FROM commentary AS c"
                " WHERE period <= ? AND (? IS NULL OR area_code = ?)"
                ") WHERE newest = 1 ORDER BY kpi_code, area_code",
                (month, area_code, area_code),
            ).fetchall()
        return [_commentary(r) for r in rows]

    @staticmethod
    def _latest_commentary(
        con: sqlite3.Connection, period: str, area_code: str | None
    ) -> list[Commentary]:
        rows = con.execute(
            "SELECT c.* FROM commentary AS c JOIN ("
            " SELECT kpi_code, area_code, MAX(version) AS version FROM commentary"
            " WHERE period = ? AND (? IS NULL OR area_code = ?) GROUP BY kpi_code, area_code"
            ") AS latest USING (kpi_code, area_code, version)"
            " WHERE c.period = ? ORDER BY c.kpi_code, c.area_code",
            (period, area_code, area_code, period),
        ).fetchall()
        return [_commentary(r) for r in rows]

    # ------------------------------------------------------------------ annotations

    def add_annotation(
        self,
        fw: Framework,
        principal: Principal,
        kpi_code: str,
        area_code: str,
        period: str,
        *,
        kind: AnnotationKind | str,
        text: str,
        change_point: bool = False,
    ) -> Annotation:
        """Record an annotation on a KPI's chart ("" area = every area of the KPI).

        Raises:
            PermissionDenied: When the principal may not write about this KPI.
            UserError: For over-long or empty text, a bad month, kind or area.
        """
        kpi = _kpi(fw, kpi_code)
        require_commentary(principal, kpi)
        problems: list[Problem] = []
        _check_period(period, problems)
        _check_area(fw, kpi, area_code, problems)
        try:
            kind = AnnotationKind(kind)
        except ValueError:
            allowed = ", ".join(k.value for k in AnnotationKind)
            problems.append(_problem("kind", str(kind), allowed, "is not a kind of annotation"))
            kind = AnnotationKind.OTHER
        cleaned = clean_text(text, "annotation", MAX_ANNOTATION_CHARS, problems)
        if not cleaned:
            problems.append(_problem("annotation", "", "not empty", "say what happened"))
        if problems:
            raise UserError(problems)
        with self._connect(write=True) as con:
            self._refuse_if_shown_in_signed_off(con, period, area_code, "annotated")
            cursor = con.execute(
                "INSERT INTO annotations (kpi_code, area_code, period, kind, text, change_point,"
                " author_id, author_name, written_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    kpi.code,
                    area_code,
                    period,
                    str(kind),
                    cleaned,
                    int(change_point),
                    principal.user_id,
                    principal.name,
                    self._clock(),
                ),
            )
            self._seal(con, "annotations", cursor.lastrowid)
            row = con.execute(
                "SELECT *, 0 AS withdrawn FROM annotations WHERE id = ?", (cursor.lastrowid,)
            ).fetchone()
        return _annotation(row)

    def withdraw_annotation(
        self, fw: Framework, principal: Principal, annotation_id: int, reason: str
    ) -> None:
        """Withdraw an annotation (it stays in the history, marked withdrawn).

        Raises:
            PermissionDenied: When the principal may not write about the annotation's KPI.
            UserError: For an unknown annotation or an over-long reason.
        """
        with self._connect() as con:
            found = con.execute(
                "SELECT kpi_code FROM annotations WHERE id = ?", (annotation_id,)
            ).fetchone()
        if found is None:
            raise UserError(_problem("annotation", str(annotation_id), "exists", "no such id"))
        require_commentary(principal, _kpi(fw, str(found["kpi_code"])))
        problems: list[Problem] = []
        cleaned = clean_text(reason, "reason", MAX_NOTE_CHARS, problems)
        if problems:
            raise UserError(problems)
        with self._connect(write=True) as con:
            note = con.execute(
                "SELECT period, area_code FROM annotations WHERE id = ?", (annotation_id,)
            ).fetchone()
            earlier = con.execute(
                "SELECT author_name, author_id, written_at FROM annotation_withdrawals"
                " WHERE annotation_id = ? ORDER BY id LIMIT 1",
                (annotation_id,),
            ).fetchone()
            if earlier is not None:
                raise UserError(
                    _problem(
                        "annotation",
                        str(annotation_id),
                        "withdraw once",
                        f"was already withdrawn by {earlier[0] or earlier[1]} at {earlier[2]}",
                    )
                )
            self._refuse_if_shown_in_signed_off(
                con, str(note["period"]), str(note["area_code"]), "withdrawn from"
            )
            cursor = con.execute(
                "INSERT INTO annotation_withdrawals (annotation_id, reason, author_id,"
                " author_name, written_at) VALUES (?, ?, ?, ?, ?)",
                (annotation_id, cleaned, principal.user_id, principal.name, self._clock()),
            )
            self._seal(con, "annotation_withdrawals", cursor.lastrowid)

    def annotations(
        self, kpi_code: str | None = None, area_code: str | None = None, *, withdrawn: bool = False
    ) -> list[Annotation]:
        """Annotations of a KPI (an area's own plus those for every area), by period.

        Args:
            kpi_code: Only this KPI (all when None).
            area_code: Only those that apply to this area (all when None).
            withdrawn: Include withdrawn annotations too (marked ``withdrawn``).
        """
        if not self._readable():
            return []
        with self._connect() as con:
            rows = con.execute(
                "SELECT a.*, EXISTS (SELECT 1 FROM annotation_withdrawals AS w"
                " WHERE w.annotation_id = a.id) AS withdrawn FROM annotations AS a"
                " WHERE (? IS NULL OR a.kpi_code = ?)"
                " AND (? IS NULL OR a.area_code = '' OR a.area_code = ?)"
                " ORDER BY a.period, a.id",
                (kpi_code, kpi_code, area_code, area_code),
            ).fetchall()
        found = [_annotation(r) for r in rows]
        return found if withdrawn else [a for a in found if not a.withdrawn]

    def declared_change_points(self, kpi_code: str, area_code: str) -> list[tuple[str, str]]:
        """(period, reason) of annotations declared change points for a KPI × area."""
        return [
            (a.period, a.label) for a in self.annotations(kpi_code, area_code) if a.change_point
        ]

    def declared_spc_events(self) -> tuple[SpcEvent, ...]:
        """Every declared change point as a framework SPC event (add to ``fw.spc_events``)."""
        return tuple(
            SpcEvent(
                kpi_code=a.kpi_code,
                period=a.period,
                kind=SpcEventKind.CHANGE_POINT,
                reason=a.label,
                area_code=a.area_code,
            )
            for a in self.annotations()
            if a.change_point
        )

    # ------------------------------------------------------------------ sign-off

    def sign_off(
        self,
        principal: Principal,
        period: str,
        area_code: str | None,
        rows: Sequence[object],
        store_identity: str,
        note: str = "",
    ) -> SignOff:
        """Record the Executive Board's sign-off of a month's scorecard, freezing it.

        Args:
            principal: Who records it (Executive Board role or administrator).
            period: The month, ``YYYY-MM``.
            area_code: The scorecard's area, or None for every area.
            rows: The month's scorecard rows as shown (values, icons); kept as a snapshot.
            store_identity: The store's identity when the rows were computed.
            note: An optional note (e.g. the Board meeting's minute reference).

        Raises:
            PermissionDenied: When the principal may not sign off.
            UserError: When the month is already signed off, or the note is too long.
        """
        require_sign_off(principal)
        problems: list[Problem] = []
        _check_period(period, problems)
        cleaned = clean_text(note, "note", MAX_NOTE_CHARS, problems)
        if problems:
            raise UserError(problems)
        scope = area_code or ALL_AREAS
        records = [row_record(r) for r in rows]
        with self._connect(write=True) as con:
            self._require_intact(con)
            current = self._current_signoff(con, period, scope)
            if current is not None:
                raise UserError(
                    _problem(
                        "period",
                        period,
                        "sign off once",
                        f"already signed off by {current.author} at {current.written_at}",
                    )
                )
            words = self._latest_commentary(con, period, area_code)
            cursor = con.execute(
                "INSERT INTO signoffs (period, scope, action, note, store_identity, rows_hash,"
                " rows_json, commentary_json, author_id, author_name, written_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    period,
                    scope,
                    str(SignOffAction.SIGNED_OFF),
                    cleaned,
                    store_identity,
                    rows_hash(records),
                    json.dumps(records, default=str),
                    json.dumps([c.as_dict() for c in words]),
                    principal.user_id,
                    principal.name,
                    self._clock(),
                ),
            )
            self._seal(con, "signoffs", cursor.lastrowid)
            row = con.execute("SELECT * FROM signoffs WHERE id = ?", (cursor.lastrowid,)).fetchone()
        return _signoff(row)

    def reopen(
        self, principal: Principal, period: str, area_code: str | None, reason: str
    ) -> SignOff:
        """Re-open a signed-off month (administrators; kept in the log with the reason).

        Raises:
            PermissionDenied: When the principal is not an administrator.
            UserError: When the month is not signed off or no reason is given.
        """
        require_reopen(principal)
        problems: list[Problem] = []
        cleaned = clean_text(reason, "reason", MAX_NOTE_CHARS, problems)
        if not cleaned:
            problems.append(_problem("reason", "", "not empty", "say why the month is re-opened"))
        if problems:
            raise UserError(problems)
        scope = area_code or ALL_AREAS
        with self._connect(write=True) as con:
            current = self._current_signoff(con, period, scope)
            if current is None:
                raise UserError(_problem("period", period, "signed off", "is not signed off"))
            cursor = con.execute(
                "INSERT INTO signoffs (period, scope, action, note, store_identity, rows_hash,"
                " rows_json, commentary_json, author_id, author_name, written_at)"
                " VALUES (?, ?, ?, ?, ?, ?, '[]', '[]', ?, ?, ?)",
                (
                    period,
                    scope,
                    str(SignOffAction.REOPENED),
                    cleaned,
                    current.store_identity,
                    current.rows_hash,
                    principal.user_id,
                    principal.name,
                    self._clock(),
                ),
            )
            self._seal(con, "signoffs", cursor.lastrowid)
            row = con.execute("SELECT * FROM signoffs WHERE id = ?", (cursor.lastrowid,)).fetchone()
        return _signoff(row)

    @staticmethod
    def _current_signoff(con: sqlite3.Connection, period: str, scope: str) -> SignOff | None:
        row = con.execute(
            "SELECT * FROM signoffs WHERE period = ? AND scope = ? ORDER BY id DESC LIMIT 1",
            (period, scope),
        ).fetchone()
        if row is None or row["action"] != SignOffAction.SIGNED_OFF:
            return None
        return _signoff(row)

    def _refuse_if_shown_in_signed_off(
        self, con: sqlite3.Connection, period: str, area_code: str, verb: str
    ) -> None:
        """Refuse a chart note at ``period`` that a signed-off month's charts already showed.

        A month's charts run up to it, so a note (or a change point, which moves the limits
        and icons) at ``period`` changes every month from ``period`` on: any of them signed off
        for the area, or for every area, is frozen. A note for every area ("") is frozen by a
        sign-off of any area.
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
        first = _signoff(rows[0])
        scope = "every area" if first.scope == ALL_AREAS else first.scope
        more = f" (and {len(rows) - 1} other signed-off month(s) after it)" if len(rows) > 1 else ""
        raise UserError(
            _problem(
                "period",
                period,
                "signed-off months are frozen",
                f"the charts of {first.period} for {scope}, signed off by {first.author} at "
                f"{first.written_at}{more}, show {period}; it cannot be {verb} unless an "
                "administrator re-opens the month with a reason",
            )
        )

    def _signed_off(self, con: sqlite3.Connection, period: str, area_code: str) -> SignOff | None:
        """The sign-off that freezes an area's month (its own, or the all-areas one)."""
        return self._current_signoff(con, period, area_code) or self._current_signoff(
            con, period, ALL_AREAS
        )

    def signoff(self, period: str, area_code: str | None) -> SignOff | None:
        """The sign-off in force for a month's scorecard (None when open)."""
        if not self._readable():
            return None
        with self._connect() as con:
            return self._current_signoff(con, period, area_code or ALL_AREAS)

    def frozen_by(self, period: str, area_code: str) -> SignOff | None:
        """The sign-off (of the area or of every area) that freezes a KPI's month, if any."""
        if not self._readable():
            return None
        with self._connect() as con:
            return self._signed_off(con, period, area_code)

    def signoff_log(self, period: str | None = None) -> list[SignOff]:
        """Every sign-off and re-opening, oldest first."""
        if not self._readable():
            return []
        with self._connect() as con:
            rows = con.execute(
                "SELECT * FROM signoffs WHERE (? IS NULL OR period = ?) ORDER BY id",
                (period, period),
            ).fetchall()
        return [_signoff(r) for r in rows]

    def changed_since_signoff(
        self, period: str, area_code: str | None, rows_now: Sequence[object]
    ) -> list[SignOffChange]:
        """What differs between the signed-off scorecard and the same scorecard computed now.

        Returns an empty list when the month is not signed off (nothing to compare with).
        """
        signed = self.signoff(period, area_code)
        if signed is None:
            return []
        return compare_rows(signed.rows, [row_record(r) for r in rows_now])

    # ------------------------------------------------------------------ benefit sign-off

    def sign_off_benefit(
        self,
        principal: Principal,
        line_code: str,
        period: str,
        amount_k: float,
        evidence_hash: str,
        note: str,
    ) -> BenefitSignOff:
        """Record the BRG's sign-off of a benefit line's delivered value to a month.

        A later sign-off of the same line and month is a new row that supersedes the earlier
        one for display; nothing is ever changed or deleted.

        Args:
            principal: Who records it (the BRG role or an administrator).
            line_code: The benefit line (e.g. ``BEN-BED``).
            period: The month, ``YYYY-MM``.
            amount_k: The value signed off, £ thousands (finite, not negative).
            evidence_hash: The hash of the data the delivered value rested on.
            note: The BRG's note (e.g. the meeting's minute reference).

        Raises:
            PermissionDenied: When the principal may not sign off benefits.
            UserError: For a bad line code, month, amount, evidence hash or an over-long note.
        """
        require_benefit_sign_off(principal)
        problems: list[Problem] = []
        code = line_code.strip()
        if not _LINE_CODE.fullmatch(code) or len(code) > MAX_LINE_CODE_CHARS:
            problems.append(
                _problem(
                    "line_code",
                    code[:40],
                    "a benefit line code",
                    "is not a benefit line code like BEN-BED",
                )
            )
        _check_period(period, problems)
        amount = _check_amount(amount_k, problems)
        evidence = evidence_hash.strip().lower()
        if not _EVIDENCE_HASH.fullmatch(evidence) or len(evidence) > MAX_EVIDENCE_HASH_CHARS:
            problems.append(
                _problem(
                    "evidence_hash",
                    evidence[:40],
                    "a hexadecimal hash",
                    "is not the hash of the data signed off",
                )
            )
        cleaned = clean_text(note, "note", MAX_NOTE_CHARS, problems)
        if problems:
            raise UserError(problems)
        with self._connect(write=True) as con:
            self._require_intact(con)
            cursor = con.execute(
                "INSERT INTO benefit_signoffs (line_code, period, amount_k, evidence_hash, note,"
                " author_id, author_name, written_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    code,
                    period,
                    amount,
                    evidence,
                    cleaned,
                    principal.user_id,
                    principal.name,
                    self._clock(),
                ),
            )
            self._seal(con, "benefit_signoffs", cursor.lastrowid)
            row = con.execute(
                "SELECT * FROM benefit_signoffs WHERE id = ?", (cursor.lastrowid,)
            ).fetchone()
        return _benefit_signoff(row)

    def benefit_signoffs(self, up_to: str | None = None) -> list[BenefitSignOff]:
        """The current (latest) sign-off of each benefit line × month, months up to ``up_to``.

        Ordered by line code, then month.
        """
        if not self._readable():
            return []
        with self._connect() as con:
            rows = con.execute(
                "SELECT b.* FROM benefit_signoffs AS b"
                " WHERE (? IS NULL OR b.period <= ?)"
                " AND b.id = (SELECT MAX(l.id) FROM benefit_signoffs AS l"
                " WHERE l.line_code = b.line_code AND l.period = b.period)"
                " ORDER BY b.line_code, b.period",
                (up_to, up_to),
            ).fetchall()
        return [_benefit_signoff(r) for r in rows]

    def benefit_signoff_log(self) -> list[BenefitSignOff]:
        """Every benefit sign-off ever recorded, superseded ones included, oldest first."""
        if not self._readable():
            return []
        with self._connect() as con:
            rows = con.execute("SELECT * FROM benefit_signoffs ORDER BY id").fetchall()
        return [_benefit_signoff(r) for r in rows]


def _check_amount(amount_k: object, problems: list[Problem]) -> float:
    try:
        amount = float(amount_k)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        amount = math.nan
    if not math.isfinite(amount):
        problems.append(
            _problem(
                "amount_k", str(amount_k), "a finite number", "is not an amount in £ thousands"
            )
        )
    elif amount < 0:
        problems.append(
            _problem(
                "amount_k",
                str(amount_k),
                "not negative",
                "is negative; the BRG signs off a delivered value of £0k or more",
            )
        )
    return amount


def with_declared_change_points(fw: Framework, reviews: Reviews) -> Framework:
    """The framework with declared change points added to its recorded SPC events."""
    declared = reviews.declared_spc_events()
    if not declared:
        return fw
    return dataclasses.replace(fw, spc_events=fw.spc_events + declared, _index={})


def _kpi(fw: Framework, kpi_code: str) -> Kpi:
    try:
        return fw.kpi(kpi_code)
    except KeyError:
        raise UserError(
            _problem("kpi_code", kpi_code, "a framework KPI", "is not a KPI of the framework")
        ) from None


def _commentary(row: sqlite3.Row) -> Commentary:
    actions = tuple(
        Action(str(a.get("text", "")), str(a.get("owner", "")), str(a.get("due", "")))
        for a in json.loads(row["actions"])
    )
    return Commentary(
        id=int(row["id"]),
        kpi_code=str(row["kpi_code"]),
        area_code=str(row["area_code"]),
        period=str(row["period"]),
        version=int(row["version"]),
        chart_says=str(row["chart_says"]),
        issues=str(row["issues"]),
        actions=actions,
        mitigations=str(row["mitigations"]),
        author_id=str(row["author_id"]),
        author_name=str(row["author_name"]),
        written_at=str(row["written_at"]),
        decision_required=bool(row["decision_required"]),
        decision=str(row["decision"]),
    )


def _commentary_from_dict(data: Mapping[str, object]) -> Commentary:
    raw_actions = data.get("actions", [])
    actions = tuple(
        Action(str(a.get("text", "")), str(a.get("owner", "")), str(a.get("due", "")))
        for a in (raw_actions if isinstance(raw_actions, list) else [])
        if isinstance(a, dict)
    )
    return Commentary(
        id=int(str(data.get("id", 0))),
        kpi_code=str(data.get("kpi_code", "")),
        area_code=str(data.get("area_code", "")),
        period=str(data.get("period", "")),
        version=int(str(data.get("version", 0))),
        chart_says=str(data.get("chart_says", "")),
        issues=str(data.get("issues", "")),
        actions=actions,
        mitigations=str(data.get("mitigations", "")),
        author_id=str(data.get("author_id", "")),
        author_name=str(data.get("author_name", "")),
        written_at=str(data.get("written_at", "")),
        decision_required=bool(data.get("decision_required", False)),
        decision=str(data.get("decision", "")),
    )


def _annotation(row: sqlite3.Row) -> Annotation:
    return Annotation(
        id=int(row["id"]),
        kpi_code=str(row["kpi_code"]),
        area_code=str(row["area_code"]),
        period=str(row["period"]),
        kind=AnnotationKind(str(row["kind"])),
        text=str(row["text"]),
        change_point=bool(row["change_point"]),
        author_id=str(row["author_id"]),
        author_name=str(row["author_name"]),
        written_at=str(row["written_at"]),
        withdrawn=bool(row["withdrawn"]),
    )


def _signoff(row: sqlite3.Row) -> SignOff:
    rows = json.loads(row["rows_json"])
    words = json.loads(row["commentary_json"])
    return SignOff(
        id=int(row["id"]),
        period=str(row["period"]),
        scope=str(row["scope"]),
        action=SignOffAction(str(row["action"])),
        note=str(row["note"]),
        store_identity=str(row["store_identity"]),
        rows_hash=str(row["rows_hash"]),
        rows=tuple(dict(r) for r in rows),
        commentary=tuple(_commentary_from_dict(c) for c in words),
        author_id=str(row["author_id"]),
        author_name=str(row["author_name"]),
        written_at=str(row["written_at"]),
    )


def _benefit_signoff(row: sqlite3.Row) -> BenefitSignOff:
    return BenefitSignOff(
        line_code=str(row["line_code"]),
        period=str(row["period"]),
        amount_k=float(row["amount_k"]),
        evidence_hash=str(row["evidence_hash"]),
        note=str(row["note"]),
        author_id=str(row["author_id"]),
        author_name=str(row["author_name"]),
        written_at=str(row["written_at"]),
    )
