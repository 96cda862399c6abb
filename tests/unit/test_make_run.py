"""`make run` as make would run it (`make -n`): bound to this computer, installer output logged."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
MAKE = shutil.which("make")


def dry_run(*args: str) -> list[str]:
    """The shell commands `make -n ARGS` prints, continuation lines joined, none executed."""
    assert MAKE is not None, "make is needed to build and run the scorecard"
    env = {k: v for k, v in os.environ.items() if k not in ("HOST", "PORT", "DB", "MAKEFLAGS")}
    done = subprocess.run(
        [MAKE, "--no-print-directory", "-n", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.replace("\\\n", " ").splitlines()


def streamlit_command(lines: list[str]) -> list[str]:
    """The words of the one `streamlit run` command in the recipe (its shell line, up to `;`)."""
    runs = [part for line in lines for part in line.split(";") if "streamlit run" in part]
    assert len(runs) == 1, runs
    return shlex.split(runs[0])


def streamlit_options(lines: list[str]) -> dict[str, str]:
    """The `--name value` options of the one `streamlit run` command in the recipe."""
    words = streamlit_command(lines)
    options = words[words.index("app.py") + 1 :]
    return dict(zip(options[::2], options[1::2], strict=True))


def test_make_run_binds_this_computer_only_by_default():
    lines = dry_run("run")
    options = streamlit_options(lines)
    assert options["--server.address"] == "127.0.0.1"
    # The one address Streamlit prints when it is ready: http://127.0.0.1:8501.
    assert options["--browser.serverAddress"] == "127.0.0.1"
    assert options["--server.port"] == "8501"
    assert options["--server.headless"] == "true"
    assert options["--browser.gatherUsageStats"] == "false"
    assert options["--logger.level"] == "warning"  # warnings and errors still show
    assert any("Ctrl-C" in line and line.startswith("echo") for line in lines)


def test_host_serves_the_network_only_when_asked_and_names_this_computer():
    options = streamlit_options(dry_run("run", "HOST=0.0.0.0", "PORT=8600"))
    assert options["--server.address"] == "0.0.0.0"
    assert options["--server.port"] == "8600"
    # A name people can use, so Streamlit neither prints a wildcard nor looks up an outside IP.
    assert options["--browser.serverAddress"] not in ("0.0.0.0", "::", "")


def test_the_app_reads_the_store_make_run_describes():
    lines = dry_run("run", "DB=/tmp/other.duckdb")
    assert any(line.endswith("summary --db /tmp/other.duckdb") for line in lines)
    assert streamlit_command(lines)[0] == "SCORECARD_DB=/tmp/other.duckdb"


@pytest.mark.parametrize("target", ["run", "test"])
def test_every_install_writes_to_the_install_log_not_the_console(target):
    lines = dry_run("-B", target)  # -B: as on a first run, every step is shown
    installs = [line for line in lines if "pip install" in line]
    assert installs
    # Each install is `{ echo "$ command"; command; } >>.venv/install.log 2>&1`: none is left
    # once the logged groups are taken out.
    group = r'\{ echo "\$ [^"]*"; [^}]*\} >>\.venv/install\.log 2>&1'
    for line in installs:
        assert re.search(group, line), line
        assert "pip install" not in re.sub(group, "", line), line


def test_the_first_run_says_it_is_installing_and_how_long_it_takes():
    said = " ".join(line for line in dry_run("-B", "run") if line.startswith(("echo", "if")))
    assert "First run: setting up the scorecard" in said
    assert "a minute or two" in said


def test_streamlit_config_binds_this_computer_too():
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["address"] == "127.0.0.1"
    assert config["browser"]["gatherUsageStats"] is False


# The real recipes, run by make with stand-ins for pip, python and streamlit in a scratch folder.
FAKE_PIP = """#!/bin/sh
echo "Looking in links: /opt/wheels"
echo "WARNING: Location 'file:///opt/pypi-more/simple/x/' is ignored: it is not a file." >&2
exit ${FAKE_PIP_STATUS:-0}
"""
FAKE_PYTHON = """#!/bin/sh
echo "The store $5 holds synthetic demo data: 36 months."
"""
FAKE_STREAMLIT = """#!/bin/sh
echo "$SCORECARD_DB $*" > "$(dirname "$0")/streamlit.args"
echo "  URL: http://127.0.0.1:8501"
[ -n "$FAKE_STREAMLIT_STATUS" ] && exit "$FAKE_STREAMLIT_STATUS"
exec sleep 60
"""


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "activate").touch()
    for name, text in (("pip", FAKE_PIP), ("python", FAKE_PYTHON), ("streamlit", FAKE_STREAMLIT)):
        path = venv / "bin" / name
        path.write_text(text, encoding="utf-8")
        path.chmod(0o755)
    (tmp_path / "store.duckdb").touch()
    return tmp_path


def make(scratch: Path, *targets: str, **env: str) -> subprocess.Popen[str]:
    assert MAKE is not None
    return subprocess.Popen(
        [
            MAKE,
            "--no-print-directory",
            *targets,
            f"VENV={scratch / 'venv'}",
            f"DB={scratch / 'store.duckdb'}",
            "PORT=8601",
        ],
        cwd=REPO,
        env={**{k: v for k, v in os.environ.items() if k != "MAKEFLAGS"}, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )


def test_installing_writes_the_installer_messages_to_the_log_only(scratch: Path):
    done = make(scratch, str(scratch / "venv" / ".runtime"))
    out, _ = done.communicate(timeout=60)
    assert done.returncode == 0, out
    log = (scratch / "venv" / "install.log").read_text(encoding="utf-8")
    assert "WARNING: Location" in log
    assert "Looking in links" in log
    assert "WARNING" not in out
    lines = out.splitlines()
    assert lines[0] == f"Installing; the installer's own messages go to {scratch}/venv/install.log."
    assert re.fullmatch(r"Installed in \d+ seconds\.", lines[1])
    assert len(lines) == 2
    assert (scratch / "venv" / ".runtime").is_file()


def test_a_failed_install_says_so_and_shows_the_end_of_the_log(scratch: Path):
    done = make(scratch, str(scratch / "venv" / ".runtime"), FAKE_PIP_STATUS="1")
    out, _ = done.communicate(timeout=60)
    assert done.returncode != 0
    assert f"Installing failed; the last lines of {scratch}/venv/install.log:" in out
    assert "WARNING: Location" in out  # the log's end, shown because it failed
    assert not (scratch / "venv" / ".runtime").exists()


def test_ctrl_c_stops_the_scorecard_without_an_error_from_make(scratch: Path):
    (scratch / "venv" / ".runtime").touch()
    started = make(scratch, "run")
    assert started.stdout is not None
    shown = []
    for line in started.stdout:
        shown.append(line)
        if "URL:" in line:
            break
    os.killpg(started.pid, signal.SIGINT)  # what Ctrl-C in the terminal does
    rest, _ = started.communicate(timeout=30)
    out = "".join(shown) + rest
    assert out.splitlines() == [
        f"The store {scratch}/store.duckdb holds synthetic demo data: 36 months.",
        "Starting the scorecard (a few seconds); it runs until you press Ctrl-C in this terminal.",
        "  URL: http://127.0.0.1:8501",
        "The scorecard has stopped.",
    ]
    args = (scratch / "venv" / "bin" / "streamlit.args").read_text(encoding="utf-8").split()
    assert args[0] == f"{scratch}/store.duckdb"  # the app reads the store the summary described
    assert "--server.address" in args
    assert args[args.index("--server.address") + 1] == "127.0.0.1"


def test_a_server_that_fails_is_reported_as_a_failure(scratch: Path):
    (scratch / "venv" / ".runtime").touch()
    done = make(scratch, "run", FAKE_STREAMLIT_STATUS="1")
    out, _ = done.communicate(timeout=60)
    assert done.returncode != 0
    assert "The scorecard has stopped." not in out
    assert "Error 1" in out
