"""The hash chain over people's words: every record sealed, every change or removal evident."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

# The tables whose rows are sealed into the chain, and how a person calls one of their records.
CHAINED: dict[str, str] = {
    "commentary": "commentary",
    "annotations": "annotation",
    "annotation_withdrawals": "annotation withdrawal",
    "signoffs": "Board sign-off",
    "benefit_signoffs": "BRG sign-off",
    "chain_acknowledgements": "acknowledgement of a broken record",
}
CHAIN_TABLE = "chain"
GENESIS = "0" * 64  # the previous hash of the first seal
DELETED = "deleted"  # the record hash of a removal acknowledged by an administrator
HEAD_KEY = "chain_head"  # meta key: "<seq>:<hash>" of the latest seal
SINCE_KEY = "chain_since"  # meta key: when the chain was started on this file

_CHAIN_SCHEMA = """
CREATE TABLE IF NOT EXISTS chain (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    record_table TEXT NOT NULL,
    record_id INTEGER NOT NULL,
    record_hash TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    sealed_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chain_record ON chain (record_table, record_id);
CREATE TABLE IF NOT EXISTS chain_acknowledgements (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    findings TEXT NOT NULL,
    reason TEXT NOT NULL,
    author_id TEXT NOT NULL,
    author_name TEXT NOT NULL,
    written_at TEXT NOT NULL
);
"""


class BreakKind(StrEnum):
    """How the record was found broken."""

    CHANGED = "changed"  # a record no longer matches the hash it was sealed with
    DELETED = "deleted"  # a sealed record is gone
    UNSEALED = "unsealed"  # a record was added without being sealed (written outside the app)
    LINK = "link"  # a seal does not follow the one before it (the chain itself was rewritten)
    TRUNCATED = "truncated"  # the latest seals are gone
    TRIGGER = "trigger"  # a guard that refuses UPDATE or DELETE was removed


@dataclass(frozen=True)
class ChainBreak:
    """One place where the record is not what was written."""

    kind: BreakKind
    table: str
    record_id: int | None
    since: str  # the last time the record (or the chain) is known to have been intact
    sentence: str
    fingerprint: str  # what an acknowledgement names to accept this break


@dataclass(frozen=True)
class ChainState:
    """The chain as verified: how many seals, the head, and every break found."""

    seals: int
    head: str
    breaks: tuple[ChainBreak, ...]
    acknowledged: int  # acknowledgements recorded so far

    @property
    def intact(self) -> bool:
        """Whether nothing is broken."""
        return not self.breaks

    def summary(self) -> str:
        """One sentence on the state of the record."""
        if self.intact:
            return (
                f"The record of people's words is intact: {self.seals:,} records sealed, "
                f"latest hash {self.head[:16]}."
            )
        first = self.breaks[0]
        more = f" ({len(self.breaks) - 1} more break(s) below)" if len(self.breaks) > 1 else ""
        return f"The record of people's words is broken: {first.sentence}{more}"


def trigger_names() -> list[str]:
    """Every guard trigger the chained tables and the chain must have."""
    tables = [*CHAINED, CHAIN_TABLE]
    return [f"{t}_no_{op}" for t in tables for op in ("update", "delete")]


def _create_guards(con: sqlite3.Connection) -> None:
    # Table names come from CHAINED, never from a user.
    present = _tables(con)
    for table in [t for t in [*CHAINED, CHAIN_TABLE] if t in present]:
        for op in ("UPDATE", "DELETE"):
            con.execute(
                f"CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} BEFORE {op} ON {table}"
                f" BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )


def _plain(value: object) -> object:
    if isinstance(value, bytes):
        return {"hex": value.hex()}
    return value


_NO_DEFAULT = object()


def _literal(text: object) -> object:
    """A column's declared default as a value (simple literals only; anything else: none)."""
    if text is None or str(text).upper() == "NULL":
        return None
    raw = str(text).strip()
    if len(raw) >= 2 and raw[0] == raw[-1] == "'":
        return raw[1:-1].replace("''", "'")
    for kind in (int, float):
        try:
            return kind(raw)
        except ValueError:
            continue
    return _NO_DEFAULT


def column_defaults(con: sqlite3.Connection, table: str) -> dict[str, object]:
    """Each column's declared default value (None where it has none)."""
    rows = con.execute(f"PRAGMA table_info({table})").fetchall()
    return {str(r[1]): _literal(r[4]) for r in rows}


def canonical(table: str, row: sqlite3.Row, defaults: dict[str, object]) -> str:
    """A record's canonical text: its table and every column (sorted by name) as JSON.

    Every column is included, whatever columns the table has, so columns added later are
    covered without a change here. A column holding its declared default is left out: a column
    added to a table after a record was written holds its default for that record and was not
    part of what was written (leaving it out keeps the text one-to-one with the values).
    """
    columns = {
        key: _plain(row[key])
        for key in row.keys()  # noqa: SIM118 - sqlite3.Row has no __iter__ over names
        if key not in defaults
        or row[key] != defaults[key]
        or type(row[key]) is not type(defaults[key])
    }
    return json.dumps(
        {"table": table, "columns": columns},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )


def record_hash(table: str, row: sqlite3.Row, defaults: dict[str, object]) -> str:
    """SHA-256 of a record's canonical text."""
    return hashlib.sha256(canonical(table, row, defaults).encode("utf-8")).hexdigest()


def seal_hash(prev_hash: str, seq: int, table: str, record_id: int, rec_hash: str, at: str) -> str:
    """The hash of one seal: the previous seal's hash and everything this seal says."""
    text = f"{prev_hash}|{seq}|{table}|{record_id}|{rec_hash}|{at}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _tables(con: sqlite3.Connection) -> set[str]:
    return {str(r[0]) for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def install(con: sqlite3.Connection) -> None:
    """Create the chain (inside the caller's write transaction) and seal what is already there.

    Records written before the chain existed on this file are sealed as found, once, when the
    chain is started; from then on a record without a seal is a break, never sealed silently.
    """
    started = con.execute("SELECT value FROM meta WHERE key = ?", (SINCE_KEY,)).fetchone()
    for statement in _CHAIN_SCHEMA.split(";"):
        if statement.strip():
            con.execute(statement)
    _create_guards(con)
    if started is not None:
        return
    con.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?)", (SINCE_KEY, datetime.now(UTC).isoformat())
    )
    present = _tables(con)
    for table in CHAINED:
        if table not in present:
            continue
        ids = [int(r[0]) for r in con.execute(f"SELECT id FROM {table} ORDER BY id")]  # noqa: S608
        for record_id in ids:
            seal(con, table, record_id)


