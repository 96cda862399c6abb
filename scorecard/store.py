"""The KPI store: the only module that talks to DuckDB (short read-only reads, atomic loads)."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import duckdb
import pandas as pd
import pyarrow as pa

from scorecard.domain import Framework, SpcEvent, SpcEventKind
from scorecard.errors import Problem, UserError

SCHEMA_VERSION: Final = "1"
LOCK_TIMEOUT_S: Final = 600.0
WRITER_MEMORY: Final = "1GB"  # the loads' bench keeps a 5M-row load under 2 GB of RSS
MAX_CONFLICTS: Final = 1_000


# SPC events the store holds beside the framework's spc_events.csv: the synthetic demo's planted
# improvements and ends of support, each marked synthetic and with its reason. They stay in the
# store through later loads.
_EVENTS_DDL: Final = """
    CREATE TABLE IF NOT EXISTS events (
        position INTEGER NOT NULL,
        kpi_code VARCHAR NOT NULL,
        area_code VARCHAR NOT NULL,
        period VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,
        reason VARCHAR NOT NULL,
        synthetic BOOLEAN NOT NULL
    )
"""

# Where published values came from, and every organisation a publication compares. Created by
# ``init`` and, for stores made before they existed, by the first load that writes them.
_PROVENANCE_DDL: Final = (
    """
    CREATE TABLE IF NOT EXISTS sources (
        load_id INTEGER PRIMARY KEY,
        publication VARCHAR NOT NULL,
        file VARCHAR NOT NULL,
        edition VARCHAR NOT NULL
    )
    """,
    # One row per organisation, measure (source_key) and month as the publication prints it;
    # a later edition of the same key supersedes the row, which stays as history.
    """
    CREATE TABLE IF NOT EXISTS comparisons (
        org_code VARCHAR NOT NULL,
        org_name VARCHAR NOT NULL,
        org_level VARCHAR NOT NULL,
        source_key VARCHAR NOT NULL,
        period VARCHAR NOT NULL,
        value DOUBLE,
        numerator DOUBLE,
        denominator DOUBLE,
        publication VARCHAR NOT NULL,
        file VARCHAR NOT NULL,
        edition VARCHAR NOT NULL,
        load_id INTEGER NOT NULL,
        superseded_by INTEGER
    )
    """,
)

_DDL: Final = (
    """
    CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)
    """,
    """
    CREATE TABLE loads (
        load_id INTEGER PRIMARY KEY,
        file_name VARCHAR NOT NULL,
        sha256 VARCHAR,
        kind VARCHAR NOT NULL,
        rows INTEGER NOT NULL,
        new_rows INTEGER NOT NULL,
        revisions INTEGER NOT NULL,
        unchanged INTEGER NOT NULL,
        loaded_by VARCHAR NOT NULL,
        loaded_at TIMESTAMP NOT NULL,
        synthetic BOOLEAN NOT NULL
    )
    """,
    # No unique key: a revised (kpi_code, area_code, period) keeps its old rows, marked
    # superseded_by the load that replaced them; current rows have superseded_by NULL.
    """
    CREATE TABLE observations (
        kpi_code VARCHAR NOT NULL,
        area_code VARCHAR NOT NULL,
        period VARCHAR NOT NULL,
        value DOUBLE NOT NULL,
        numerator DOUBLE,
        denominator DOUBLE,
        status VARCHAR NOT NULL,
        note VARCHAR,
        load_id INTEGER NOT NULL,
        synthetic BOOLEAN NOT NULL,
        superseded_by INTEGER
    )
    """,
    _EVENTS_DDL,
    *(ddl.replace("IF NOT EXISTS ", "") for ddl in _PROVENANCE_DDL),
)

# A stored current row and an incoming batch row (aliases o and b) say the same thing. The
# status may go provisional -> final (a revision) but a provisional copy of a final value is
# not news: it is unchanged when the figures agree, and a conflict when they do not. The
# synthetic flag is not compared: loading a demo store's export back is a no-op (it must not
# relabel synthetic values as real), so a stored value keeps its label until a load revises it.
_SAME_FIGURES: Final = """
    o.value IS NOT DISTINCT FROM b.value
    AND o.numerator IS NOT DISTINCT FROM b.numerator
    AND o.denominator IS NOT DISTINCT FROM b.denominator
    AND o.note IS NOT DISTINCT FROM b.note
