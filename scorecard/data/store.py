"""The KPI store: its DuckDB connections and its reads (each a short read-only connection)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from scorecard.data import store_sql
from scorecard.thread.domain import SpcEvent, SpcEventKind
from scorecard.thread.errors import Problem, UserError


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


def open_connection(path: Path, read_only: bool, **extra: str | bool) -> duckdb.DuckDBPyConnection:
    """A connection with our settings; no progress bar on the user's terminal."""
    con = duckdb.connect(str(path), read_only=read_only, config=_config(**extra))
    con.execute("SET enable_progress_bar = false")
    return con


def store_problem(path: Path, message: str, rule: str = "store") -> UserError:
    """A problem with the store file itself (no row or column), as the error to raise."""
    return UserError(Problem(str(path), None, "", "", rule, message))


def query_frame(
    con: duckdb.DuckDBPyConnection, query: str, params: dict[str, Any] | None = None
) -> pd.DataFrame:
    """A query's rows as pandas, through Arrow (``.df()`` is slower on wide text)."""
    relation = con.sql(query, params=params)
    assert relation is not None  # noqa: S101 -- a SELECT always gives a relation
    frame: pd.DataFrame = relation.to_arrow_table().to_pandas()
    return frame


def one_row(
    con: duckdb.DuckDBPyConnection, query: str, params: dict[str, Any] | None = None
) -> tuple[Any, ...]:
    """The first row of a statement that returns exactly one (aggregates, row counts)."""
    rows = con.execute(query, params).fetchall()
    if len(rows) != 1:
        message = f"expected one row, got {len(rows)}"
        raise RuntimeError(message)
    return tuple(rows[0])


def has_table(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    """Whether the store open on ``con`` has ``table`` (older stores lack the newer tables)."""
    found = one_row(
        con, "SELECT count(*) FROM information_schema.tables WHERE table_name = $t", {"t": table}
    )
    return bool(found[0])


@contextlib.contextmanager
def connect_read_only(path: Path, **settings: str | bool) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the store at ``path``, closed on exit.

    Raises:
        UserError: when there is no store at ``path`` or it cannot be opened as one.
    """
    if not path.is_file():
        message = (
            f"there is no store at {path}; create one with `python -m scorecard init` (or `demo`)"
        )
        raise store_problem(path, message)
    try:
        con = open_connection(path, read_only=True, **settings)
    except duckdb.Error as err:
        message = f"{path} could not be opened as a scorecard store ({err})"
        raise store_problem(path, message) from err
    try:
        yield con
    finally:
        con.close()


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
        with connect_read_only(self.path, **settings) as con:
            yield con

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
            return query_frame(con, store_sql.CURRENT, params)

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
            frame = query_frame(con, store_sql.HISTORY, params)
        frame["superseded_by"] = frame["superseded_by"].astype("Int64")
        return frame

    def loads(self) -> pd.DataFrame:
        """The load log, oldest first."""
        with self._connect() as con:
            return query_frame(con, "SELECT * FROM loads ORDER BY load_id")

    def sources(self) -> pd.DataFrame:
        """Every load with the publication, file and edition its values come from.

        Returns:
            Columns load_id, file_name, kind, synthetic, loaded_at, publication, file, edition
            (the last three null for a load that names no publication: an extract or the demo).
        """
        with self._connect() as con:
            if has_table(con, "sources"):
                return query_frame(con, store_sql.SOURCES)
            frame = query_frame(
                con, "SELECT load_id, file_name, kind, synthetic, loaded_at FROM loads"
            )
        for column in ("publication", "file", "edition"):
            frame[column] = pd.Series([None] * len(frame), dtype="object")
        return frame

    def comparisons(self, source_key: str | None = None) -> pd.DataFrame:
        """Every organisation's current published figure, for comparisons between them.

        Args:
            source_key: only this measure (None: all).

        Returns:
            The columns of ``store_sql.COMPARISON_COLUMNS`` plus load_id; empty when nothing is
            stored.
        """
        with self._connect() as con:
            if not has_table(con, "comparisons"):
                return pd.DataFrame(columns=[*store_sql.COMPARISON_COLUMNS, "load_id"])
            return query_frame(con, store_sql.CURRENT_COMPARISONS, {"key": source_key})

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
            kept = one_row(con, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'events'")
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
            row = one_row(
                con, "SELECT (SELECT count(*) FROM observations), (SELECT count(*) FROM loads)"
            )
        return int(row[0]), int(row[1])


def store_events(path: Path) -> tuple[SpcEvent, ...]:
    """The SPC events held by the store at ``path`` (none when there is no store)."""
    store = Store(Path(path))
    return store.events() if store.exists() else ()
