"""Exceptions, decisions and the summary grid (scorecard.reports.exceptions): case tables."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest

from scorecard.data.reviews_commentary import Action, Commentary
from scorecard.reports.exceptions import (
    ASSURANCE_CLASSES,
    CONTINUING,
    DECISION,
    NEW,
    assurance_class,
    commentary_line,
    decision_sentence,
    exceptions,
    headline,
    next_action,
    one_line,
    reasons_of,
    summary_grid,
    variation_class,
)
from scorecard.reports.scoring import ScorecardRow

MONTH = "2026-11"


def row(
    code: str = "ACT-X",
    *,
    tier: str = "activity",
    area: str = "QPM",
    period: str | None = MONTH,
    variation: str = "common_cause",
    assurance: str = "pass",
    sustainability: str = "none",
    target: float | None = 50.0,
) -> ScorecardRow:
    return ScorecardRow(
        kpi_code=code,
        kpi_name=f"KPI {code}",
        tier=tier,
        outcome_numbers=(),
        area_code=area,
        period=period,
        value=40.0 if period else None,
        status="final" if period else None,
        target=target,
        direction="increase",
        n_points=36 if period else 0,
        mean=None,
        upl=None,
        lpl=None,
        variation=variation,
        assurance=assurance,
        suppressed=False,
        unit="%",
        area_name=f"Area {area}",
        sustainability=sustainability,
    )


@dataclass(frozen=True)
class WithChangePoint:
    """A row as it will look once rows carry ``suggested_change_point``."""

    base: ScorecardRow
    suggested_change_point: str | None

    def __getattr__(self, name: str) -> object:
        return getattr(self.base, name)


def words(
    code: str = "ACT-X",
    area: str = "QPM",
    period: str = MONTH,
    *,
    version: int = 1,
    chart_says: str = "Fewer discharges before noon since the autumn.",
    actions: tuple[Action, ...] = (),
    decision_required: bool = False,
    decision: str = "",
) -> Commentary:
    return Commentary(
        id=1,
        kpi_code=code,
        area_code=area,
        period=period,
        version=version,
        chart_says=chart_says,
        issues="",
        actions=actions,
        mitigations="",
        author_id="owner",
        author_name="Owner",
        written_at="2026-12-03T10:00:00+00:00",
        decision_required=decision_required,
        decision=decision,
    )


@pytest.mark.parametrize(
    ("given", "kinds"),
    [
        pytest.param(row(), (), id="common-cause-passing-is-no-exception"),
        pytest.param(row(variation="concern_low"), ("concern",), id="concern-low"),
        pytest.param(row(variation="concern_high"), ("concern",), id="concern-high"),
        pytest.param(row(variation="improvement_high"), (), id="improvement-is-no-exception"),
        pytest.param(row(variation="neither_high"), (), id="neutral-special-cause"),
        pytest.param(row(assurance="fail"), ("failing",), id="failing-target"),
        pytest.param(row(assurance="hit_or_miss"), (), id="hit-or-miss-is-no-exception"),
        pytest.param(row(sustainability="lost"), ("lost",), id="lost"),
        pytest.param(row(sustainability="slipping"), ("slipping",), id="slipping"),
        pytest.param(row(sustainability="holding"), (), id="holding"),
        pytest.param(row(sustainability="too_early"), (), id="too-early"),
        pytest.param(
            row(period=None, variation="none", assurance="none"), ("missing",), id="no-data"
        ),
        pytest.param(
            row(variation="concern_low", assurance="fail", sustainability="lost"),
            ("concern", "lost", "failing"),
            id="three-reasons-most-serious-first",
        ),
    ],
)
def test_reasons_of_a_row(given: ScorecardRow, kinds: tuple[str, ...]) -> None:
    assert tuple(r.kind for r in reasons_of(given, MONTH)) == kinds


@pytest.mark.parametrize(
    ("lag", "kinds"),
    [
        pytest.param((0, 1), (), id="on-time"),
        pytest.param((1, 1), (), id="at-the-allowed-lag"),
        pytest.param((2, 1), ("late",), id="one-month-beyond"),
        pytest.param((None, 1), (), id="unknown-lag"),
    ],
)
def test_late_data_by_the_series_lag(lag: tuple[int | None, int], kinds: tuple[str, ...]) -> None:
    got = reasons_of(row(period="2026-09"), MONTH, lag)
    assert tuple(r.kind for r in got) == kinds
    if kinds:
        assert "September 2026" in got[0].text
        assert "2 months behind" in got[0].text


def test_suggested_change_point_is_read_when_rows_carry_it() -> None:
    shifted = WithChangePoint(row(), "2026-05")
    got = reasons_of(shifted, MONTH)  # type: ignore[arg-type]
    assert [r.kind for r in got] == ["change_point"]
    assert "May 2026" in got[0].text
    assert reasons_of(WithChangePoint(row(), None), MONTH) == ()  # type: ignore[arg-type]


def test_reason_words_name_the_target_and_direction() -> None:
    got = {
        r.kind: r.text for r in reasons_of(row(variation="concern_low", assurance="fail"), MONTH)
    }
    assert "unusually low" in got["concern"]
    assert "50%" in got["failing"]


@pytest.mark.parametrize(
    ("variation", "expected"),
    [
        ("improvement_high", "improvement"),
        ("improvement_low", "improvement"),
        ("common_cause", "common_cause"),
        ("concern_high", "concern"),
        ("concern_low", "concern"),
        ("neither_high", "neutral"),
        ("neither_low", "neutral"),
        ("none", "no_reading"),
    ],
)
def test_variation_class(variation: str, expected: str) -> None:
    assert variation_class(variation) == expected


@pytest.mark.parametrize("assurance", [*ASSURANCE_CLASSES, "unknown"])
def test_assurance_class(assurance: str) -> None:
    assert assurance_class(assurance) == (assurance if assurance != "unknown" else "none")


def test_summary_grid_counts_each_row_of_its_tier_once() -> None:
    rows = [
        row("L1", tier="lead", variation="concern_low", assurance="fail"),
        row("L2", tier="lead", variation="concern_high", assurance="fail", area="RNS"),
        row("L3", tier="lead", variation="improvement_high", assurance="pass"),
        row("L4", tier="lead", period=None, variation="none", assurance="none"),
        row("A1", variation="common_cause", assurance="hit_or_miss"),
        row("S1", tier="system", variation="concern_low", assurance="fail"),
    ]
    lead = summary_grid(rows, "lead")
    activity = summary_grid(rows, "activity")
    assert lead.total == 4
    assert activity.total == 1
    assert lead.cell("concern", "fail").kpis == (("L1", "QPM"), ("L2", "RNS"))
    assert lead.cell("improvement", "pass").count == 1
    assert lead.cell("no_reading", "none").count == 1
    assert lead.cell("common_cause", "pass").count == 0
    assert activity.cell("common_cause", "hit_or_miss").kpis == (("A1", "QPM"),)
    assert lead.variation_total("concern") == 2
    assert lead.assurance_total("fail") == 2
    assert lead.used_variations() == ("improvement", "common_cause", "concern", "no_reading")
    assert activity.used_variations() == ("improvement", "common_cause", "concern")
    with pytest.raises(KeyError):
        lead.cell("sideways", "pass")


def test_priority_decisions_then_new_then_continuing() -> None:
    now = [
        row("A-OLD", variation="concern_low"),
        row("A-NEW", assurance="fail"),
        row("A-ASK"),
        row("L-NEW", tier="lead", sustainability="slipping"),
        row("A-FINE"),
        row("S-SYS", tier="system", variation="concern_low"),
    ]
    before = [
        row("A-OLD", variation="concern_low", period="2026-10"),
        row("A-NEW", period="2026-10"),
        row("A-ASK", period="2026-10"),
        row("L-NEW", tier="lead", period="2026-10"),
    ]
    said = [words("A-ASK", decision_required=True, decision="approve a winter pilot")]
    got = exceptions(now, MONTH, previous_rows=before, commentary=said)
    assert [(i.kpi_code, i.group, i.priority) for i in got] == [
        ("A-ASK", DECISION, 1),
        ("A-NEW", NEW, 2),
        ("L-NEW", NEW, 3),
        ("A-OLD", CONTINUING, 4),
    ]
    assert got[0].decision == "The Board is asked to approve a winter pilot."
    assert got[0].reasons == ()


def test_without_the_previous_month_every_reason_is_new() -> None:
    got = exceptions([row(variation="concern_low")], MONTH)
    assert got[0].group == NEW


def test_a_reason_gone_does_not_make_an_item_new() -> None:
    now = [row(variation="concern_low")]
    before = [row(variation="concern_low", assurance="fail", period="2026-10")]
    assert exceptions(now, MONTH, previous_rows=before)[0].group == CONTINUING


def test_commentary_owner_and_next_action() -> None:
    actions = (
        Action("Undated review", "Lead", ""),
        Action("Audit ward rounds", "Discharge lead", "2026-12-20"),
        Action("Board paper", "Director", "2026-12-10"),
    )
    said = [
        words("ACT-X", period="2026-10", chart_says="Old words."),
        words("ACT-X", chart_says="New   words\nover two lines.", actions=actions),
        words("ACT-X", version=2, chart_says="Newest words.", actions=actions),
        words("ACT-X", period="2026-12", chart_says="A later month is not read."),
    ]
    got = exceptions(
        [row(variation="concern_low")], MONTH, commentary=said, owners={"ACT-X": "Discharge lead"}
    )
    item = got[0]
    assert item.owner == "Discharge lead"
    assert item.commentary == "Newest words."
    assert item.commentary_period == MONTH
    assert item.next_action is not None
    assert item.next_action.sentence == "Board paper (Director, by 2026-12-10)"
    assert not item.decision_required


def test_an_earlier_months_commentary_shows_but_asks_no_decision() -> None:
    said = [words(period="2026-10", decision_required=True, decision="fund it")]
    item = exceptions([row(variation="concern_low")], MONTH, commentary=said)[0]
    assert item.commentary_period == "2026-10"
    assert not item.decision_required
    assert item.group == NEW
    assert exceptions([row()], MONTH, commentary=said) == []


def test_commentary_of_another_area_is_not_used() -> None:
    said = [words(area="RNS", decision_required=True, decision="fund it")]
    assert exceptions([row()], MONTH, commentary=said) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("approve the pilot", "The Board is asked to approve the pilot."),
        ("to approve the pilot.", "The Board is asked to approve the pilot."),
        ("The Board is asked to note the risk", "The Board is asked to note the risk."),
        ("Agree funding", "The Board is asked to agree funding."),
        ("   ", ""),
    ],
)
def test_decision_sentence(text: str, expected: str) -> None:
    assert decision_sentence(text) == expected


def test_one_line_cuts_at_a_word() -> None:
    assert one_line("a\n b   c") == "a b c"
    long = "word " * 60
    cut = one_line(long, 30)
    assert cut.endswith("…")
    assert len(cut) <= 30
    assert "wor…" not in cut


def test_commentary_line_falls_back_to_issues() -> None:
    said = replace(words(chart_says=""), issues="Staffing gaps on two wards.")
    assert commentary_line(said) == "Staffing gaps on two wards."
    assert next_action(said) is None


def test_headline_counts_lead_and_activity_separately() -> None:
    rows = [
        row("L1", tier="lead", variation="improvement_low"),
        row("L2", tier="lead", period=None, variation="none", assurance="none"),
        row("A1", variation="concern_low", assurance="fail"),
        row("A2", assurance="fail"),
        row("S1", tier="system", variation="concern_low"),
    ]
    assert headline(rows) == {
        "lead": {"reported": 1, "improvement": 1, "concern": 0, "fail": 0},
        "activity": {"reported": 2, "improvement": 0, "concern": 1, "fail": 2},
    }