"""
_UNCHANGED: Final = f"""
    ({_SAME_FIGURES})
    AND (o.status = b.status OR (o.status = 'final' AND b.status = 'provisional'))
"""
_CONFLICT: Final = f"""
    o.status = 'final' AND b.status = 'provisional' AND NOT ({_SAME_FIGURES})
"""
_MATCH: Final = """
    o.superseded_by IS NULL
    AND o.kpi_code = b.kpi_code AND o.area_code = b.area_code AND o.period = b.period
"""

_CLASSIFY: Final = f"""
    SELECT
        count(*) FILTER (WHERE o.kpi_code IS NULL) AS new_rows,
        count(*) FILTER (WHERE o.kpi_code IS NOT NULL AND {_UNCHANGED}) AS unchanged,
        count(*) FILTER (WHERE o.kpi_code IS NOT NULL AND {_CONFLICT}) AS conflicts
    FROM batch AS b LEFT JOIN observations AS o ON {_MATCH}
"""  # noqa: S608 -- fixed fragments of this module, no user text; values are bound

_CONFLICTS: Final = f"""
    SELECT b.source_row, b.kpi_code::VARCHAR AS kpi_code, b.area_code::VARCHAR AS area_code,
           b.period::VARCHAR AS period, b.value, o.value AS stored_value, o.load_id,
           l.file_name AS stored_file
    FROM batch AS b JOIN observations AS o ON {_MATCH}
    JOIN loads AS l ON l.load_id = o.load_id
    WHERE {_CONFLICT}
    ORDER BY b.source_row
    LIMIT {MAX_CONFLICTS}
"""  # noqa: S608 -- fixed fragments of this module, no user text; values are bound

_SUPERSEDE: Final = f"""
    UPDATE observations AS o SET superseded_by = $load_id
    FROM batch AS b
    WHERE {_MATCH} AND NOT ({_UNCHANGED})
"""  # noqa: S608 -- fixed fragments of this module, no user text; values are bound

_INSERT: Final = f"""
    INSERT INTO observations
    SELECT b.kpi_code, b.area_code, b.period, b.value, b.numerator, b.denominator, b.status,
           b.note, $load_id, $synthetic, NULL
    FROM batch AS b
    WHERE NOT EXISTS (SELECT 1 FROM observations AS o WHERE {_MATCH})
"""  # noqa: S608 -- fixed fragments of this module, no user text; values are bound

COMPARISON_COLUMNS: Final = (
    "org_code",
    "org_name",
    "org_level",
    "source_key",
    "period",
    "value",
    "numerator",
    "denominator",
    "publication",
    "file",
    "edition",
)
_COMPARISON_MATCH: Final = """
    c.superseded_by IS NULL AND c.source_key = n.source_key AND c.org_code = n.org_code
    AND c.period = n.period
"""
_SAME_COMPARISON: Final = """
    c.value IS NOT DISTINCT FROM n.value AND c.numerator IS NOT DISTINCT FROM n.numerator
    AND c.denominator IS NOT DISTINCT FROM n.denominator AND c.org_name = n.org_name
"""
_COUNT_NEW_COMPARISONS: Final = f"""
    SELECT count(*) FROM compared AS n
    WHERE NOT EXISTS (
        SELECT 1 FROM comparisons AS c WHERE {_COMPARISON_MATCH} AND {_SAME_COMPARISON}
    )