def needs_install(con: sqlite3.Connection) -> bool:
    """Whether the chain has not been started on this file yet."""
    return CHAIN_TABLE not in _tables(con) or (
        con.execute("SELECT 1 FROM meta WHERE key = ?", (SINCE_KEY,)).fetchone() is None
    )


def _head(con: sqlite3.Connection) -> tuple[int, str]:
    last = con.execute("SELECT seq, hash FROM chain ORDER BY seq DESC LIMIT 1").fetchone()
    return (0, GENESIS) if last is None else (int(last[0]), str(last[1]))


def _append(con: sqlite3.Connection, table: str, record_id: int, rec_hash: str, at: str) -> None:
    last_seq, prev = _head(con)
    seq = last_seq + 1
    hash_ = seal_hash(prev, seq, table, record_id, rec_hash, at)
    con.execute(
        "INSERT INTO chain (seq, record_table, record_id, record_hash, prev_hash, hash,"
        " sealed_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (seq, table, record_id, rec_hash, prev, hash_, at),
    )
    con.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (HEAD_KEY, f"{seq}:{hash_}")
    )


def seal(con: sqlite3.Connection, table: str, record_id: int, at: str | None = None) -> None:
    """Seal a just-written record into the chain (in the same transaction as its insert).

    The seal's time is the record's own ``written_at`` unless another is given.
    """
    row = con.execute(f"SELECT * FROM {table} WHERE id = ?", (record_id,)).fetchone()  # noqa: S608
    when = at if at is not None else str(row["written_at"])
    _append(con, table, record_id, record_hash(table, row, column_defaults(con, table)), when)


def _describe(table: str, record_id: int | None, row: sqlite3.Row | None) -> str:
    label = CHAINED.get(table, table)
    text = f"{label} record {record_id}" if record_id is not None else label
    if row is None:
        return text
    keys = set(row.keys())
    parts = []
    for key in ("kpi_code", "line_code", "area_code", "scope", "period"):
        if key in keys and row[key] and row[key] != "*":
            parts.append(str(row[key]))
    who = (row["author_name"] or row["author_id"]) if "author_id" in keys else ""
    if who:
        parts.append(f"by {who}")
    if "written_at" in keys and row["written_at"]:
        parts.append(f"at {row['written_at']}")
    return f"{text} ({' '.join(parts)})" if parts else text


def _acknowledged(con: sqlite3.Connection) -> tuple[set[str], int]:
    if "chain_acknowledgements" not in _tables(con):
        return set(), 0
    found: set[str] = set()
    count = 0
    for (text,) in con.execute("SELECT findings FROM chain_acknowledgements ORDER BY id"):
        count += 1
        try:
            names = json.loads(text)
        except (TypeError, ValueError):
            continue
        if isinstance(names, list):
            found.update(str(n) for n in names)
    return found, count


