"""AppTest fixtures: a demo store, an empty store and a sparse store built once per session."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parents[2]
APP = REPO / "app.py"
TIMEOUT = 60  # seconds for one script run (the first run parses the framework and the store)


def scorecard(*args: str) -> None:
    """Run the CLI as a user would; fail the test run with its output if it fails."""
    done = subprocess.run(
        [sys.executable, "-m", "scorecard", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert done.returncode == 0, f"scorecard {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The synthetic demo store, built by `python -m scorecard demo`."""
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    scorecard("demo", "--db", str(path))
    return path


@pytest.fixture(scope="session")
def empty_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with no values, built by `python -m scorecard init`."""
    path = tmp_path_factory.mktemp("empty") / "empty.duckdb"
    scorecard("init", "--db", str(path))
    return path


@pytest.fixture(scope="session")
def sparse_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding one lead KPI for the ICB only (so other areas have no data)."""
    folder = tmp_path_factory.mktemp("sparse")
    path = folder / "sparse.duckdb"
    scorecard("init", "--db", str(path))
    extract = folder / "extract.csv"
    lines = ["kpi_code,area_code,period,value"]
    lines += [f"LEAD-ESC,QPM,2024-{m:02d},{1000 + m}" for m in (1, 2, 3)]
    extract.write_text("\n".join(lines) + "\n", encoding="utf-8")
    scorecard("load", str(extract), "--db", str(path))
    return path


@pytest.fixture(scope="session")
def revised_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store where a second load revised one value (so the history holds two versions)."""
    folder = tmp_path_factory.mktemp("revised")
    path = folder / "revised.duckdb"
    scorecard("init", "--db", str(path))
    first = folder / "first.csv"
    first.write_text(
        "kpi_code,area_code,period,value,status\n"
        "LEAD-ED,QPM,2024-01,31.5,final\n"
        "LEAD-ED,QPM,2024-02,32.0,provisional\n",
        encoding="utf-8",
    )
    second = folder / "second.csv"
    second.write_text(
        "kpi_code,area_code,period,value,status\nLEAD-ED,QPM,2024-02,33.5,final\n",
        encoding="utf-8",
    )
    scorecard("load", str(first), "--db", str(path))
    scorecard("load", str(second), "--db", str(path))
    return path


@pytest.fixture
def open_page(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., AppTest]:
    """Open a page on a store (the demo store unless ``db`` is given) with URL parameters."""

    def run(page: str = "app.py", db: Path | None = None, **params: str) -> AppTest:
        monkeypatch.setenv("SCORECARD_DB", str(db or demo_db))
        at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
        if page != "app.py":
            at.switch_page(page)
        for name, value in params.items():
            at.query_params[name] = value
        return at.run()

    return run
