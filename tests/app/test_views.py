"""The app's view models: default month, golden-thread neighbourhoods, document rows, kite marks."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest

from scorecard.statistics.quality import KiteMark, Mark
from scorecard.thread.framework_coverage import threads
from scorecard.ui import views
from scorecard.ui.display import kite_svg, markdown_table
from scorecard.ui.views import md

TODAY = dt.date(2024, 5, 10)


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ({"2024-02": 100, "2024-03": 100, "2024-04": 100}, "2024-04"),
        ({"2024-02": 100, "2024-03": 100, "2024-04": 12}, "2024-03"),  # April barely started
        ({"2024-03": 100, "2024-04": 90}, "2024-04"),  # 90% is complete
        ({"2024-03": 100, "2024-04": 89}, "2024-03"),  # one short of 90%
        ({"2024-04": 100, "2024-05": 100}, "2024-04"),  # this month is never complete
        ({"2024-05": 10}, "2024-05"),  # only this month: show it rather than nothing
        ({}, ""),
    ],
    ids=[
        "all-full",
        "latest-sparse",
        "at-threshold",
        "below-threshold",
        "this-month",
        "only",
        "empty",
    ],
)
def test_latest_complete_month(counts, expected):
    assert views.latest_complete_month(counts, TODAY) == expected


def test_month_label():
    assert views.month_label("2024-03") == "March 2024"
    assert views.month_label("nonsense") == "nonsense"


def test_md_makes_markdown_and_html_inert():
    text = "<script>alert(1)</script> **bold** [x](javascript:1) :smile: $x$"
    out = md(text)
    assert "<" not in out.replace("\\<", "")
    assert "**" not in out.replace("\\*", "")
    assert "](" not in out.replace("\\]\\(", "")
    assert ":smile:" not in out


def test_markdown_table_keeps_one_row_per_record_whatever_the_cells_hold():
    hostile = "a | b\n| c | <script>x</script>\r\n\n[link](javascript:1)"
    frame = pd.DataFrame({"KPI": [md(hostile), md("plain")], "Value": ["1", "2"]})
    lines = markdown_table(frame).splitlines()
    assert lines[:2] == ["| KPI | Value |", "|---|---|"]
    assert len(lines) == 4  # header, rule, two rows: line breaks cannot start a new row
    assert all(len(re.findall(r"(?<!\\)\|", line)) == 3 for line in lines)
    assert "<script>" not in lines[2]
    assert "](" not in lines[2]


def test_areas_are_ordered_icb_places_trusts(framework):
    codes = views.ordered_areas(framework)
    assert codes[:3] == ["QPM", "E06000061", "E06000062"]
    assert {"RNS", "RNQ"} <= set(codes[3:])
    assert views.default_area(framework) == "QPM"


def test_neighbourhood_of_a_lead_kpi_goes_up_and_down(framework):
    hood = views.neighbourhood(framework, "kpi:LEAD-ESC")
    assert {
        "outcome:O7",
        "outcome:O5",
        "ambition:A1",
        "population_outcome:STAY_WELL",
        "population_outcome:AGE_WELL",
    } <= set(hood.above)
    assert {"kpi:ACT-CRAVOID", "kpi:ACT-GPREV", "i_statement:EX-01"} <= set(hood.below)
    assert all(b.startswith("brick:") for b in hood.beside)
    assert set(hood.above).isdisjoint(hood.below)
    members = set(hood.members)
    assert all(e.upper in members and e.lower in members for e in hood.edges)


def test_what_is_above_an_outcome_reads_by_level_not_as_a_chain(framework):
    levels = views.levels_above(framework, views.neighbourhood(framework, "outcome:O7"))
    assert [[n.key for n in level] for level in levels] == [
        ["population_outcome:STAY_WELL", "population_outcome:AGE_WELL"],
        ["ambition:A1"],
    ]
    below_kpi = views.levels_above(framework, views.neighbourhood(framework, "kpi:LEAD-ESC"))
    assert [n.kind for n in below_kpi[-1]] == ["outcome", "outcome"]  # O5 and O7, one level


def test_an_i_statement_has_nothing_below(framework):
    hood = views.neighbourhood(framework, "i_statement:EX-02")
    assert hood.below == ()
    assert "kpi:ACT-GPREV" in hood.above


def test_unlinked_placeholders_are_gaps(framework):
    loose = views.unlinked(framework)
    catalogue = views.nodes(framework)
    assert loose, "the framework has placeholder ambitions that link to nothing"
    assert all(views.is_gap(catalogue[k]) for k in loose if catalogue[k].placeholder)


def test_the_three_document_rows_come_from_the_links(framework):
    rows = views.document_rows(framework, threads(framework))
    assert [n for n, _ in rows] == [1, 2, 3]
    cells = [t.cells(framework) for _, t in rows]
    assert [c[2] for c in cells] == [
        "Prevented avoidable admissions into the acute setting",
        "Reduced avoidable escalations",
        "People with frailty access the services they need",
    ]
    assert [c[4] for c in cells] == [
        "Avoided attendances due to Community Resilience Intervention",
        "Projected additional packages per day to Rapid Response",
        "Number of people discussed in GP Reviews",
    ]


def test_sankey_has_every_edge_and_alt_text(framework):
    hood = views.neighbourhood(framework, "outcome:O3")
    fig = views.thread_sankey(framework, hood)
    trace = fig.data[0]
    assert len(trace.link.source) == len(hood.edges)
    assert len(trace.node.label) == len(hood.members)
    assert (
        "Sankey diagram of the golden thread around iCAN outcome O3" in fig.layout.meta["alt_text"]
    )
    assert all(0 <= y <= 1 for y in trace.node.y)


@pytest.mark.parametrize("overall", ["good", "attention", "poor"])
def test_kite_svg_carries_rating_as_letter_and_label(overall):
    marks = (Mark("timeliness", "good", "on time"), Mark("completeness", overall, "…"))
    svg = kite_svg(KiteMark(marks))
    assert svg.startswith("<svg")
    assert svg.endswith("</svg>")
    assert f'aria-label="Data quality {overall}"' in svg
    assert re.search(r">[GAP]</text>", svg)
    assert svg.count("<polygon") == 2
