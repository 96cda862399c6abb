"""Variation and assurance icons: valid SVG, labelled for screen readers, MDC colours."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from scorecard.statistics.icons import (
    assurance_icon_svg,
    assurance_label,
    variation_icon_svg,
    variation_label,
)
from scorecard.statistics.spc_icons import ASSURANCES, VARIATIONS

SVG = "{http://www.w3.org/2000/svg}"


def parse(text: str) -> ET.Element:
    root = ET.fromstring(text)
    assert root.tag == f"{SVG}svg"
    return root


def letters(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def ring_colour(root: ET.Element) -> str:
    return root.find(f"{SVG}circle").get("stroke")


@pytest.mark.parametrize(
    ("variation", "label", "colour", "letter"),
    [
        pytest.param(
            "common_cause", "Common cause – no significant change", "#a6a6a6", [], id="common"
        ),
        pytest.param(
            "improvement_high", "Special cause – improving (high)", "#00b0f0", ["H"], id="imp-h"
        ),
        pytest.param(
            "improvement_low", "Special cause – improving (low)", "#00b0f0", ["L"], id="imp-l"
        ),
        pytest.param(
            "concern_high", "Special cause – concerning (high)", "#e46c0a", ["H"], id="con-h"
        ),
        pytest.param(
            "concern_low", "Special cause – concerning (low)", "#e46c0a", ["L"], id="con-l"
        ),
        pytest.param(
            "neither_high",
            "Special cause – neither improving nor concerning (high)",
            "#490092",
            ["H"],
            id="nei-h",
        ),
        pytest.param(
            "neither_low",
            "Special cause – neither improving nor concerning (low)",
            "#490092",
            ["L"],
            id="nei-l",
        ),
        pytest.param(
            "none", "No variation icon – not enough data for SPC", "#768692", [], id="none"
        ),
    ],
)
def test_variation_icons(variation, label, colour, letter):
    assert variation_label(variation) == label
    root = parse(variation_icon_svg(variation, size=32))
    assert root.get("role") == "img"
    assert root.get("aria-label") == f"Variation: {label}"
    assert root.find(f"{SVG}title").text == f"Variation: {label}"
    assert root.get("width") == root.get("height") == "32"
    assert ring_colour(root) == colour
    assert letters(root) == letter


@pytest.mark.parametrize(
    ("assurance", "label", "colour", "letter"),
    [
        pytest.param("pass", "Consistently passing the target", "#00b0f0", ["P"], id="pass"),
        pytest.param("fail", "Consistently failing the target", "#e46c0a", ["F"], id="fail"),
        pytest.param(
            "hit_or_miss",
            "Hit and miss the target, subject to random variation",
            "#a6a6a6",
            ["?"],
            id="hit-or-miss",
        ),
        pytest.param(
            "none",
            "No assurance icon – no target, no better direction or too few points",
            "#768692",
            [],
            id="none",
        ),
    ],
)
def test_assurance_icons(assurance, label, colour, letter):
    assert assurance_label(assurance) == label
    root = parse(assurance_icon_svg(assurance))
    assert root.get("aria-label") == f"Assurance: {label}"
    assert root.find(f"{SVG}title").text == f"Assurance: {label}"
    assert root.get("width") == "40"
    assert ring_colour(root) == colour
    assert letters(root) == letter


def test_every_contract_code_has_an_icon_and_label():
    for v in VARIATIONS:
        parse(variation_icon_svg(v))
    for a in ASSURANCES:
        parse(assurance_icon_svg(a))
    assert len({variation_label(v) for v in VARIATIONS}) == len(VARIATIONS)
    assert len({assurance_label(a) for a in ASSURANCES}) == len(ASSURANCES)


@pytest.mark.parametrize(
    "code", ['"/><script>alert(1)</script>', "improvement", "", "PASS"], ids=str
)
def test_unknown_codes_are_refused_so_no_user_text_reaches_the_svg(code):
    with pytest.raises(ValueError, match="unknown"):
        variation_icon_svg(code)
    with pytest.raises(ValueError, match="unknown"):
        assurance_icon_svg(code)
    with pytest.raises(ValueError, match="unknown"):
        variation_label(code)
    with pytest.raises(ValueError, match="unknown"):
        assurance_label(code)


@pytest.mark.parametrize("size", [0, -5, float("nan"), "40", True], ids=str)
def test_bad_sizes_are_refused(size):
    with pytest.raises(ValueError, match="size"):
        variation_icon_svg("common_cause", size=size)
    with pytest.raises(ValueError, match="size"):
        assurance_icon_svg("pass", size=size)


def test_fractional_size():
    assert parse(assurance_icon_svg("pass", size=24.5)).get("width") == "24.5"
