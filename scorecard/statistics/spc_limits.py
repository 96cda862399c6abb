"""XmR process limits: the mean, MR̄, natural process limits and 2σ lines of consecutive points."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import ArrayLike, NDArray

# The array types every spc module speaks in.
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.int64]

# d2 = 1.128: the bias-correction constant for moving ranges of two consecutive points
# (σ̂ = MR̄ / d2).
D2: Final = 1.128
# 2.66 = 3 / d2 (3 / 1.128 = 2.6596, rounded as Making Data Count and CONTRACT §4 use it):
# natural process limits = mean ± 3σ̂ = mean ± 2.66 × MR̄.
LIMIT_FACTOR: Final = 2.66
# The "2σ" lines are two thirds of the way from the mean to the limits: mean ± (2/3 × 2.66) MR̄.
TWO_SIGMA_FACTOR: Final = 2.0 / 3.0 * LIMIT_FACTOR
# 3.267 = D4 for subgroups of n = 2: the upper range limit of a moving-range chart; optional
# screening drops moving ranges above 3.267 × MR̄ and recomputes MR̄ once.
MR_SCREEN_FACTOR: Final = 3.267


@dataclass(frozen=True, eq=False)
class ProcessLimits:
    """XmR centre line and limits; each field has the input's shape without its last axis."""

    mean: FloatArray
    mr_bar: FloatArray
    upl: FloatArray
    lpl: FloatArray
    upper_2s: FloatArray
    lower_2s: FloatArray


def process_limits(
    values: ArrayLike,
    *,
    excluded: ArrayLike | None = None,
    screen_moving_ranges: bool = False,
    baseline_points: int | None = None,
) -> ProcessLimits:
    """XmR mean, MR̄ and limits along the last axis (CONTRACT §4).

    Args:
        values: consecutive points (last axis); NaN is a gap that the moving range bridges.
        excluded: True where a point is left out of the mean and MR̄; a moving range with an
            excluded point at either end is not used.
        screen_moving_ranges: drop moving ranges above 3.267 × MR̄ and recompute MR̄ once.
        baseline_points: compute on the first N usable points only.

    Returns:
        The centre line and limits; NaN where there is no usable point (limits also need one
        usable moving range). MR̄ = 0 (a flat series) gives limits equal to the mean.
    """
    v = np.atleast_1d(np.asarray(values, dtype=np.float64))
    excl = (
        np.zeros(v.shape, dtype=np.bool_)
        if excluded is None
        else np.broadcast_to(np.asarray(excluded, dtype=np.bool_), v.shape)
    )
    lead = v.shape[:-1]
    n_rows = math.prod(lead)
    rows = v.reshape(n_rows, v.shape[-1])
    excl_rows = excl.reshape(n_rows, v.shape[-1])
    packed, order = compact(rows)
    compact_excl = np.take_along_axis(excl_rows, order, axis=-1)
    used = ~np.isnan(packed) & ~compact_excl
    present = ~np.isnan(packed)
    mr_ok = present[:, 1:] & present[:, :-1] & used[:, 1:] & used[:, :-1]
    mean, mr_bar = mean_and_mr_bar(packed, used, mr_ok, screen_moving_ranges, baseline_points)
    limits = limits_from(mean, mr_bar)
    return ProcessLimits(*(a.reshape(lead) for a in limits))


def compact(rows: FloatArray) -> tuple[FloatArray, IntArray]:
    """Move each row's non-missing values to the front, in order (NaN padding at the end)."""
    order = np.argsort(np.isnan(rows), axis=-1, kind="stable")
    return np.take_along_axis(rows, order, axis=-1), order


def _masked_mean(values: FloatArray, mask: BoolArray) -> FloatArray:
    count = mask.sum(axis=-1)
    total = np.where(mask, values, 0.0).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def mean_and_mr_bar(
    y: FloatArray,
    used: BoolArray,
    mr_ok: BoolArray,
    screen: bool,
    baseline_points: int | None,
) -> tuple[FloatArray, FloatArray]:
    """Mean of the used points and MR̄ of the usable moving ranges, per row.

    ``y`` holds each row's non-missing points in order (NaN only as end padding); ``mr_ok[k]``
    says whether the moving range between points k and k+1 may be used.
    """
    if baseline_points is not None:
        used = used & (np.cumsum(used, axis=-1) <= baseline_points)
        mr_ok = mr_ok & used[:, 1:] & used[:, :-1]
    # Averaging offsets from the first used point keeps a flat series' mean exactly equal to
    # its points (a plain sum of 0.1s drifts by an ulp and would put every point off the mean).
    n_rows = y.shape[0]
    if y.shape[1] == 0:
        empty = np.full(n_rows, np.nan)
        return empty, empty.copy()
    first = np.argmax(used, axis=-1)
    ref = np.where(used.any(axis=-1), y[np.arange(n_rows), first], 0.0)
    mean = ref + _masked_mean(y - ref[:, None], used)
    mr = np.abs(np.diff(y, axis=-1))
    mr_ok = mr_ok & ~np.isnan(mr)
    mr_bar = _masked_mean(mr, mr_ok)
    if screen:
        with np.errstate(invalid="ignore"):
            keep = mr_ok & (mr <= MR_SCREEN_FACTOR * mr_bar[:, None])
        mr_bar = _masked_mean(mr, keep)
    return mean, mr_bar


def limits_from(
    mean: FloatArray, mr_bar: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """Mean, MR̄, UPL, LPL and the upper and lower 2σ lines from the mean and MR̄."""
    width = LIMIT_FACTOR * mr_bar
    width_2s = TWO_SIGMA_FACTOR * mr_bar
    return mean, mr_bar, mean + width, mean - width, mean + width_2s, mean - width_2s
