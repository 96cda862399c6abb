"""The KPI store's write side: its writer lock, atomic swaps, creating a store and loads."""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import os
import shutil
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

import duckdb
import pandas as pd
import pyarrow as pa

from scorecard.data import store_sql
from scorecard.data.store import (
    Store,
    connect_read_only,
    has_table,
    one_row,
    open_connection,
    query_frame,
    store_problem,
)
from scorecard.thread.domain import Framework, SpcEvent
from scorecard.thread.errors import UserError

LOCK_TIMEOUT_S: Final = 600.0
WRITER_MEMORY: Final = "1GB"  # the loads' bench keeps a 5M-row load under 2 GB of RSS


def tmp_path(path: Path) -> Path:
    """Where a load writes its copy of the store before swapping it in."""
    return path.with_name(path.name + ".tmp")


def lock_path(path: Path) -> Path:
    """The writer lock file beside the store (never deleted: deleting a flock file races)."""
    return path.with_name(path.name + ".lock")


@contextlib.contextmanager
def writer_lock(path: Path, timeout_s: float = LOCK_TIMEOUT_S) -> Iterator[None]:
    """Hold the store's writer lock (``fcntl.flock`` on ``<db>.lock``); released on exit or death.

    Raises:
        UserError: when another load still holds the lock after ``timeout_s`` seconds.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path(path).open("a+") as handle:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    message = (
                        f"another load has held the store's writer lock for {timeout_s:.0f} s; "
                        "nothing was written, try again when it has finished"
                    )
                    raise store_problem(path, message, "writer_lock") from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def _swap_in(path: Path, copy_from: Path | None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection to a fresh copy of the store, swapped in if the block succeeds.

    The copy is ``<db>.tmp``; on success it is CHECKPOINTed, closed, fsynced and moved over
    ``path`` with ``os.replace`` (atomic), so readers see either the old file or the new one.
    On failure, or if the process dies, ``path`` is untouched. Call under ``writer_lock``.
    """
    tmp = tmp_path(path)
    for leftover in (tmp, Path(f"{tmp}.wal")):  # a killed load's copy; its WAL would replay
        leftover.unlink(missing_ok=True)
    con: duckdb.DuckDBPyConnection | None = None
    try:
        if copy_from is not None:
            shutil.copyfile(copy_from, tmp)
            tmp.chmod(0o600)
        con = open_connection(tmp, read_only=False, memory_limit=WRITER_MEMORY)
        tmp.chmod(0o600)  # the store holds figures for the Board: its owner only
        yield con
        con.execute("CHECKPOINT")
        con.close()
        _fsync(tmp)
        tmp.replace(path)  # os.replace: atomic on POSIX
        _fsync(path.parent)
    except BaseException as err:
        if con is not None:
            with contextlib.suppress(duckdb.Error):
                con.close()
        tmp.unlink(missing_ok=True)
        Path(f"{tmp}.wal").unlink(missing_ok=True)
        if isinstance(err, OSError | duckdb.IOException) and not isinstance(err, UserError):
            message = (
                f"the store could not be written ({_reason(err)}); nothing was changed and no "
                "temporary file was left"
            )
            raise store_problem(path, message, "disk") from err
        raise


def _reason(err: BaseException) -> str:
    """An operating-system error in words (no paths or file contents echoed)."""
    if isinstance(err, OSError) and err.errno is not None:
        return os.strerror(err.errno).lower()
    text = str(err).splitlines()[0] if str(err) else type(err).__name__
    if "No space left" in text or "disk" in text.lower():
        return "no space left on device"
    return "an input/output error"


def _new_comparisons(con: duckdb.DuckDBPyConnection, comparisons: pa.Table | None) -> int:
    """How many comparison rows are not already stored, current, with the same figures."""
    if comparisons is None or comparisons.num_rows == 0:
        return 0
    if not has_table(con, "comparisons"):
        return int(comparisons.num_rows)
    con.register("compared", comparisons)
    return int(one_row(con, store_sql.COUNT_NEW_COMPARISONS)[0])


def _refuse_stray_wal(path: Path) -> None:
    wal = Path(f"{path}.wal")
    if wal.exists():
        message = (
            f"{wal} exists: the store was opened for writing outside the scorecard. Nothing was "
            "written; open it once with DuckDB (which replays and checkpoints the log) and retry"
        )
        raise store_problem(path, message, "store_wal")


