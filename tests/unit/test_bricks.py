"""Brick cards: states, each KPI once per card, filters, declared events and what moved when."""

from __future__ import annotations

import dataclasses

import pytest

from scorecard.reports.bricks import (
    NO_LEAD,
    STATES,
    brick_cards,
    cards_frame,
    declared_events,
    kpi_state,
    movement,
    movement_sentence,
    select_cards,
    worst_state,
)
from scorecard.reports.scoring import ScorecardRow
from scorecard.statistics.spc import analyse
from scorecard.statistics.spc_settings import SpcSettings
from scorecard.thread.domain import Direction, LinkKind, SpcEvent, SpcEventKind


def row(code: str = "ACT-RRPKG", **changes: object) -> ScorecardRow:
    base = ScorecardRow(
        kpi_code=code,
        kpi_name=code,
        tier="activity",
        outcome_numbers=(),
        area_code="QPM",
        period="2026-10",
        value=31.0,
        status="final",
        target=30.0,
        direction="increase",
        n_points=36,
        mean=30.0,
        upl=35.0,
        lpl=25.0,
        variation="common_cause",
        assurance="hit_or_miss",
        suppressed=False,
        unit="count",
    )
    return dataclasses.replace(base, **changes)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (None, "not_reported"),
        (row(period=None, value=None), "no_data"),
        (row(variation="concern_low", assurance="fail"), "concern"),
        (row(variation="concern_high"), "concern"),
        (row(assurance="fail"), "failing"),
        (row(variation="improvement_high", assurance="fail"), "failing"),
        (row(variation="none", assurance="none"), "too_few"),
        (row(variation="improvement_low"), "improvement"),
        (row(variation="neither_high"), "common"),
        (row(), "common"),
    ],
    ids=[
        "not-reported",
        "no-data",
        "concern-and-failing",
        "concern",
        "failing",
        "improving-but-failing",
        "too-few",
        "improvement",
        "neither",
        "common-cause",
    ],
)
def test_kpi_state(given, expected):
    assert kpi_state(given) == expected


def test_worst_state_orders_concern_first_and_improvement_last():
    assert worst_state(["improvement", "common", "concern"]) == "concern"
    assert worst_state(["improvement", "too_few"]) == "too_few"
    assert worst_state(["improvement", "not_reported"]) == "improvement"
    assert worst_state([]) == "not_reported"
    assert next(iter(STATES)) == "concern"


def test_a_card_lists_each_kpi_once_and_says_when_an_activity_kpi_is_shared(framework):
    cards = {c.brick.code: c for c in brick_cards(framework, {})}
    assert len(cards) == len(framework.bricks)
    for card in cards.values():
        codes = [k.kpi.code for k in card.kpis]
        assert len(codes) == len(set(codes)), card.brick.code
    mdt = cards["CR-MDT"]  # ACT-CRAVOID is also Support Community & VCS resources' measure
    shared = next(k for k in mdt.activity if k.kpi.code == "ACT-CRAVOID")
    assert shared.shared_with == ("CR-VCSRES",)
    assert next(k for k in mdt.activity if k.kpi.code == "ACT-WELFARE").shared_with == ()
    rapid = cards["CR-RR"]  # both activity KPIs feed LEAD-ED: it is listed once, fed by both
    lead_codes = [k.kpi.code for k in rapid.leads]
    assert lead_codes.count("LEAD-ED") == 1
    assert next(k for k in rapid.leads if k.kpi.code == "LEAD-ED").fed_by == (
        "ACT-RRPKG",
        "ACT-UCR2H",
    )
    expected = {
        lead
        for act in framework.linked(LinkKind.BRICK_ACTIVITY_KPI, "CR-RR")
        for lead in framework.linked_to(LinkKind.LEAD_ACTIVITY_KPI, act)
    }
    assert set(lead_codes) == expected


def test_the_brick_state_is_its_worst_kpi_and_names_it(framework):
    rows = {
        "ACT-RRPKG": row("ACT-RRPKG", variation="improvement_high"),
        "ACT-UCR2H": row("ACT-UCR2H", assurance="fail"),
        "LEAD-ED": row("LEAD-ED"),
        "LEAD-EMADM": row("LEAD-EMADM"),
    }
    card = next(c for c in brick_cards(framework, rows) if c.brick.code == "CR-RR")
    assert card.state == "failing"
    assert [k.kpi.code for k in card.worst] == ["ACT-UCR2H"]
    rows["LEAD-ED"] = row("LEAD-ED", variation="concern_low")
    card = next(c for c in brick_cards(framework, rows) if c.brick.code == "CR-RR")
    assert card.state == "concern"
    assert [k.kpi.code for k in card.worst] == ["LEAD-ED"]


