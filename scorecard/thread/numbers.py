"""How numbers are written for people: one rule for the app, the charts, the pack and the CLI."""

from __future__ import annotations

import math

SUPPRESSED_MARK = "*"  # stands for a value hidden by small-number suppression


def format_number(value: float | None) -> str:
    """A number as people read it on a scorecard: about three significant figures.

    2 decimals below 10 (limits such as 6.95), 1 decimal from 10 to 1,000 (47.3%, 181.9),
    none from 1,000 (with thousands separators); trailing zeros dropped.
    """
    if value is None or not math.isfinite(value):
        return "–"
    size = abs(value)
    if size >= 1000:
        text = f"{size:,.0f}"
    else:
        text = f"{size:.1f}" if size >= 10 else f"{size:.2f}"
        text = text.rstrip("0").rstrip(".")
    if text in ("0", ""):
        return "0"
    return ("−" if value < 0 else "") + text


def format_value(value: float | None, unit: str = "", suppressed: bool = False) -> str:
    """A value with its unit: "12.5%", "£1,234", "3.2 days"; "*" when suppressed; "–" if none."""
    if suppressed:
        return SUPPRESSED_MARK
    text = format_number(value)
    if value is None or not math.isfinite(value):
        return text
    if unit == "%":
        return f"{text}%"
    if unit == "£":
        return f"−£{text[1:]}" if text.startswith("−") else f"£{text}"
    if unit == "days":
        return f"{text} days"
    return text