def init_store(
    path: Path, fw: Framework, events: Sequence[SpcEvent] = (), *, events_synthetic: bool = False
) -> None:
    """Create an empty store for ``fw`` at ``path`` (atomically, under the writer lock).

    ``events`` are SPC events the store holds beside the framework's (the synthetic demo's
    planted ones, with ``events_synthetic``); they stay in it through every later load.

    Raises:
        UserError: if a store holding loads or observations (or any other file) is there.
    """
    path = Path(path)
    with writer_lock(path):
        if path.exists():
            try:
                observations, loads = Store(path).counts()
            except (UserError, duckdb.Error) as err:
                message = f"{path} exists and is not an empty scorecard store; it was left as it is"
                raise store_problem(path, message, "init") from err
            if observations or loads:
                message = (
                    f"a store with {observations} observations from {loads} loads already exists "
                    f"at {path}; it was left as it is (use another --db to start afresh)"
                )
                raise store_problem(path, message, "init")
        _refuse_stray_wal(path)
        created = datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="seconds")
        with _swap_in(path, None) as con:
            for ddl in store_sql.DDL:
                con.execute(ddl)
            con.executemany(
                "INSERT INTO meta VALUES (?, ?)",
                [
                    ("schema_version", store_sql.SCHEMA_VERSION),
                    ("framework", fw.name),
                    ("created_at", created),
                ],
            )
            if events:
                con.executemany(
                    "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [
                        [
                            n,
                            e.kpi_code,
                            e.area_code,
                            e.period,
                            str(e.kind),
                            e.reason,
                            events_synthetic,
                        ]
                        for n, e in enumerate(events, start=1)
                    ],
                )


@dataclass(frozen=True)
class Source:
    """The publication a load's values come from, as its file prints it."""

    publication: str
    file: str
    edition: str


@dataclass(frozen=True)
class LoadRecord:
    """The load-log facts of one batch.

    ``source`` names the publication, file and edition behind every value of the batch;
    ``comparisons`` holds every organisation the publication prints (the columns of
    ``store_sql.COMPARISON_COLUMNS``), written with the batch.
    """

    file_name: str
    sha256: str | None
    kind: str
    loaded_by: str
    synthetic: bool
    rows: int
    source: Source | None = None
    comparisons: pa.Table | None = None


@dataclass(frozen=True)
class LoadOutcome:
    """What a batch did (or, on a dry run or with conflicts, would do) to the store."""

    new: int
    revisions: int
    unchanged: int
    conflicts: pd.DataFrame  # provisional rows that would replace a different final value
    load_id: int | None = None  # set when a load was written

    @property
    def changes(self) -> int:
        """Rows that become current: new keys plus revisions."""
        return self.new + self.revisions


