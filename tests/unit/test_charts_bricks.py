"""Activity beside lead on one time axis, and one KPI across areas × months: figure contents."""

from __future__ import annotations

import math

import numpy as np
import pytest

from scorecard.reports.charts_heatmap import HEATMAP_STATES, kpi_heatmap
from scorecard.reports.charts_stacked import ChartEvent, ChartPanel, stacked_spc_chart
from scorecard.statistics.icons import STATE_COLOURS
from scorecard.statistics.spc import analyse
from scorecard.statistics.spc_settings import SpcSettings
from scorecard.thread.domain import Direction


def months(n: int, start: int = 0) -> list[str]:
    return [f"{2024 + (start + i) // 12}-{(start + i) % 12 + 1:02d}" for i in range(n)]


ACTIVITY = [10.0, 11.0] * 10 + [30.0, 31.0]
LEAD = [50.0, 52.0] * 9 + [40.0]


def panels() -> list[ChartPanel]:
    settings = SpcSettings(baseline_points=20)
    act = analyse(ACTIVITY, Direction.INCREASE, target=20.0, settings=settings)
    lead = analyse(LEAD, Direction.DECREASE, change_points=[12])
    return [
        ChartPanel(months(22), act, "Activity KPI ACT-X", "count", [20.0] * 22),
        ChartPanel(months(19, start=3), lead, "Lead KPI LEAD-Y", "%"),
    ]


def test_the_stack_shares_one_time_axis_with_a_panel_per_kpi():
    fig = stacked_spc_chart(panels(), [ChartEvent("2025-06", "Improvement started (ACT-X)")])
    layout = fig.layout
    assert layout.xaxis.matches == "x2"  # the activity's axis follows the lead's (bottom) one
    assert layout.xaxis.type == "date"
    assert layout.yaxis.domain[0] > layout.yaxis2.domain[1]  # activity above lead
    on_top = {t.name for t in fig.data if t.yaxis == "y"}
    below = [t for t in fig.data if t.yaxis == "y2"]
    assert "Target (trajectory)" in on_top
    assert below, "the lead KPI's chart is drawn"
    xs = [x for t in below for x in (t.x or ()) if x]
    assert min(xs) == "2024-04-01"  # the lead's own months, on the same axis
    titles = [a.text for a in layout.annotations if a.name is None]
    assert titles[:2] == ["Activity KPI ACT-X", "Lead KPI LEAD-Y"]


def test_each_event_is_drawn_through_every_panel_and_labelled_once():
    events = [
        ChartEvent("2025-01", "Improvement started (ACT-X)"),
        ChartEvent("2025-06", "Support ended (ACT-X)"),
    ]
    fig = stacked_spc_chart(panels(), events)
    for event in events:
        x = f"{event.period}-01"
        lines = [s for s in fig.layout.shapes if s.x0 == x and s.line.dash == "dashdot"]
        assert {s.yref for s in lines} == {"y domain", "y2 domain"}, event
        labels = [a for a in fig.layout.annotations if a.name == "event" and a.x == x]
        assert [a.text for a in labels] == [event.label]
    alt = fig.layout.meta["alt_text"]
    assert "2 SPC charts on one time axis: Activity KPI ACT-X above Lead KPI LEAD-Y" in alt
    assert "Improvement started (ACT-X), Jan 2025; Support ended (ACT-X), Jun 2025" in alt


def test_a_panel_keeps_its_own_change_point_that_is_not_a_brick_event():
    fig = stacked_spc_chart(panels(), [])
    own = [s for s in fig.layout.shapes if s.line.dash == "dot"]
    assert [(s.x0, s.yref) for s in own] == [("2025-04-01", "y2 domain")]  # lead's point 12
    assert "No declared events" in fig.layout.meta["alt_text"]


def test_legend_entries_are_not_repeated_across_panels():
    fig = stacked_spc_chart(panels(), [], synthetic=True)
    shown = [t.name for t in fig.data if t.showlegend is not False]
    assert len(shown) == len(set(shown))
    assert any(a.name == "synthetic-watermark" for a in fig.layout.annotations)


