"""Benchmark: sustainability verdicts for the scale store, against ``analyse_many``.

The scale store is 100 KPIs × 200 areas × 60 months (20,000 series). The scorecard computes a
verdict only for a series with a declared improvement (every other series reads ``none`` at no
cost), so the target case declares an improvement (month 18-30) and an end of support (12-24
months later) for ``--declared`` of the KPIs (default 10%, illustrative: the acute streams'
KPIs are a small part of the framework; the demo declares 3 of 52) in every area. Times
``assess_many`` for those series and ``analyse_many`` for the whole matrix, each as the median
of several runs in the same process, and reports the ratio (target: verdicts add no more than
20% to ``analyse_many``'s time). The worst case, a verdict for every series, is reported too
(not part of the target). It also checks that ``assess_many`` agrees with ``assess`` on a
sample of the series.

    .venv/bin/python bench/bench_sustain.py [--kpis 100] [--areas 200] [--points 60] [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_spc import make_series

from scorecard.statistics.spc_many import analyse_many
from scorecard.statistics.spc_settings import SpcSettings
from scorecard.statistics.sustain import assess, assess_many

TARGET_RATIO = 0.20


def median_seconds(run: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kpis", type=int, default=100)
    parser.add_argument("--areas", type=int, default=200)
    parser.add_argument("--points", type=int, default=60)
    parser.add_argument("--declared", type=float, default=0.10, help="share of KPIs declared")
    parser.add_argument("--repeats", type=int, default=5, help="runs per measurement (≥ 5)")
    args = parser.parse_args(argv)
    repeats = max(5, args.repeats)
    n_series = args.kpis * args.areas
    matrix, directions, targets = make_series(n_series, args.points)
    rng = np.random.default_rng(13)
    starts = rng.integers(args.points * 3 // 10, args.points // 2 + 1, n_series)
    supports = starts + rng.integers(12, 25, n_series)
    settings = SpcSettings()
    out = sys.stdout

    def spc() -> object:
        return analyse_many(matrix, directions, targets, settings)

    # the declared KPIs' series: the first KPIs' rows (one row per KPI × area, KPI-major)
    declared = np.arange(round(args.kpis * args.declared) * args.areas)
    sub, sub_dirs = matrix[declared], [directions[i] for i in declared]
    sub_starts, sub_supports = starts[declared], supports[declared]

    def verdicts() -> object:
        return assess_many(sub, sub_dirs, sub_starts, sub_supports, settings)

    def every() -> object:
        return assess_many(matrix, directions, starts, supports, settings)

    status = assess_many(matrix, directions, starts, supports, settings)  # warm-up
    spc()
    sample = rng.choice(n_series, 500, replace=False)
    agree = all(
        assess(matrix[i], directions[i], int(starts[i]), int(supports[i])).status == status[i]
        for i in sample
    )
    t_spc = median_seconds(spc, repeats)
    t_sustain = median_seconds(verdicts, repeats)
    t_every = median_seconds(every, repeats)
    ratio = t_sustain / t_spc

    size = f"{args.kpis} KPIs × {args.areas} areas × {args.points} months ({n_series:,} series)"
    out.write(f"Sustainability benchmark: {size}, median of {repeats} runs each\n")
    out.write(f"  analyse_many (variation and assurance):  {t_spc * 1000:8.1f} ms\n")
    out.write(
        f"  assess_many, {declared.size:,} declared series:   {t_sustain * 1000:8.1f} ms"
        f"  = {ratio:6.1%} of analyse_many\n"
    )
    out.write(
        f"  (worst case, all {n_series:,} series declared: {t_every * 1000:8.1f} ms"
        f"  = {t_every / t_spc:6.1%} of analyse_many; not the target)\n"
    )
    out.write(
        f"  assess_many and assess() agree on 500 sampled series: {'yes' if agree else 'NO'}\n"
    )
    codes = dict(zip(*np.unique(status, return_counts=True), strict=True))
    out.write(f"  verdict mix: {', '.join(f'{k} {v}' for k, v in sorted(codes.items()))}\n")
    verdict = "PASS" if ratio <= TARGET_RATIO and agree else "FAIL"
    out.write(f"  target: verdicts add at most {TARGET_RATIO:.0%} to analyse_many -> {verdict}\n")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    raise SystemExit(main())
