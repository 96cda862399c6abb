"""A KPI significantly worse than England is an exception; other bands and no benchmark are not."""

from __future__ import annotations

import dataclasses

import pytest
from test_exceptions import MONTH, row

from scorecard.reports.exceptions import exceptions, reasons_of


def _compared(band: str | None):
    base = row("LEAD-P0", tier="lead")
    if band is None:
        return base
    return dataclasses.replace(base, benchmark={"england": 84.1, "band": band, "method": "funnel"})


def test_significantly_worse_than_england_is_an_exception_with_englands_value() -> None:
    reasons = reasons_of(_compared("worse_998"), MONTH)
    assert [r.kind for r in reasons] == ["worse_than_england"]
    assert "significantly worse than England (84.1%)" in reasons[0].text
    items = exceptions([_compared("worse_998")], MONTH, previous_rows=[_compared("similar")])
    assert [i.reason_kinds for i in items] == [("worse_than_england",)]
    assert items[0].group == "new"


@pytest.mark.parametrize("band", [None, "worse_95", "similar", "better_998", "not_comparable"])
def test_other_bands_or_no_benchmark_are_not_exceptions(band: str | None) -> None:
    assert reasons_of(_compared(band), MONTH) == ()
