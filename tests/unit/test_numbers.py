"""One rule for writing numbers, shared by the app, the charts, the pack and the CLI."""

from __future__ import annotations

import math

import pytest

from scorecard.thread.numbers import SUPPRESSED_MARK, format_number, format_value


@pytest.mark.parametrize(
    ("value", "text"),
    [
        pytest.param(1.9444, "1.94", id="two-decimals"),
        pytest.param(-3.0626, "−3.06", id="negative"),
        pytest.param(70.0, "70", id="whole"),
        pytest.param(47.2914, "47.3", id="tens"),
        pytest.param(123.456, "123.5", id="hundreds"),
        pytest.param(12345.6, "12,346", id="thousands"),
        pytest.param(0.0, "0", id="zero"),
        pytest.param(-0.001, "0", id="rounds-to-zero"),
        pytest.param(None, "–", id="none"),
        pytest.param(math.nan, "–", id="nan"),
    ],
)
def test_format_number(value, text):
    assert format_number(value) == text


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        pytest.param(12.5, "%", "12.5%", id="percent"),
        pytest.param(1234.0, "£", "£1,234", id="pounds"),
        pytest.param(-5.0, "£", "−£5", id="negative-pounds"),
        pytest.param(3.25, "days", "3.25 days", id="days"),
        pytest.param(7.0, "count", "7", id="count"),
        pytest.param(None, "%", "–", id="missing"),
        pytest.param(math.inf, "%", "–", id="infinite"),
        pytest.param(95.47, "%", "95.5%", id="same-rule-as-numbers"),
    ],
)
def test_format_value(value, unit, text):
    assert format_value(value, unit) == text


def test_a_suppressed_value_is_never_written():
    assert format_value(5.0, "count", suppressed=True) == SUPPRESSED_MARK
