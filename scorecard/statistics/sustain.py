"""Is an improvement holding? The sustainability verdict of a KPI × area after support ends.

An analyst declares, in the framework's ``spc_events.csv``, the month an improvement started
(kind ``improvement_started``, which also starts a new SPC partition) and the month the
support behind it ended (kind ``support_ended``). From the series and those two months this
module gives one verdict, computed with the rules of ``scorecard.statistics.spc_rules``
(Making Data Count):

- ``none``: no improvement is declared (or it is not in the series), the KPI has no better
  direction, the improvement has fewer than ``MIN_BEFORE_POINTS`` points before it, or support
  has not ended yet (nothing to sustain yet).
- ``too_early``: fewer than ``TRIAL_POINTS`` (12) usable points since the improvement started,
  so its limits are still trial limits, or fewer than ``MIN_AFTER_POINTS`` since support ended.
- The improved process's limits are fixed on the first 12 usable points of the partition that
  the improvement starts (Making Data Count fixes limits once 12 points are in). The
  pre-improvement process is the partition before it (its mean and MR̄).
- ``lost``: the latest ``run_length`` (7) usable points, all since support ended, lie on the
  worse side of the improved mean, and their mean is no longer distinguishable from the
  pre-improvement mean: it is better than the old mean by less than ``LOST_Z`` standard errors
  of the old process (σ̂ = MR̄ / 1.128 over √run_length), or it is worse.
- ``slipping``: not lost, but since support ended a rule of concern fired against the improved
  limits (a point beyond the limit on the worse side, a run, a trend or two of three beyond the
  2σ line on the worse side), or the mean since support ended is no better than the old mean.
- ``holding``: none of those: no special cause of concern against the improved limits since
  support ended, and the mean since then is still better than the pre-improvement mean.

Missing and excluded points are left out (as in ``scorecard.statistics.spc``: the rules skip them).
``assess`` (one series) and ``assess_many`` (a matrix) share one vectorised core, so they
cannot disagree. The verdict names the rule and the months that produced it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, NamedTuple, Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray

from scorecard.statistics import spc_limits, spc_rules, spc_settings
from scorecard.thread.domain import Direction
from scorecard.thread.numbers import format_number

if TYPE_CHECKING:
    from scorecard.thread.domain import Kpi

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.int64]

HOLDING: Final = "holding"
SLIPPING: Final = "slipping"
LOST: Final = "lost"
TOO_EARLY: Final = "too_early"
NONE: Final = "none"
SUSTAINABILITY: Final = (HOLDING, SLIPPING, LOST, TOO_EARLY, NONE)
LABELS: Final = {
    HOLDING: "holding",
    SLIPPING: "slipping",
    LOST: "lost",
    TOO_EARLY: "too early to tell",
    NONE: "no sustainability reading",
}

# Making Data Count: limits after a change are trial limits until 12 points, then fixed.
TRIAL_POINTS: Final = spc_settings.MIN_BASELINE_POINTS
# Illustrative (not in the documents): three points since support ended before any verdict
# other than "too early", the fewest in which a two-of-three signal can fire.
MIN_AFTER_POINTS: Final = 3
# Illustrative: the old process needs a mean and a moving range, so two points at least.
MIN_BEFORE_POINTS: Final = 2
# Illustrative: "no longer distinguishable" = within 2 standard errors of the old mean (about
# 95% for a normal process), the usual two-sided threshold.
LOST_Z: float = 2.0

# Rule names of a verdict (``Verdict.rule``).
CONCERN_RULES: Final = (
    "points_outside_limits",
    "run_on_one_side",
    "trend",
    "two_of_three_beyond_two_sigma",
)
RULE_LOST: Final = "run_back_to_old_mean"
RULE_MEAN: Final = "mean_no_better_than_before"
RULE_HOLDING: Final = "no_concern_since_support_ended"


@dataclass(frozen=True)
class Verdict:
    """The sustainability verdict of one series.

    ``status`` is one of ``SUSTAINABILITY``; ``rule`` names what decided it (a rule of
    ``CONCERN_RULES``, ``RULE_LOST``, ``RULE_MEAN``, ``RULE_HOLDING`` or, for ``none`` and
    ``too_early``, why there is no reading); ``months`` are the months that produced it (the
    signal's months, or the months since support ended for ``holding``). Indices refer to the
    input series. Means and limits are None where they do not exist.
    """

    status: str
    rule: str
    months: tuple[str, ...]
    sentence: str
    improvement_index: int | None = None
    support_index: int | None = None
    improved_end: int | None = None  # last index of the improved partition
    pre_start: int | None = None  # first index of the pre-improvement partition
    baseline_months: tuple[str, ...] = ()  # the months the improved limits are fixed on
    pre_mean: float | None = None
    improved_mean: float | None = None
    improved_upl: float | None = None
    improved_lpl: float | None = None
    after_mean: float | None = None
    n_improved: int = 0
    n_after: int = 0

    @property
    def label(self) -> str:
        """The verdict in words ("holding", "too early to tell", ...)."""
        return LABELS[self.status]


class _Core(NamedTuple):
    status: NDArray[np.str_]
    rule: NDArray[np.str_]
    pre_mean: FloatArray
    base_mean: FloatArray
    upl: FloatArray
    lpl: FloatArray
    after_mean: FloatArray
    n_improved: IntArray
    n_after: IntArray
    concern: dict[str, BoolArray]  # per rule, per point: a concern flag since support ended
    lost_run: BoolArray  # per point: the latest run that makes a verdict "lost"


def _masked_mean(y: FloatArray, mask: BoolArray) -> FloatArray:
    count = mask.sum(axis=-1)
    total = np.where(mask, y, 0.0).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def _mr_bar(y: FloatArray, mask: BoolArray) -> FloatArray:
    pairs = mask[:, 1:] & mask[:, :-1]
    return _masked_mean(np.abs(np.diff(y, axis=-1)), pairs)


def _core(
    y: FloatArray,
    n_used: IntArray,
    codes: NDArray[np.int8],
    pre_start: IntArray,
    start: IntArray,
    end: IntArray,
    support: IntArray,
    run_length: int,
    trend_length: int,
) -> _Core:
    """Verdicts per row of ``y``: consecutive usable points (NaN only as end padding).

    Positions are in that compact space: the pre-improvement partition is
    [pre_start, start), the improved one [start, end), support ended at ``support``
    (-1: no improvement or no support event).
    """
    n_rows, n_cols = y.shape
    k = np.arange(n_cols)[None, :]
    used = k < n_used[:, None]
    pre = used & (k >= pre_start[:, None]) & (k < start[:, None])
    improved = used & (k >= start[:, None]) & (k < end[:, None]) & (start[:, None] >= 0)
    base = improved & (k < start[:, None] + TRIAL_POINTS)
    after = improved & (k >= support[:, None]) & (support[:, None] >= 0)
    n_pre, n_improved, n_after = pre.sum(axis=1), improved.sum(axis=1), after.sum(axis=1)

    pre_mean = _masked_mean(y, pre)
    pre_mr = _mr_bar(y, pre)
    base_mean = _masked_mean(y, base)
    base_mr = _mr_bar(y, base)
    after_mean = _masked_mean(y, after)
    sign = codes.astype(np.float64)
    # z > 0 is better than the improved mean, z < 0 worse: one side of every rule to check.
    with np.errstate(invalid="ignore"):
        z = np.where(improved, (y - base_mean[:, None]) * sign[:, None], np.nan)
        width = spc_limits.LIMIT_FACTOR * base_mr[:, None]
        width_2s = spc_limits.TWO_SIGMA_FACTOR * base_mr[:, None]
        flags = {
            "points_outside_limits": z < -width,
            "run_on_one_side": spc_rules.run_on_one_side(z, 0.0, run_length).low,
            "trend": spc_rules.trend(z, trend_length).low,
            "two_of_three_beyond_two_sigma": spc_rules.two_of_three_beyond_two_sigma(
                z, np.inf, -width_2s, 0.0
            ).low,
        }
    concern = {name: f & after for name, f in flags.items()}
    signal = np.zeros(n_rows, dtype=np.bool_)
    for f in concern.values():
        signal |= f.any(axis=1)

    # Lost: the latest run_length usable points are all since support ended, all worse than
    # the improved mean, and their mean is within LOST_Z standard errors of the old mean.
    latest = used & (k >= (n_used - run_length)[:, None])
    with np.errstate(invalid="ignore"):
        worse = after & (z < 0)
    run_now = (n_used >= run_length) & ((latest & worse).sum(axis=1) == run_length)
    recent_mean = _masked_mean(y, latest)
    with np.errstate(invalid="ignore", divide="ignore"):
        se = LOST_Z * (pre_mr / spc_limits.D2) / math.sqrt(run_length)
        gap = (recent_mean - pre_mean) * sign
        back = run_now & (gap <= se)
        no_better = (after_mean - pre_mean) * sign <= 0

    status = np.full(n_rows, HOLDING, dtype=object)
    rule = np.full(n_rows, RULE_HOLDING, dtype=object)
    # Slipping: the first concern rule (in CONCERN_RULES order) that fired names it.
    for name in reversed(CONCERN_RULES):
        fired = concern[name].any(axis=1)
        status[fired] = SLIPPING
        rule[fired] = name
    mean_only = ~signal & no_better
    status[mean_only], rule[mean_only] = SLIPPING, RULE_MEAN
    status[back], rule[back] = LOST, RULE_LOST
    # The reasons for no verdict, the last assignment winning (most basic last).
    for cond, st, why in (
        (n_after < MIN_AFTER_POINTS, TOO_EARLY, "too_few_points_since_support_ended"),
        (n_improved < TRIAL_POINTS, TOO_EARLY, "trial_limits"),
        (support < 0, NONE, "support_not_ended"),
        (n_pre < MIN_BEFORE_POINTS, NONE, "no_process_before"),
        (start < 0, NONE, "no_improvement_declared"),
        (codes == 0, NONE, "no_better_direction"),
    ):
        status[cond], rule[cond] = st, why
    judged = np.isin(status, (HOLDING, SLIPPING, LOST))
    lost_run = latest & worse & (status == LOST)[:, None]
    return _Core(
        status=status.astype(np.str_),
        rule=rule.astype(np.str_),
        pre_mean=pre_mean,
        base_mean=np.where(n_improved >= TRIAL_POINTS, base_mean, np.nan),
        upl=np.where(
            n_improved >= TRIAL_POINTS, base_mean + spc_limits.LIMIT_FACTOR * base_mr, np.nan
        ),
        lpl=np.where(
            n_improved >= TRIAL_POINTS, base_mean - spc_limits.LIMIT_FACTOR * base_mr, np.nan
        ),
        after_mean=after_mean,
        n_improved=n_improved.astype(np.int64),
        n_after=n_after.astype(np.int64),
        concern={n: f & judged[:, None] for n, f in concern.items()},
        lost_run=lost_run,
    )


_CODES: Final[dict[str, int]] = {
    Direction.INCREASE: 1,
    Direction.DECREASE: -1,
    Direction.NEUTRAL: 0,
}


def _codes(directions: Direction | str | Sequence[Direction | str], n: int) -> NDArray[np.int8]:
    def one(d: Direction | str) -> int:
        code = _CODES.get(d)  # a Direction or its string value (StrEnum hashes as its value)
        return _CODES[Direction(d)] if code is None else code

    if isinstance(directions, (Direction, str)):
        return np.full(n, one(directions), dtype=np.int8)
    codes = np.array([one(d) for d in directions], dtype=np.int8)
    if codes.shape != (n,):
        msg = f"{codes.shape[0]} directions for {n} series"
        raise ValueError(msg)
    return codes


def _positions(given: ArrayLike | None, n: int, name: str) -> IntArray:
    if given is None:
        return np.full(n, -1, dtype=np.int64)
    out = np.asarray(given, dtype=np.int64)
    out = np.broadcast_to(out, (n,)).copy() if out.ndim == 0 else out
    if out.shape != (n,):
        msg = f"{name} must have one position per series ({n}), not shape {out.shape}"
        raise ValueError(msg)
    return out


def assess_many(
    matrix: ArrayLike,
    directions: Direction | str | Sequence[Direction | str],
    improvement_index: ArrayLike | None,
    support_index: ArrayLike | None,
    settings: spc_settings.SpcSettings | None = None,
) -> NDArray[np.str_]:
    """The sustainability status of many series at once (vectorised; no other partitions).

    Args:
        matrix: n_series × n_points values (NaN = missing).
        directions: one direction for every series, or one per series.
        improvement_index: per series, the index where the improvement started (-1: none).
        support_index: per series, the index where support ended (-1: not ended).
        settings: SPC settings (run and trend lengths) shared by every series.

    Returns:
        One status of ``SUSTAINABILITY`` per series; agrees with ``assess`` row by row.
    """
    s = settings or spc_settings.SpcSettings()
    y = np.array(matrix, dtype=np.float64)
    if y.ndim != 2:
        msg = f"matrix must be n_series × n_points, not shape {y.shape}"
        raise ValueError(msg)
    n_rows, n_cols = y.shape
    codes = _codes(directions, n_rows)
    i0 = _positions(improvement_index, n_rows, "improvement_index")
    sup = _positions(support_index, n_rows, "support_index")
    present = ~np.isnan(y)
    before = np.cumsum(present, axis=1) - present  # usable points before each index
    padded = np.concatenate([before, present.sum(axis=1, keepdims=True)], axis=1)
    rows = np.arange(n_rows)

    def compact_position(index: IntArray) -> IntArray:
        ok = (index >= 0) & (index < n_cols)
        pos = padded[rows, np.clip(index, 0, n_cols)]
        return np.where(ok, pos, -1).astype(np.int64)

    start = compact_position(np.where(i0 > 0, i0, -1))
    support = compact_position(np.where(sup > i0, sup, -1))
    support = np.where(start >= 0, support, -1)
    # Move each row's values to the front (missing months as end padding), only where a row
    # has a gap: most rows have none.
    compact = y
    gappy = np.flatnonzero(~present.all(axis=1))
    if gappy.size:
        compact = y.copy()
        order = np.argsort(~present[gappy], axis=-1, kind="stable")
        compact[gappy] = np.take_along_axis(y[gappy], order, axis=-1)
    n_used = present.sum(axis=1).astype(np.int64)
    core = _core(
        compact,
        n_used,
        codes,
        np.zeros(n_rows, dtype=np.int64),
        start,
        n_used.copy(),
        support,
        s.run_length,
        s.trend_length,
    )
    return core.status


def assess(
    values: Sequence[float | None] | ArrayLike,
    direction: Direction | str,
    improvement_index: int | None,
    support_index: int | None = None,
    *,
    periods: Sequence[str] | None = None,
    settings: spc_settings.SpcSettings | None = None,
    change_points: Sequence[int] = (),
    excluded: Sequence[bool] | ArrayLike | None = None,
) -> Verdict:
    """The sustainability verdict of one monthly series.

    Args:
        values: consecutive months; NaN or None = missing.
        direction: which way is better for the KPI.
        improvement_index: where the improvement started (a change point); None or an index
            outside 1..len-1 = no improvement in this series.
        support_index: where support ended (None = not ended; it must come after the
            improvement to count).
        periods: the months of the values (``YYYY-MM``), to name them in the verdict.
        settings: the KPI's SPC settings (run and trend lengths).
        change_points: every partition start of the series (other change points bound the
            pre-improvement and improved partitions).
        excluded: True per point left out of the calculation.

    Returns:
        The verdict, with the rule and months that produced it.
    """
    s = settings or spc_settings.SpcSettings()
    x = np.array(values, dtype=np.float64)
    if x.ndim != 1:
        msg = f"values must be one series (1-D), not shape {x.shape}"
        raise ValueError(msg)
    n = x.shape[0]
    names = list(periods) if periods is not None else [str(i) for i in range(n)]
    if len(names) != n:
        msg = f"periods must have one month per value ({n}), not {len(names)}"
        raise ValueError(msg)
    excl = np.zeros(n, dtype=np.bool_) if excluded is None else np.array(excluded, dtype=bool)
    used = ~np.isnan(x) & ~excl
    idx = np.flatnonzero(used)
    before = np.concatenate([[0], np.cumsum(used)]).astype(np.int64)
    i0 = improvement_index if improvement_index is not None and 0 < improvement_index < n else None
    sup = support_index if i0 is not None and support_index is not None else None
    sup = sup if sup is not None and i0 is not None and i0 < sup < n else None
    cps = sorted({int(c) for c in change_points if 0 < int(c) < n} | ({i0} if i0 else set()))
    pre_start_i = max((c for c in cps if i0 is not None and c < i0), default=0)
    end_i = min((c for c in cps if i0 is not None and c > i0), default=n)
    code = _codes(direction, 1)
    core = _core(
        x[idx][None, :],
        np.array([idx.size], dtype=np.int64),
        code,
        np.array([before[pre_start_i]], dtype=np.int64),
        np.array([before[i0] if i0 is not None else -1], dtype=np.int64),
        np.array([before[end_i]], dtype=np.int64),
        np.array([before[sup] if sup is not None else -1], dtype=np.int64),
        s.run_length,
        s.trend_length,
    )
    status, rule = str(core.status[0]), str(core.rule[0])

    def month_list(mask: BoolArray) -> tuple[str, ...]:
        return tuple(names[int(j)] for j in idx[np.flatnonzero(mask)])

    k = np.arange(idx.size)
    if status == LOST:
        months = month_list(core.lost_run[0])
    elif status == SLIPPING and rule in CONCERN_RULES:
        months = month_list(core.concern[rule][0])
    elif status in (HOLDING, SLIPPING) and sup is not None:
        months = month_list(k >= before[sup])
    else:
        months = ()
    base_months: tuple[str, ...] = ()
    if i0 is not None and core.n_improved[0] >= TRIAL_POINTS:
        lo = before[i0]
        base_months = month_list((k >= lo) & (k < lo + TRIAL_POINTS))
    verdict = Verdict(
        status=status,
        rule=rule,
        months=months,
        sentence="",
        improvement_index=i0,
        support_index=sup,
        improved_end=end_i - 1 if i0 is not None else None,
        pre_start=pre_start_i if i0 is not None else None,
        baseline_months=base_months,
        pre_mean=_number(core.pre_mean[0]) if i0 is not None else None,
        improved_mean=_number(core.base_mean[0]),
        improved_upl=_number(core.upl[0]),
        improved_lpl=_number(core.lpl[0]),
        after_mean=_number(core.after_mean[0]) if sup is not None else None,
        n_improved=int(core.n_improved[0]),
        n_after=int(core.n_after[0]) if sup is not None else 0,
    )
    sentence = verdict_sentence(verdict, names, s)
    return Verdict(**{**verdict.__dict__, "sentence": sentence})


def _number(value: float) -> float | None:
    v = float(value)
    return v if math.isfinite(v) else None


def _span(months: Sequence[str]) -> str:
    if not months:
        return ""
    if len(months) == 1:
        return months[0]
    return f"{months[0]} to {months[-1]}"


def verdict_sentence(v: Verdict, periods: Sequence[str], settings: spc_settings.SpcSettings) -> str:
    """The verdict as one plain-English sentence naming its rule and months."""
    started = periods[v.improvement_index] if v.improvement_index is not None else ""
    ended = periods[v.support_index] if v.support_index is not None else ""
    reasons = {
        "no_better_direction": "The KPI has no better direction, so there is no improvement "
        "to sustain.",
        "no_improvement_declared": "No improvement is declared for this KPI and area in this "
        "series.",
        "no_process_before": f"The improvement starts in {started}, with too few points "
        "before it to compare with.",
        "support_not_ended": f"The improvement started in {started}; support has not ended, "
        "so there is nothing to judge yet.",
        "trial_limits": f"Too early to tell: {v.n_improved} of the {TRIAL_POINTS} points "
        f"since the improvement started in {started} (its limits are still trial limits).",
        "too_few_points_since_support_ended": f"Too early to tell: {v.n_after} of the "
        f"{MIN_AFTER_POINTS} points needed since support ended in {ended}.",
    }
    if v.rule in reasons:
        return reasons[v.rule]
    old = format_number(v.pre_mean) if v.pre_mean is not None else "?"
    new = format_number(v.improved_mean) if v.improved_mean is not None else "?"
    now = format_number(v.after_mean) if v.after_mean is not None else "?"
    means = f"mean before the improvement {old}, improved mean {new}, mean since support {now}"
    phrases = {
        "points_outside_limits": "a point beyond the improved process limit on the worse side",
        "run_on_one_side": f"a run of {settings.run_length} or more points on the worse side "
        "of the improved mean",
        "trend": f"a trend of {settings.trend_length} or more points getting worse",
        "two_of_three_beyond_two_sigma": "two of three points beyond the improved 2σ line on "
        "the worse side",
    }
    when = _span(v.months)
    if v.status == HOLDING:
        return (
            f"Holding: no special cause of concern against the improved limits since support "
            f"ended in {ended} ({when}); {means}."
        )
    if v.status == LOST:
        return (
            f"Lost: the latest {settings.run_length} points ({when}) are all on the worse side "
            f"of the improved mean and their mean is back within {format_number(LOST_Z)} "
            f"standard errors of the mean before the improvement; {means}."
        )
    if v.rule == RULE_MEAN:
        return (
            f"Slipping: since support ended in {ended} the mean is no better than before the "
            f"improvement; {means}."
        )
    return f"Slipping: {phrases[v.rule]} since support ended in {ended} ({when}); {means}."


class DeclaredSeries(Protocol):
    """What a verdict reads of a KPI × area series (``scoring_series.KpiSeries`` is one)."""

    @property
    def periods(self) -> tuple[str, ...]:
        """The months, oldest first."""
        ...

    @property
    def values(self) -> FloatArray:
        """The values (NaN where missing)."""
        ...

    @property
    def change_points(self) -> tuple[int, ...]:
        """Indices where a recorded change point starts a new partition."""
        ...

    @property
    def excluded(self) -> BoolArray:
        """Points drawn but left out of the limits."""
        ...

    @property
    def improvement_index(self) -> int | None:
        """Where a declared improvement started (None: not declared)."""
        ...

    @property
    def support_index(self) -> int | None:
        """Where its support ended (None: not declared)."""
        ...

    def __len__(self) -> int:
        """The number of months."""
        ...


def verdict_for(kpi: Kpi, series: DeclaredSeries) -> Verdict:
    """The sustainability verdict of a KPI × area series (``scoring_series.KpiSeries``).

    The series carries the declared ``improvement_index`` and ``support_index`` (from the
    framework's spc_events); the KPI gives the direction.
    """
    return assess(
        series.values,
        kpi.direction,
        series.improvement_index,
        series.support_index,
        periods=series.periods,
        settings=spc_settings.SpcSettings(
            baseline_points=kpi.spc_baseline_points, conflict_rule=kpi.conflict_rule
        ),
        change_points=series.change_points,
        excluded=series.excluded if len(series.excluded) == len(series) else None,
    )


__all__ = [
    "LABELS",
    "SUSTAINABILITY",
    "DeclaredSeries",
    "Verdict",
    "assess",
    "assess_many",
    "verdict_for",
    "verdict_sentence",
]
