"""Making Data Count SPC of one series: ``analyse`` and its result, read in plain English.

The engine's parts sit beside it: ``spc_settings`` (per-KPI settings), ``spc_limits`` (XmR
limits), ``spc_rules`` (the special-cause rules), ``spc_icons`` (point states, variation and
assurance), ``spc_shifts`` (sustained shifts) and ``spc_many`` (many series at once).

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

from scorecard.statistics.spc_icons import (
    COMMON_CAUSE,
    CONCERN,
    EXCLUDED,
    IMPROVEMENT,
    MISSING,
    NEITHER,
    assurance_codes,
    direction_code,
    point_states,
    variation_codes,
)
from scorecard.statistics.spc_limits import (
    BoolArray,
    FloatArray,
    IntArray,
    limits_from,
    mean_and_mr_bar,
)
from scorecard.statistics.spc_rules import RULE_NAMES, rule_description, rule_flags
from scorecard.statistics.spc_settings import SpcSettings
from scorecard.statistics.spc_shifts import latest_shift
from scorecard.thread.domain import Direction
from scorecard.thread.numbers import format_number

_Arr = TypeVar("_Arr", bound=NDArray[Any])


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
        p_mean, mr_bar = mean_and_mr_bar(y, used, mr_ok, s.screen_moving_ranges, s.baseline_points)
        in_part = partition == p
        mean[in_part] = p_mean[0]
        if used_idx.size:
            median[in_part] = _median(x[used_idx])
        enough = used_idx.size >= s.min_points and bool(np.isfinite(mr_bar[0]))
        has_limits.append(enough)
        if not enough:
            continue
        _, _, p_upl, p_lpl, p_up2, p_lo2 = limits_from(p_mean, mr_bar)
        upl[in_part], lpl[in_part] = p_upl[0], p_lpl[0]
        up2[in_part], lo2[in_part] = p_up2[0], p_lo2[0]
        part_lines = (p_mean[0], p_upl[0], p_lpl[0], p_up2[0], p_lo2[0])
        part_flags = rule_flags(x[used_idx], part_lines, s.run_length, s.trend_length)
        for name, f in part_flags.items():
            flags[name][used_idx] = f

    high = np.zeros(n, dtype=np.bool_)
    low = np.zeros(n, dtype=np.bool_)
    for name, f in flags.items():
        if name.endswith("_high"):
            high |= f
        else:
            low |= f
    shift_index = latest_shift(x, partition, present & ~excl, has_limits, mean, flags)
    code = direction_code(d)
    states = point_states(high, low, code, s.conflict_rule)
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


def _frozen(a: _Arr) -> _Arr:
    a.setflags(write=False)
    return a


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
            variation_codes(high[[latest]], low[[latest]], codes, s.conflict_rule, above)[0]
        )
    assurance = "none"
    if charted and target is not None:
        assurance = str(
            assurance_codes(codes, np.array([target]), lines[1][[latest]], lines[2][[latest]])[0]
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
