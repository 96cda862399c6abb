"""The Board pack's lead KPI table says how each KPI compares with England, in words."""

from __future__ import annotations

import pytest

from scorecard.reports.pack.pages_front import versus_england_words


@pytest.mark.parametrize(
    ("band", "words"),
    [
        ("better_998", "significantly better"),
        ("better_95", "better"),
        ("similar", "similar"),
        ("worse_95", "worse"),
        ("worse_998", "significantly worse"),
        ("not_comparable", "not compared"),
    ],
)
def test_each_band_has_its_words(band: str, words: str) -> None:
    assert versus_england_words({"benchmark": {"band": band}}) == words


@pytest.mark.parametrize("row", [None, {}, {"benchmark": None}])
def test_no_benchmark_is_not_compared(row) -> None:
    assert versus_england_words(row) == "not compared"
