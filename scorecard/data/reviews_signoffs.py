"""Sign-offs: the Executive Board's freeze of a month's scorecard, re-openings, changes since."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from scorecard.data.access import Principal, require_reopen, require_sign_off
from scorecard.data.reviews_commentary import Commentary, commentary_from_dict, month_commentary_in
from scorecard.data.reviews_core import (
    ALL_AREAS,
    MAX_NOTE_CHARS,
    ReviewsDatabase,
    SignOffAction,
    check_period,
    clean_text,
    problem,
)
from scorecard.statistics import icons
from scorecard.thread.errors import Problem, UserError

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
class SignOffChange:
    """A difference between a signed-off scorecard row and the same row now."""

    kpi_code: str
    area_code: str
    field: str
    signed_off: object
    now: object
    sentence: str


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


class SignOffRecords(ReviewsDatabase):
    """The sign-off log of the reviews file: sign-offs and re-openings, oldest first."""

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
        check_period(period, problems)
        cleaned = clean_text(note, "note", MAX_NOTE_CHARS, problems)
        if problems:
            raise UserError(problems)
        scope = area_code or ALL_AREAS
        records = [row_record(r) for r in rows]
        with self.connect(write=True) as con:
            self.require_intact(con)
            current = self._current_signoff(con, period, scope)
            if current is not None:
                raise UserError(
                    problem(
                        "period",
                        period,
                        "sign off once",
                        f"already signed off by {current.author} at {current.written_at}",
                    )
                )
            words = month_commentary_in(con, period, area_code)
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
                    self.clock(),
                ),
            )
            self.seal(con, "signoffs", cursor.lastrowid)
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
            problems.append(problem("reason", "", "not empty", "say why the month is re-opened"))
        if problems:
            raise UserError(problems)
        scope = area_code or ALL_AREAS
        with self.connect(write=True) as con:
            current = self._current_signoff(con, period, scope)
            if current is None:
                raise UserError(problem("period", period, "signed off", "is not signed off"))
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
                    self.clock(),
                ),
            )
            self.seal(con, "signoffs", cursor.lastrowid)
            row = con.execute("SELECT * FROM signoffs WHERE id = ?", (cursor.lastrowid,)).fetchone()
        return _signoff(row)

    def _current_signoff(self, con: sqlite3.Connection, period: str, scope: str) -> SignOff | None:
        row = self.signoff_in_force(con, period, scope)
        return None if row is None else _signoff(row)

    def signoff(self, period: str, area_code: str | None) -> SignOff | None:
        """The sign-off in force for a month's scorecard (None when open)."""
        if not self.readable():
            return None
        with self.connect() as con:
            return self._current_signoff(con, period, area_code or ALL_AREAS)

    def frozen_by(self, period: str, area_code: str) -> SignOff | None:
        """The sign-off (of the area or of every area) that freezes a KPI's month, if any."""
        if not self.readable():
            return None
        with self.connect() as con:
            row = self.freezing_signoff(con, period, area_code)
        return None if row is None else _signoff(row)

    def signoff_log(self, period: str | None = None) -> list[SignOff]:
        """Every sign-off and re-opening, oldest first."""
        if not self.readable():
            return []
        with self.connect() as con:
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
        commentary=tuple(commentary_from_dict(c) for c in words),
        author_id=str(row["author_id"]),
        author_name=str(row["author_name"]),
        written_at=str(row["written_at"]),
    )
