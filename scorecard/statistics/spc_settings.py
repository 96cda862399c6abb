"""Per-KPI SPC settings of CONTRACT §4 (run, trend, baseline, conflict rule) and their bounds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from scorecard.thread.domain import ConflictRule

RUN_LENGTH_RANGE: Final = (6, 8)  # CONTRACT §4: run and trend lengths are settings, 6–8
MIN_BASELINE_POINTS: Final = 12  # CONTRACT §4: baselines may be fixed on the first N ≥ 12 points
DEFAULT_MIN_POINTS: Final = 15  # CONTRACT §4: fewer than 15 points → a run chart, no icons


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
