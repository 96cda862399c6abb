"""`make run` as make would run it (`make -n`): bound to this computer, installer output logged."""

from __future__ import annotations

import os
import shlex
import shutil
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


def streamlit_options(lines: list[str]) -> dict[str, str]:
    """The `--name value` options of the one `streamlit run` command in the recipe."""
    runs = [line for line in lines if "streamlit run" in line]
    assert len(runs) == 1, runs
    words = shlex.split(runs[0])
    options = words[words.index("app.py") + 1 :]
    return dict(zip(options[::2], options[1::2], strict=True))


def test_make_run_binds_this_computer_only_by_default():
    lines = dry_run("run")
    options = streamlit_options(lines)
    assert options["--server.address"] == "127.0.0.1"
    assert options["--browser.serverAddress"] == "127.0.0.1"  # the one address printed
    assert options["--server.port"] == "8501"
    assert options["--server.headless"] == "true"
    assert options["--browser.gatherUsageStats"] == "false"
    assert any("http://127.0.0.1:8501" in line and line.startswith("echo") for line in lines)
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
    run = next(line for line in lines if "streamlit run" in line)
    assert shlex.split(run)[0] == "SCORECARD_DB=/tmp/other.duckdb"


@pytest.mark.parametrize("target", ["run", "test"])
def test_every_install_writes_to_the_install_log_not_the_console(target):
    lines = dry_run("-B", target)  # -B: as on a first run, every step is shown
    installs = [line for line in lines if "pip install" in line]
    assert installs
    for line in installs:
        # { echo the command; the command; } >>log 2>&1 || { say it failed; show the log's end; }
        logged = "} >>.venv/install.log 2>&1"
        assert line.startswith("{ echo"), line
        assert logged in line, line
        assert line.rfind("pip install") < line.index(logged), line
    said = " ".join(line for line in lines if line.startswith("echo"))
    assert ".venv/install.log" in said


def test_the_first_run_says_it_is_installing_and_how_long_it_takes():
    said = " ".join(line for line in dry_run("-B", "run") if line.startswith(("echo", "if")))
    assert "First run: installing" in said
    assert "about a minute" in said


def test_streamlit_config_binds_this_computer_too():
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["address"] == "127.0.0.1"
    assert config["browser"]["gatherUsageStats"] is False