"""  # noqa: S608 -- fixed fragments of this module, no user text
_SUPERSEDE_COMPARISONS: Final = f"""
    UPDATE comparisons AS c SET superseded_by = $load_id
    FROM compared AS n
    WHERE {_COMPARISON_MATCH} AND NOT ({_SAME_COMPARISON})
"""  # noqa: S608 -- fixed fragments of this module, no user text; values are bound
_INSERT_COMPARISONS: Final = f"""
    INSERT INTO comparisons
    SELECT n.org_code, n.org_name, n.org_level, n.source_key, n.period, n.value, n.numerator,
           n.denominator, n.publication, n.file, n.edition, $load_id, NULL
    FROM compared AS n
    WHERE NOT EXISTS (SELECT 1 FROM comparisons AS c WHERE {_COMPARISON_MATCH})
"""  # noqa: S608 -- fixed fragments of this module, no user text; values are bound
_SOURCES: Final = """
    SELECT l.load_id, l.file_name, l.kind, l.synthetic, l.loaded_at,
           s.publication, s.file, s.edition
    FROM loads AS l LEFT JOIN sources AS s ON s.load_id = l.load_id
    ORDER BY l.load_id
"""
_CURRENT_COMPARISONS: Final = """
    SELECT org_code, org_name, org_level, source_key, period, value, numerator, denominator,
           publication, file, edition, load_id
    FROM comparisons
    WHERE superseded_by IS NULL
      AND ($key::VARCHAR IS NULL OR source_key = $key::VARCHAR)
    ORDER BY source_key, period, org_level, org_code
"""

_CURRENT: Final = """
    SELECT kpi_code, area_code, period, value, numerator, denominator, status, note, load_id,
           synthetic
    FROM observations
    WHERE superseded_by IS NULL
      AND ($kpis::VARCHAR[] IS NULL OR list_contains($kpis::VARCHAR[], kpi_code))
      AND ($areas::VARCHAR[] IS NULL OR list_contains($areas::VARCHAR[], area_code))
      AND ($up_to::VARCHAR IS NULL OR period <= $up_to::VARCHAR)
    ORDER BY kpi_code, area_code, period
"""

_HISTORY: Final = """
    WITH picked AS (
        SELECT o.*, count(*) OVER (PARTITION BY o.kpi_code, o.area_code, o.period) AS versions
        FROM observations AS o
        WHERE ($kpi::VARCHAR IS NULL OR o.kpi_code = $kpi::VARCHAR)
          AND ($area::VARCHAR IS NULL OR o.area_code = $area::VARCHAR)
    )
    SELECT p.kpi_code, p.area_code, p.period, p.value, p.numerator, p.denominator, p.status,
           p.note, p.load_id, p.synthetic, p.superseded_by, p.superseded_by IS NULL AS current,
           l.file_name, l.loaded_at, l.loaded_by, l.kind
    FROM picked AS p JOIN loads AS l ON l.load_id = p.load_id
    WHERE NOT $revised_only OR p.versions > 1
    ORDER BY p.kpi_code, p.area_code, p.period, p.load_id
"""


def _config(**extra: str | bool) -> dict[str, Any]:
    """Connection settings: offline (no extension downloads) and a private spill directory.

    DuckDB spills to ``<db>.tmp`` by default, which is the name of our load copy; each process
    spills to its own directory under the system temp folder instead.
    """
    spill = Path(tempfile.gettempdir()) / f"scorecard-duckdb-{os.getpid()}"
    return {
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
        "temp_directory": str(spill),
        **extra,
    }


def _open(path: Path, read_only: bool, **extra: str | bool) -> duckdb.DuckDBPyConnection:
    """A connection with our settings; no progress bar on the user's terminal."""
    con = duckdb.connect(str(path), read_only=read_only, config=_config(**extra))
    con.execute("SET enable_progress_bar = false")
    return con


def _problem(path: Path, message: str, rule: str = "store") -> UserError:
    return UserError(Problem(str(path), None, "", "", rule, message))


