"""Commentary: the IPR form's words on a KPI × area × month, versioned, with decision requests."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from scorecard.data.access import Principal, require_commentary
from scorecard.data.reviews_core import (
    PERIOD,
    ReviewsDatabase,
    check_area,
    check_period,
    clean_text,
    kpi_of,
    problem,
)
from scorecard.thread.domain import Framework
from scorecard.thread.errors import Problem, UserError

MAX_FIELD_CHARS = 2000  # each commentary field
MAX_ACTION_CHARS = 300
MAX_OWNER_CHARS = 120
MAX_ACTIONS = 10
MAX_DECISION_CHARS = 500


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


def _check_due(due: str, problems: list[Problem]) -> str:
    due = due.strip()
    if not due:
        return ""
    try:
        return date.fromisoformat(due).isoformat()
    except ValueError:
        problems.append(problem("due", due, "YYYY-MM-DD", "is not a date like 2025-04-30"))
        return due


class CommentaryRecords(ReviewsDatabase):
    """The commentary of the reviews file: every version kept, the latest shown."""

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
        kpi = kpi_of(fw, kpi_code)
        require_commentary(principal, kpi)
        problems: list[Problem] = []
        check_period(period, problems)
        check_area(fw, kpi, area_code, problems)
        says = clean_text(chart_says, "what the chart tells us", MAX_FIELD_CHARS, problems)
        issue_text = clean_text(issues, "issues", MAX_FIELD_CHARS, problems)
        risk_text = clean_text(mitigations, "mitigations and risks", MAX_FIELD_CHARS, problems)
        if len(actions) > MAX_ACTIONS:
            problems.append(
                problem("actions", str(len(actions)), f"at most {MAX_ACTIONS}", "too many actions")
            )
        kept: list[Action] = []
        for number, action in enumerate(actions, start=1):
            text = clean_text(action.text, f"action {number}", MAX_ACTION_CHARS, problems)
            owner = clean_text(action.owner, f"action {number} owner", MAX_OWNER_CHARS, problems)
            due = _check_due(action.due, problems)
            if text or owner or due:
                if not text:
                    problems.append(
                        problem(f"action {number}", "", "text", "an action needs a description")
                    )
                if not owner:
                    problems.append(
                        problem(
                            f"action {number} owner",
                            "",
                            "an owner",
                            f"action {number} needs an owner: say who will do it",
                        )
                    )
                if not due:
                    problems.append(
                        problem(
                            f"action {number} due date",
                            "",
                            "a due date",
                            f"action {number} needs a due date: say by when",
                        )
                    )
                elif PERIOD.fullmatch(period) and PERIOD.fullmatch(due[:7]) and due[:7] < period:
                    problems.append(
                        problem(
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
                problem(
                    "decision",
                    "",
                    "text with a decision request",
                    "a decision request needs its text: say what the Board is asked to decide",
                )
            )
        if not (says or issue_text or risk_text or kept or decision_text):
            problems.append(problem("commentary", "", "not empty", "write at least one field"))
        if problems:
            raise UserError(problems)
        with self.connect(write=True) as con:
            frozen = self.freezing_signoff(con, period, area_code)
            if frozen is not None:
                author = str(frozen["author_name"]) or str(frozen["author_id"])
                raise UserError(
                    problem(
                        "period",
                        period,
                        "signed-off months are frozen",
                        f"{period} was signed off by {author} at {frozen['written_at']}; "
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
                    problem(
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
                    self.clock(),
                    int(bool(decision_required)),
                    decision_text,
                ),
            )
            self.seal(con, "commentary", cursor.lastrowid)
            row = con.execute(
                "SELECT * FROM commentary WHERE id = ?", (cursor.lastrowid,)
            ).fetchone()
        return _commentary(row)

    def commentary_history(self, kpi_code: str, area_code: str, period: str) -> list[Commentary]:
        """Every version of a commentary, oldest first."""
        if not self.readable():
            return []
        with self.connect() as con:
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
        if not self.readable():
            return []
        with self.connect() as con:
            return month_commentary_in(con, period, area_code)

    def latest_commentary(self, month: str, area_code: str | None = None) -> list[Commentary]:
        """Each KPI (× area)'s latest commentary written for ``month`` or an earlier month."""
        if not self.readable():
            return []
        with self.connect() as con:
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


def month_commentary_in(
    con: sqlite3.Connection, period: str, area_code: str | None
) -> list[Commentary]:
    """The latest commentary of every KPI (× area) for a month, read on an open connection."""
    rows = con.execute(
        "SELECT c.* FROM commentary AS c JOIN ("
        " SELECT kpi_code, area_code, MAX(version) AS version FROM commentary"
        " WHERE period = ? AND (? IS NULL OR area_code = ?) GROUP BY kpi_code, area_code"
        ") AS latest USING (kpi_code, area_code, version)"
        " WHERE c.period = ? ORDER BY c.kpi_code, c.area_code",
        (period, area_code, area_code, period),
    ).fetchall()
    return [_commentary(r) for r in rows]


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


def commentary_from_dict(data: Mapping[str, object]) -> Commentary:
    """A commentary version from its plain JSON (as kept in a sign-off's snapshot)."""
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
