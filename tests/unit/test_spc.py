"""Making Data Count SPC (CONTRACT §4): rules at their thresholds, limits, icons, edge cases."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scorecard.statistics.spc import analyse
from scorecard.statistics.spc_icons import ASSURANCES, VARIATIONS
from scorecard.statistics.spc_limits import LIMIT_FACTOR, TWO_SIGMA_FACTOR, process_limits
from scorecard.statistics.spc_many import analyse_many, analyse_many_with_shifts
from scorecard.statistics.spc_rules import (
    points_outside_limits,
    run_on_one_side,
    trend,
    two_of_three_beyond_two_sigma,
)
from scorecard.statistics.spc_settings import SpcSettings
from scorecard.statistics.spc_shifts import sustained_shift_starts
from scorecard.thread.domain import ConflictRule, Direction

VIGNETTE = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]
INC, DEC, NEU = Direction.INCREASE, Direction.DECREASE, Direction.NEUTRAL

# A controlled background used as a fixed baseline, so whatever follows is judged against
# mean 0.5 and MR̄ 0.975 (nineteen ranges of 1 and one of 0.5): UPL 3.09, LPL −2.09, 2σ lines
# 2.23 and −1.23. It ends on the mean, so no run or trend carries over into the tail.
BASE = [0.0, 1.0] * 10 + [0.5]
FIXED = SpcSettings(baseline_points=len(BASE))


def flags_at(flags: np.ndarray) -> list[int]:
    return [int(i) for i in np.flatnonzero(flags)]


# Rule functions, each at its threshold and one short of it.


@pytest.mark.parametrize(
    ("values", "length", "high", "low"),
    [
        pytest.param([-1] + [1] * 7 + [-1], 7, list(range(1, 8)), [], id="run-7-above-fires"),
        pytest.param([-1] + [1] * 6 + [-1], 7, [], [], id="run-6-above-short"),
        pytest.param([1] + [-1] * 7, 7, [], list(range(1, 8)), id="run-7-below-fires"),
        pytest.param([1] * 3 + [0] + [1] * 4, 7, [], [], id="point-on-mean-breaks-run"),
        pytest.param([1] * 9, 7, list(range(9)), [], id="run-9-marks-every-point"),
        pytest.param([1] * 6, 6, list(range(6)), [], id="run-length-6-fires-at-6"),
        pytest.param([1] * 5, 6, [], [], id="run-length-6-short-at-5"),
        pytest.param([1] * 8, 8, list(range(8)), [], id="run-length-8-fires-at-8"),
        pytest.param([1] * 7, 8, [], [], id="run-length-8-short-at-7"),
        pytest.param([1, 1, 1, math.nan, 1, 1, 1, 1], 7, [], [], id="nan-breaks-raw-run"),
        pytest.param([], 7, [], [], id="empty"),
    ],
)
def test_run_on_one_side(values, length, high, low):
    flags = run_on_one_side(values, 0.0, length)
    assert flags_at(flags.high) == high
    assert flags_at(flags.low) == low


@pytest.mark.parametrize(
    ("values", "length", "high", "low"),
    [
        pytest.param([9, 1, 2, 3, 4, 5, 6, 7], 7, list(range(1, 8)), [], id="rising-7-fires"),
        pytest.param([9, 2, 3, 4, 5, 6, 7], 7, [], [], id="rising-6-short"),
        pytest.param([0, 7, 6, 5, 4, 3, 2, 1], 7, [], list(range(1, 8)), id="falling-7-fires"),
        pytest.param([1, 2, 3, 3, 4, 5, 6, 7], 7, [], [], id="equal-neighbours-break-trend"),
        pytest.param([1, 2, 3, 4, 5, 6], 6, list(range(6)), [], id="length-6-fires-at-6"),
        pytest.param([1, 2, 3, 4, 5], 6, [], [], id="length-6-short-at-5"),
        pytest.param(list(range(8)), 8, list(range(8)), [], id="length-8-fires-at-8"),
        pytest.param(list(range(7)), 8, [], [], id="length-8-short-at-7"),
        pytest.param([-5, -4, -3, -2, -1, 0, 1], 7, list(range(7)), [], id="trend-crosses-mean"),
    ],
)
def test_trend(values, length, high, low):
    flags = trend(values, length)
    assert flags_at(flags.high) == high
    assert flags_at(flags.low) == low


@pytest.mark.parametrize(
    ("values", "high", "low"),
    [
        pytest.param([0.5, 2.5, 0.5, 2.5, 0.5], [1, 3], [], id="two-of-three-above-fires"),
        pytest.param([0.5, 2.5, 2.5, 0.5], [1, 2], [], id="two-adjacent-above-fires"),
        pytest.param([0.5, 2.5, 0.5, 0.5, 2.5], [], [], id="two-of-four-short"),
        pytest.param([0.5, 2.5, 4.0, 0.5], [1, 2], [], id="point-beyond-limit-counts"),
        pytest.param([2.5, 0.5, 0.5], [], [], id="one-of-three-above-short"),
        pytest.param([-2.5, -0.5, -0.5], [], [], id="one-of-three-below-short"),
        pytest.param([2.5, -2.5, 0.5], [], [], id="opposite-sides-do-not-fire"),
        pytest.param([2.5, -2.5, 2.5], [], [], id="third-point-beyond-other-line"),
        pytest.param([2.5, -0.5, 2.5], [], [], id="third-point-below-mean-no-signal"),
        pytest.param([2.5, 0.0, 2.5], [], [], id="third-point-on-mean-no-signal"),
        pytest.param([2.5, 0.5, 2.5], [0, 2], [], id="third-point-above-mean-fires"),
        pytest.param([-2.5, 0.5, -2.5], [], [], id="third-point-above-mean-no-signal-low"),
        pytest.param([-2.5, -0.5, -2.5], [], [0, 2], id="third-point-below-mean-fires-low"),
        pytest.param([-0.5, -2.5, -0.5, -2.5], [], [1, 3], id="two-of-three-below-fires"),
        pytest.param([2.5, math.nan, 2.5], [], [], id="missing-point-breaks-window"),
        pytest.param([2.0, 2.0, 2.0], [], [], id="on-the-line-is-not-beyond"),
        pytest.param([2.5, 2.5], [], [], id="two-points-no-window-of-three"),
    ],
)
def test_two_of_three_beyond_two_sigma(values, high, low):
    flags = two_of_three_beyond_two_sigma(values, 2.0, -2.0, 0.0)
    assert flags_at(flags.high) == high
    assert flags_at(flags.low) == low


@pytest.mark.parametrize(
    ("values", "high", "low"),
    [
        pytest.param([0, 3.01, 0], [1], [], id="above-upl"),
        pytest.param([0, -3.01, 0], [], [1], id="below-lpl"),
        pytest.param([3.0, -3.0], [], [], id="on-the-limits-is-not-outside"),
    ],
)
def test_points_outside_limits(values, high, low):
    flags = points_outside_limits(values, 3.0, -3.0)
    assert flags_at(flags.high) == high
    assert flags_at(flags.low) == low


def test_rules_work_row_by_row_on_a_matrix():
    matrix = np.array([[1.0] * 7, [1.0] * 6 + [-1.0]])
    flags = run_on_one_side(matrix, np.zeros((2, 1)), 7)
    assert flags.high.shape == (2, 7)
    assert flags.high[0].all()
    assert not flags.high[1].any()


# Process limits and the contract's reference values.


@pytest.mark.parametrize(
    ("screen", "upl", "lpl"),
    [
        pytest.param(False, 6.95, -3.06, id="unscreened"),
        pytest.param(True, 4.60, -0.72, id="screened-at-3.267"),
    ],
)
def test_reference_values(screen, upl, lpl):
    limits = process_limits(VIGNETTE, screen_moving_ranges=screen)
    assert round(float(limits.mean), 3) == 1.944
    assert round(float(limits.upl), 2) == upl
    assert round(float(limits.lpl), 2) == lpl
    result = analyse(
        VIGNETTE, INC, settings=SpcSettings(screen_moving_ranges=screen, min_points=15)
    )
    assert result.mean is not None
    assert result.upl is not None
    assert result.lpl is not None
    assert round(result.mean, 3) == 1.944
    assert round(result.upl, 2) == upl
    assert round(result.lpl, 2) == lpl


def test_reference_vignette_flags_the_outlier_only():
    result = analyse(VIGNETTE, INC)
    assert flags_at(result.points.special_high) == [4]
    assert not result.points.special_low.any()
    assert result.points.rules[4] == frozenset({"points_outside_limits_high"})
    assert result.points.point_state[4] == "improvement"
    assert result.variation == "common_cause"
    assert result.n_points == 18


@pytest.mark.parametrize(
    ("last", "dropped"),
    [
        # fifteen ranges of 1 and a last one: MR̄ = (15 + r) / 16, screened above 3.267 × MR̄
        pytest.param(4.0, False, id="range-3-below-3.267-mr-bar-kept"),
        pytest.param(5.0, True, id="range-4-above-3.267-mr-bar-dropped"),
    ],
)
def test_screening_threshold(last, dropped):
    values = [0.0, 1.0] * 8 + [last]
    plain = process_limits(values)
    screened = process_limits(values, screen_moving_ranges=True)
    assert float(plain.mr_bar) == pytest.approx((15 + last - 1) / 16)
    assert float(screened.mr_bar) == pytest.approx(1.0 if dropped else float(plain.mr_bar))


def test_two_sigma_lines_are_two_thirds_of_the_limits():
    limits = process_limits(VIGNETTE)
    mr_bar = 32 / 17  # moving ranges 1,1,1,8,9 and twelve 1s
    assert float(limits.mr_bar) == pytest.approx(mr_bar)
    assert float(limits.upper_2s) == pytest.approx(35 / 18 + 2 / 3 * LIMIT_FACTOR * mr_bar)
    assert float(limits.lower_2s) == pytest.approx(35 / 18 - TWO_SIGMA_FACTOR * mr_bar)


@pytest.mark.parametrize(
    "values",
    [
        pytest.param([0.1] * 20, id="flat-0.1-mean-exact"),
        pytest.param([7.0] * 20, id="flat-7"),
        pytest.param([1e9 + 0.3] * 20, id="flat-large"),
    ],
)
def test_flat_series_has_limits_equal_to_mean_and_common_cause(values):
    limits = process_limits(values)
    assert float(limits.mr_bar) == 0.0
    assert float(limits.mean) == values[0]
    assert float(limits.upl) == float(limits.lpl) == values[0]
    with np.errstate(all="raise"):  # no division by zero anywhere
        result = analyse(values, INC, target=values[0])
    assert result.variation == "common_cause"
    assert not result.points.special_high.any()
    assert not result.points.special_low.any()
    assert result.assurance == "pass"  # target on the LPL (= mean) of an increase KPI


def test_empty_series():
    limits = process_limits([])
    assert math.isnan(float(limits.mean))
    result = analyse([], INC, target=5)
    assert result.variation == "none"
    assert result.assurance == "none"
    assert result.n_points == 0
    assert result.is_run_chart
    assert result.latest_index is None
    assert result.mean is None
    assert result.variation_text() == "No data: there are no points to analyse."


def test_all_missing_series():
    result = analyse([None, math.nan, None], DEC)
    assert result.variation == "none"
    assert result.points.point_state == ("missing",) * 3


@pytest.mark.parametrize(
    ("n", "run_chart", "variation"),
    [
        pytest.param(14, True, "none", id="14-points-run-chart"),
        pytest.param(15, False, "common_cause", id="15-points-spc"),
    ],
)
def test_fifteen_point_minimum(n, run_chart, variation):
    values = ([0.0, 1.0] * 10)[:n]
    result = analyse(values, INC, target=-10)
    assert result.is_run_chart is run_chart
    assert result.variation == variation
    assert result.assurance == ("none" if run_chart else "pass")
    if run_chart:
        assert np.isnan(result.points.upl).all()
        assert result.upl is None
        assert result.mean is not None  # the mean is still reported
        assert not np.isnan(result.points.median).any()
        assert "run chart" in result.variation_text()


def test_min_points_is_a_setting():
    result = analyse([0.0, 1.0] * 5, INC, settings=SpcSettings(min_points=10))
    assert not result.is_run_chart


# Variation through analyse(): every rule at its threshold, both directions and neutral.


def series_ending(tail: list[float]) -> list[float]:
    return BASE + tail


@pytest.mark.parametrize(
    ("tail", "rule", "side"),
    [
        pytest.param([3.2], "points_outside_limits", "high", id="above-upl"),
        pytest.param([-2.2], "points_outside_limits", "low", id="below-lpl"),
        pytest.param([0.7] * 7, "run_on_one_side", "high", id="run-7-above"),
        pytest.param([0.3] * 7, "run_on_one_side", "low", id="run-7-below"),
        pytest.param([0.2, 0.3, 0.4, 0.6, 0.7, 0.8, 0.9], "trend", "high", id="rising-7"),
        pytest.param([0.8, 0.7, 0.6, 0.4, 0.3, 0.2, 0.1], "trend", "low", id="falling-7"),
        pytest.param([2.4, 1.0, 2.4], "two_of_three_beyond_two_sigma", "high", id="2-of-3-up"),
        pytest.param([-1.4, 0.0, -1.4], "two_of_three_beyond_two_sigma", "low", id="2-of-3-lo"),
    ],
)
@pytest.mark.parametrize(
    ("direction", "kinds"),
    [
        pytest.param(INC, {"high": "improvement", "low": "concern"}, id="increase"),
        pytest.param(DEC, {"high": "concern", "low": "improvement"}, id="decrease"),
        pytest.param(NEU, {"high": "neither", "low": "neither"}, id="neutral"),
    ],
)
def test_variation_of_latest_point(tail, rule, side, direction, kinds):
    result = analyse(series_ending(tail), direction, settings=FIXED)
    assert result.points.rules[-1] == frozenset({f"{rule}_{side}"})
    assert result.variation == f"{kinds[side]}_{side}"
    assert result.points.point_state[-1] == kinds[side]


@pytest.mark.parametrize(
    "tail",
    [
        pytest.param([3.0], id="inside-upl"),
        pytest.param([0.7] * 6, id="run-6-above"),
        pytest.param([0.3, 0.4, 0.6, 0.7, 0.8, 0.9], id="rising-6"),
        pytest.param([0.2, 0.3, 0.4, 0.4, 0.7, 0.8, 0.9], id="rising-7-with-equal-neighbours"),
        pytest.param([0.6, 0.6, 0.6, 0.5, 0.6, 0.6, 0.6], id="run-broken-by-point-on-mean"),
        pytest.param([2.4, 0.0, 0.0, 2.4], id="two-of-four-beyond-2s"),
        pytest.param([2.4, 0.0, -1.4], id="two-sigma-opposite-sides"),
        pytest.param([2.4, 0.0, 2.4], id="two-of-three-high-middle-below-mean"),
        pytest.param([2.4, 0.5, 2.4], id="two-of-three-high-middle-on-mean"),
        pytest.param([-1.4, 1.0, -1.4], id="two-of-three-low-middle-above-mean"),
        pytest.param([-1.4, 0.5, -1.4], id="two-of-three-low-middle-on-mean"),
    ],
)
@pytest.mark.parametrize("direction", [INC, DEC], ids=["increase", "decrease"])
def test_one_short_of_a_rule_is_common_cause(tail, direction):
    result = analyse(series_ending(tail), direction, settings=FIXED)
    assert result.variation == "common_cause"
    assert not result.points.special_high[len(BASE) :].any()
    assert not result.points.special_low[len(BASE) :].any()


def test_two_of_three_needs_the_third_point_on_the_same_side():
    # A stable series (mean 50, MR̄ 5: 2σ lines 58.9 and 41.1) ending [60, 45, 60]: two points
    # beyond the upper 2σ line but 45 below the mean, so no two-of-three signal.
    stable = [47.5, 52.5] * 10
    tail = [60.0, 45.0, 60.0]
    fixed = SpcSettings(baseline_points=len(stable))
    result = analyse(stable + tail, INC, settings=fixed)
    assert result.upper_2s == pytest.approx(50 + TWO_SIGMA_FACTOR * 5)
    assert result.variation == "common_cause"
    variation, _ = analyse_many([stable + tail], INC, settings=fixed)
    assert variation.tolist() == ["common_cause"]
    # the same window with its middle point above the mean is a signal
    assert analyse([*stable, 60.0, 51.0, 60.0], INC, settings=fixed).variation == (
        "improvement_high"
    )


# Sustained shifts reaching the latest point: the change point an analyst may record.


@pytest.mark.parametrize(
    ("tail", "start"),
    [
        pytest.param([0.7] * 7, 0, id="run-7-above-reaching-latest"),
        pytest.param([0.3] * 7, 0, id="run-7-below-reaching-latest"),
        pytest.param([0.7] * 9, 0, id="run-9-starts-at-its-first-point"),
        pytest.param([0.7] * 6, None, id="run-6-short"),
        pytest.param([0.7] * 7 + [0.3], None, id="run-ended-before-latest"),
        pytest.param([0.7] * 3 + [0.5] + [0.7] * 6, None, id="point-on-mean-breaks-run"),
        pytest.param([0.2, 0.3, 0.4, 0.6, 0.7, 0.8, 0.9], 0, id="rising-trend-7"),
        pytest.param([0.9, 0.8, 0.7, 0.6, 0.4, 0.3, 0.2], 0, id="falling-trend-7"),
        pytest.param([0.3, 0.4, 0.6, 0.7, 0.8, 0.9], None, id="rising-trend-6-short"),
        pytest.param([0.2, 0.3, 0.4, 0.6, 0.7, 0.8, 0.9, 0.8], None, id="trend-ended"),
        # a trend from below the mean that runs on above it: the trend began first
        pytest.param([0.1, 0.2, 0.3, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2], 0, id="trend-then-run"),
        # a run above the mean whose last seven points also rise: the run began first
        pytest.param([0.9, 0.9, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2], 0, id="run-then-trend"),
        pytest.param([3.2], None, id="one-point-beyond-is-no-sustained-shift"),
    ],
)
@pytest.mark.parametrize("direction", [INC, DEC, NEU], ids=["increase", "decrease", "neutral"])
def test_sustained_shift_reaching_the_latest_point(tail, start, direction):
    result = analyse(series_ending(tail), direction, settings=FIXED)
    expected = None if start is None else len(BASE) + start
    assert result.shift_index == expected
    many = analyse_many_with_shifts([series_ending(tail)], direction, settings=FIXED)[2]
    assert many.tolist() == [-1 if expected is None else expected]


def test_no_shift_on_a_run_chart_or_after_a_recorded_change_point():
    values = series_ending([0.7] * 9)
    assert analyse(values[-14:], INC).shift_index is None  # 14 points: a run chart
    # recorded at the shift's first month: the new partition is too short for limits
    assert analyse(values, INC, settings=FIXED, change_points=(len(BASE),)).shift_index is None
    # recorded earlier: the shift is judged against the limits of the latest partition
    later = analyse([*values, *([0.7] * 12)], INC, change_points=(3,))
    assert later.shift_index is not None
    assert later.shift_index > 3


def test_a_shift_skips_missing_and_excluded_points():
    values = series_ending([0.7, 0.7, math.nan, 0.7, 0.7, 0.7, 0.7, 0.7])
    assert analyse(values, INC, settings=FIXED).shift_index == len(BASE)
    values = series_ending([0.7, 0.7, math.nan, 0.7, -9.0, 0.7, 0.7, 0.7, 0.7])
    excluded = [False] * len(values)
    excluded[len(BASE) + 4] = True  # drawn, left out: neither counts nor breaks the run
    result = analyse(values, INC, settings=FIXED, excluded=excluded)
    assert result.shift_index == len(BASE)
    assert analyse(values, INC, settings=FIXED).shift_index is None


def test_sustained_shift_starts_on_a_matrix():
    found = sustained_shift_starts(
        [[0, 0, 1, 1, 1, 1, 1, 1, 1], [0, 1, 1, 1, 1, 1, 1, 0, 0], [1] * 9], [0.5, 0.5, 0.5]
    )
    # the third row is all on one side: a shift from its first point is no shift
    assert found.tolist() == [2, -1, -1]


@pytest.mark.parametrize(
    ("run_length", "trend_length", "tail", "variation"),
    [
        pytest.param(6, 7, [0.7] * 6, "improvement_high", id="run-setting-6-fires-at-6"),
        pytest.param(8, 7, [0.7] * 7, "common_cause", id="run-setting-8-short-at-7"),
        pytest.param(8, 7, [0.7] * 8, "improvement_high", id="run-setting-8-fires-at-8"),
        pytest.param(7, 6, [0.3, 0.4, 0.6, 0.7, 0.8, 0.9], "improvement_high", id="trend-6"),
        pytest.param(7, 8, [0.2, 0.3, 0.4, 0.6, 0.7, 0.8, 0.9], "common_cause", id="trend-8-7"),
    ],
)
def test_configurable_lengths(run_length, trend_length, tail, variation):
    s = SpcSettings(run_length=run_length, trend_length=trend_length, baseline_points=21)
    assert analyse(series_ending(tail), INC, settings=s).variation == variation


# A rising trend entirely below the mean: the trend is high-side, the run low-side.
CONFLICT_TAIL = [-0.9, -0.8, -0.7, -0.6, -0.5, -0.4, -0.3]


@pytest.mark.parametrize(
    ("direction", "rule", "variation"),
    [
        pytest.param(INC, ConflictRule.CONCERN, "concern_low", id="increase-concern"),
        pytest.param(INC, ConflictRule.IMPROVEMENT, "improvement_high", id="increase-improve"),
        pytest.param(DEC, ConflictRule.CONCERN, "concern_high", id="decrease-concern"),
        pytest.param(DEC, ConflictRule.IMPROVEMENT, "improvement_low", id="decrease-improve"),
        pytest.param(NEU, ConflictRule.CONCERN, "neither_low", id="neutral-side-of-mean"),
    ],
)
def test_conflict_rule(direction, rule, variation):
    s = SpcSettings(baseline_points=21, conflict_rule=rule)
    result = analyse(series_ending(CONFLICT_TAIL), direction, settings=s)
    assert result.points.rules[-1] == frozenset({"trend_high", "run_on_one_side_low"})
    assert result.variation == variation
    assert result.points.point_state[-1] == variation.split("_")[0]
    if direction is not NEU:
        assert result.conflict
        assert "conflict rule" in result.variation_text()


def test_conflict_rule_accepts_its_string_value():
    assert SpcSettings(conflict_rule="improvement").conflict_rule is ConflictRule.IMPROVEMENT  # type: ignore[arg-type]


# Assurance.


def alternating(n: int = 16) -> list[float]:
    return ([0.0, 1.0] * n)[:n]  # mean 0.5, MR̄ 1: UPL 3.16, LPL −2.16


@pytest.mark.parametrize(
    ("direction", "where", "assurance"),
    [
        pytest.param(INC, "below_lpl", "pass", id="increase-below-lpl-pass"),
        pytest.param(INC, "on_lpl", "pass", id="increase-on-lpl-pass"),
        pytest.param(INC, "between", "hit_or_miss", id="increase-between"),
        pytest.param(INC, "on_upl", "fail", id="increase-on-upl-fail"),
        pytest.param(INC, "above_upl", "fail", id="increase-above-upl-fail"),
        pytest.param(DEC, "above_upl", "pass", id="decrease-above-upl-pass"),
        pytest.param(DEC, "on_upl", "pass", id="decrease-on-upl-pass"),
        pytest.param(DEC, "between", "hit_or_miss", id="decrease-between"),
        pytest.param(DEC, "on_lpl", "fail", id="decrease-on-lpl-fail"),
        pytest.param(DEC, "below_lpl", "fail", id="decrease-below-lpl-fail"),
        pytest.param(NEU, "between", "none", id="neutral-no-assurance"),
    ],
)
def test_assurance(direction, where, assurance):
    plain = analyse(alternating(), direction)
    assert plain.upl is not None
    assert plain.lpl is not None
    target = {
        "below_lpl": plain.lpl - 1,
        "on_lpl": plain.lpl,
        "between": 0.5,
        "on_upl": plain.upl,
        "above_upl": plain.upl + 1,
    }[where]
    result = analyse(alternating(), direction, target=target)
    assert result.assurance == assurance
    assert result.target == target


@pytest.mark.parametrize(
    ("target", "direction", "n", "text"),
    [
        pytest.param(None, INC, 16, "No target set for this area", id="no-target"),
        pytest.param(1.0, NEU, 16, "no better direction", id="neutral"),
        pytest.param(1.0, INC, 10, "Too few points", id="run-chart"),
        pytest.param(math.nan, INC, 16, "No target set for this area", id="nan-target"),
    ],
)
def test_no_assurance(target, direction, n, text):
    result = analyse(alternating(n), direction, target=target)
    assert result.assurance == "none"
    assert text in result.assurance_text()


@pytest.mark.parametrize(
    ("direction", "target", "text"),
    [
        pytest.param(
            INC,
            -3,
            "The target of −3 lies below the lower process limit of −2.16: "
            "the process will consistently hit it.",
            id="increase-pass",
        ),
        pytest.param(
            INC,
            4,
            "The target of 4 lies above the upper process limit of 3.16: "
            "the process will consistently miss it unless something changes.",
            id="increase-fail",
        ),
        pytest.param(
            DEC,
            4,
            "The target of 4 lies above the upper process limit of 3.16: "
            "the process will consistently hit it.",
            id="decrease-pass",
        ),
        pytest.param(
            DEC,
            1,
            "The target of 1 lies between the process limits (−2.16 to 3.16): "
            "the process will sometimes hit and sometimes miss it.",
            id="hit-or-miss",
        ),
    ],
)
def test_assurance_text(direction, target, text):
    assert analyse(alternating(), direction, target=target).assurance_text() == text


def test_assurance_text_target_on_the_limit():
    plain = analyse(alternating(), INC)
    assert plain.lpl is not None
    text = analyse(alternating(), INC, target=plain.lpl).assurance_text()
    assert text.startswith("The target of −2.16 lies on the lower process limit")


@pytest.mark.parametrize(
    ("tail", "direction", "start"),
    [
        pytest.param(
            [3.2],
            INC,
            "Special cause of improving nature: the latest point is higher than expected "
            "(above the upper process limit).",
            id="improving-high",
        ),
        pytest.param(
            [3.2],
            DEC,
            "Special cause of concerning nature: the latest point is higher than expected",
            id="concerning-high",
        ),
        pytest.param(
            [0.3] * 7,
            NEU,
            "Special cause of neither improving nor concerning nature: the latest point is "
            "lower than expected (in a run of 7 or more points below the mean).",
            id="neither-low",
        ),
        pytest.param([0.5], INC, "Common cause variation", id="common-cause"),
    ],
)
def test_variation_text(tail, direction, start):
    assert (
        analyse(series_ending(tail), direction, settings=FIXED).variation_text().startswith(start)
    )


# Partitions, baselines, exclusions, missing and provisional points.


def test_change_point_resets_limits():
    values = [0.0, 1.0] * 10 + [10.0, 11.0] * 10
    result = analyse(values, INC, change_points=[20])
    pts = result.points
    assert flags_at(pts.partition == 1) == list(range(20, 40))
    assert pts.mean[0] == 0.5
    assert pts.mean[-1] == 10.5
    assert pts.upl[0] == pytest.approx(0.5 + LIMIT_FACTOR)
    assert pts.upl[-1] == pytest.approx(10.5 + LIMIT_FACTOR)
    assert result.variation == "common_cause"
    assert result.n_points == 20
    assert result.mean == 10.5
    without = analyse(values, INC)
    assert without.variation == "improvement_high"  # one partition: the shift is a signal


def test_change_point_resets_runs():
    # Five points above the first partition's mean, then four above the second's: a run of
    # nine across the change point, but no run of seven within a partition.
    first = [0.0, 1.0] * 8 + [0.9] * 4
    second = [0.9] * 4 + [0.0, 1.0] * 8
    values = first + second
    assert analyse(values, INC).points.special_high[15:24].all()
    split = analyse(values, INC, change_points=[20])
    assert not split.points.special_high.any()
    assert not split.points.special_low.any()


def test_partition_matches_analysing_it_alone():
    rng = np.random.default_rng(7)
    values = list(rng.normal(10, 2, 45).round(1))
    whole = analyse(values, DEC, change_points=[0, 18, 45, 99]).points
    alone = analyse(values[18:], DEC).points
    for name in ("mean", "upl", "lpl", "upper_2s", "lower_2s", "special_high", "special_low"):
        np.testing.assert_array_equal(getattr(whole, name)[18:], getattr(alone, name))
    assert whole.rules[18:] == alone.rules
    assert set(whole.partition.tolist()) == {0, 1}


def test_short_latest_partition_is_a_run_chart_but_earlier_one_keeps_limits():
    values = [0.0, 1.0] * 10 + [5.0, 6.0, 5.0]
    result = analyse(values, INC, target=1, change_points=[20])
    assert result.is_run_chart
    assert result.variation == result.assurance == "none"
    assert result.n_points == 3
    assert result.points.partition_has_limits == (True, False)
    assert not np.isnan(result.points.upl[:20]).any()
    assert np.isnan(result.points.upl[20:]).all()


def test_negative_change_point_is_an_error():
    with pytest.raises(ValueError, match="change point"):
        analyse([1.0, 2.0], INC, change_points=[-1])


def test_fixed_baseline_extends_limits():
    values = [0.0, 1.0] * 6 + [5.0] * 8
    result = analyse(values, INC, settings=SpcSettings(baseline_points=12))
    assert result.mean == 0.5
    assert result.upl == pytest.approx(0.5 + LIMIT_FACTOR)
    assert (result.points.upl == result.points.upl[0]).all()
    assert result.points.point_state[12:] == ("improvement",) * 8
    assert result.variation == "improvement_high"
    assert analyse(values, INC).mean == pytest.approx(46 / 20)


def test_fixed_baseline_applies_per_partition():
    values = [0.0, 1.0] * 6 + [9.0] * 3 + [10.0, 11.0] * 6 + [20.0] * 3
    s = SpcSettings(baseline_points=12)
    result = analyse(values, INC, settings=s, change_points=[15])
    assert result.points.mean[0] == 0.5
    assert result.points.mean[-1] == 10.5


def test_excluded_point_is_left_out_of_mean_and_moving_ranges():
    values = [0.0, 1.0] * 10
    values[5] = 100.0
    excluded = [i == 5 for i in range(20)]
    result = analyse(values, INC, excluded=excluded)
    # mean of the other 19 points; the moving ranges either side of the excluded point are
    # dropped (not bridged: |x4 − x6| = 0 would give MR̄ = 17/18)
    assert result.mean == pytest.approx(9 / 19)
    assert result.upl == pytest.approx(9 / 19 + LIMIT_FACTOR * 1.0)
    assert result.points.point_state[5] == "excluded"
    assert not result.points.special_high[5]
    assert result.points.rules[5] == frozenset()
    assert result.n_points == 19
    assert result.variation == "common_cause"


def test_excluded_points_do_not_break_a_run():
    values = [*BASE, 0.7, 0.7, 0.7, -50.0, 0.7, 0.7, 0.7, 0.7]
    excluded = [i == 24 for i in range(len(values))]
    result = analyse(values, INC, settings=FIXED, excluded=excluded)
    assert result.variation == "improvement_high"
    assert flags_at(result.points.special_high) == [21, 22, 23, 25, 26, 27, 28]


def test_latest_point_excluded_gives_no_variation():
    values = [0.0, 1.0] * 10
    excluded = [i == 19 for i in range(20)]
    result = analyse(values, INC, target=-5, excluded=excluded)
    assert result.variation == "none"
    assert result.assurance == "pass"  # the limits still stand
    assert "excluded" in result.variation_text()


def test_missing_values_are_gaps():
    values: list[float | None] = [0.0, 1.0] * 10
    values[3] = None
    values.append(math.nan)
    result = analyse(values, INC)
    assert result.points.point_state[3] == "missing"
    assert result.points.point_state[-1] == "missing"
    assert result.n_points == 19
    assert result.latest_index == 19
    assert result.latest_value == 1.0
    # the moving range bridges the gap: |x4 − x2| = 0 joins eighteen ranges of 1
    assert float(process_limits(values).mr_bar) == pytest.approx(17 / 18)


def test_provisional_flags_are_carried_through():
    values = [0.0, 1.0] * 10
    provisional = [i >= 18 for i in range(20)]
    result = analyse(values, INC, provisional=provisional)
    assert flags_at(result.points.provisional) == [18, 19]
    assert result.n_points == 20  # provisional points count


def test_result_arrays_are_read_only():
    result = analyse(VIGNETTE, INC)
    with pytest.raises(ValueError, match="read-only"):
        result.points.upl[0] = 0.0


def test_summary_has_the_scorecard_fields():
    summary = analyse(VIGNETTE, INC, target=1).summary()
    assert set(summary) == {"n_points", "mean", "upl", "lpl", "variation", "assurance", "target"}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"run_length": 5}, "run_length", id="run-5"),
        pytest.param({"run_length": 9}, "run_length", id="run-9"),
        pytest.param({"trend_length": 5}, "trend_length", id="trend-5"),
        pytest.param({"trend_length": True}, "trend_length", id="trend-bool"),
        pytest.param({"baseline_points": 11}, "baseline_points", id="baseline-11"),
        pytest.param({"min_points": 0}, "min_points", id="min-points-0"),
        pytest.param({"conflict_rule": "both"}, "both", id="unknown-conflict-rule"),
    ],
)
def test_invalid_settings(kwargs, message):
    with pytest.raises(ValueError, match=message):
        SpcSettings(**kwargs)


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param({"run_length": 6, "trend_length": 8}, id="lengths-6-8"),
        pytest.param({"baseline_points": 12}, id="baseline-12"),
        pytest.param({"baseline_points": None}, id="no-baseline"),
    ],
)
def test_valid_settings(kwargs):
    SpcSettings(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"values": [[1.0, 2.0]]}, "1-D", id="2d-values"),
        pytest.param({"values": [1.0, math.inf]}, "finite", id="infinite"),
        pytest.param({"values": [1.0, 2.0], "excluded": [True]}, "excluded", id="short-flags"),
        pytest.param({"values": [1.0], "provisional": [1, 0]}, "provisional", id="long-flags"),
    ],
)
def test_analyse_rejects_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        analyse(direction=INC, **kwargs)


# analyse_many agrees with analyse.


def many_vs_one(matrix, directions, targets, s):
    variation, assurance = analyse_many(matrix, directions, targets, s)
    again, _, starts = analyse_many_with_shifts(matrix, directions, targets, s)
    assert again.tolist() == variation.tolist()
    rows = zip(matrix, directions, targets, variation, assurance, starts, strict=True)
    for row, d, t, v, a, start in rows:
        one = analyse(row, d, target=t, settings=s)
        assert (one.variation, one.assurance) == (v, a), (list(row), d, t)
        assert one.shift_index == (None if start < 0 else int(start)), (list(row), d, t)


series = st.lists(
    st.one_of(st.integers(-3, 3).map(float), st.just(math.nan), st.floats(-5, 5, width=32)),
    min_size=0,
    max_size=40,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(
        st.tuples(
            series,
            st.sampled_from([INC, DEC, NEU]),
            st.one_of(st.none(), st.integers(-4, 4).map(float)),
        ),
        min_size=1,
        max_size=6,
    ),
    run_length=st.integers(6, 8),
    trend_length=st.integers(6, 8),
    screen=st.booleans(),
    baseline=st.one_of(st.none(), st.integers(12, 20)),
    min_points=st.integers(1, 20),
    conflict=st.sampled_from(list(ConflictRule)),
)
def test_analyse_many_agrees_with_analyse(
    rows, run_length, trend_length, screen, baseline, min_points, conflict
):
    width = max(len(r[0]) for r in rows)
    matrix = np.full((len(rows), width), np.nan)
    for i, (values, _, _) in enumerate(rows):
        matrix[i, : len(values)] = values
    s = SpcSettings(
        run_length=run_length,
        trend_length=trend_length,
        screen_moving_ranges=screen,
        baseline_points=baseline,
        min_points=min_points,
        conflict_rule=conflict,
    )
    many_vs_one(matrix, [r[1] for r in rows], [r[2] for r in rows], s)


def test_analyse_many_agrees_on_realistic_series():
    rng = np.random.default_rng(2024)
    n = 400
    matrix = rng.normal(100, 10, (n, 36)).round(0)
    matrix[: n // 2, 24:] += rng.normal(15, 5, (n // 2, 1)).round(0)  # shifts
    matrix[::7, 30:] += np.arange(6) * 8  # trends
    matrix[::11, 5] = np.nan
    directions = [[INC, DEC, NEU][i % 3] for i in range(n)]
    targets = [None if i % 5 == 0 else float(rng.normal(100, 20)) for i in range(n)]
    many_vs_one(matrix, directions, targets, SpcSettings())
    variation, assurance = analyse_many(matrix, directions, targets)
    assert set(variation) <= set(VARIATIONS)
    assert set(assurance) <= set(ASSURANCES)
    assert len(set(variation)) >= 5  # the case mix exercises most codes


def test_analyse_many_single_direction_and_no_targets():
    variation, assurance = analyse_many([VIGNETTE, [v + 20 for v in VIGNETTE]], INC)
    assert variation.tolist() == ["common_cause", "common_cause"]
    assert assurance.tolist() == ["none", "none"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"matrix": [1.0, 2.0], "directions": INC}, "matrix", id="1d-matrix"),
        pytest.param({"matrix": [[1.0]], "directions": [INC, DEC]}, "directions", id="dirs"),
        pytest.param({"matrix": [[1.0]], "directions": INC, "targets": [1, 2]}, "targets", id="t"),
    ],
)
def test_analyse_many_rejects_bad_shapes(kwargs, message):
    with pytest.raises(ValueError, match=message):
        analyse_many(**kwargs)
