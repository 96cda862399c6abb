"""Selection: URL parameters round-trip, and anything not allow-listed falls back to defaults."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scorecard.ui.selection import PARAM_NAMES, Choices, Selection, Substitution

CHOICES = Choices(
    months=("2024-01", "2024-02", "2024-03"),
    areas=("QPM", "E06000061", "E06000062", "RNS", "RNQ"),
    nodes=("outcome:O7", "kpi:LEAD-ESC", "i_statement:EX-01"),
    kpis=("LEAD-ESC", "LEAD-ED", "ACT-RRPKG"),
    pillars=("CR", "FEFD"),
    bricks=("CR-RR",),
    owners=("Brick lead: Rapid Response",),
    default_month="2024-03",
    default_area="QPM",
)


def test_defaults_when_no_parameters():
    sel = Selection.from_query_params({}, CHOICES)
    assert sel == Selection(month="2024-03", area="QPM")
    assert sel.to_query_params() == {"month": "2024-03", "area": "QPM"}


@pytest.mark.parametrize(
    "params",
    [
        {"month": "2024-01", "area": "E06000062"},
        {"month": "2024-02", "area": "RNS", "kpi": "LEAD-ED"},
        {"month": "2024-03", "area": "QPM", "node": "outcome:O7"},
        {"month": "2024-01", "area": "QPM", "pillar": "CR", "brick": "CR-RR"},
        {"month": "2024-01", "area": "QPM", "owner": "Brick lead: Rapid Response"},
    ],
    ids=["month-area", "kpi", "node", "pillar-brick", "owner-with-spaces"],
)
def test_round_trip(params):
    sel = Selection.from_query_params(params, CHOICES)
    assert sel.to_query_params() == params
    assert Selection.from_query_params(sel.to_query_params(), CHOICES) == sel


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("month", "<script>alert(1)</script>"),
        ("month", "2024-13"),
        ("month", "2031-01"),  # well-formed but not in the store
        ("area", "../../etc/passwd"),
        ("area", "qpm"),  # codes are exact
        ("kpi", "' OR 1=1 --"),
        ("kpi", "__import__('os').system('id')"),
        ("node", "outcome:O7' OR '1'='1"),
        ("pillar", "CR" * 100),
        ("brick", ""),
        ("owner", "Brick lead"),
    ],
)
def test_hostile_or_unknown_values_fall_back(name, value):
    sel = Selection.from_query_params({name: value}, CHOICES)
    assert sel == Selection(month="2024-03", area="QPM")


def test_repeated_keys_take_the_last_allowed_value_only_if_allowed():
    assert Selection.from_query_params({"area": ["QPM", "RNS"]}, CHOICES).area == "RNS"
    assert Selection.from_query_params({"area": ["RNS", "evil"]}, CHOICES).area == "QPM"


def test_unknown_parameters_are_ignored():
    sel = Selection.from_query_params({"page": "x", "debug": "1", "kpi": "LEAD-ESC"}, CHOICES)
    assert sel.to_query_params() == {"month": "2024-03", "area": "QPM", "kpi": "LEAD-ESC"}


def test_only_keeps_month_area_and_named_fields():
    sel = Selection("2024-01", "RNS", node="outcome:O7", kpi="LEAD-ED", brick="CR-RR")
    assert sel.only("kpi") == Selection("2024-01", "RNS", kpi="LEAD-ED")
    assert sel.only() == Selection("2024-01", "RNS")


def test_selection_is_frozen():
    sel = Selection("2024-01", "QPM")
    with pytest.raises(AttributeError):
        sel.month = "2024-02"  # type: ignore[misc]


@given(st.dictionaries(st.sampled_from(PARAM_NAMES), st.text(max_size=120)))
def test_any_input_gives_allowed_values_only(params):
    sel = Selection.from_query_params(params, CHOICES)
    assert sel.month in CHOICES.months
    assert sel.area in CHOICES.areas
    assert sel.kpi in ("", *CHOICES.kpis)
    assert sel.node in ("", *CHOICES.nodes)
    assert sel.pillar in ("", *CHOICES.pillars)
    assert sel.brick in ("", *CHOICES.bricks)
    assert sel.owner in ("", *CHOICES.owners)


@pytest.mark.parametrize(
    ("params", "month", "found"),
    [
        pytest.param({"month": "2024-02"}, "2024-02", (), id="known-month"),
        pytest.param(
            {"month": "2031-01"},
            "2024-03",
            (Substitution("month", "2031-01", "2024-03"),),
            id="after-the-data-opens-the-latest",
        ),
        pytest.param(
            {"month": "2023-06"},
            "2024-01",
            (Substitution("month", "2023-06", "2024-01"),),
            id="before-the-data-opens-the-first",
        ),
        pytest.param(
            {"month": "2024-13", "area": "ZZZ", "kpi": "NOPE"},
            "2024-03",
            (
                Substitution("month", "2024-13", "2024-03"),
                Substitution("area", "ZZZ", "QPM"),
                Substitution("kpi", "NOPE", ""),
            ),
            id="malformed-and-unknown",
        ),
    ],
)
def test_a_link_opens_the_nearest_view_and_says_what_it_replaced(params, month, found):
    sel, subs = Selection.from_link(params, CHOICES)
    assert sel.month == month
    assert subs == found


def test_a_link_between_months_opens_the_latest_before_it():
    choices = Choices(months=("2024-01", "2024-03"), areas=("QPM",), default_area="QPM")
    sel, subs = Selection.from_link({"month": "2024-02"}, choices)
    assert sel.month == "2024-01"
    assert subs == (Substitution("month", "2024-02", "2024-01"),)


@given(st.dictionaries(st.sampled_from(PARAM_NAMES), st.text(max_size=120)))
def test_a_link_gives_allowed_values_only(params):
    sel, subs = Selection.from_link(params, CHOICES)
    assert sel.month in CHOICES.months
    assert sel.area in CHOICES.areas
    assert sel.kpi in ("", *CHOICES.kpis)
    assert {s.name for s in subs} <= set(params)
