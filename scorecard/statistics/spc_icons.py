"""Variation and assurance: each point's state and the icon codes of a series' latest point."""

from __future__ import annotations

from typing import Final

import numpy as np
from numpy.typing import NDArray

from scorecard.statistics.spc_limits import BoolArray, FloatArray
from scorecard.thread.domain import ConflictRule, Direction

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


def direction_code(direction: Direction) -> int:
    """1 when higher is better, -1 when lower is better, 0 when neither."""
    return {Direction.INCREASE: 1, Direction.DECREASE: -1, Direction.NEUTRAL: 0}[direction]


def point_states(
    high: BoolArray, low: BoolArray, code: int, conflict: ConflictRule
) -> NDArray[np.object_]:
    """Each point's state from its high/low flags, the direction's code and the conflict rule."""
    states = np.full(high.shape, COMMON_CAUSE, dtype=object)
    if code == 0:
        states[high | low] = NEITHER
        return states
    good, bad = (high, low) if code > 0 else (low, high)
    states[good] = IMPROVEMENT
    states[bad] = CONCERN
    states[good & bad] = IMPROVEMENT if conflict is ConflictRule.IMPROVEMENT else CONCERN
    return states


def variation_codes(
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


def assurance_codes(
    codes: NDArray[np.int8], target: FloatArray, upl: FloatArray, lpl: FloatArray
) -> NDArray[np.str_]:
    """Assurance per series: increase passes with target ≤ LPL and fails with target ≥ UPL."""
    with np.errstate(invalid="ignore"):
        inc = np.where(target <= lpl, "pass", np.where(target >= upl, "fail", "hit_or_miss"))
        dec = np.where(target >= upl, "pass", np.where(target <= lpl, "fail", "hit_or_miss"))
    out = np.where(codes > 0, inc, dec)
    valid = (codes != 0) & np.isfinite(target) & np.isfinite(upl) & np.isfinite(lpl)
    return np.asarray(np.where(valid, out, "none"), dtype=np.str_)
