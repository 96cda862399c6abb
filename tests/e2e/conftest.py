"""Real-browser fixtures: the app served on the demo store and Debian's chromium at 1366×768."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import CHROMIUM, CHROMIUM_ARGS, REPO, VIEWPORT
from playwright.sync_api import expect

# The first script run of a session parses the framework and reads the store; on a busy machine
# that takes longer than playwright's 5 s default.
expect.set_options(timeout=45_000)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in this folder is a real-browser test."""
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.e2e)


def _under_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, object]:
    """Launch Debian's chromium (playwright cannot download its own browser here)."""
    if not CHROMIUM.is_file():
        message = (
            f"Debian chromium is missing at {CHROMIUM}: the real-browser tests cannot run "
            "(install it with `apt-get install chromium`, or run `make test` as root)"
        )
        if _under_ci():
            pytest.fail(message)
        pytest.skip(message)
    return {"executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="session")
def browser_context_args() -> dict[str, object]:
    """A laptop-sized window, as the Board's projector shows it."""
    return {"viewport": VIEWPORT, "locale": "en-GB", "timezone_id": "Europe/London"}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo store, built as a user would (`python -m scorecard demo`)."""
    path = tmp_path_factory.mktemp("e2e") / "demo.duckdb"
    done = subprocess.run(
        [sys.executable, "-m", "scorecard", "demo", "--db", str(path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return path


@pytest.fixture(scope="session")
def app_url(demo_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app served by `streamlit run app.py` on a free port; stopped after the session."""
    port = int(os.environ.get("SCORECARD_E2E_PORT") or _free_port())  # a fixed port if given
    log = tmp_path_factory.mktemp("server") / "streamlit.log"
    streamlit = shutil.which("streamlit", path=str(Path(sys.executable).parent)) or "streamlit"
    with log.open("w") as out:
        server = subprocess.Popen(
            [
                streamlit,
                "run",
                "app.py",
                "--server.headless",
                "true",
                "--server.address",
                "127.0.0.1",
                "--server.port",
                str(port),
                "--browser.gatherUsageStats",
                "false",
            ],
            cwd=REPO,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "SCORECARD_DB": str(demo_store)},
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
                    if reply.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"streamlit did not start:\n{log.read_text()}")
            time.sleep(0.3)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
