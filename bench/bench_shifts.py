"""Benchmark: sustained-shift detection on the scale store, against today's ``analyse_many``.

The scale store is 100 KPIs × 200 areas × 60 months (20,000 series), drawn as in
``bench_spc.make_series`` (shifts, trends and gaps). Times ``analyse_many`` (variation and
assurance) and ``analyse_many_with_shifts`` (the same plus each series' suggested change point)
on the same matrix in the same process, each as the median of several runs, and reports the
ratio (target: at most 1.3). It also checks that the two agree on variation and assurance and
that ``analyse`` proposes the same change point on a sample of the series.

    .venv/bin/python bench/bench_shifts.py [--kpis 100] [--areas 200] [--points 60] [--repeats 7]
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

from scorecard.statistics.spc import analyse
from scorecard.statistics.spc_many import analyse_many, analyse_many_with_shifts
from scorecard.statistics.spc_settings import SpcSettings

TARGET_RATIO = 1.3


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
    parser.add_argument("--repeats", type=int, default=7, help="runs per measurement (≥ 5)")
    args = parser.parse_args(argv)
    repeats = max(5, args.repeats)
    n_series = args.kpis * args.areas
    matrix, directions, targets = make_series(n_series, args.points)
    settings = SpcSettings()
    out = sys.stdout

    def today() -> object:
        return analyse_many(matrix, directions, targets, settings)

    def with_shifts() -> object:
        return analyse_many_with_shifts(matrix, directions, targets, settings)

    variation, assurance = analyse_many(matrix, directions, targets, settings)  # warm-up
    v2, a2, starts = analyse_many_with_shifts(matrix, directions, targets, settings)
    same = v2.tolist() == variation.tolist() and a2.tolist() == assurance.tolist()
    rng = np.random.default_rng(7)
    sample = rng.choice(n_series, 500, replace=False)
    agree = all(
        analyse(matrix[i], directions[i], settings=settings).shift_index
        == (None if starts[i] < 0 else int(starts[i]))
        for i in sample
    )
    # alternate the two so drift on a shared machine falls on both alike
    t_today: list[float] = []
    t_shifts: list[float] = []
    for _ in range(repeats):
        t_today.append(median_seconds(today, 1))
        t_shifts.append(median_seconds(with_shifts, 1))
    base, new = statistics.median(t_today), statistics.median(t_shifts)
    ratio = new / base

    size = f"{args.kpis} KPIs × {args.areas} areas × {args.points} months ({n_series:,} series)"
    out.write(f"Sustained-shift benchmark: {size}, median of {repeats} runs each\n")
    out.write(f"  analyse_many (today):                 {base * 1000:8.1f} ms\n")
    out.write(f"  analyse_many_with_shifts:             {new * 1000:8.1f} ms  = {ratio:5.2f} ×\n")
    out.write(f"  series with a suggested change point: {int((starts >= 0).sum()):,}\n")
    out.write(f"  variation and assurance identical:    {'yes' if same else 'NO'}\n")
    out.write(f"  analyse() agrees on 500 sampled series: {'yes' if agree else 'NO'}\n")
    verdict = "PASS" if ratio <= TARGET_RATIO and same and agree else "FAIL"
    out.write(f"  target: at most {TARGET_RATIO} × analyse_many -> {verdict}\n")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    raise SystemExit(main())
