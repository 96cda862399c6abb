"""SPC chart and sparkline figures, checked on their trace data (not pixels)."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from scorecard.reports.charts import chart_alt_text, spc_chart
from scorecard.reports.charts_layout import FONT, STATE_NAMES, STATE_SYMBOLS, period_label
from scorecard.reports.charts_sankey import SankeyLink, SankeyNode, sankey
from scorecard.reports.charts_sparklines import sparkline, sparkline_svg
from scorecard.statistics.icons import STATE_COLOURS
from scorecard.statistics.spc import analyse
from scorecard.statistics.spc_settings import SpcSettings
from scorecard.thread.domain import Direction

INC, DEC = Direction.INCREASE, Direction.DECREASE
SVG = "{http://www.w3.org/2000/svg}"

# 21 points around a mean of 0.5 (fixed baseline), then a high point above the UPL and a low
# point below the LPL: an increase KPI shows improvement then concern.
BASE = [0.0, 1.0] * 10 + [0.5]
VALUES = [*BASE, 3.5, 0.5, -2.5]


def months(n: int, start_year: int = 2024) -> list[str]:
    return [f"{start_year + i // 12}-{i % 12 + 1:02d}" for i in range(n)]


def analysed(values=VALUES, direction=INC, **kwargs):
    kwargs.setdefault("settings", SpcSettings(baseline_points=len(BASE)))
    return analyse(values, direction, **kwargs)


def chart(result=None, **kwargs):
    result = result or analysed()
    kwargs.setdefault("title", "Discharges on pathway 0 — RNS")
    kwargs.setdefault("unit", "%")
    return spc_chart(months(len(result.points)), result, **kwargs)


def point_traces(fig):
    return [t for t in fig.data if t.meta and "state" in t.meta]


def trace(fig, name):
    found = [t for t in fig.data if t.name == name]
    assert len(found) == 1, [t.name for t in fig.data]
    return found[0]


def line_trace(fig, label):
    return [t for t in fig.data if t.meta and t.meta.get("line") == label]


@pytest.mark.parametrize(
    ("direction", "state_of_high", "state_of_low"),
    [
        pytest.param(INC, "improvement", "concern", id="increase"),
        pytest.param(DEC, "concern", "improvement", id="decrease"),
        pytest.param(Direction.NEUTRAL, "neither", "neither", id="neutral"),
    ],
)
def test_points_coloured_and_shaped_by_state(direction, state_of_high, state_of_low):
    fig = chart(analysed(direction=direction))
    by_state = {t.meta["state"]: t for t in point_traces(fig)}
    high_x, low_x = f"{months(24)[21]}-01", f"{months(24)[23]}-01"
    assert high_x in by_state[state_of_high].x
    assert low_x in by_state[state_of_low].x
    for state, t in by_state.items():
        assert t.marker.color == STATE_COLOURS[state]
        assert t.marker.symbol == STATE_SYMBOLS[state]
        assert t.name == STATE_NAMES[state]
        assert t.showlegend is not False
    assert len(by_state["common_cause"].x) == 22


def test_mdc_palette():
    assert STATE_COLOURS["common_cause"] == "#a6a6a6"
    assert STATE_COLOURS["improvement"] == "#00b0f0"
    assert STATE_COLOURS["concern"] == "#e46c0a"
    assert STATE_COLOURS["neither"] == "#490092"


def test_every_state_has_its_own_symbol():
    shown = [s for s in STATE_SYMBOLS if s != "run_chart"]
    assert len({STATE_SYMBOLS[s] for s in shown}) == len(shown)
    assert STATE_SYMBOLS["excluded"] == "x"


def test_provisional_points_are_hollow():
    n = len(VALUES)
    result = analysed(provisional=[i >= n - 2 for i in range(n)])
    traces = point_traces(chart(result))
    hollow = [t for t in traces if t.meta["provisional"]]
    assert {t.meta["state"] for t in hollow} == {"common_cause", "concern"}
    for t in hollow:
        assert t.marker.symbol.endswith("-open")
        assert t.name.endswith("(provisional)")
    assert all(not t.marker.symbol.endswith("-open") for t in traces if not t.meta["provisional"])


def test_excluded_points_drawn_as_x():
    excluded = [i == 3 for i in range(len(VALUES))]
    fig = chart(analysed(excluded=excluded))
    (t,) = [t for t in point_traces(fig) if t.meta["state"] == "excluded"]
    assert t.marker.symbol == "x"
    assert t.x == (f"{months(4)[3]}-01",)
    assert t.name == "Excluded from calculation"


def test_target_line_only_with_a_target():
    without = chart(analysed())
    assert not [t for t in without.data if t.name and t.name.startswith("Target")]
    fig = chart(analysed(target=1.5))
    target = trace(fig, "Target")
    assert target.line.color == "#de1b1b"
    assert target.line.dash == "dash"
    assert target.y == (1.5, 1.5)
    assert target.x == ("2024-01-01", f"{months(len(VALUES))[-1]}-01")


def test_trajectory_drawn_per_point():
    n = len(VALUES)
    trajectory = [None] * 12 + [float(i) for i in range(n - 12)]
    fig = chart(analysed(target=5.0), target_series=trajectory)
    target = trace(fig, "Target (trajectory)")
    assert target.line.color == "#de1b1b"
    assert target.line.shape == "hv"
    assert list(target.y) == trajectory
    assert not [t for t in fig.data if t.name == "Target"]


def test_trajectory_of_wrong_length_is_an_error():
    with pytest.raises(ValueError, match="target_series"):
        chart(target_series=[1.0, 2.0])


def test_periods_must_match_points():
    with pytest.raises(ValueError, match="periods"):
        spc_chart(months(3), analysed(), title="t", unit="")


def test_limits_step_at_a_change_point_with_its_reason():
    values = [0.0, 1.0] * 10 + [10.0, 11.0] * 10
    result = analyse(values, INC, change_points=[20])
    periods = months(40)
    fig = spc_chart(
        periods,
        result,
        title="t",
        unit="count",
        annotations=[(periods[20], "New recording system"), (periods[5], "Winter pressures")],
    )
    (upl,) = line_trace(fig, "Upper process limit")
    y = list(upl.y)
    assert y[20] is None  # the step is broken between partitions
    assert upl.x[20] is None
    assert y[:20] == pytest.approx([0.5 + 2.66] * 20)
    assert y[21:41] == pytest.approx([10.5 + 2.66] * 20)
    (mean,) = line_trace(fig, "Mean")
    assert set(mean.y[:20]) == {0.5}
    assert set(mean.y[21:41]) == {10.5}
    change = [a for a in fig.layout.annotations if a.name == "change-point"]
    assert [a.text for a in change] == ["Change: New recording system"]
    assert change[0].x == f"{periods[20]}-01"
    shapes = [s for s in fig.layout.shapes if s.name == "change-point"]
    assert [s.x0 for s in shapes] == [f"{periods[20]}-01"]
    notes = [a for a in fig.layout.annotations if a.name == "note"]
    assert [a.text for a in notes] == ["Winter pressures"]
    assert notes[0].y == 1.0


def test_change_point_without_reason_is_still_labelled():
    values = [0.0, 1.0] * 10 + [10.0, 11.0] * 10
    fig = spc_chart(months(40), analyse(values, INC, change_points=[20]), title="t", unit="")
    change = [a for a in fig.layout.annotations if a.name == "change-point"]
    assert [a.text for a in change] == ["Change: Limits recalculated"]


@pytest.mark.parametrize("show", [True, False], ids=["with-2s", "without-2s"])
def test_two_sigma_lines_optional(show):
    fig = chart(show_two_sigma=show)
    assert bool(line_trace(fig, "Upper 2σ line")) is show
    assert bool(line_trace(fig, "Lower 2σ line")) is show


def test_run_chart_draws_median_and_no_limits():
    result = analyse([5.0, 7.0, 6.0, 9.0, 8.0], INC, target=6)
    fig = spc_chart(months(5), result, title="t", unit="days")
    assert line_trace(fig, "Median")
    assert list(line_trace(fig, "Median")[0].y[:5]) == [7.0] * 5
    assert not line_trace(fig, "Upper process limit")
    assert not line_trace(fig, "Mean")
    (points,) = point_traces(fig)
    assert points.meta["state"] == "run_chart"
    assert points.name.startswith("Value (run chart")
    assert "Run chart" in fig.layout.title.subtitle.text
    assert trace(fig, "Target").y == (6, 6)


@pytest.mark.parametrize("synthetic", [True, False], ids=["synthetic", "real"])
def test_synthetic_watermark(synthetic):
    fig = chart(synthetic=synthetic)
    marks = [a for a in fig.layout.annotations if a.name == "synthetic-watermark"]
    assert [a.text for a in marks] == (["Synthetic data"] if synthetic else [])
    assert ("synthetic data" in fig.layout.meta["alt_text"]) is synthetic


def test_hover_text_names_period_value_state_and_rules():
    fig = chart(analysed(provisional=[i == len(VALUES) - 1 for i in range(len(VALUES))]))
    by_state = {t.meta["state"]: t for t in point_traces(fig) if not t.meta["provisional"]}
    (text,) = by_state["improvement"].hovertext
    assert text.startswith("<b>Oct 2025</b><br>3.5%<br>Special cause – improvement")
    assert "above the upper process limit" in text
    (prov,) = [t for t in point_traces(fig) if t.meta["provisional"]]
    assert prov.hovertext[0].endswith("Provisional")


def test_layout_fonts_title_and_alt_text():
    fig = chart(title="A&E <b>waits</b>")
    assert fig.layout.font.family == FONT
    assert "Arial" in FONT
    assert fig.layout.title.text == "A&amp;E &lt;b&gt;waits&lt;/b&gt;"  # user text never markup
    assert fig.layout.height <= 768
    assert fig.layout.xaxis.tickformat == "%b %Y"
    assert fig.layout.meta["alt_text"].startswith("SPC chart of A&E <b>waits</b>, Jan 2024–")


def test_alt_text_sentence():
    result = analysed(target=-3.0)
    text = chart_alt_text(months(len(VALUES)), result, title="Delays for RNS", unit="%")
    assert text == (
        "SPC chart of Delays for RNS, Jan 2024–Dec 2025: latest −2.5% (Dec 2025), mean 0.5%, "
        "limits −2.09%–3.09%; special cause of concerning nature (low); target −3%, "
        "consistently hit."
    )


def test_alt_text_run_chart_and_empty():
    short = analyse([5.0, 7.0, 6.0], DEC)
    assert chart_alt_text(months(3), short, title="X", unit="days") == (
        "Run chart of X, Jan 2024–Mar 2024: latest 6 days (Mar 2024), median 6 days; "
        "too few points for SPC (3 of 15 needed); no target."
    )
    assert chart_alt_text([], analyse([], INC), title="X") == "Run chart of X: no data."


def test_empty_series_gives_an_empty_chart():
    fig = spc_chart([], analyse([], INC), title="Nothing yet", unit="")
    assert not point_traces(fig)
    assert fig.layout.meta["alt_text"] == "Run chart of Nothing yet: no data."


@pytest.mark.parametrize(
    ("period", "label"),
    [
        pytest.param("2026-10", "Oct 2026", id="month"),
        pytest.param("2024-01", "Jan 2024", id="january"),
        pytest.param("2024-Q1", "2024-Q1", id="not-a-month"),
    ],
)
def test_period_label(period, label):
    assert period_label(period) == label


def test_sparkline_figure_is_tiny_and_bare():
    result = analysed()
    fig = sparkline(result.points.values.tolist(), result.points.point_state)
    assert fig.layout.xaxis.visible is False
    assert fig.layout.yaxis.visible is False
    assert fig.layout.showlegend is False
    assert fig.layout.height <= 60
    dots = fig.data[1]
    assert list(dots.x) == [21, 23]  # the special-cause points; the latest is one of them
    assert list(dots.marker.color) == [STATE_COLOURS["improvement"], STATE_COLOURS["concern"]]
    assert fig.layout.meta["alt_text"].startswith("Sparkline of 24 points")


def parse_svg(text):
    root = ET.fromstring(text)
    assert root.tag == f"{SVG}svg"
    return root


def test_sparkline_svg_draws_segments_and_special_points():
    values = [1.0, 2.0, math.nan, 3.0, 4.0, 2.0]
    states = ["common_cause", "improvement", "missing", "common_cause", "concern", "common_cause"]
    root = parse_svg(sparkline_svg(values, states, width=100, height=20))
    assert root.get("role") == "img"
    assert root.get("aria-label") == "Sparkline of 5 points: latest 2, range 1 to 4"
    assert root.find(f"{SVG}title").text == root.get("aria-label")
    lines = root.findall(f"{SVG}polyline")
    assert len(lines) == 2  # broken at the missing value
    circles = root.findall(f"{SVG}circle")
    assert [c.get("fill") for c in circles] == [
        STATE_COLOURS["improvement"],
        STATE_COLOURS["concern"],
        STATE_COLOURS["common_cause"],  # the latest point
    ]
    for c in circles:
        assert 0 <= float(c.get("cx")) <= 100
        assert 0 <= float(c.get("cy")) <= 20


def test_sparkline_svg_flat_and_empty():
    flat = parse_svg(sparkline_svg([3.0] * 5, ["common_cause"] * 5))
    points = flat.find(f"{SVG}polyline").get("points").split()
    assert {p.split(",")[1] for p in points} == {"14.0"}  # mid-height, no division by zero
    empty = parse_svg(sparkline_svg([], []))
    assert empty.get("aria-label") == "Sparkline: no data"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"values": [1.0], "states": []}, "states", id="length-mismatch"),
        pytest.param({"values": [1.0], "states": ['"/><script>']}, "unknown", id="bad-state"),
        pytest.param({"values": [1.0], "states": ["common_cause"], "width": 0}, "width", id="w"),
        pytest.param(
            {"values": [1.0], "states": ["common_cause"], "height": "9"}, "height", id="h"
        ),
    ],
)
def test_sparkline_svg_rejects_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        sparkline_svg(**kwargs)


def test_chart_is_serialisable():
    fig = chart(analysed(target=1.0), show_two_sigma=True, synthetic=True)
    assert '"alt_text"' in fig.to_json()
    assert np.isfinite([v for t in point_traces(fig) for v in t.y]).all()


def test_sankey_places_columns_stacks_by_flow_and_escapes_text():
    nodes = [
        SankeyNode("a", "<b>Top</b>", "A hover", "#005EB8", 0),
        SankeyNode("b", "Left child", "B", "#41B6E6", 1),
        SankeyNode("c", "Right child", "C <script>", "#41B6E6", 1),
    ]
    links = [
        SankeyLink("a", "b", "grey", "stated"),
        SankeyLink("a", "c", "grey", "stated"),
        SankeyLink("a", "missing", "grey", "dropped: one end is not drawn"),
    ]
    fig = sankey(nodes, links, alt_text="Two children of one node.", column_x=(0.1, 0.9))
    trace = fig.data[0]
    assert list(trace.node.x) == [0.1, 0.9, 0.9]
    assert trace.node.y[0] == pytest.approx(0.5)  # alone in its column, centred
    assert trace.node.y[1] < trace.node.y[2]  # stacked in the order given
    assert list(trace.link.source) == [0, 0]
    assert list(trace.link.target) == [1, 2]
    assert trace.node.label[0] == "&lt;b&gt;Top&lt;/b&gt;"
    assert "<script>" not in trace.node.customdata[2]
    assert fig.layout.meta["alt_text"] == "Two children of one node."


def test_spc_chart_draws_the_two_processes_and_the_end_of_support() -> None:
    from scorecard.reports.charts import spc_chart as chart
    from scorecard.statistics.sustain import assess

    wobble = [0.5, -0.8, 1.1, -0.3, 0.2, -1.0, 0.7, -0.4, 0.9, -0.6, 0.3, -0.2]
    values = [50 + w for w in wobble] + [60 + w for w in wobble] + [50.4] * 3 + [50.6] * 4
    periods = [f"{2020 + i // 12}-{i % 12 + 1:02d}" for i in range(len(values))]
    verdict = assess(values, Direction.INCREASE, 12, 24, periods=periods)
    assert verdict.status == "lost"
    result = analyse(values, Direction.INCREASE, change_points=[12])
    fig = chart(periods, result, title="t", unit="%", sustainability=verdict)
    names = [t.name for t in fig.data]
    assert "Mean before the improvement" in names
    assert names.count("Improved process limits (fixed on 12 points)") == 2
    improved = next(t for t in fig.data if t.name == "Improved mean")
    assert list(improved.y) == [pytest.approx(verdict.improved_mean)] * (len(values) - 12)
    marker = [s for s in fig.layout.shapes if s.name == "support-ended"]
    assert len(marker) == 1
    assert any(a.text == "Support ended: lost" for a in fig.layout.annotations)
    assert "Sustainability: Lost:" in fig.layout.meta["alt_text"]
    plain = chart(periods, result, title="t", unit="%")
    assert "Improved mean" not in [t.name for t in plain.data]