def test_a_stack_needs_a_panel():
    with pytest.raises(ValueError, match="at least one panel"):
        stacked_spc_chart([])


AREAS = ["NHS Northamptonshire ICB", "North Northamptonshire", "Kettering General Hospital"]


def grid():
    values = np.array([[1.0, 2.0, 3.0], [4.0, np.nan, 6.0], [7.0, 8.0, 9.0]])
    states = [
        ["run_chart", "common_cause", "improvement"],
        ["common_cause", "missing", "concern"],
        ["excluded", "neither", "common_cause"],
    ]
    return values, states


def test_heatmap_cells_are_coloured_by_state_with_values_on_hover():
    values, states = grid()
    fig = kpi_heatmap(AREAS, ["2026-09", "2026-10", "2026-11"], values, states, title="X", unit="%")
    heat = fig.data[0]
    names = [name for name, _, _, _ in HEATMAP_STATES]
    colour_of = {name: colour for name, _, colour, _ in HEATMAP_STATES}
    scale = heat.colorscale
    for r, row in enumerate(states):
        for c, state in enumerate(row):
            code = heat.z[r][c]
            assert names[code] == state
            # zmin/zmax put code k at (k + 0.5) / K on the stepped scale
            at = (code - heat.zmin) / (heat.zmax - heat.zmin)
            pairs = list(zip(scale[::2], scale[1::2], strict=True))
            colours = {a[1] for a, b in pairs if a[0] <= at <= b[0]}
            assert colours == {colour_of[state]}, (r, c)
    assert colour_of["concern"] == STATE_COLOURS["concern"]
    assert colour_of["improvement"] == STATE_COLOURS["improvement"]
    assert (heat.zmin, heat.zmax) == (-0.5, len(names) - 0.5)
    assert heat.customdata[0][2][0] == "3%"
    assert heat.customdata[1][1][0] == "–"
    assert heat.customdata[1][2][1] == "Special cause – concern"
    assert "%{customdata[0]}" in heat.hovertemplate
    assert list(heat.y) == AREAS  # the given order, drawn top down
    assert fig.layout.yaxis.autorange == "reversed"
    assert heat.text[1][2] == "C"
    assert heat.text[0][2] == "I"
    legend = [t.name for t in fig.data[1:]]
    assert "Special cause – concern (C)" in legend
    assert "No value" in legend


def test_heatmap_alt_text_counts_the_latest_month():
    values, states = grid()
    fig = kpi_heatmap(AREAS, ["2026-09", "2026-10", "2026-11"], values, states, title="X", unit="%")
    alt = fig.layout.meta["alt_text"]
    assert alt.startswith("Heatmap of X: 3 areas by 3 months (Sep 2026–Nov 2026)")
    counts = "1 common cause, 1 special cause – improvement, 1 special cause – concern"
    assert f"in Nov 2026: {counts}." in alt


def test_a_large_heatmap_drops_cell_letters_but_keeps_hover():
    n_areas, n_months = 200, 60
    values = np.arange(n_areas * n_months, dtype=float).reshape(n_areas, n_months)
    states = [["common_cause"] * n_months for _ in range(n_areas)]
    fig = kpi_heatmap(
        [f"PCN {i}" for i in range(n_areas)],
        months(n_months),
        values,
        states,
        title="Y",
        unit="count",
        synthetic=True,
    )
    heat = fig.data[0]
    assert heat.text is None
    assert len(heat.customdata) == n_areas
    assert len(heat.customdata[0]) == n_months
    assert fig.layout.height < 2000
    assert "Synthetic data." in fig.layout.meta["alt_text"]


def test_heatmap_rejects_mismatched_or_unknown_states():
    values, states = grid()
    with pytest.raises(ValueError, match="3 × 2"):
        kpi_heatmap(AREAS, ["2026-10", "2026-11"], values, states, title="X", unit="%")
    bad = [list(r) for r in states]
    bad[0][0] = "wonderful"
    with pytest.raises(ValueError, match="unknown heatmap states"):
        kpi_heatmap(AREAS, ["2026-09", "2026-10", "2026-11"], values, bad, title="X", unit="%")
    assert not math.isnan(values[0][0])
