"""The bench harness drops Streamlit's missing-context warning, and nothing else it logs."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# Two AppTest runs in a child process, as bench/bench_app.py makes them; stderr is what it shows.
CHILD = """
import logging, sys
sys.path.insert(0, {bench!r})
if {quiet}:
    from streamlit_quiet import silence_missing_context
    silence_missing_context()
from streamlit.testing.v1 import AppTest
for _ in range(2):
    AppTest.from_string("import streamlit as st\\nst.title('Empty')", default_timeout=60).run()
logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").warning("kept")
"""


def child_stderr(*, quiet: bool) -> str:
    code = CHILD.format(bench=str(REPO / "bench"), quiet=quiet)
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stderr


def test_apptest_runs_warn_of_a_missing_context_without_the_filter():
    assert "missing ScriptRunContext" in child_stderr(quiet=False)


def test_the_bench_filter_drops_that_warning_and_keeps_the_others():
    stderr = child_stderr(quiet=True)
    assert "missing ScriptRunContext" not in stderr
    assert "kept" in stderr  # the same logger's other warnings still show


def test_the_filter_lets_other_records_through():
    sys.path.insert(0, str(REPO / "bench"))
    try:
        from streamlit_quiet import DropMissingContext
    finally:
        sys.path.remove(str(REPO / "bench"))

    def record(message: str) -> logging.LogRecord:
        return logging.LogRecord("x", logging.WARNING, __file__, 1, message, ("MainThread",), None)

    keep = DropMissingContext()
    assert not keep.filter(record("Thread '%s': missing ScriptRunContext! This can be ignored"))
    assert keep.filter(record("Thread '%s': something else"))
