"""Sustained shifts: a run or trend reaching the latest point, not yet in the limits."""

from __future__ import annotations

from typing import Final

import numpy as np
from numpy.typing import ArrayLike

from scorecard.statistics.spc_limits import BoolArray, FloatArray, IntArray
from scorecard.statistics.spc_rules import in_run, trend
from scorecard.statistics.spc_settings import SpcSettings

_SHIFT_RULES: Final = ("run_on_one_side_high", "run_on_one_side_low", "trend_high", "trend_low")


def sustained_shift_starts(
    values: ArrayLike, mean: ArrayLike, settings: SpcSettings | None = None
) -> IntArray:
    """Where a sustained shift reaches the latest point of each series (last axis), else -1.

    A sustained shift is a run of ``run_length`` or more points on one side of ``mean`` or a
    trend of ``trend_length`` or more points that includes the latest point; its start is the
    first point of that run or trend (the earlier of the two when both reach the latest point).
    A shift starting at the first point is no shift against the limits (they were computed on
    it). Missing values (NaN) must be trailing padding only, as ``analyse_many`` compacts them.
    Making Data Count recalculates limits at such a shift once it is understood, by a person's
    decision: this only proposes the month.
    """
    s = settings or SpcSettings()
    y = np.atleast_2d(np.asarray(values, dtype=np.float64))
    m = np.broadcast_to(np.asarray(mean, dtype=np.float64), y.shape[:-1])
    present = ~np.isnan(y)
    last = np.maximum(present.sum(axis=-1) - 1, 0)
    flags = {
        "run_on_one_side_high": in_run(y > m[:, None], s.run_length),
        "run_on_one_side_low": in_run(y < m[:, None], s.run_length),
    }
    trends = trend(y, s.trend_length)
    flags["trend_high"], flags["trend_low"] = trends.high, trends.low
    charted = np.asarray(present.any(axis=-1), dtype=np.bool_)
    found: IntArray = shift_starts(y, np.asarray(m), flags, last, charted)
    return found


def shift_starts(
    y: FloatArray, mean: FloatArray, flags: dict[str, BoolArray], last: IntArray, charted: BoolArray
) -> IntArray:
    """Start (index into each row) of a run or trend flagged at the row's ``last`` point, or -1.

    Only the few rows whose latest point is in a run or trend are looked at again, so the cost
    over the rules already computed is small.
    """
    n_series, n = y.shape
    out = np.full(n_series, -1, dtype=np.int64)
    if n == 0 or n_series == 0:
        return out
    rows = np.arange(n_series)
    at_last = {name: flags[name][rows, last] & charted for name in _SHIFT_RULES}
    hit = np.flatnonzero(np.logical_or.reduce([at_last[name] for name in _SHIFT_RULES]))
    if hit.size == 0:
        return out
    sub, sub_last = y[hit], last[hit]
    pos = np.arange(n)
    upto = pos[None, :] <= sub_last[:, None]

    def trailing_start(cond: BoolArray) -> IntArray:
        """The first index of the stretch of Trues that ends at each row's last point."""
        breaks = np.where(~cond & upto, pos[None, :], -1).max(axis=1)
        return np.asarray(breaks + 1, dtype=np.int64)

    step_up = np.zeros(sub.shape, dtype=np.bool_)
    step_down = np.zeros(sub.shape, dtype=np.bool_)
    step_up[:, 1:] = sub[:, 1:] > sub[:, :-1]  # point k is higher than point k - 1
    step_down[:, 1:] = sub[:, 1:] < sub[:, :-1]
    m = mean[hit][:, None]
    with np.errstate(invalid="ignore"):
        conditions = {
            "run_on_one_side_high": (sub > m, 0),
            "run_on_one_side_low": (sub < m, 0),
            "trend_high": (step_up, 1),  # a trend starts at the point before its first rise
            "trend_low": (step_down, 1),
        }
    best = np.full(hit.size, n, dtype=np.int64)
    for name, (cond, back) in conditions.items():
        starts = trailing_start(cond) - back
        best = np.where(at_last[name][hit], np.minimum(best, starts), best)
    out[hit] = np.where((best > 0) & (best < n), best, -1)
    return out


def latest_shift(
    x: FloatArray,
    partition: IntArray,
    used: BoolArray,
    has_limits: list[bool],
    mean: FloatArray,
    flags: dict[str, BoolArray],
) -> int | None:
    """The index in ``x`` where a sustained shift in the latest partition begins, or None."""
    idx = np.flatnonzero(used)
    if idx.size == 0:
        return None
    p = int(partition[idx[-1]])
    if not has_limits[p]:
        return None
    mine = idx[partition[idx] == p]
    part = {name: flags[name][mine][None, :] for name in _SHIFT_RULES}
    last = np.array([mine.size - 1], dtype=np.int64)
    found = shift_starts(
        x[mine][None, :], mean[mine[:1]], part, last, np.array([True], dtype=np.bool_)
    )
    return None if found[0] < 0 else int(mine[found[0]])
