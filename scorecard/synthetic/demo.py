"""The synthetic demo store: the demo's values and planted events, written into a store.

The values come from ``scorecard.synthetic.demo_series`` (their calibration from ``demo_profiles``,
their special causes from ``demo_plants``); the owners' words and the BRG's sign-offs from
``demo_commentary``. Every value, and every SPC event it plants, is synthetic and is stored and
labelled as such.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from scorecard.synthetic.demo_plants import (
    DEFAULT_MONTHS,
    PlantedCause,
    demo_events,
    last_month,
    month_range,
    planted_causes,
)
from scorecard.synthetic.demo_series import DEFAULT_SEED, generate_demo
from scorecard.thread.domain import Framework
from scorecard.thread.errors import Problem, UserError

DEMO_USER: Final = "demo"
DEMO_KIND: Final = "demo"


@dataclass(frozen=True)
class DemoSummary:
    """What ``build_demo_store`` built."""

    path: Path
    kpis: int
    areas: int
    months: int
    rows: int
    seconds: float
    first_period: str
    last_period: str
    seed: int
    planted: tuple[PlantedCause, ...]


def demo_file_name(seed: int, months: int, end_month: str) -> str:
    """The name the demo's load carries in the load log (says it is synthetic)."""
    return f"synthetic-demo seed={seed} months={months} end={end_month}"


def build_demo_store(
    path: Path,
    fw: Framework,
    months: int = DEFAULT_MONTHS,
    seed: int = DEFAULT_SEED,
    end_month: str | None = None,
) -> DemoSummary:
    """Build the demo store at ``path``, replacing any demo or empty store there atomically.

    The rows go through the same pipeline as real loads (``pipeline.load_frame``: Pandera
    schema and cross rules, load log), marked synthetic, into a new store in a temporary file
    beside ``path``; that file is then moved over ``path`` with one ``os.replace`` under the
    store's writer lock. On any failure the temporary files are removed and ``path`` is left
    as it was; readers see the old store or the new one, never a half-built one. A store
    holding real (non-synthetic) loads, or a file that is not a store, is never replaced.

    Raises:
        UserError: ``path`` is not a demo store, or the validation rejected the rows.
    """
    from scorecard.data import pipeline, store_writes

    started = time.perf_counter()
    end = end_month or last_month()
    _check_replaceable(path)
    frame = generate_demo(fw, months, seed, end)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Unique per build: DuckDB caches instances by path within a process.
    tmp = path.with_name(f".{path.name}.demo-{os.getpid()}-{secrets.token_hex(4)}")
    leftovers = [
        tmp,
        Path(f"{tmp}.wal"),
        store_writes.lock_path(tmp),
        store_writes.tmp_path(tmp),
        Path(f"{store_writes.tmp_path(tmp)}.wal"),
    ]
    try:
        for leftover in leftovers:
            leftover.unlink(missing_ok=True)
        # The planted improvements' events are data of this store, kept through later loads.
        events = demo_events(fw, month_range(end, months))
        store_writes.init_store(tmp, fw, events, events_synthetic=True)
        report = pipeline.load_frame(
            tmp,
            fw,
            frame,
            demo_file_name(seed, months, end),
            kind=DEMO_KIND,
            user=DEMO_USER,
            synthetic=True,
            # The load log's fingerprint of what was generated (same seed and window, same hash).
            sha256=hashlib.sha256(frame.to_csv(index=False).encode()).hexdigest(),
        )
        if report.status != pipeline.LOADED:
            # The framework and the generator disagree (e.g. a unit the demo cannot draw):
            # say what the validation said; the existing store is left as it was.
            raise UserError(report.errors or "the demo rows could not be loaded")
        with store_writes.writer_lock(path):
            _check_replaceable(path)  # again: a real load may have landed meanwhile
            # The old store is being discarded: a log it left behind must not replay onto
            # the new file.
            Path(f"{path}.wal").unlink(missing_ok=True)
            tmp.replace(path)
            _fsync_dir(path.parent)
    finally:
        for leftover in leftovers:
            leftover.unlink(missing_ok=True)
    from scorecard.synthetic.demo_commentary import add_demo_commentary, add_demo_signoffs

    first = month_range(end, months)[0]
    add_demo_signoffs(fw, path, first, end)  # the BRG's sign-offs, which ACT-BENEFIT comes from
    add_demo_commentary(fw, path, end)  # the owners' words a newcomer sees, labelled synthetic
    return DemoSummary(
        path=path,
        kpis=int(frame["kpi_code"].nunique()),
        areas=int(frame["area_code"].nunique()),
        months=months,
        rows=len(frame),
        seconds=time.perf_counter() - started,
        first_period=month_range(end, months)[0],
        last_period=end,
        seed=seed,
        planted=planted_causes(fw, months, end),
    )


def _check_replaceable(path: Path) -> None:
    """Refuse to replace anything but an empty or all-synthetic (demo) store.

    Raises:
        UserError: ``path`` holds real loads, or is not a scorecard store at all.
    """
    from scorecard.data.store import Store

    if not path.exists():
        return
    try:
        loads = Store(path).loads()
    except Exception as err:  # unreadable as a store (UserError, or DuckDB's own errors)
        message = (
            f"{path} exists and is not a scorecard store; the demo only replaces a demo store, "
            "so it was left as it is (choose another --db, or remove the file)"
        )
        raise UserError(Problem(str(path), None, "--db", "", "demo_store", message)) from err
    real = int((~loads["synthetic"].astype(bool)).sum())
    if real:
        message = (
            f"{path} holds {real} load(s) of real data; the demo only replaces a synthetic demo "
            "store, so it was left as it is (use another --db for the demo)"
        )
        raise UserError(Problem(str(path), None, "--db", "", "demo_store", message))


def _fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
