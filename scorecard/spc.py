"""Making Data Count SPC: XmR process limits, the special-cause rules, variation and assurance.

Implements CONTRACT §4 (NHS England "Making Data Count") in plain numpy. Every rule works on
the last axis of an array, so one series and ten thousand series go through the same code:
``analyse`` (one series, with partitions, exclusions and provisional flags) and
``analyse_many`` (a matrix of series, no partitions or exclusions) cannot disagree.

Choices where the contract is silent (all tested in tests/unit/test_spc.py):

- Missing values (NaN) are gaps: not counted, not flagged, and skipped by the rules; the moving
  range bridges a gap (it is taken between consecutive non-missing points).
- Excluded points are drawn but left out of the mean and MR̄; a moving range that has an
  excluded point at either end is not used (nothing is bridged across an excluded point), and
  the rules skip excluded points (they neither count towards nor break a run or trend).
- Rules and limits work within a partition: a change point restarts both.
- A partition with fewer than ``min_points`` usable points has no limits (a run chart, drawn
  with its median); the summary (variation, assurance, ``n_points``) is that of the partition
  holding the latest non-missing point.
- "Beyond" a limit or a 2σ line is strictly beyond; a point on the mean breaks a run; equal
  neighbours break a trend. A flat series has MR̄ = 0, so its limits equal its mean and, with
  every point on the mean, it shows common cause.
- Two-of-three: at least two of three consecutive points strictly beyond the same 2σ line,
  with all three points of the window on that side of the mean (strictly: a point on the mean
  or a missing point breaks the window), as Making Data Count (SQL tool v2.1 onwards) and
  NHSRplotthedots read it; only the points beyond the line are flagged, as NHS tools do.
- A trend is high-side when rising and low-side when falling, whichever side of the mean its
  points lie.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final, NamedTuple, TypeVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from scorecard.domain import ConflictRule, Direction
from scorecard.numbers import format_number

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.int64]
_Arr = TypeVar("_Arr", bound=NDArray[Any])
_ROW_LOOP_MIN: Final = 256  # series at which summing row by row beats np.cumsum

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

RUN_LENGTH_RANGE: Final = (6, 8)  # CONTRACT §4: run and trend lengths are settings, 6–8
MIN_BASELINE_POINTS: Final = 12  # CONTRACT §4: baselines may be fixed on the first N ≥ 12 points
DEFAULT_MIN_POINTS: Final = 15  # CONTRACT §4: fewer than 15 points → a run chart, no icons

VARIATIONS: Final = (
    "common_cause",
    "improvement_high",
    "improvement_low",
    "concern_high",
    "concern_low",
    "neither_high",
    "neither_low",
    "none",
)
ASSURANCES: Final = ("pass", "fail", "hit_or_miss", "none")

COMMON_CAUSE: Final = "common_cause"
IMPROVEMENT: Final = "improvement"
CONCERN: Final = "concern"
NEITHER: Final = "neither"
EXCLUDED: Final = "excluded"
MISSING: Final = "missing"
POINT_STATES: Final = (COMMON_CAUSE, IMPROVEMENT, CONCERN, NEITHER, EXCLUDED, MISSING)

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


@dataclass(frozen=True, eq=False)
class ProcessLimits:
    """XmR centre line and limits; each field has the input's shape without its last axis."""

    mean: FloatArray
    mr_bar: FloatArray
    upl: FloatArray
    lpl: FloatArray
    upper_2s: FloatArray
    lower_2s: FloatArray