def test_filters_by_pillar_owner_state_and_brick(framework):
    rows = {"ACT-RRPKG": row("ACT-RRPKG", variation="concern_high")}
    cards = brick_cards(framework, rows)
    owner = framework.kpi("ACT-RRPKG").owner_role
    by_owner = select_cards(cards, owner=owner)
    assert [c.brick.code for c in by_owner] == ["CR-RR"]
    assert all(c.brick.pillar_code == "CR" for c in select_cards(cards, pillar="CR"))
    assert [c.brick.code for c in select_cards(cards, state="concern")] == ["CR-RR"]
    assert [c.brick.code for c in select_cards(cards, brick="SW-VW")] == ["SW-VW"]
    assert select_cards(cards, pillar="EN", brick="CR-RR") == []
    assert len(select_cards(cards)) == len(framework.bricks)


def test_the_download_table_has_a_row_per_brick_and_kpi(framework):
    rows = {"ACT-RRPKG": row("ACT-RRPKG", value=33.5, target=31.5)}
    cards = select_cards(brick_cards(framework, rows), brick="CR-RR")
    table = cards_frame(cards, "NHS Northamptonshire ICB")
    assert list(table["KPI code"]) == [k.kpi.code for k in cards[0].kpis]
    first = table.iloc[0]
    assert (first["Value"], first["Target"], first["Period"]) == (33.5, 31.5, "2026-10")
    assert first["Role"] == "Activity KPI"
    assert set(table.loc[table["Role"] == "Lead KPI", "Fed by"]) >= {"ACT-RRPKG; ACT-UCR2H"}
    assert table.loc[table["KPI code"] == "ACT-UCR2H", "State"].item() == STATES["not_reported"]


def test_an_activity_kpi_without_a_lead_says_so(framework):
    card = next(c for c in brick_cards(framework, {}) if c.brick.code == "EN-EDU")
    assert card.activity[0].leads == ()
    assert card.leads == ()
    assert NO_LEAD == "feeds no lead KPI in the framework"


def test_declared_events_of_a_brick_for_an_area(framework):
    events = (
        SpcEvent("ACT-FFD", "2024-12", SpcEventKind.IMPROVEMENT_STARTED, "all areas"),
        SpcEvent("ACT-FFD", "2025-12", SpcEventKind.SUPPORT_ENDED, "all areas"),
        SpcEvent("ACT-FFD", "2025-02", SpcEventKind.IMPROVEMENT_STARTED, "RNS only", "RNS"),
        SpcEvent("ACT-FFD", "2025-03", SpcEventKind.EXCLUDE, "a bad month"),
        SpcEvent("ACT-FFD", "2025-05", SpcEventKind.CHANGE_POINT, "RNQ recording", "RNQ"),
        SpcEvent("LEAD-EMADM", "2025-01", SpcEventKind.CHANGE_POINT, "not the brick's"),
    )
    fw = dataclasses.replace(framework, spc_events=events)
    icb = declared_events(fw, ["ACT-FFD"], "QPM")
    assert [(e.period, e.kind) for e in icb] == [
        ("2024-12", "Improvement started"),
        ("2025-12", "Support ended"),
    ]
    rns = declared_events(fw, ["ACT-FFD"], "RNS")  # its own start replaces the all-areas one
    assert [(e.period, e.kind, e.reason) for e in rns] == [
        ("2025-02", "Improvement started", "RNS only"),
        ("2025-12", "Support ended", "all areas"),
    ]
    rnq = declared_events(fw, ["ACT-FFD"], "RNQ")
    assert ("2025-05", "Change point") in [(e.period, e.kind) for e in rnq]
    assert rnq[0].label == "Improvement started (ACT-FFD)"


def months(n: int) -> list[str]:
    return [f"{2024 + i // 12}-{i % 12 + 1:02d}" for i in range(n)]


def test_movement_finds_the_latest_run_of_special_cause(framework):
    values = [10.0, 11.0] * 10 + [30.0, 31.0, 10.5]  # two points above the limit, then back
    result = analyse(values, Direction.INCREASE, settings=SpcSettings(baseline_points=20))
    kpi = framework.kpi("ACT-RRPKG")
    move = movement(kpi, months(len(values)), result)
    assert (move.state, move.start, move.end, move.latest) == (
        "improvement",
        "2025-09",
        "2025-10",
        "2025-11",
    )
    flat = analyse([10.0, 11.0] * 10, Direction.INCREASE)
    assert movement(kpi, months(20), flat).state == ""


def test_the_movement_sentence_says_what_moved_when_and_in_which_order(framework):
    up = [10.0, 11.0] * 10 + [30.0, 31.0, 32.0]
    later = [10.0, 11.0] * 10 + [10.5, 10.4, 30.0]
    settings = SpcSettings(baseline_points=20)
    activity = movement(
        framework.kpi("ACT-FFD"),
        months(23),
        analyse(up, Direction.INCREASE, settings=settings),
    )
    lead = movement(
        framework.kpi("LEAD-EMADM"),
        months(23),
        analyse(later, Direction.DECREASE, settings=settings),
    )
    text = movement_sentence(activity, [lead])
    assert text.startswith("ACT-FFD showed special-cause improvement from September 2025 to")
    assert "LEAD-EMADM showed special-cause concern in November 2025, 2 months after ACT-FFD" in (
        text
    )
    assert "do not show that one caused the other" in text
    quiet = movement_sentence(activity, [])
    assert "caused" not in quiet