def _frame(
    con: duckdb.DuckDBPyConnection, query: str, params: dict[str, Any] | None = None
) -> pd.DataFrame:
    """A query's rows as pandas, through Arrow (``.df()`` is slower on wide text)."""
    relation = con.sql(query, params=params)
    assert relation is not None  # noqa: S101 -- a SELECT always gives a relation
    frame: pd.DataFrame = relation.to_arrow_table().to_pandas()
    return frame


class Store:
    """Read access to a store file; every call opens and closes its own read-only connection."""

    def __init__(self, path: Path) -> None:
        """A store at ``path`` (it need not exist yet)."""
        self.path = Path(path)

    def exists(self) -> bool:
        """Whether the store file exists."""
        return self.path.is_file()

    def identity(self) -> str:
        """A cache key that changes whenever the data changes (a load swaps in a new file)."""
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return "absent"
        return f"{stat.st_ino}-{stat.st_mtime_ns}-{stat.st_size}"

    @contextlib.contextmanager
    def _connect(self, **settings: str | bool) -> Iterator[duckdb.DuckDBPyConnection]:
        if not self.exists():
            message = (
                f"there is no store at {self.path}; create one with `python -m scorecard init` "
                "(or `demo`)"
            )
            raise _problem(self.path, message)
        try:
            con = _open(self.path, read_only=True, **settings)
        except duckdb.Error as err:
            message = f"{self.path} could not be opened as a scorecard store ({err})"
            raise _problem(self.path, message) from err
        try:
            yield con
        finally:
            con.close()

    def meta(self) -> dict[str, str]:
        """The store's meta table (schema_version, framework, created_at)."""
        with self._connect() as con:
            rows = con.execute("SELECT key, value FROM meta").fetchall()
        return {str(k): str(v) for k, v in rows}

    def current(
        self,
        kpi_codes: list[str] | None = None,
        area_codes: list[str] | None = None,
        up_to: str | None = None,
    ) -> pd.DataFrame:
        """Current observations (the latest version of each key), sorted by kpi, area, period.

        Args:
            kpi_codes: only these KPIs (None: all).
            area_codes: only these areas (None: all).
            up_to: only periods at or before this ``YYYY-MM`` (None: all).

        Returns:
            Columns kpi_code, area_code, period, value, numerator, denominator, status, note,
            load_id, synthetic.
        """
        params = {
            "kpis": None if kpi_codes is None else [str(c) for c in kpi_codes],
            "areas": None if area_codes is None else [str(c) for c in area_codes],
            "up_to": up_to,
        }
        with self._connect() as con:
            return _frame(con, _CURRENT, params)

    def history(
        self, kpi_code: str | None = None, area_code: str | None = None, revised_only: bool = False
    ) -> pd.DataFrame:
        """Every stored version, superseded ones included, with the load each came from.

        Args:
            kpi_code: only this KPI (None: all).
            area_code: only this area (None: all).
            revised_only: only keys stored more than once (revised at least once).

        Returns:
            The observation columns plus superseded_by, current (bool), file_name, loaded_at
            (UTC), loaded_by and kind; sorted by kpi, area, period, load_id.
        """
        params = {"kpi": kpi_code, "area": area_code, "revised_only": revised_only}
        with self._connect() as con:
            frame = _frame(con, _HISTORY, params)
        frame["superseded_by"] = frame["superseded_by"].astype("Int64")
        return frame

    def loads(self) -> pd.DataFrame:
        """The load log, oldest first."""
        with self._connect() as con:
            return _frame(con, "SELECT * FROM loads ORDER BY load_id")

    def sources(self) -> pd.DataFrame:
        """Every load with the publication, file and edition its values come from.

        Returns:
            Columns load_id, file_name, kind, synthetic, loaded_at, publication, file, edition
            (the last three null for a load that names no publication: an extract or the demo).
        """
        with self._connect() as con:
            if _has_table(con, "sources"):
                return _frame(con, _SOURCES)
            frame = _frame(con, "SELECT load_id, file_name, kind, synthetic, loaded_at FROM loads")
        for column in ("publication", "file", "edition"):
            frame[column] = pd.Series([None] * len(frame), dtype="object")
        return frame

    def comparisons(self, source_key: str | None = None) -> pd.DataFrame:
        """Every organisation's current published figure, for comparisons between them.

        Args:
            source_key: only this measure (None: all).

        Returns:
            The columns of ``COMPARISON_COLUMNS`` plus load_id; empty when nothing is stored.
        """
        with self._connect() as con:
            if not _has_table(con, "comparisons"):
                return pd.DataFrame(columns=[*COMPARISON_COLUMNS, "load_id"])
            return _frame(con, _CURRENT_COMPARISONS, {"key": source_key})

    def periods(self) -> list[str]:
        """The distinct periods with a current observation, sorted."""
        with self._connect() as con:
            rows = con.execute(
                "SELECT DISTINCT period FROM observations WHERE superseded_by IS NULL ORDER BY 1"
            ).fetchall()
        return [str(r[0]) for r in rows]

    def events(self) -> tuple[SpcEvent, ...]:
        """The SPC events the store holds, in the order written (none in an older store)."""
        with self._connect() as con:
            kept = _one(con, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'events'")
            if not kept[0]:
                return ()
            rows = con.execute(
                "SELECT kpi_code, period, kind, reason, area_code FROM events ORDER BY position"
            ).fetchall()
        return tuple(
            SpcEvent(str(kpi), str(period), SpcEventKind(str(kind)), str(reason), str(area))
            for kpi, period, kind, reason, area in rows
        )

    def counts(self) -> tuple[int, int]:
        """(observations stored, loads logged), superseded versions included."""
        with self._connect() as con:
            row = _one(
                con, "SELECT (SELECT count(*) FROM observations), (SELECT count(*) FROM loads)"
            )
        return int(row[0]), int(row[1])


def store_events(path: Path) -> tuple[SpcEvent, ...]:
    """The SPC events held by the store at ``path`` (none when there is no store)."""
    store = Store(Path(path))
    return store.events() if store.exists() else ()


# The write side: used by scorecard.pipeline and the demo only.


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
                    raise _problem(path, message, "writer_lock") from None
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
        con = _open(tmp, read_only=False, memory_limit=WRITER_MEMORY)
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
            raise _problem(path, message, "disk") from err
        raise


def _reason(err: BaseException) -> str:
    """An operating-system error in words (no paths or file contents echoed)."""
    if isinstance(err, OSError) and err.errno is not None:
        return os.strerror(err.errno).lower()
    text = str(err).splitlines()[0] if str(err) else type(err).__name__
    if "No space left" in text or "disk" in text.lower():
        return "no space left on device"
    return "an input/output error"


def _has_table(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    found = _one(
        con, "SELECT count(*) FROM information_schema.tables WHERE table_name = $t", {"t": table}
    )
    return bool(found[0])


def _new_comparisons(con: duckdb.DuckDBPyConnection, comparisons: pa.Table | None) -> int:
    """How many comparison rows are not already stored, current, with the same figures."""
    if comparisons is None or comparisons.num_rows == 0:
        return 0
    if not _has_table(con, "comparisons"):
        return int(comparisons.num_rows)
    con.register("compared", comparisons)
    return int(_one(con, _COUNT_NEW_COMPARISONS)[0])


def _refuse_stray_wal(path: Path) -> None:
    wal = Path(f"{path}.wal")
    if wal.exists():
        message = (
            f"{wal} exists: the store was opened for writing outside the scorecard. Nothing was "
            "written; open it once with DuckDB (which replays and checkpoints the log) and retry"
        )
        raise _problem(path, message, "store_wal")


def init_store(path: Path, fw: Framework) -> None:
    """Create an empty store for ``fw`` at ``path`` (atomically, under the writer lock).

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
                raise _problem(path, message, "init") from err
            if observations or loads:
                message = (
                    f"a store with {observations} observations from {loads} loads already exists "
                    f"at {path}; it was left as it is (use another --db to start afresh)"
                )
                raise _problem(path, message, "init")
        _refuse_stray_wal(path)
        created = datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="seconds")
        with _swap_in(path, None) as con:
            for ddl in _DDL:
                con.execute(ddl)
            con.executemany(
                "INSERT INTO meta VALUES (?, ?)",
                [
                    ("schema_version", SCHEMA_VERSION),
                    ("framework", fw.name),
                    ("created_at", created),
                ],
            )


def add_events(path: Path, events: Sequence[SpcEvent], *, synthetic: bool) -> None:
    """Keep SPC events in the store at ``path`` after those it holds (atomically, locked).

    Raises:
        UserError: when there is no store at ``path`` or it cannot be used.
    """
    path = Path(path)
    if not events:
        return
    with writer_lock(path):
        with Store(path)._connect() as con:
            _check_schema(con, path)
        _refuse_stray_wal(path)
        with _swap_in(path, path) as con:
            con.execute(_EVENTS_DDL)
            start = int(_one(con, "SELECT coalesce(max(position), 0) FROM events")[0])
            con.executemany(
                "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    [start + n, e.kpi_code, e.area_code, e.period, str(e.kind), e.reason, synthetic]
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
    ``COMPARISON_COLUMNS``), written with the batch.
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
        raise _problem(path, f"{path} is not a scorecard store ({err})") from err
    found = rows[0][0] if rows else "none"
    if found != SCHEMA_VERSION:
        message = f"{path} has store schema version {found}; this scorecard needs {SCHEMA_VERSION}"
        raise _problem(path, message)


def _classify(con: duckdb.DuckDBPyConnection, batch: pa.Table) -> LoadOutcome:
    con.register("batch", batch)
    new, unchanged, conflicts = (int(x) for x in _one(con, _CLASSIFY))
    found = _frame(con, _CONFLICTS) if conflicts else pd.DataFrame(columns=["source_row"])
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
        store = Store(path)
        with store._connect(memory_limit=WRITER_MEMORY) as con:
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


def record_publication(path: Path, record: LoadRecord, dry_run: bool) -> LoadOutcome:
    """Keep a publication's comparisons and source when it carries no KPI value for the framework.

    A load-log row (no observations) records the file; nothing is written when every
    comparison row is already stored with the same figures, or on a dry run.
    """
    return apply_load(path, _EMPTY_BATCH.empty_table(), record, dry_run)


def _write(con: duckdb.DuckDBPyConnection, record: LoadRecord, outcome: LoadOutcome) -> int:
    load_id = int(_one(con, "SELECT coalesce(max(load_id), 0) + 1 FROM loads")[0])
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
        for ddl in _PROVENANCE_DDL:
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
        con.execute(_SUPERSEDE_COMPARISONS, {"load_id": load_id})
        con.execute(_INSERT_COMPARISONS, {"load_id": load_id})
    params = {"load_id": load_id, "synthetic": record.synthetic}
    superseded = int(_one(con, _SUPERSEDE, {"load_id": load_id})[0])
    inserted = int(_one(con, _INSERT, params)[0])
    if superseded != outcome.revisions or inserted != outcome.changes:
        # the store cannot change under the writer lock; if it did, write nothing
        message = (
            f"expected {outcome.revisions} revisions and {outcome.changes} inserts, "
            f"got {superseded} and {inserted}"
        )
        raise RuntimeError(message)
    return load_id


def _one(
    con: duckdb.DuckDBPyConnection, query: str, params: dict[str, Any] | None = None
) -> tuple[Any, ...]:
    """The first row of a statement that returns exactly one (aggregates, row counts)."""
    rows = con.execute(query, params).fetchall()
    if len(rows) != 1:
        message = f"expected one row, got {len(rows)}"
        raise RuntimeError(message)
    return tuple(rows[0])
