"""The README's first screen as a newcomer reads it: plain words, the demo's months, clicks."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from scorecard import cli
from scorecard.synthetic.demo_plants import last_month, month_range
from scorecard.thread.periods import month_long

REPO = Path(__file__).resolve().parents[2]
FIRST_SCREEN = 60
# Names of libraries and the project's internal words: none belongs on the first screen.
ENGINEERING_WORDS = (
    "streamlit",
    "duckdb",
    "pandera",
    "plotly",
    "pandas",
    "numpy",
    "reportlab",
    "weasyprint",
    "pip",
    "pytest",
    "ruff",
    "mypy",
    "sqlite",
    "spc",
    "xmr",
    "json",
    "schema",
    "atomic",
    "file:line",
    "venv",
    "cli",
)


def first_screen() -> str:
    lines = (REPO / "README.md").read_text(encoding="utf-8").splitlines()
    architecture = next(i for i, line in enumerate(lines) if line.startswith("## Architecture"))
    assert architecture > FIRST_SCREEN
    return "\n".join(lines[:FIRST_SCREEN])


def test_the_first_screen_uses_no_library_names_or_internal_terms():
    words = set(re.findall(r"[a-z0-9:.]+", first_screen().lower()))
    text = first_screen().lower()
    found = [w for w in ENGINEERING_WORDS if w in words or (":" in w and w in text)]
    assert not found, f"the README's first {FIRST_SCREEN} lines use {found}"


def test_the_first_screen_gives_the_two_commands_the_address_and_how_to_stop():
    text = first_screen()
    assert "make run" in text
    assert "make test" in text
    assert "http://127.0.0.1:8501" in text
    assert "Ctrl-C" in text
    assert "make run-published" in text


def test_the_demo_months_on_the_first_screen_are_the_ones_demo_builds():
    text = " ".join(first_screen().split())
    default_months = cli.build_parser().parse_args(["demo"]).months
    assert f"{default_months} months of made-up figures" in text
    assert "ending with the month before the one you run it in" in text
    # The worked example: the months a demo built in its example month covers.
    example = re.search(r"run in (\w+ \d{4}), it covers (\w+ \d{4}) to (\w+ \d{4})", text)
    assert example is not None
    built_in, first, last = example.groups()
    month_names = {month_long(f"2000-{m:02d}").split()[0]: m for m in range(1, 13)}
    name, year = built_in.split()
    built = datetime(int(year), month_names[name], 15, tzinfo=UTC)
    months = month_range(last_month(built), default_months)
    assert (month_long(months[0]), month_long(months[-1])) == (first, last)


def test_the_first_screen_says_where_each_kind_of_user_clicks_first():
    text = first_screen()
    table = [line for line in text.splitlines() if line.startswith("| ")]
    rows = {line.split("|")[1].strip(): line.split("|")[2] for line in table[1:]}
    assert rows["on the Executive Board"].strip().startswith("**Scorecard**")
    assert rows["an assurance reviewer"].strip().startswith("**Assurance**")
    assert rows["a brick owner"].strip().startswith("**Bricks**")
    assert rows["on the Benefits Realisation Group"].strip().startswith("**Benefits**")
    assert "**Guide**" in text