def _check_schema(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    try:
        rows = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall()
    except duckdb.Error as err:
        raise store_problem(path, f"{path} is not a scorecard store ({err})") from err
    found = rows[0][0] if rows else "none"
    if found != store_sql.SCHEMA_VERSION:
        needed = store_sql.SCHEMA_VERSION
        message = f"{path} has store schema version {found}; this scorecard needs {needed}"
        raise store_problem(path, message)


def _classify(con: duckdb.DuckDBPyConnection, batch: pa.Table) -> LoadOutcome:
    con.register("batch", batch)
    new, unchanged, conflicts = (int(x) for x in one_row(con, store_sql.CLASSIFY))
    found = (
        query_frame(con, store_sql.CONFLICTS) if conflicts else pd.DataFrame(columns=["source_row"])
    )
    revisions = batch.num_rows - new - unchanged - conflicts
    return LoadOutcome(new=new, revisions=revisions, unchanged=unchanged, conflicts=found)


def apply_load(path: Path, batch: pa.Table, record: LoadRecord, dry_run: bool) -> LoadOutcome:
    """Classify a validated batch against the store and, unless told not to, write it.

    ``batch`` has columns row, kpi_code, area_code, period, value, numerator, denominator,
    status, note (one row per key, value filled in). Nothing is written on a dry run, when a
    row conflicts with a final value, or when every row is unchanged (loading the same file
    twice is a no-op: no load-log row, the store file and its identity stay as they were).
    Otherwise one transaction on a copy adds the load-log row, marks revised rows superseded
    and inserts the new current rows, and the copy is swapped in.

    Raises:
        UserError: when there is no store at ``path`` or it cannot be used.
    """
    path = Path(path)
    lock = contextlib.nullcontext() if dry_run else writer_lock(path)
    with lock:
        with connect_read_only(path, memory_limit=WRITER_MEMORY) as con:
            _check_schema(con, path)
            outcome = _classify(con, batch)
            compared = _new_comparisons(con, record.comparisons)
        if dry_run or not outcome.conflicts.empty or outcome.changes + compared == 0:
            return outcome
        _refuse_stray_wal(path)
        with _swap_in(path, path) as con:
            con.register("batch", batch)
            con.execute("BEGIN TRANSACTION")
            load_id = _write(con, record, outcome)
            con.execute("COMMIT")
    return LoadOutcome(
        new=outcome.new,
        revisions=outcome.revisions,
        unchanged=outcome.unchanged,
        conflicts=outcome.conflicts,
        load_id=load_id,
    )


class _NothingWrittenError(Exception):
    """Raised inside a swap to leave the store as it was (every batch unchanged, or a conflict)."""


def apply_loads(path: Path, batches: list[tuple[pa.Table, LoadRecord]]) -> list[LoadOutcome]:
    """Write several validated batches as successive loads in one swap: all of them or none.

    Each batch is classified against the store as the earlier ones left it and gets its own
    load id (so its own source and comparisons); a batch whose rows are all unchanged writes
    nothing. If any batch has a conflict (a provisional row over a different final value),
    nothing at all is written and the outcomes say which.

    Raises:
        UserError: when there is no store at ``path`` or it cannot be used.
    """
    path = Path(path)
    outcomes: list[LoadOutcome] = []
    with writer_lock(path):
        with connect_read_only(path, memory_limit=WRITER_MEMORY) as con:
            _check_schema(con, path)
        _refuse_stray_wal(path)
        try:
            with _swap_in(path, path) as con:
                written = 0
                for batch, record in batches:
                    outcome = _classify(con, batch)
                    compared = _new_comparisons(con, record.comparisons)
                    if not outcome.conflicts.empty:
                        outcomes.append(outcome)
                        raise _NothingWrittenError
                    load_id = None
                    if outcome.changes + compared:
                        con.register("batch", batch)
                        con.execute("BEGIN TRANSACTION")
                        load_id = _write(con, record, outcome)
                        con.execute("COMMIT")
                        written += 1
                    outcomes.append(dataclasses.replace(outcome, load_id=load_id))
                if not written:
                    raise _NothingWrittenError
        except _NothingWrittenError:
            pass
    return outcomes


_EMPTY_BATCH: Final = pa.schema(
    [
        ("source_row", pa.int64()),
        ("kpi_code", pa.string()),
        ("area_code", pa.string()),
        ("period", pa.string()),
        ("value", pa.float64()),
        ("numerator", pa.float64()),
        ("denominator", pa.float64()),
        ("status", pa.string()),
        ("note", pa.string()),
    ]
)


def empty_batch() -> pa.Table:
    """A batch with no KPI rows (for a publication that only brings comparisons)."""
    return _EMPTY_BATCH.empty_table()


def _write(con: duckdb.DuckDBPyConnection, record: LoadRecord, outcome: LoadOutcome) -> int:
    load_id = int(one_row(con, "SELECT coalesce(max(load_id), 0) + 1 FROM loads")[0])
    con.execute(
        """
        INSERT INTO loads
        VALUES ($id, $file, $sha, $kind, $rows, $new, $rev, $same, $by, $at, $syn)
        """,
        {
            "id": load_id,
            "file": record.file_name,
            "sha": record.sha256,
            "kind": record.kind,
            "rows": record.rows,
            "new": outcome.new,
            "rev": outcome.revisions,
            "same": outcome.unchanged,
            "by": record.loaded_by,
            "at": datetime.now(UTC).replace(tzinfo=None),
            "syn": record.synthetic,
        },
    )
    if record.source is not None or record.comparisons is not None:
        for ddl in store_sql.PROVENANCE_DDL:
            con.execute(ddl)
    if record.source is not None:
        con.execute(
            "INSERT INTO sources VALUES ($id, $publication, $file, $edition)",
            {
                "id": load_id,
                "publication": record.source.publication,
                "file": record.source.file,
                "edition": record.source.edition,
            },
        )
    if record.comparisons is not None:
        con.register("compared", record.comparisons)
        con.execute(store_sql.SUPERSEDE_COMPARISONS, {"load_id": load_id})
        con.execute(store_sql.INSERT_COMPARISONS, {"load_id": load_id})
    params = {"load_id": load_id, "synthetic": record.synthetic}
    superseded = int(one_row(con, store_sql.SUPERSEDE, {"load_id": load_id})[0])
    inserted = int(one_row(con, store_sql.INSERT, params)[0])
    if superseded != outcome.revisions or inserted != outcome.changes:
        # the store cannot change under the writer lock; if it did, write nothing
        message = (
            f"expected {outcome.revisions} revisions and {outcome.changes} inserts, "
            f"got {superseded} and {inserted}"
        )
        raise RuntimeError(message)
    return load_id
