"""Benefit sign-offs: the BRG's sign-off of a benefit line's delivered value to a month."""

from __future__ import annotations

import math
import re
import sqlite3
from dataclasses import dataclass

from scorecard.data.access import Principal, require_benefit_sign_off
from scorecard.data.reviews_core import (
    MAX_NOTE_CHARS,
    ReviewsDatabase,
    check_period,
    clean_text,
    problem,
)
from scorecard.thread.errors import Problem, UserError

MAX_LINE_CODE_CHARS = 40
MAX_EVIDENCE_HASH_CHARS = 128
_LINE_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_EVIDENCE_HASH = re.compile(r"[0-9a-f]+")


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


class BenefitSignOffRecords(ReviewsDatabase):
    """The benefit sign-offs of the reviews file: a later one supersedes, none is deleted."""

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
                problem(
                    "line_code",
                    code[:40],
                    "a benefit line code",
                    "is not a benefit line code like BEN-BED",
                )
            )
        check_period(period, problems)
        amount = _check_amount(amount_k, problems)
        evidence = evidence_hash.strip().lower()
        if not _EVIDENCE_HASH.fullmatch(evidence) or len(evidence) > MAX_EVIDENCE_HASH_CHARS:
            problems.append(
                problem(
                    "evidence_hash",
                    evidence[:40],
                    "a hexadecimal hash",
                    "is not the hash of the data signed off",
                )
            )
        cleaned = clean_text(note, "note", MAX_NOTE_CHARS, problems)
        if problems:
            raise UserError(problems)
        with self.connect(write=True) as con:
            self.require_intact(con)
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
                    self.clock(),
                ),
            )
            self.seal(con, "benefit_signoffs", cursor.lastrowid)
            row = con.execute(
                "SELECT * FROM benefit_signoffs WHERE id = ?", (cursor.lastrowid,)
            ).fetchone()
        return _benefit_signoff(row)

    def benefit_signoffs(self, up_to: str | None = None) -> list[BenefitSignOff]:
        """The current (latest) sign-off of each benefit line × month, months up to ``up_to``.

        Ordered by line code, then month.
        """
        if not self.readable():
            return []
        with self.connect() as con:
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
        if not self.readable():
            return []
        with self.connect() as con:
            rows = con.execute("SELECT * FROM benefit_signoffs ORDER BY id").fetchall()
        return [_benefit_signoff(r) for r in rows]


def _check_amount(amount_k: object, problems: list[Problem]) -> float:
    try:
        amount = float(amount_k)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        amount = math.nan
    if not math.isfinite(amount):
        problems.append(
            problem("amount_k", str(amount_k), "a finite number", "is not an amount in £ thousands")
        )
    elif amount < 0:
        problems.append(
            problem(
                "amount_k",
                str(amount_k),
                "not negative",
                "is negative; the BRG signs off a delivered value of £0k or more",
            )
        )
    return amount


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
