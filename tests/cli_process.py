"""The command line run as a user runs it: a child process from the repository's folder.

``SCORECARD_DB`` is taken out of the child's environment, so a test's store is always the one it
names with ``--db``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def run_scorecard(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """``python -m scorecard ARGS`` in a child process; its exit status, stdout and stderr."""
    env = {k: v for k, v in os.environ.items() if k != "SCORECARD_DB"}
    return subprocess.run(
        [sys.executable, "-m", "scorecard", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
