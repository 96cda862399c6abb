"""Funnel limits, bands and ranks for many peer tables at once, on flat sorted arrays.

The same method as ``scorecard.statistics.benchmark.funnel`` (Spiegelhalter 2005, z-scores
Winsorised at their 10th and 90th percentiles, an additive τ²), computed for every (measure, month,
level) group in one pass of numpy operations instead of one small table at a time. Rows arrive
sorted by group (``group`` is 0, 0, 1, 1, 1, 2, …) and, inside a group, in the order the per-table
method sees them, so each figure is the same floating-point number the per-table method gives:

- the 10th and 90th percentiles are numpy's linear interpolation (type 7) written out on the
  z-scores sorted inside each group: index h = (n − 1)·p, the two neighbours and numpy's lerp;
- φ and τ²'s sums are ``np.add.reduce`` over each group's slice, the summation ``np.mean`` and
  ``ndarray.sum`` use (``np.add.reduceat`` adds in another order and can differ in the last bit).

Bands are small integers in the order of ``BAND_ORDER``; reasons in the order of ``REASONS``.
``tests/unit/test_benchmark_vectorised.py`` holds every result equal to the per-table method's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

# Band codes, in the order of scorecard.statistics.benchmark.Band.
BETTER_998: Final = 0
BETTER_95: Final = 1
SIMILAR: Final = 2
WORSE_95: Final = 3
WORSE_998: Final = 4
NOT_COMPARABLE: Final = 5
BAND_ORDER: Final = (
    "better_998",
    "better_95",
    "similar",
    "worse_95",
    "worse_998",
    "not_comparable",
)

# Direction codes of a group.
INCREASE: Final = 1
NEUTRAL: Final = 0
DECREASE: Final = -1

# Why a group has no funnel (FUNNEL when it has one).
FUNNEL: Final = 0
NO_ENGLAND: Final = 1
NO_WIDTH: Final = 2
TOO_FEW: Final = 3
NO_DENOMINATOR: Final = 4
REASONS: Final = ("funnel", "no_england", "no_width", "too_few", "no_denominator")


@dataclass(frozen=True)
class Method:
    """The constants of the method: limits' z, Winsorising percentiles, fewest peers."""

    z_95: float
    z_998: float
    winsor_lower: float
    winsor_upper: float
    min_peers: int


@dataclass(frozen=True)
class GroupResults:
    """Every row's figure, band and limits, and every group's funnel, in one pass.

    ``rank_values`` are what a row is ranked by (``ranks_at``): the proportion behind a
    percentage, the published value otherwise.

    Row arrays follow the input rows; group arrays are indexed by group number. Figures and
    limits are in the KPI's unit (a proportion times ``scale``, 100, for a percentage); NaN
    stands for "none".
    """

    figures: FloatArray
    rank_values: FloatArray
    bands: NDArray[np.int8]
    lower_95: FloatArray
    upper_95: FloatArray
    lower_998: FloatArray
    upper_998: FloatArray
    reason: NDArray[np.int8]
    scale: FloatArray
    england: FloatArray
    target: FloatArray
    phi: FloatArray
    tau2: FloatArray
    organisations: IntArray
    peers: IntArray
    missing: IntArray
    zero_denominator: IntArray
    impossible: IntArray


def _counts(group: IntArray, mask: BoolArray, groups: int) -> IntArray:
    return np.bincount(group[mask], minlength=groups).astype(np.int64)


def _percentile(ordered: FloatArray, starts: IntArray, sizes: IntArray, p: float) -> FloatArray:
    """The linear (type 7) percentile, as numpy's, of each group's sorted slice, written out."""
    virtual = (sizes - 1) * p
    previous = np.floor(virtual)
    following = previous + 1
    above = virtual >= sizes - 1
    previous[above] = sizes[above] - 1
    following[above] = sizes[above] - 1
    below = virtual < 0
    previous[below] = 0
    following[below] = 0
    gamma = virtual - np.where(above, -1.0, previous)
    a = ordered[starts + previous.astype(np.int64)]
    b = ordered[starts + following.astype(np.int64)]
    diff = b - a
    out: FloatArray = a + diff * gamma
    high = gamma >= 0.5
    out[high] = (b - diff * (1 - gamma))[high]
    return out


