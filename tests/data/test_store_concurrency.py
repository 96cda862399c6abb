"""Loads in real processes: a kill half-way leaves the previous store; readers keep reading
while a load runs; two loads at once are serialised by the writer lock."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scorecard.data import pipeline_validation, store, store_writes

REPO = Path(__file__).resolve().parents[2]
WAIT_S = 600  # generous: the machines running tests are shared and slow


def _load(db: Path, framework_dir: Path, *files: Path) -> subprocess.Popen[bytes]:
    argv = [sys.executable, "-m", "scorecard", "load", *map(str, files)]
    argv += ["--db", str(db), "--framework", str(framework_dir)]
    return subprocess.Popen(argv, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _wait_for(condition, child: subprocess.Popen[bytes]) -> bool:
    """Poll until ``condition()`` holds (True) or the child has exited (False)."""
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        if condition():
            return True
        if child.poll() is not None:
            return False
        time.sleep(0.002)
    pytest.fail("the load neither reached the expected point nor finished")


@pytest.fixture
def private(big_load, tmp_path: Path) -> Path:
    """A private copy of the big-load store (one month loaded), for a test that writes."""
    db = tmp_path / "scorecard.duckdb"
    shutil.copyfile(big_load.db, db)
    return db


@pytest.mark.parametrize("moment", ["while_writing_the_copy", "while_validating"])
def test_a_killed_load_leaves_the_previous_store(big_load, private: Path, export_of, moment: str):
    before = (export_of(private), private.read_bytes())
    old_rows = len(store.Store(private).current())
    child = _load(private, big_load.framework_dir, big_load.extract)
    tmp = store_writes.tmp_path(private)
    if moment == "while_writing_the_copy":
        reached = _wait_for(tmp.exists, child)
        assert reached, "the load finished before its copy was seen: make the extract bigger"
        time.sleep(0.05)  # let it get some way into writing
    else:
        time.sleep(0.5)
        assert child.poll() is None
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert child.returncode == -signal.SIGKILL
    assert (export_of(private), private.read_bytes()) == before
    reader = store.Store(private)
    assert reader.counts() == (len(reader.current()), 1)
    # and the next load works, clearing what the killed one left behind
    again = _load(private, big_load.framework_dir, big_load.extract)
    _, err = again.communicate(timeout=WAIT_S)
    assert again.returncode == 0, err.decode()
    assert len(reader.current()) == old_rows + big_load.rows
    assert reader.counts()[1] == 2
    assert not tmp.exists()


def test_readers_keep_reading_while_a_load_runs(big_load, private: Path) -> None:
    reader = store.Store(private)
    old_rows = len(reader.current())
    new_rows = old_rows + big_load.rows
    child = _load(private, big_load.framework_dir, big_load.extract)
    seen: list[int] = []
    during_write = 0
    while child.poll() is None:
        writing = store_writes.tmp_path(private).exists()
        seen.append(len(reader.current(kpi_codes=None)))
        during_write += writing
    _, err = child.communicate(timeout=WAIT_S)
    assert child.returncode == 0, err.decode()
    seen.append(len(reader.current()))
    assert set(seen) <= {old_rows, new_rows}, "a reader saw a half-loaded store"
    assert seen[0] == old_rows
    assert seen[-1] == new_rows
    assert during_write > 0, "no read happened while the load was writing its copy"


def _has_open(pid: int, path: Path) -> bool:
    """Whether process ``pid`` has ``path`` open (Linux /proc)."""
    fds = Path(f"/proc/{pid}/fd")
    try:
        return any(fd.readlink() == path for fd in fds.iterdir())
    except (FileNotFoundError, PermissionError):
        return False


def test_two_loads_at_once_are_serialised(big_load, private: Path, tmp_path: Path, make_extract):
    before = len(store.Store(private).current())
    year = int(pipeline_validation.current_period()[:4])
    files = [tmp_path / "a.csv", tmp_path / "b.csv"]
    rows = [
        make_extract(f, big_load.framework, [f"{year - 10 - i}-01"]) for i, f in enumerate(files)
    ]
    lock = store_writes.lock_path(private)
    with store_writes.writer_lock(private):
        children = [_load(private, big_load.framework_dir, f) for f in files]
        for child in children:  # both have validated their file and wait for the lock we hold
            assert _wait_for(lambda c=child: _has_open(c.pid, lock), child), child.communicate()
        assert all(child.poll() is None for child in children)
    for child in children:
        _, err = child.communicate(timeout=WAIT_S)
        assert child.returncode == 0, err.decode()
    reader = store.Store(private)
    assert sorted(reader.loads()["load_id"]) == [1, 2, 3], "both loads are in the log"
    assert len(reader.current()) == before + sum(rows), "neither swap lost the other's rows"
