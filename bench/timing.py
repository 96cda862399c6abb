"""Bench harness only: two timings taken turn about, so a ratio compares like with like."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def interleaved(
    first: Callable[[], object], second: Callable[[], object], repeat: int
) -> tuple[float, float]:
    """Medians of two timings taken turn about, so both see the same load on the machine."""
    a: list[float] = []
    b: list[float] = []
    for _ in range(repeat):
        for run, times in ((first, a), (second, b)):
            started = time.perf_counter()
            run()
            times.append(time.perf_counter() - started)
    return statistics.median(a), statistics.median(b)
