"""Variation and assurance for many series at once, vectorised (no partitions or exclusions)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from scorecard.statistics.spc_icons import assurance_codes, direction_code, variation_codes
from scorecard.statistics.spc_limits import (
    FloatArray,
    IntArray,
    compact,
    limits_from,
    mean_and_mr_bar,
)
from scorecard.statistics.spc_rules import rule_flags
from scorecard.statistics.spc_settings import SpcSettings
from scorecard.statistics.spc_shifts import shift_starts
from scorecard.thread.domain import Direction


def analyse_many(
    matrix: ArrayLike,
    directions: Direction | str | Sequence[Direction | str],
    targets: ArrayLike | Sequence[float | None] | None = None,
    settings: SpcSettings | None = None,
) -> tuple[NDArray[np.str_], NDArray[np.str_]]:
    """Variation and assurance codes for many series at once (vectorised).

    Each row is one series of consecutive months (NaN = missing); no partitions or exclusions.
    Agrees with ``analyse`` row by row.

    Args:
        matrix: n_series × n_points values.
        directions: one direction for every series, or one per series.
        targets: one target per series (None or NaN = no target), or None for no targets.
        settings: SPC settings shared by every series.

    Returns:
        (variation codes, assurance codes), arrays of strings of length n_series.
    """
    variation, assurance, _ = _analyse_many(matrix, directions, targets, settings, shifts=False)
    return variation, assurance


def analyse_many_with_shifts(
    matrix: ArrayLike,
    directions: Direction | str | Sequence[Direction | str],
    targets: ArrayLike | Sequence[float | None] | None = None,
    settings: SpcSettings | None = None,
) -> tuple[NDArray[np.str_], NDArray[np.str_], IntArray]:
    """``analyse_many`` plus each series' sustained shift reaching its latest point.

    Returns:
        (variation codes, assurance codes, shift starts): the index in the row of the first
        point of the shift (``sustained_shift_starts``), or -1 where there is none.
    """
    variation, assurance, starts = _analyse_many(matrix, directions, targets, settings, shifts=True)
    assert starts is not None  # noqa: S101 (always given when asked for)
    return variation, assurance, starts


def _analyse_many(
    matrix: ArrayLike,
    directions: Direction | str | Sequence[Direction | str],
    targets: ArrayLike | Sequence[float | None] | None,
    settings: SpcSettings | None,
    *,
    shifts: bool,
) -> tuple[NDArray[np.str_], NDArray[np.str_], IntArray | None]:
    s = settings or SpcSettings()
    y = np.array(matrix, dtype=np.float64)
    if y.ndim != 2:
        msg = f"matrix must be n_series × n_points, not shape {y.shape}"
        raise ValueError(msg)
    n_series = y.shape[0]
    if isinstance(directions, (Direction, str)):
        codes = np.full(n_series, direction_code(Direction(directions)), dtype=np.int8)
    else:
        codes = np.array([direction_code(Direction(d)) for d in directions], dtype=np.int8)
    if codes.shape[0] != n_series:
        msg = f"{codes.shape[0]} directions for {n_series} series"
        raise ValueError(msg)
    tgt = np.full(n_series, np.nan) if targets is None else _targets(targets)
    if tgt.shape != (n_series,):
        msg = f"{tgt.shape[0]} targets for {n_series} series"
        raise ValueError(msg)

    packed, order = compact(y)
    used = ~np.isnan(packed)
    mr_ok = used[:, 1:] & used[:, :-1]
    mean, mr_bar = mean_and_mr_bar(packed, used, mr_ok, s.screen_moving_ranges, s.baseline_points)
    _, _, upl, lpl, up2, lo2 = limits_from(mean, mr_bar)
    lines = (mean[:, None], upl[:, None], lpl[:, None], up2[:, None], lo2[:, None])
    flags = rule_flags(packed, lines, s.run_length, s.trend_length)
    n_used = used.sum(axis=1)
    last = np.maximum(n_used - 1, 0)
    rows = np.arange(n_series)
    high = np.zeros(n_series, dtype=np.bool_)
    low = np.zeros(n_series, dtype=np.bool_)
    if packed.shape[1]:
        for name, f in flags.items():
            if name.endswith("_high"):
                high |= f[rows, last]
            else:
                low |= f[rows, last]
        latest = packed[rows, last]
    else:
        latest = np.full(n_series, np.nan)
    charted = (n_used >= s.min_points) & np.isfinite(mr_bar)
    with np.errstate(invalid="ignore"):
        above = latest >= mean
    variation = np.where(charted, variation_codes(high, low, codes, s.conflict_rule, above), "none")
    assurance = np.where(charted, assurance_codes(codes, tgt, upl, lpl), "none")
    starts: IntArray | None = None
    if shifts:
        starts = np.full(n_series, -1, dtype=np.int64)
        if packed.shape[1]:
            found = shift_starts(packed, mean, flags, last, charted)
            starts = np.where(found >= 0, order[rows, np.maximum(found, 0)], -1).astype(np.int64)
    return variation.astype(np.str_), assurance.astype(np.str_), starts


def _targets(targets: ArrayLike | Sequence[float | None]) -> FloatArray:
    items = np.asarray(targets, dtype=object).ravel()
    return np.array([np.nan if t is None else float(t) for t in items], dtype=np.float64)