def _within_groups(key: FloatArray, group: IntArray) -> IntArray:
    """The order sorting ``key`` inside each group, groups kept in order (``group`` sorted).

    A sort of the keys, then a stable sort of their groups (a radix sort on small integers):
    faster than ``np.lexsort`` on a float and an integer key, with the same sorted keys.
    """
    by_key = np.argsort(key)
    small = np.uint16 if group.size and int(group[-1]) < 2**16 else np.int64
    return by_key[np.argsort(group[by_key].astype(small), kind="stable")].astype(np.int64)


def ranks_at(
    x: FloatArray, group: IntArray, direction: NDArray[np.int8], rows: IntArray
) -> IntArray:
    """Competition ranks of ``rows`` inside their groups (1 = best by the group's direction).

    A row's rank is one more than the number of its group's values strictly better than its
    own, as ``scorecard.statistics.benchmark.ranks`` counts them; NaN values are not counted
    and a NaN row gets 0. Only the groups of ``rows`` are read, with no sort.
    """
    if rows.size == 0:
        return np.zeros(0, dtype=np.int64)
    g = group[rows]
    start = np.searchsorted(group, g, side="left")
    sizes = np.searchsorted(group, g, side="right") - start
    ends = np.cumsum(sizes)
    first = ends - sizes
    members = np.repeat(start - first, sizes) + np.arange(int(ends[-1]))
    other, own = x[members], np.repeat(x[rows], sizes)
    lower_is_better = np.repeat(direction[g] == DECREASE, sizes)
    better = np.where(lower_is_better, other < own, other > own).astype(np.int64)
    counted = np.add.reduceat(better, first)
    return np.where(np.isnan(x[rows]), 0, counted + 1).astype(np.int64)