def verify(con: sqlite3.Connection) -> ChainState:
    """Check every seal, every sealed record and every guard; list what is broken."""
    present = _tables(con)
    breaks: list[ChainBreak] = []
    if CHAIN_TABLE not in present:
        breaks.append(
            ChainBreak(
                BreakKind.LINK,
                CHAIN_TABLE,
                None,
                "",
                "the chain of hashes is missing from the file",
                "link:missing",
            )
        )
        return ChainState(0, GENESIS, tuple(breaks), 0)
    accepted, acks = _acknowledged(con)
    seals = con.execute(
        "SELECT seq, record_table, record_id, record_hash, prev_hash, hash, sealed_at"
        " FROM chain ORDER BY seq"
    ).fetchall()
    prev, prev_at, prev_seq = GENESIS, "the chain was started", 0
    latest: dict[tuple[str, int], tuple[str, str]] = {}
    for seq, table, record_id, rec_hash, prev_hash, hash_, sealed_at in seals:
        expected = seal_hash(
            str(prev_hash), int(seq), str(table), int(record_id), str(rec_hash), str(sealed_at)
        )
        if str(prev_hash) != prev or int(seq) != prev_seq + 1 or str(hash_) != expected:
            since = prev_at
            breaks.append(
                ChainBreak(
                    BreakKind.LINK,
                    CHAIN_TABLE,
                    int(seq),
                    since,
                    f"seal {seq} of the chain does not follow seal {prev_seq}: the chain itself "
                    f"was rewritten after {since}",
                    f"link:{seq}:{hash_}",
                )
            )
        prev, prev_at, prev_seq = str(hash_), str(sealed_at), int(seq)
        latest[(str(table), int(record_id))] = (str(rec_hash), str(sealed_at))
    head = con.execute("SELECT value FROM meta WHERE key = ?", (HEAD_KEY,)).fetchone()
    if head is not None and str(head[0]) != f"{prev_seq}:{prev}":
        recorded = str(head[0]).split(":", 1)[0]
        breaks.append(
            ChainBreak(
                BreakKind.TRUNCATED,
                CHAIN_TABLE,
                None,
                prev_at,
                f"the chain ends at seal {prev_seq} but seal {recorded} was written: the latest "
                f"records were removed after {prev_at}",
                f"truncated:{head[0]}",
            )
        )
    for table in CHAINED:
        if table not in present:
            continue
        defaults = column_defaults(con, table)
        rows = {
            int(r["id"]): r
            for r in con.execute(f"SELECT * FROM {table} ORDER BY id")  # noqa: S608
        }
        for (sealed_table, record_id), (rec_hash, sealed_at) in latest.items():
            if sealed_table != table:
                continue
            row = rows.get(record_id)
            if row is None:
                if rec_hash != DELETED:
                    breaks.append(
                        ChainBreak(
                            BreakKind.DELETED,
                            table,
                            record_id,
                            sealed_at,
                            f"{_describe(table, record_id, None)}, sealed at {sealed_at}, "
                            "has been deleted since",
                            f"deleted:{table}:{record_id}",
                        )
                    )
                continue
            now = record_hash(table, row, defaults)
            if now != rec_hash:
                breaks.append(
                    ChainBreak(
                        BreakKind.CHANGED,
                        table,
                        record_id,
                        sealed_at,
                        f"{_describe(table, record_id, row)} no longer matches the hash it was "
                        f"sealed with at {sealed_at}: it has been changed since",
                        f"changed:{table}:{record_id}:{now}",
                    )
                )
        for record_id, row in rows.items():
            if (table, record_id) not in latest:
                breaks.append(
                    ChainBreak(
                        BreakKind.UNSEALED,
                        table,
                        record_id,
                        prev_at,
                        f"{_describe(table, record_id, row)} was never sealed: it was added "
                        "outside the scorecard",
                        f"unsealed:{table}:{record_id}:{record_hash(table, row, defaults)}",
                    )
                )
    triggers = {
        str(r[0]) for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
    }
    for name in trigger_names():
        table = name.rsplit("_no_", 1)[0]
        if table in present and name not in triggers:
            breaks.append(
                ChainBreak(
                    BreakKind.TRIGGER,
                    table,
                    None,
                    "",
                    f"the guard {name}, which refuses changes to {CHAINED.get(table, table)} "
                    "records, has been removed",
                    f"trigger:{name}:{prev_seq}",
                )
            )
    open_breaks = tuple(b for b in breaks if b.fingerprint not in accepted)
    return ChainState(prev_seq, prev, open_breaks, acks)


def acknowledge(
    con: sqlite3.Connection,
    state: ChainState,
    reason: str,
    author_id: str,
    author_name: str,
    clock: Callable[[], str],
) -> int:
    """Record an administrator's acknowledgement of every break (in the caller's transaction).

    The acknowledgement is itself a sealed record. Changed and unsealed records are sealed
    again as they now are and deleted ones as removed, so later changes show as new breaks;
    removed guards are put back.

    Returns:
        The acknowledgement's id.
    """
    _create_guards(con)
    names = [b.fingerprint for b in state.breaks]
    at = clock()
    cursor = con.execute(
        "INSERT INTO chain_acknowledgements (findings, reason, author_id, author_name,"
        " written_at) VALUES (?, ?, ?, ?, ?)",
        (json.dumps(names), reason, author_id, author_name, at),
    )
    for found in state.breaks:
        if found.record_id is None or found.table == CHAIN_TABLE:
            continue
        if found.kind == BreakKind.DELETED:
            _append(con, found.table, found.record_id, DELETED, at)
        elif found.kind in (BreakKind.CHANGED, BreakKind.UNSEALED):
            seal(con, found.table, found.record_id, at)
    ack_id = int(cursor.lastrowid or 0)
    seal(con, "chain_acknowledgements", ack_id, at)
    return ack_id
