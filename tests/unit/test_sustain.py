"""Sustainability verdicts (statistics.sustain): a case table of crafted series, and its edges."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from scorecard.statistics import sustain
from scorecard.statistics.spc_settings import SpcSettings
from scorecard.statistics.sustain import SUSTAINABILITY, assess, assess_many
from scorecard.thread.domain import Direction

# Twelve months of common-cause wobble (mean 0, MR̄ 1.1): the pre-improvement process sits at
# 50, the improved one at 60 (higher is better), so the improved LPL is 60 − 2.66 × 1.1 ≈ 57.1
# and its lower 2σ line ≈ 58.0; the old process's σ̂ = 1.1 / 1.128 ≈ 0.98.
WOBBLE = np.array([0.5, -0.8, 1.1, -0.3, 0.2, -1.0, 0.7, -0.4, 0.9, -0.6, 0.3, -0.2])
PRE = 50 + WOBBLE
IMPROVED = 60 + WOBBLE
START, SUPPORT = 12, 24  # the improvement starts at month 12, support ends at month 24


def months(n: int) -> list[str]:
    return [f"{2020 + i // 12}-{i % 12 + 1:02d}" for i in range(n)]


def series(after: list[float], improved: np.ndarray = IMPROVED) -> np.ndarray:
    return np.concatenate([PRE, improved, np.array(after, dtype=float)])


@dataclass(frozen=True)
class Case:
    name: str
    values: np.ndarray
    improvement: int | None
    support: int | None
    status: str
    rule: str
    signal: tuple[int, ...]  # indices of the months the verdict names
    direction: Direction = Direction.INCREASE


CASES = (
    Case(
        "holding",
        series([60.4, 59.5, 60.6, 59.7, 60.2, 59.4, 60.5, 59.8]),
        START,
        SUPPORT,
        "holding",
        "no_concern_since_support_ended",
        tuple(range(SUPPORT, SUPPORT + 8)),
    ),
    Case(
        "slipping by a run",
        series([59.5, 59.2, 59.6, 59.4, 59.1, 59.7, 59.3, 59.6]),
        START,
        SUPPORT,
        "slipping",
        "run_on_one_side",
        tuple(range(SUPPORT, SUPPORT + 8)),
    ),
    Case(
        "slipping by a trend",
        series([61.5, 61.0, 60.6, 60.1, 59.8, 59.4, 59.1, 58.9]),
        START,
        SUPPORT,
        "slipping",
        "trend",
        tuple(range(SUPPORT, SUPPORT + 8)),
    ),
    Case(
        # all three points of the window on the worse side of the improved mean (60.03)
        "slipping by two of three beyond 2σ",
        series([60.2, 57.8, 59.9, 57.7, 60.3, 59.9]),
        START,
        SUPPORT,
        "slipping",
        "two_of_three_beyond_two_sigma",
        (SUPPORT + 1, SUPPORT + 3),
    ),
    Case(
        # back to 50.4: better than the old 50 by 0.4, within 2 × 0.98 / √7 ≈ 0.74
        "lost",
        series([60.1, 50.6, 50.2, 50.5, 50.3, 50.6, 50.1, 50.5]),
        START,
        SUPPORT,
        "lost",
        "run_back_to_old_mean",
        tuple(range(SUPPORT + 1, SUPPORT + 1 + 7)),
    ),
    Case(
        # the same fall in a KPI where lower is better: a rise back to the old level
        "lost (lower is better)",
        np.concatenate([100 - PRE, 100 - IMPROVED, 100 - np.array([50.6, 50.2, 50.5] * 3)]),
        START,
        SUPPORT,
        "lost",
        "run_back_to_old_mean",
        tuple(range(SUPPORT + 2, SUPPORT + 2 + 7)),
        Direction.DECREASE,
    ),
    Case(
        "too early: trial limits (11 points since the improvement)",
        np.concatenate([PRE, IMPROVED[:11]]),
        START,
        START + 8,
        "too_early",
        "trial_limits",
        (),
    ),
    Case(
        "too early: two points since support ended",
        series([60.4, 59.5]),
        START,
        SUPPORT,
        "too_early",
        "too_few_points_since_support_ended",
        (),
    ),
    Case(
        "no events",
        series([59.5, 59.2, 59.6, 59.4, 59.1, 59.7, 59.3, 59.6]),
        None,
        None,
        "none",
        "no_improvement_declared",
        (),
    ),
    Case(
        "support has not ended",
        series([59.5, 59.2, 59.6]),
        START,
        None,
        "none",
        "support_not_ended",
        (),
    ),
    Case(
        "no better direction",
        series([60.4, 59.5, 60.6]),
        START,
        SUPPORT,
        "none",
        "no_better_direction",
        (),
        Direction.NEUTRAL,
    ),
)


def check(case: Case) -> None:
    periods = months(len(case.values))
    v = assess(case.values, case.direction, case.improvement, case.support, periods=periods)
    assert (v.status, v.rule) == (case.status, case.rule), v.sentence
    assert v.months == tuple(periods[i] for i in case.signal)
    many = assess_many(
        case.values[None, :],
        case.direction,
        [-1 if case.improvement is None else case.improvement],
        [-1 if case.support is None else case.support],
    )
    assert many.tolist() == [case.status]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case_table(case: Case) -> None:
    check(case)


def test_every_status_is_in_the_table() -> None:
    assert {c.status for c in CASES} == set(SUSTAINABILITY)


def test_the_table_is_sensitive_to_the_lost_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    # "No longer distinguishable" needs the gap within LOST_Z standard errors; demand that it
    # be no better at all and the lost case (back to 50.4, old mean 50) no longer reads lost.
    monkeypatch.setattr(sustain, "LOST_Z", 0.0)
    failures = []
    for case in CASES:
        try:
            check(case)
        except AssertionError:
            failures.append(case.name)
    assert failures == ["lost", "lost (lower is better)"]


def test_the_table_is_sensitive_to_the_trial_points(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sustain, "TRIAL_POINTS", 11)
    with pytest.raises(AssertionError):
        check(CASES[6])


def test_sentences_name_the_rule_and_months() -> None:
    periods = months(len(CASES[4].values))
    lost = assess(CASES[4].values, Direction.INCREASE, START, SUPPORT, periods=periods)
    assert lost.sentence.startswith("Lost: the latest 7 points (2022-02 to 2022-08)")
    assert lost.label == "lost"
    assert lost.pre_mean == pytest.approx(float(PRE.mean()))
    assert lost.improved_mean == pytest.approx(float(IMPROVED.mean()))
    assert lost.baseline_months == tuple(periods[START : START + 12])
    slip = assess(CASES[1].values, Direction.INCREASE, START, SUPPORT, periods=periods)
    assert "run of 7 or more points on the worse side" in slip.sentence
    assert "2022-01 to 2022-08" in slip.sentence
    early_values = CASES[6].values
    early = assess(
        early_values, Direction.INCREASE, START, START + 8, periods=months(len(early_values))
    )
    assert early.label == "too early to tell"
    assert "11 of the 12 points" in early.sentence


def test_missing_and_excluded_points_are_left_out() -> None:
    values = CASES[0].values.copy()
    values[14] = np.nan
    v = assess(values, Direction.INCREASE, START, SUPPORT)
    assert v.status == "holding"
    assert v.n_improved == 12 + 8 - 1
    # excluding the three worst months of a two-of-three signal clears it
    slip = CASES[3].values
    excluded = np.zeros(len(slip), dtype=bool)
    excluded[[SUPPORT + 1, SUPPORT + 3]] = True
    assert assess(slip, Direction.INCREASE, START, SUPPORT, excluded=excluded).status == "holding"


def test_a_later_change_point_ends_the_improved_partition() -> None:
    values = CASES[1].values  # slipping by a run in months 24-31
    v = assess(values, Direction.INCREASE, START, SUPPORT, change_points=[START, SUPPORT + 2])
    # the improved partition now ends at month 25: two points since support ended
    assert (v.status, v.rule) == ("too_early", "too_few_points_since_support_ended")
    assert v.improved_end == SUPPORT + 1


def test_support_before_the_improvement_does_not_count() -> None:
    v = assess(CASES[0].values, Direction.INCREASE, START, START - 1)
    assert (v.status, v.rule) == ("none", "support_not_ended")


def test_a_short_run_setting_changes_the_lost_window() -> None:
    values = series([60.1, 60.3, 50.6, 50.2, 50.5, 50.3, 50.6, 50.1])
    assert assess(values, Direction.INCREASE, START, SUPPORT).status == "slipping"
    six = SpcSettings(run_length=6, trend_length=6)
    assert assess(values, Direction.INCREASE, START, SUPPORT, settings=six).status == "lost"


def test_assess_many_agrees_with_assess_on_random_series() -> None:
    rng = np.random.default_rng(7)
    n, t = 300, 40
    matrix = 50 + rng.normal(0, 1, (n, t))
    matrix[:, 15:] += rng.choice([0.0, 3.0, 5.0], (n, 1))
    matrix[:, 28:] -= rng.choice([0.0, 2.0, 5.0], (n, 1))
    matrix[rng.random((n, t)) < 0.03] = np.nan
    directions = rng.choice([Direction.INCREASE, Direction.DECREASE], n).tolist()
    starts = rng.choice([-1, 10, 15, 20, 30], n)
    supports = rng.choice([-1, 25, 28, 36], n)
    many = assess_many(matrix, directions, starts, supports)
    one = [
        assess(row, d, None if s < 0 else int(s), None if e < 0 else int(e)).status
        for row, d, s, e in zip(matrix, directions, starts, supports, strict=True)
    ]
    assert many.tolist() == one
    assert {"holding", "slipping", "lost", "too_early", "none"} <= set(one)


def test_bad_shapes_are_refused() -> None:
    with pytest.raises(ValueError, match="1-D"):
        assess([[1.0]], Direction.INCREASE, 1, 2)
    with pytest.raises(ValueError, match="one month per value"):
        assess([1.0, 2.0], Direction.INCREASE, 1, None, periods=["2020-01"])
    with pytest.raises(ValueError, match="one position per series"):
        assess_many(np.zeros((2, 3)), Direction.INCREASE, [1, 1, 1], None)
