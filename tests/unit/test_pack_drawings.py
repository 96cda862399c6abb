"""The Board pack's SVG charts: alternative text, a key of what is drawn, words escaped."""

from __future__ import annotations

import numpy as np
import pytest
from defusedxml import ElementTree

from scorecard.reports.pack.drawings import ChartInput, direction_words, spc_svg
from scorecard.statistics import spc

SVG = "{http://www.w3.org/2000/svg}"
PERIODS = [f"{2022 + (m // 12)}-{m % 12 + 1:02d}" for m in range(48)]
HOSTILE = "<script>alert('x')</script> & <b>bold</b>"


def chart(values, direction="increase", **extra) -> ChartInput:
    target = extra.pop("target", None)
    result = spc.analyse(values, direction, target=target, **extra.pop("spc", {}))
    if target is not None:
        extra["targets"] = np.full(len(values), target)
    return ChartInput(
        periods=PERIODS[: len(values)],
        result=result,
        unit="%",
        direction=direction,
        alt="SPC chart of a KPI.",
        **extra,
    )


def texts(svg: str) -> list[str]:
    root = ElementTree.fromstring(svg)
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def test_the_chart_is_svg_with_its_alternative_text_as_title():
    values = [50 + (i % 3) for i in range(24)]
    svg = str(spc_svg(chart(values)))
    root = ElementTree.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "SPC chart of a KPI."


@pytest.mark.parametrize(
    ("direction", "words"),
    [
        ("increase", "Higher is better"),
        ("decrease", "Lower is better"),
        ("neutral", "Neither direction is better"),
    ],
    ids=["increase", "decrease", "neutral"],
)
def test_the_chart_says_which_direction_is_better(direction, words):
    values = [50 + (i % 3) for i in range(24)]
    assert direction_words(direction) == words
    assert words in texts(str(spc_svg(chart(values, direction))))


def test_the_key_names_what_is_drawn_and_only_that():
    common = [50 + (i % 3) for i in range(24)]
    drawn = texts(str(spc_svg(chart(common))))
    for words in ("Key:", "Common cause", "Mean", "Process limits", "Month", "Per cent"):
        assert words in drawn
    for words in ("Target", "Improvement", "Concern", "Change point", "Support ended"):
        assert words not in drawn
    shifted = [50.0] * 12 + [60.0 + (i % 2) for i in range(12)]
    drawn = texts(str(spc_svg(chart(shifted, target=55.0, support_index=20))))
    for words in ("Improvement", "Target", "Support ended"):
        assert words in drawn


def test_a_run_chart_has_a_median_and_no_limits_in_its_key():
    drawn = texts(str(spc_svg(chart([50, 52, 51, 53, 50, 52, 51, 50, 52, 51]))))
    assert "Median (run chart)" in drawn
    assert "Process limits" not in drawn


def test_a_long_key_wraps_inside_the_chart():
    before = [50.0 + (i % 3) for i in range(20)]
    after = [60.0 + (i % 2) for i in range(19)] + [45.0, 66.0]
    values = before + after
    svg = str(
        spc_svg(
            chart(
                values,
                target=55.0,
                support_index=30,
                spc={"change_points": [20], "provisional": [False] * (len(values) - 1) + [True]},
            )
        )
    )
    root = ElementTree.fromstring(svg)
    drawn = texts(svg)
    for words in ("Change point", "Support ended", "Open: provisional", "Target", "Mean"):
        assert words in drawn
    width = float(root.get("width"))
    for node in root.iter(f"{SVG}text"):
        if node.get("text-anchor") == "start":
            assert float(node.get("x")) + 0.52 * 9.5 * len(node.text or "") <= width + 1
    assert float(root.get("height")) > 160  # a second row of the key


def test_words_from_people_are_escaped_in_the_chart():
    values = [50.0] * 12 + [60.0 + (i % 2) for i in range(12)]
    svg = str(spc_svg(chart(values, spc={"change_points": [12]}, change_reasons={12: HOSTILE})))
    root = ElementTree.fromstring(svg)  # still well-formed
    assert not list(root.iter(f"{SVG}script"))
    assert any("<script>" in t for t in texts(svg))  # shown as text
    assert "<script>" not in svg


def test_no_data_and_all_suppressed_say_so():
    empty = texts(str(spc_svg(chart([]))))
    assert "No data to chart" in empty
    hidden = np.ones(24, dtype=bool)
    values = [50 + (i % 3) for i in range(24)]
    assert "Every point is suppressed (small numbers)" in texts(
        str(spc_svg(chart(values, hidden=hidden)))
    )
