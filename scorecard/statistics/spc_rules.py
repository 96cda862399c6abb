"""The four Making Data Count special-cause rules: every point of a signal, on the last axis."""

from __future__ import annotations

from typing import Final, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from scorecard.statistics.spc_limits import BoolArray, FloatArray
from scorecard.statistics.spc_settings import SpcSettings

_ROW_LOOP_MIN: Final = 256  # series at which summing row by row beats np.cumsum

RULES: Final = (
    "points_outside_limits",
    "run_on_one_side",
    "trend",
    "two_of_three_beyond_two_sigma",
)
SIDES: Final = ("high", "low")
RULE_NAMES: Final = tuple(f"{rule}_{side}" for rule in RULES for side in SIDES)


class SideFlags(NamedTuple):
    """Per-point flags of one rule: which points belong to a high-side and a low-side signal."""

    high: BoolArray
    low: BoolArray


def rule_description(rule: str, settings: SpcSettings | None = None) -> str:
    """A plain-English phrase for a rule name of ``RULE_NAMES`` (e.g. for hover text)."""
    s = settings or SpcSettings()
    phrases = {
        "points_outside_limits_high": "above the upper process limit",
        "points_outside_limits_low": "below the lower process limit",
        "run_on_one_side_high": f"in a run of {s.run_length} or more points above the mean",
        "run_on_one_side_low": f"in a run of {s.run_length} or more points below the mean",
        "trend_high": f"in a rising trend of {s.trend_length} or more points",
        "trend_low": f"in a falling trend of {s.trend_length} or more points",
        "two_of_three_beyond_two_sigma_high": "two of three points above the upper 2σ line",
        "two_of_three_beyond_two_sigma_low": "two of three points below the lower 2σ line",
    }
    return phrases[rule]


# The rules. Each takes consecutive points along the last axis (NaN breaks runs and trends and
# never fires) and limits broadcastable against them, and flags every point of a signal.


def points_outside_limits(values: ArrayLike, upl: ArrayLike, lpl: ArrayLike) -> SideFlags:
    """Rule 1: points strictly above the upper or below the lower process limit."""
    v = np.asarray(values, dtype=np.float64)
    return SideFlags(v > _floats(upl), v < _floats(lpl))


def run_on_one_side(values: ArrayLike, mean: ArrayLike, length: int = 7) -> SideFlags:
    """Rule 2: every point of a run of ``length`` or more consecutive points on one side.

    A point exactly on the mean is on neither side, so it breaks the run.
    """
    v = np.asarray(values, dtype=np.float64)
    m = _floats(mean)
    return SideFlags(in_run(v > m, length), in_run(v < m, length))


def trend(values: ArrayLike, length: int = 7) -> SideFlags:
    """Rule 3: every point of a trend of ``length`` or more points.

    A trend is consecutive points each strictly higher (high side) or each strictly lower (low
    side) than the one before; equal neighbours break it.
    """
    v = np.asarray(values, dtype=np.float64)
    rising = v[..., 1:] > v[..., :-1]
    falling = v[..., 1:] < v[..., :-1]
    return SideFlags(_steps_to_points(rising, length), _steps_to_points(falling, length))


def two_of_three_beyond_two_sigma(
    values: ArrayLike, upper_2s: ArrayLike, lower_2s: ArrayLike, mean: ArrayLike
) -> SideFlags:
    """Rule 4: two of three consecutive points strictly beyond the same 2σ line.

    All three points of the window must lie strictly on that side of ``mean`` (CONTRACT §3.1:
    Making Data Count SQL v2.1 onwards, NHSRplotthedots). Points beyond the process limit
    count too. Only the points beyond the line are flagged; one point beyond each line
    (opposite sides) is no signal.
    """
    v = np.asarray(values, dtype=np.float64)
    m = _floats(mean)
    return SideFlags(
        _two_of_three(v > _floats(upper_2s), v > m), _two_of_three(v < _floats(lower_2s), v < m)
    )


