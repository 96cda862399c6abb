"""The "Using the scorecard" guide through AppTest: the cycle, its pages and commands, the key."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from scorecard.data.store import Store
from scorecard.statistics import icons
from scorecard.ui.frame import PAGES, available_pages
from scorecard.ui.guide import BENEFITS_COMMAND, ICON_KEY, MONTH_PLACEHOLDER, monthly_cycle

REPO = Path(__file__).resolve().parents[2]
PAGE = "pages/9_guide.py"
STEPS = (
    "Load the month's extracts and publications",
    "Review the exceptions",
    "Write commentary and decisions",
    "Board sign-off",
    "The Board pack",
)


def texts(at: AppTest) -> str:
    parts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning"):
        parts += [str(el.value) for el in getattr(at, kind)]
    return "\n".join(parts).replace("\\", "")


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def links(at: AppTest) -> list[tuple[str, str, str]]:
    """Every page link as (label, page, query string)."""
    return [
        (str(link.proto.label).replace("\\", ""), link.proto.page, link.proto.query_string)
        for link in at.get("page_link")
    ]


def test_the_guide_walks_through_the_monthly_cycle_with_pages_and_commands(open_page, demo_db):
    at = open_page(PAGE)
    assert_clean(at)
    assert at.title[0].value == "Using the scorecard"
    assert "Synthetic demo data" in texts(at)
    month = Store(demo_db).periods()[-1]
    assert at.query_params["month"] == month
    shown = [str(s.value) for s in at.subheader]
    assert [s for s in shown if s[:2] in {f"{n}." for n in range(1, 10)}] == [
        f"{n}. {title}" for n, title in enumerate(STEPS, start=1)
    ]
    commands = [line for c in at.code for line in str(c.value).splitlines()]
    assert "python -m scorecard load FILE.csv" in commands
    assert f"python -m scorecard scorecard --month {month} --json" in commands
    assert f"python -m scorecard pack --month {month} --out board_pack_{month}.pdf" in commands
    assert f"python -m scorecard benefits --month {month}" in commands
    opened = {label: (page, query) for label, page, query in links(at) if label.startswith("Open")}
    for label, page in (
        ("Open Assurance", "assurance"),
        ("Open Scorecard", ""),
        ("Open KPI detail", "kpi"),
        ("Open Review", "review"),
        ("Open Benefits", "benefits"),
    ):
        assert label in opened, sorted(opened)
        assert opened[label][0] == page
        assert f"month={month}" in opened[label][1]  # the link keeps the month and area


def test_the_icon_key_shows_every_icon_as_the_app_draws_it_with_its_words(open_page):
    at = open_page(PAGE)
    assert_clean(at)
    text = texts(at)
    images = dict(
        re.findall(r"!\[([^\]]+)\]\(data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)\)", text)
    )
    for code in ("common_cause", "improvement_high", "improvement_low", "concern_high"):
        label = icons.variation_label(code)
        assert base64.b64decode(images[label]).decode() == icons.variation_icon_svg(code)
    for code in ("pass", "fail", "hit_or_miss", "none"):
        label = icons.assurance_label(code)
        assert base64.b64decode(images[label]).decode() == icons.assurance_icon_svg(code)
    assert len(images) == len(ICON_KEY) == 12
    for item in ICON_KEY:
        assert item.meaning in text
    assert "Making Data Count" in text


def test_without_a_store_the_guide_still_reads_and_says_how_to_build_one(open_page, tmp_path):
    at = open_page(PAGE, db=tmp_path / "missing.duckdb")
    assert not at.exception
    assert "make run" in texts(at)
    commands = [line for c in at.code for line in str(c.value).splitlines()]
    assert "python -m scorecard pack --month YYYY-MM --out board_pack_YYYY-MM.pdf" in commands
    assert len(at.subheader) >= len(monthly_cycle())


@pytest.mark.parametrize("page", [p.path for p in available_pages()])
def test_every_page_links_to_the_guide_from_its_navigation(open_page, page):
    at = open_page(page)
    assert not at.exception, [e.value for e in at.exception]
    guide = [(label, query) for label, target, query in links(at) if target == "guide"]
    assert [label for label, _ in guide] == ["Guide"]  # once, in the navigation
    assert f"month={at.query_params['month']}" in guide[0][1]  # it keeps the month and area
    assert f"area={at.query_params['area']}" in guide[0][1]


def readme_section(heading: str) -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    start = text.index(f"\n## {heading}\n")
    end = text.find("\n## ", start + 1)
    return " ".join(text[start:end].split())


def test_the_readme_pictures_are_the_icons_the_app_draws():
    for item in ICON_KEY:
        path = REPO / "docs" / "icons" / item.file_name
        assert path.read_text(encoding="utf-8") == item.svg + "\n", (
            f"{path} differs from scorecard/statistics/icons.py: rewrite it with "
            "`python -c 'from scorecard.ui.guide import write_icon_files; write_icon_files()'`"
        )


def test_the_readme_guide_says_what_the_app_guide_says():
    section = readme_section("Using the scorecard")
    for step in monthly_cycle():
        assert f"**{step.title}**" in section
        for command in step.commands:
            assert command in section
    assert BENEFITS_COMMAND.format(month=MONTH_PLACEHOLDER) in section
    for item in ICON_KEY:
        row = (
            f"| ![{item.label}](docs/icons/{item.file_name}) | **{item.label}** | {item.meaning} |"
        )
        assert row in section


def test_the_pages_the_readme_sends_people_to_are_in_the_navigation():
    named = set(re.findall(r"\*\*([^*]+)\*\*", readme_section("Where to click first")))
    assert {"Scorecard", "Assurance", "Bricks", "Benefits", "Guide"} <= named
    assert named <= {p.label for p in PAGES}