@dataclass(frozen=True)
class SpcSettings:
    """Per-KPI SPC settings (CONTRACT §4).

    Attributes:
        run_length: points on one side of the mean that make a run (6–8).
        trend_length: consecutive rising or falling points that make a trend (6–8).
        screen_moving_ranges: drop moving ranges above 3.267 × MR̄ and recompute MR̄ once.
        baseline_points: fix each partition's limits on its first N usable points (N ≥ 12),
            then extend them; None uses every point of the partition.
        conflict_rule: what a point that fires both an improvement and a concern rule shows.
        min_points: fewer usable points than this in a partition → run chart, no icons.
    """

    run_length: int = 7
    trend_length: int = 7
    screen_moving_ranges: bool = False
    baseline_points: int | None = None
    conflict_rule: ConflictRule = ConflictRule.CONCERN
    min_points: int = DEFAULT_MIN_POINTS

    def __post_init__(self) -> None:
        """Validate the settings; raise ValueError naming the bad one."""
        low, high = RUN_LENGTH_RANGE
        for name in ("run_length", "trend_length"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                msg = f"{name} must be a whole number from {low} to {high}, not {value!r}"
                raise ValueError(msg)
        base = self.baseline_points
        if base is not None and (
            isinstance(base, bool) or not isinstance(base, int) or base < MIN_BASELINE_POINTS
        ):
            msg = f"baseline_points must be empty or at least {MIN_BASELINE_POINTS}, not {base!r}"
            raise ValueError(msg)
        mp = self.min_points
        if isinstance(mp, bool) or not isinstance(mp, int) or mp < 1:
            msg = f"min_points must be a positive whole number, not {mp!r}"
            raise ValueError(msg)
        # Accept the enum's string value too (e.g. straight from a CSV cell).
        object.__setattr__(self, "conflict_rule", ConflictRule(self.conflict_rule))
        object.__setattr__(self, "screen_moving_ranges", bool(self.screen_moving_ranges))


@dataclass(frozen=True, eq=False)
class SpcPoints:
    """Per-point arrays of an SPC result, one entry per input value (read-only).

    Limits are NaN for points in a partition that is a run chart (too few points); ``mean`` and
    ``median`` are NaN only where the partition has no usable point. ``point_state`` is one of
    ``common_cause, improvement, concern, neither, excluded, missing`` (``missing`` = NaN value).
    """

    values: FloatArray
    mean: FloatArray
    median: FloatArray
    upl: FloatArray
    lpl: FloatArray
    upper_2s: FloatArray
    lower_2s: FloatArray
    partition: IntArray
    excluded: BoolArray
    provisional: BoolArray
    special_high: BoolArray
    special_low: BoolArray
    rules: tuple[frozenset[str], ...]
    point_state: tuple[str, ...]
    partition_has_limits: tuple[bool, ...]

    def __len__(self) -> int:
        return int(self.values.shape[0])


@dataclass(frozen=True, eq=False)
class SpcResult:
    """The SPC reading of one series: per-point arrays under ``points`` and a summary.

    Summary fields describe the partition holding the latest non-missing point:
    ``n_points`` counts its non-missing, non-excluded points; ``mean``/``upl``/``lpl``/
    ``upper_2s``/``lower_2s`` are its centre line and limits (None when unavailable, e.g. the
    limits of a run chart); ``variation`` is one of ``VARIATIONS`` and ``assurance`` one of
    ``ASSURANCES`` (both ``none`` for a run chart; variation ``none`` too when the latest point
    is excluded). ``latest_index`` is the latest non-missing point (None for no data);
    ``conflict`` is True when that point fired both a high-side and a low-side rule and the
    conflict rule chose the variation. ``shift_index`` is the first point of a sustained shift
    (``sustained_shift_starts``) that reaches the latest point, None when there is none: the
    limits then describe the process before it, and an analyst may record a change point there.
    """

    points: SpcPoints
    variation: str
    assurance: str
    n_points: int
    is_run_chart: bool
    mean: float | None
    upl: float | None
    lpl: float | None
    upper_2s: float | None
    lower_2s: float | None
    target: float | None
    direction: Direction
    settings: SpcSettings
    latest_index: int | None
    conflict: bool = field(default=False)
    shift_index: int | None = field(default=None)

    @property
    def latest_value(self) -> float | None:
        """The latest non-missing value, or None for an empty series."""
        if self.latest_index is None:
            return None
        return float(self.points.values[self.latest_index])

    @property
    def latest_state(self) -> str | None:
        """The point state of the latest non-missing point, or None for an empty series."""
        if self.latest_index is None:
            return None
        return self.points.point_state[self.latest_index]

    def summary(self) -> dict[str, object]:
        """The summary as a JSON-ready dict (the scorecard's SPC fields)."""
        return {
            "n_points": self.n_points,
            "mean": self.mean,
            "upl": self.upl,
            "lpl": self.lpl,
            "variation": self.variation,
            "assurance": self.assurance,
            "target": self.target,
        }

    def variation_text(self) -> str:
        """The variation reading as one plain-English sentence."""
        return _variation_text(self)

    def assurance_text(self) -> str:
        """The assurance reading as one plain-English sentence."""
        return _assurance_text(self)


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
    return SideFlags(_in_run(v > m, length), _in_run(v < m, length))


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
    compact, order = _compact(rows)
    compact_excl = np.take_along_axis(excl_rows, order, axis=-1)
    used = ~np.isnan(compact) & ~compact_excl
    present = ~np.isnan(compact)
    mr_ok = present[:, 1:] & present[:, :-1] & used[:, 1:] & used[:, :-1]
    mean, mr_bar = _mean_and_mr_bar(compact, used, mr_ok, screen_moving_ranges, baseline_points)
    limits = _limits_from(mean, mr_bar)
    return ProcessLimits(*(a.reshape(lead) for a in limits))


def analyse(
    values: Sequence[float | None] | ArrayLike,
    direction: Direction | str,
    target: float | None = None,
    settings: SpcSettings | None = None,
    change_points: Sequence[int] = (),
    excluded: Sequence[bool] | ArrayLike | None = None,
    provisional: Sequence[bool] | ArrayLike | None = None,
) -> SpcResult:
    """The Making Data Count reading of one monthly series.

    Args:
        values: consecutive months; NaN or None = missing (a gap, not counted).
        direction: which way is better for the KPI.
        target: the target for the latest month (None = no target).
        settings: the KPI's SPC settings (defaults of CONTRACT §4 when None).
        change_points: indices where a new partition starts (0 and indices at or past the end
            are ignored, so a change recorded after the month shown does nothing).
        excluded: True per point drawn but left out of the calculation.
        provisional: True per provisional point (carried through; counted like any other).

    Returns:
        The per-point arrays and the summary.

    Raises:
        ValueError: values not one-dimensional or infinite, flags of the wrong length, or a
            negative change point.
    """
    s = settings or SpcSettings()
    d = Direction(direction)
    x = np.array(values, dtype=np.float64)
    if x.ndim != 1:
        msg = f"values must be one series (1-D), not shape {x.shape}"
        raise ValueError(msg)
    if np.isinf(x).any():
        msg = "values must be finite numbers or missing (NaN/None)"
        raise ValueError(msg)
    n = x.shape[0]
    excl = _flags(excluded, n, "excluded")
    prov = _flags(provisional, n, "provisional")
    present = ~np.isnan(x)
    excl &= present
    partition = _partitions(n, change_points)
    nan = np.full(n, np.nan)
    mean, median, upl, lpl, up2, lo2 = (nan.copy() for _ in range(6))
    flags = {name: np.zeros(n, dtype=np.bool_) for name in RULE_NAMES}
    has_limits: list[bool] = []

    n_parts = int(partition[-1]) + 1 if n else 0
    for p in range(n_parts):
        idx = np.flatnonzero((partition == p) & present)
        y = x[idx][None, :]
        e = excl[idx][None, :]
        used = ~e
        mr_ok = used[:, 1:] & used[:, :-1]
        used_idx = idx[~e[0]]
        p_mean, mr_bar = _mean_and_mr_bar(y, used, mr_ok, s.screen_moving_ranges, s.baseline_points)
        in_part = partition == p
        mean[in_part] = p_mean[0]
        if used_idx.size:
            median[in_part] = _median(x[used_idx])
        enough = used_idx.size >= s.min_points and bool(np.isfinite(mr_bar[0]))
        has_limits.append(enough)
        if not enough:
            continue
        _, _, p_upl, p_lpl, p_up2, p_lo2 = _limits_from(p_mean, mr_bar)
        upl[in_part], lpl[in_part] = p_upl[0], p_lpl[0]
        up2[in_part], lo2[in_part] = p_up2[0], p_lo2[0]
        part_lines = (p_mean[0], p_upl[0], p_lpl[0], p_up2[0], p_lo2[0])
        part_flags = _rule_flags(x[used_idx], part_lines, s.run_length, s.trend_length)
        for name, f in part_flags.items():
            flags[name][used_idx] = f

    high = np.zeros(n, dtype=np.bool_)
    low = np.zeros(n, dtype=np.bool_)
    for name, f in flags.items():
        if name.endswith("_high"):
            high |= f
        else:
            low |= f
    shift_index = _latest_shift(x, partition, present & ~excl, has_limits, mean, flags)
    code = _direction_code(d)
    states = _point_states(high, low, code, s.conflict_rule)
    states[~present] = MISSING
    states[excl] = EXCLUDED
    rules = _rule_sets(flags, n)

    latest = int(np.flatnonzero(present)[-1]) if present.any() else None
    tgt = None if target is None or not math.isfinite(float(target)) else float(target)
    summary = _summarise(
        x, latest, partition, excl, has_limits, high, low, code, s, (mean, upl, lpl, up2, lo2), tgt
    )
    points = SpcPoints(
        values=_frozen(x),
        mean=_frozen(mean),
        median=_frozen(median),
        upl=_frozen(upl),
        lpl=_frozen(lpl),
        upper_2s=_frozen(up2),
        lower_2s=_frozen(lo2),
        partition=_frozen(partition),
        excluded=_frozen(excl),
        provisional=_frozen(prov),
        special_high=_frozen(high),
        special_low=_frozen(low),
        rules=rules,
        point_state=tuple(states.tolist()),
        partition_has_limits=tuple(has_limits),
    )
    return SpcResult(
        points=points,
        variation=summary.variation,
        assurance=summary.assurance,
        n_points=summary.n_points,
        is_run_chart=summary.is_run_chart,
        mean=summary.mean,
        upl=summary.upl,
        lpl=summary.lpl,
        upper_2s=summary.upper_2s,
        lower_2s=summary.lower_2s,
        target=tgt,
        direction=d,
        settings=s,
        latest_index=latest,
        conflict=summary.conflict,
        shift_index=shift_index,
    )


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
        codes = np.full(n_series, _direction_code(Direction(directions)), dtype=np.int8)
    else:
        codes = np.array([_direction_code(Direction(d)) for d in directions], dtype=np.int8)
    if codes.shape[0] != n_series:
        msg = f"{codes.shape[0]} directions for {n_series} series"
        raise ValueError(msg)
    tgt = np.full(n_series, np.nan) if targets is None else _targets(targets)
    if tgt.shape != (n_series,):
        msg = f"{tgt.shape[0]} targets for {n_series} series"
        raise ValueError(msg)

    compact, order = _compact(y)
    used = ~np.isnan(compact)
    mr_ok = used[:, 1:] & used[:, :-1]
    mean, mr_bar = _mean_and_mr_bar(compact, used, mr_ok, s.screen_moving_ranges, s.baseline_points)
    _, _, upl, lpl, up2, lo2 = _limits_from(mean, mr_bar)
    lines = (mean[:, None], upl[:, None], lpl[:, None], up2[:, None], lo2[:, None])
    flags = _rule_flags(compact, lines, s.run_length, s.trend_length)
    n_used = used.sum(axis=1)
    last = np.maximum(n_used - 1, 0)
    rows = np.arange(n_series)
    high = np.zeros(n_series, dtype=np.bool_)
    low = np.zeros(n_series, dtype=np.bool_)
    if compact.shape[1]:
        for name, f in flags.items():
            if name.endswith("_high"):
                high |= f[rows, last]
            else:
                low |= f[rows, last]
        latest = compact[rows, last]
    else:
        latest = np.full(n_series, np.nan)
    charted = (n_used >= s.min_points) & np.isfinite(mr_bar)
    with np.errstate(invalid="ignore"):
        above = latest >= mean
    variation = np.where(
        charted, _variation_codes(high, low, codes, s.conflict_rule, above), "none"
    )
    assurance = np.where(charted, _assurance_codes(codes, tgt, upl, lpl), "none")
    starts: IntArray | None = None
    if shifts:
        starts = np.full(n_series, -1, dtype=np.int64)
        if compact.shape[1]:
            found = _shift_starts(compact, mean, flags, last, charted)
            starts = np.where(found >= 0, order[rows, np.maximum(found, 0)], -1).astype(np.int64)
    return variation.astype(np.str_), assurance.astype(np.str_), starts


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
    m = np.broadcast_to(_floats(mean), y.shape[:-1])
    present = ~np.isnan(y)
    last = np.maximum(present.sum(axis=-1) - 1, 0)
    flags = {
        "run_on_one_side_high": _in_run(y > m[:, None], s.run_length),
        "run_on_one_side_low": _in_run(y < m[:, None], s.run_length),
    }
    trends = trend(y, s.trend_length)
    flags["trend_high"], flags["trend_low"] = trends.high, trends.low
    charted = np.asarray(present.any(axis=-1), dtype=np.bool_)
    found: IntArray = _shift_starts(y, np.asarray(m), flags, last, charted)
    return found


# Internals.

_SHIFT_RULES: Final = ("run_on_one_side_high", "run_on_one_side_low", "trend_high", "trend_low")


def _shift_starts(
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


def _latest_shift(
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
    found = _shift_starts(
        x[mine][None, :], mean[mine[:1]], part, last, np.array([True], dtype=np.bool_)
    )
    return None if found[0] < 0 else int(mine[found[0]])


def _floats(a: ArrayLike) -> FloatArray:
    return np.asarray(a, dtype=np.float64)


def _frozen(a: _Arr) -> _Arr:
    a.setflags(write=False)
    return a


def _targets(targets: ArrayLike | Sequence[float | None]) -> FloatArray:
    items = np.asarray(targets, dtype=object).ravel()
    return np.array([np.nan if t is None else float(t) for t in items], dtype=np.float64)


_NO_RULES: Final[frozenset[str]] = frozenset()


def _median(values: FloatArray) -> float:
    ordered = np.sort(values)
    mid = ordered.shape[0] // 2
    if ordered.shape[0] % 2:
        return float(ordered[mid])
    return float((ordered[mid - 1] + ordered[mid]) / 2)


def _rule_sets(flags: dict[str, BoolArray], n: int) -> tuple[frozenset[str], ...]:
    """The names of the rules that flag each point (one shared empty set for most points)."""
    stack = np.array([flags[name] for name in RULE_NAMES], dtype=np.bool_).reshape(
        len(RULE_NAMES), n
    )
    rules = [_NO_RULES] * n
    for i in np.flatnonzero(stack.any(axis=0)).tolist():
        rules[i] = frozenset(RULE_NAMES[k] for k in np.flatnonzero(stack[:, i]).tolist())
    return tuple(rules)


def _flags(given: object, n: int, name: str) -> BoolArray:
    if given is None:
        return np.zeros(n, dtype=np.bool_)
    out = np.array(given, dtype=np.bool_)
    if out.shape != (n,):
        msg = f"{name} must have one flag per value ({n}), not shape {out.shape}"
        raise ValueError(msg)
    return out


def _partitions(n: int, change_points: Sequence[int]) -> IntArray:
    starts = np.zeros(n, dtype=np.int64)
    for cp in change_points:
        i = int(cp)
        if i < 0:
            msg = f"change point {i} is before the first value"
            raise ValueError(msg)
        if 0 < i < n:
            starts[i] = 1
    return np.cumsum(starts)


def _direction_code(direction: Direction) -> int:
    return {Direction.INCREASE: 1, Direction.DECREASE: -1, Direction.NEUTRAL: 0}[direction]


def _compact(rows: FloatArray) -> tuple[FloatArray, IntArray]:
    """Move each row's non-missing values to the front, in order (NaN padding at the end)."""
    order = np.argsort(np.isnan(rows), axis=-1, kind="stable")
    return np.take_along_axis(rows, order, axis=-1), order


def _masked_mean(values: FloatArray, mask: BoolArray) -> FloatArray:
    count = mask.sum(axis=-1)
    total = np.where(mask, values, 0.0).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def _mean_and_mr_bar(
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


def _limits_from(
    mean: FloatArray, mr_bar: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    width = LIMIT_FACTOR * mr_bar
    width_2s = TWO_SIGMA_FACTOR * mr_bar
    return mean, mr_bar, mean + width, mean - width, mean + width_2s, mean - width_2s


def _rule_flags(
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


def _in_run(flags: BoolArray, length: int) -> BoolArray:
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
    marked = _in_run(steps, length - 1)
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


def _point_states(
    high: BoolArray, low: BoolArray, code: int, conflict: ConflictRule
) -> NDArray[np.object_]:
    states = np.full(high.shape, COMMON_CAUSE, dtype=object)
    if code == 0:
        states[high | low] = NEITHER
        return states
    good, bad = (high, low) if code > 0 else (low, high)
    states[good] = IMPROVEMENT
    states[bad] = CONCERN
    states[good & bad] = IMPROVEMENT if conflict is ConflictRule.IMPROVEMENT else CONCERN
    return states


def _variation_codes(
    high: BoolArray,
    low: BoolArray,
    codes: NDArray[np.int8],
    conflict: ConflictRule,
    above_mean: BoolArray,
) -> NDArray[np.str_]:
    """The variation code of each series' latest point from its high/low flags."""
    both = high & low
    # Which side wins a conflict: for directional KPIs the conflict rule picks improvement or
    # concern; for neutral KPIs (no better side) the side of the mean the point is on.
    improvement_side_high = codes > 0
    pick_high = np.where(
        codes == 0,
        above_mean,
        improvement_side_high == (conflict is ConflictRule.IMPROVEMENT),
    )
    side_high = np.where(both, pick_high, high)
    special = high | low
    good = np.where(codes > 0, side_high, ~side_high)
    kind = np.where(codes == 0, NEITHER, np.where(good, IMPROVEMENT, CONCERN))
    side = np.where(side_high, "high", "low")
    named = np.char.add(np.char.add(kind.astype(np.str_), "_"), side.astype(np.str_))
    return np.asarray(np.where(special, named, COMMON_CAUSE), dtype=np.str_)


def _assurance_codes(
    codes: NDArray[np.int8], target: FloatArray, upl: FloatArray, lpl: FloatArray
) -> NDArray[np.str_]:
    """Assurance per series: increase passes with target ≤ LPL and fails with target ≥ UPL."""
    with np.errstate(invalid="ignore"):
        inc = np.where(target <= lpl, "pass", np.where(target >= upl, "fail", "hit_or_miss"))
        dec = np.where(target >= upl, "pass", np.where(target <= lpl, "fail", "hit_or_miss"))
    out = np.where(codes > 0, inc, dec)
    valid = (codes != 0) & np.isfinite(target) & np.isfinite(upl) & np.isfinite(lpl)
    return np.asarray(np.where(valid, out, "none"), dtype=np.str_)


class _Summary(NamedTuple):
    variation: str = "none"
    assurance: str = "none"
    n_points: int = 0
    is_run_chart: bool = True
    mean: float | None = None
    upl: float | None = None
    lpl: float | None = None
    upper_2s: float | None = None
    lower_2s: float | None = None
    conflict: bool = False


def _summarise(
    x: FloatArray,
    latest: int | None,
    partition: IntArray,
    excl: BoolArray,
    has_limits: list[bool],
    high: BoolArray,
    low: BoolArray,
    code: int,
    s: SpcSettings,
    lines: tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray],
    target: float | None,
) -> _Summary:
    """The summary of the partition holding the latest non-missing point."""
    if latest is None:
        return _Summary()
    mean, upl, lpl, up2, lo2 = (
        float(a[latest]) if math.isfinite(float(a[latest])) else None for a in lines
    )
    p = int(partition[latest])
    n_points = int(((partition == p) & ~np.isnan(x) & ~excl).sum())
    charted = has_limits[p]
    codes = np.array([code], dtype=np.int8)
    variation = "none"
    if charted and not excl[latest]:
        above = np.array([x[latest] >= lines[0][latest]])
        variation = str(
            _variation_codes(high[[latest]], low[[latest]], codes, s.conflict_rule, above)[0]
        )
    assurance = "none"
    if charted and target is not None:
        assurance = str(
            _assurance_codes(codes, np.array([target]), lines[1][[latest]], lines[2][[latest]])[0]
        )
    return _Summary(
        variation=variation,
        assurance=assurance,
        n_points=n_points,
        is_run_chart=not charted,
        mean=mean,
        upl=upl,
        lpl=lpl,
        upper_2s=up2,
        lower_2s=lo2,
        conflict=variation != "none" and bool(high[latest] and low[latest]),
    )


def _variation_text(r: SpcResult) -> str:
    s = r.settings
    if r.latest_index is None:
        return "No data: there are no points to analyse."
    if r.is_run_chart:
        return (
            f"Too few points for SPC ({r.n_points} of the {s.min_points} needed): "
            "shown as a run chart, with no variation icon."
        )
    if r.points.excluded[r.latest_index]:
        return "The latest point is excluded from the calculation, so there is no variation icon."
    if r.variation == COMMON_CAUSE:
        return "Common cause variation: the latest point is within the expected range."
    kind, side = r.variation.rsplit("_", 1)
    nature = {
        IMPROVEMENT: "improving",
        CONCERN: "concerning",
        NEITHER: "neither improving nor concerning",
    }[kind]
    which = "higher" if side == "high" else "lower"
    reasons = [
        rule_description(rule, s)
        for rule in RULE_NAMES
        if rule.endswith(f"_{side}") and rule in r.points.rules[r.latest_index]
    ]
    text = (
        f"Special cause of {nature} nature: the latest point is {which} than expected "
        f"({'; '.join(reasons)})."
    )
    if r.conflict and kind != NEITHER:
        other = CONCERN if kind == IMPROVEMENT else IMPROVEMENT
        text += (
            f" It also fires a rule of {other}; the KPI's conflict rule shows "
            f"{s.conflict_rule.value}."
        )
    return text


def _assurance_text(r: SpcResult) -> str:
    if r.target is None:
        return "No target set for this area, so there is no assurance icon."
    tgt = format_number(r.target)
    if r.direction is Direction.NEUTRAL:
        return f"The KPI has no better direction, so the target of {tgt} gives no assurance icon."
    if r.is_run_chart or r.upl is None or r.lpl is None:
        return f"Too few points to judge whether the process will hit the target of {tgt}."
    upl, lpl = format_number(r.upl), format_number(r.lpl)

    def place(limit: float, name: str, beyond: str) -> str:
        return f"on the {name}" if r.target == limit else f"{beyond} the {name}"

    if r.assurance == "hit_or_miss":
        return (
            f"The target of {tgt} lies between the process limits ({lpl} to {upl}): "
            "the process will sometimes hit and sometimes miss it."
        )
    # increase: pass at/below the LPL, fail at/above the UPL; mirrored for decrease
    at_lower = (r.assurance == "pass") == (r.direction is Direction.INCREASE)
    where = (
        f"{place(r.lpl, 'lower process limit', 'below')} of {lpl}"
        if at_lower
        else f"{place(r.upl, 'upper process limit', 'above')} of {upl}"
    )
    if r.assurance == "pass":
        return f"The target of {tgt} lies {where}: the process will consistently hit it."
    return (
        f"The target of {tgt} lies {where}: the process will consistently miss it "
        "unless something changes."
    )