def group_results(
    group: IntArray,
    values: FloatArray,
    numerators: FloatArray,
    denominators: FloatArray,
    england: tuple[FloatArray, FloatArray, FloatArray],
    percent: BoolArray,
    direction: NDArray[np.int8],
    method: Method,
) -> GroupResults:
    """Figures, limits and bands of every row and the funnel of every group, sorted by group.

    Ranks are counted afterwards, for the rows asked about only (``ranks_at``).

    ``england`` is each group's England (value, numerator, denominator), NaN where absent;
    ``percent`` says a group's KPI is a percentage and ``direction`` its better direction.
    """
    groups = percent.size
    counted = ~np.isnan(numerators) & ~np.isnan(denominators)
    proportion = percent & (_counts(group, counted, groups) > 0)
    # The rows of proportion groups: the only ones a funnel or an exclusion concerns.
    p_rows = np.flatnonzero(proportion[group])
    pg = group[p_rows]
    num, den, counted = numerators[p_rows], denominators[p_rows], counted[p_rows]
    missing = ~counted
    zero = counted & (den <= 0)
    impossible = counted & ~zero & ((num < 0) | (num > den))
    keep = counted & ~zero & ~impossible
    kept = _counts(pg, keep, groups)

    e_value, e_num, e_den = england
    with np.errstate(divide="ignore", invalid="ignore"):
        england_ok = ~np.isnan(e_num) & ~np.isnan(e_den) & (e_den > 0)
        target = np.where(england_ok, e_num / np.where(england_ok, e_den, 1.0), np.nan)
        proportions = np.where(den > 0, num / den, np.nan)
    reason = np.select(
        [~proportion, ~england_ok, ~((target > 0) & (target < 1)), kept < method.min_peers],
        [NO_DENOMINATOR, NO_ENGLAND, NO_WIDTH, TOO_FEW],
        FUNNEL,
    ).astype(np.int8)
    funnel = reason == FUNNEL
    in_funnel = funnel[pg]
    f_rows = np.flatnonzero(keep & in_funnel)  # kept rows of funnel groups, within p_rows
    g = pg[f_rows]
    t = target[g]
    n = den[f_rows]
    y = num[f_rows] / n
    s = np.sqrt(t * (1.0 - t) / n)
    z = (y - t) / s

    # φ and τ² of each funnel group, from its kept rows in their given order.
    phi = np.full(groups, np.nan)
    tau2 = np.full(groups, np.nan)
    funnels = np.flatnonzero(funnel)
    if funnels.size:
        starts = np.searchsorted(g, funnels, side="left")
        stops = np.searchsorted(g, funnels, side="right")
        sizes = (stops - starts).astype(np.int64)
        ordered = z[_within_groups(z, g)]
        position = np.searchsorted(funnels, g)
        low = _percentile(ordered, starts, sizes, method.winsor_lower)[position]
        high = _percentile(ordered, starts, sizes, method.winsor_upper)[position]
        squares = np.minimum(np.maximum(z, low), high) ** 2
        weights = 1.0 / s**2
        weights2 = weights**2
        add = np.add.reduce
        bounds = list(zip(starts.tolist(), stops.tolist(), strict=True))
        sums = np.array(
            [(add(squares[a:b]), add(weights[a:b]), add(weights2[a:b])) for a, b in bounds],
            dtype=np.float64,
        ).reshape(-1, 3)
        phi_f = sums[:, 0] / sizes
        total, total2 = sums[:, 1], sums[:, 2]
        with np.errstate(divide="ignore", invalid="ignore"):
            denominator = total - total2 / total
            raw = (sizes * phi_f - (sizes - 1)) / denominator
        ok = (sizes >= 2) & (phi_f > 1.0) & (denominator > 0.0)
        phi[funnels] = phi_f
        tau2[funnels] = np.where(ok & (raw > 0.0), raw, 0.0)

    spread = np.sqrt(t * (1.0 - t) / n + tau2[g])
    limits = (
        t - method.z_95 * spread,
        t + method.z_95 * spread,
        t - method.z_998 * spread,
        t + method.z_998 * spread,
    )
    lower_95, upper_95, lower_998, upper_998 = limits
    row_direction = direction[g]
    far_high = y > upper_998
    near_high = ~far_high & (y > upper_95)
    far_low = ~far_high & ~near_high & (y < lower_998)
    near_low = ~far_high & ~near_high & ~far_low & (y < lower_95)
    increase = row_direction == INCREASE
    funnel_bands = np.select(
        [row_direction == NEUTRAL, far_high, near_high, far_low, near_low],
        [
            NOT_COMPARABLE,
            np.where(increase, BETTER_998, WORSE_998),
            np.where(increase, BETTER_95, WORSE_95),
            np.where(increase, WORSE_998, BETTER_998),
            np.where(increase, WORSE_95, BETTER_95),
        ],
        SIMILAR,
    ).astype(np.int8)

    # Back to every row: a funnel group's left-out rows have no figure, a rank group's
    # proportion rows their proportion, other groups their published value.
    own = np.where(in_funnel, np.nan, proportions)
    own[f_rows] = y
    unscaled = values.copy()
    unscaled[p_rows] = own
    figures = values.copy()
    figures[p_rows] = own * 100.0
    funnel_rows = p_rows[f_rows]
    bands = np.full(values.shape, NOT_COMPARABLE, dtype=np.int8)
    bands[funnel_rows] = funnel_bands
    scaled = []
    for limit in limits:
        full = np.full(values.shape, np.nan)
        full[funnel_rows] = limit * 100.0
        scaled.append(full)
    present = ~np.isnan(figures)
    return GroupResults(
        figures=figures,
        rank_values=unscaled,
        bands=bands,
        lower_95=scaled[0],
        upper_95=scaled[1],
        lower_998=scaled[2],
        upper_998=scaled[3],
        reason=reason,
        scale=np.where(proportion, 100.0, 1.0),
        england=np.where(proportion, target * 100.0, e_value),
        target=target,
        phi=phi,
        tau2=tau2,
        organisations=kept,
        peers=np.where(funnel, kept, _counts(group, present, groups)),
        missing=_counts(pg, missing, groups),
        zero_denominator=_counts(pg, zero, groups),
        impossible=_counts(pg, impossible, groups),
    )
