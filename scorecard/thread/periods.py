"""Monthly periods (``YYYY-MM``): arithmetic and the words people read them in. Pure."""

from __future__ import annotations

import re

_PERIOD = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def month_index(period: str) -> int:
    """Months since year 0 for a ``YYYY-MM`` period (for gaps and lags)."""
    return int(period[:4]) * 12 + int(period[5:7]) - 1


def period_of_index(index: int) -> str:
    """The ``YYYY-MM`` period of a month index (the inverse of ``month_index``)."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def previous_month(month: str) -> str:
    """The ``YYYY-MM`` month before ``month``."""
    return period_of_index(month_index(month) - 1)


def month_long(period: str) -> str:
    """'2024-03' as 'March 2024'; anything that is not a period comes back unchanged."""
    m = _PERIOD.fullmatch(period)
    return f"{MONTH_NAMES[int(m.group(2)) - 1]} {m.group(1)}" if m else period


def month_short(period: str) -> str:
    """'2024-03' as 'Mar 2024'; anything that is not a period comes back unchanged."""
    m = _PERIOD.fullmatch(period)
    return f"{MONTH_NAMES[int(m.group(2)) - 1][:3]} {m.group(1)}" if m else period
