"""The Board pack's funnel plot of a benchmarked lead KPI (scorecard.reports.pack.funnel)."""

from __future__ import annotations

import re

from scorecard.reports.pack.funnel import funnel_alt, funnel_svg
from scorecard.statistics.benchmark import peer_table
from scorecard.thread.domain import Direction

# Synthetic case table: ten organisations, over-dispersed proportions, one far outlier.
DENS = [500.0, 800.0, 1000.0, 1200.0, 1500.0, 2000.0, 900.0, 700.0, 600.0, 1100.0]
PROPS = [0.30, 0.42, 0.51, 0.38, 0.61, 0.45, 0.70, 0.25, 0.49, 0.95]
CODES = [f"Q{i:02d}" for i in range(9)] + ["<b>QX</b>"]


def _table(unit: str = "%"):
    nums = [p * d for p, d in zip(PROPS, DENS, strict=True)]
    return peer_table(
        CODES,
        CODES,
        [p * 100 for p in PROPS],
        nums,
        DENS,
        (48.0, 4800, 10000),
        unit,
        Direction.INCREASE,
    )


def test_the_funnel_draws_every_peer_the_area_named_england_and_both_limits() -> None:
    table = _table()
    svg = str(funnel_svg(table, "Q04", "Synthetic ICB", "Share of discharges", "%"))
    assert svg.startswith("<svg")
    title = re.search(r"<title>(.*?)</title>", svg)
    assert title is not None
    assert title.group(1) == (
        "Funnel plot of Share of discharges: 10 organisations; England 48%; Synthetic ICB 61%, "
        "similar to England (within the 95% limits)."
    )
    # nine grey points in one path (four-point arcs each), the area's own as a circle
    dots = re.search(r'<path d="([^"]*)" fill="#[0-9a-f]+"/>', svg)
    assert dots is not None
    assert dots.group(1).count("M") == 9
    assert svg.count("<circle") == 1
    assert ">Q04</text>" in svg
    assert "England 48%" in svg
    assert svg.count('stroke-dasharray="5 3"') == 2  # the 95% limits
    assert svg.count('stroke-dasharray="2 2"') == 2  # the 99.8% limits
    assert "limits widened for spread" in svg  # τ² > 0 in this table


def test_a_code_from_the_data_is_text_never_markup() -> None:
    svg = str(funnel_svg(_table(), "<b>QX</b>", "<i>Area</i>", "KPI", "%"))
    assert "<b>" not in svg
    assert "<i>" not in svg
    assert "&lt;b&gt;QX&lt;/b&gt;" in svg
    assert "significantly better than England" in funnel_alt(_table(), "<b>QX</b>", "A", "K", "%")


def test_a_ranked_measure_has_no_funnel_to_draw() -> None:
    assert funnel_svg(_table(unit="days"), "Q04", "Synthetic ICB", "Days", "days") is None
    few = peer_table(
        CODES[:3], CODES[:3], [50.0, 40.0, 60.0], [50, 40, 60], [100, 100, 100],
        (48.0, 4800, 10000), "%", Direction.INCREASE,
    )  # fmt: skip
    assert funnel_svg(few, "Q00", "Synthetic ICB", "KPI", "%") is None