def rule_flags(
    y: FloatArray,
    lines: tuple[ArrayLike, ArrayLike, ArrayLike, ArrayLike, ArrayLike],
    run_length: int,
    trend_length: int,
) -> dict[str, BoolArray]:
    """Every rule's per-point flags for consecutive points (last axis).

    ``lines`` are the mean, UPL, LPL and upper and lower 2σ lines, broadcastable against ``y``.
    """
    mean, upl, lpl, up2, lo2 = lines
    by_rule = {
        "points_outside_limits": points_outside_limits(y, upl, lpl),
        "run_on_one_side": run_on_one_side(y, mean, run_length),
        "trend": trend(y, trend_length),
        "two_of_three_beyond_two_sigma": two_of_three_beyond_two_sigma(y, up2, lo2, mean),
    }
    out: dict[str, BoolArray] = {}
    for rule, sides in by_rule.items():
        out[f"{rule}_high"] = sides.high
        out[f"{rule}_low"] = sides.low
    return out


def in_run(flags: BoolArray, length: int) -> BoolArray:
    """True for every element of a stretch of ``length`` or more consecutive Trues (last axis)."""
    n = flags.shape[-1]
    if n < length or length < 1:
        return np.zeros(flags.shape, dtype=np.bool_)
    # Work with time as the first axis: cumulative sums then run over contiguous rows, which
    # is several times faster for many series than summing along the last axis.
    by_time = flags if flags.ndim == 1 else np.ascontiguousarray(np.moveaxis(flags, -1, 0))
    csum = _running_total(by_time)
    full = (csum[length:] - csum[:-length]) == length  # the window starting at point j
    wsum = _running_total(full)
    i = np.arange(n)
    first = np.maximum(0, i - length + 1)
    last = np.minimum(i, n - length)
    marked: BoolArray = (wsum[last + 1] - wsum[first]) > 0
    return marked if flags.ndim == 1 else np.moveaxis(marked, 0, -1)


def _running_total(by_time: BoolArray) -> NDArray[np.int32]:
    """Cumulative sums down the first axis, with a leading row of zeros."""
    out = np.zeros((by_time.shape[0] + 1, *by_time.shape[1:]), dtype=np.int32)
    if by_time.ndim == 1 or by_time[0].size < _ROW_LOOP_MIN:
        np.cumsum(by_time, axis=0, out=out[1:])
        return out
    # For many series a loop over the (few) time steps adding whole rows was ~10x faster here
    # than np.cumsum down axis 0 (numpy 2.4, 10,000 × 60).
    for k in range(by_time.shape[0]):
        np.add(out[k], by_time[k], out=out[k + 1])
    return out


def _steps_to_points(steps: BoolArray, length: int) -> BoolArray:
    """Points at either end of a step that is part of ``length - 1`` or more steps in a row."""
    marked = in_run(steps, length - 1)
    pad = np.zeros((*steps.shape[:-1], 1), dtype=np.bool_)
    ends: BoolArray = np.concatenate([marked, pad], axis=-1) | np.concatenate(
        [pad, marked], axis=-1
    )
    return ends


def _two_of_three(beyond: BoolArray, same_side: BoolArray) -> BoolArray:
    """Points beyond a line in a window of three, all on its side of the mean, two beyond it."""
    n = beyond.shape[-1]
    if n < 3:
        return np.zeros(beyond.shape, dtype=np.bool_)
    b = np.broadcast_to(beyond, np.broadcast_shapes(beyond.shape, same_side.shape))
    side = np.broadcast_to(same_side, b.shape)
    count = b[..., :-2].astype(np.int8) + b[..., 1:-1] + b[..., 2:]
    window = (count >= 2) & side[..., :-2] & side[..., 1:-1] & side[..., 2:]  # starts at j
    pad2 = np.zeros((*b.shape[:-1], 2), dtype=np.bool_)
    padded = np.concatenate([pad2, window, pad2], axis=-1)
    # point i lies in the windows starting at i-2, i-1 and i
    in_window = padded[..., 0:n] | padded[..., 1 : n + 1] | padded[..., 2 : n + 2]
    return np.asarray(b & in_window)


def _floats(a: ArrayLike) -> FloatArray:
    return np.asarray(a, dtype=np.float64)
