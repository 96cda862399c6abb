"""Benchmark: Making Data Count SPC for 10,000 series × 60 points (target: under 1 s).

Times ``analyse_many`` (vectorised) and an ``analyse()`` loop over the same series, each as the
median of several runs, against a baseline measured in the same run on the same matrix
(numpy computing only each series' mean), so the ratios hold on a noisy machine.

    .venv/bin/python bench/bench_spc.py [--series 10000] [--points 60] [--repeats 5]
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

from scorecard.statistics.spc import analyse
from scorecard.statistics.spc_many import analyse_many
from scorecard.statistics.spc_settings import SpcSettings
from scorecard.thread.domain import Direction

TARGET_SECONDS = 1.0


def make_series(n_series: int, n_points: int, seed: int = 20221):
    """Plausible monthly KPI series: noise, shifts, trends and a few missing months."""
    rng = np.random.default_rng(seed)
    level = rng.uniform(10, 1000, (n_series, 1))
    matrix = level + rng.normal(0, 1, (n_series, n_points)) * level * 0.05
    shifted = rng.random(n_series) < 0.3
    matrix[shifted, n_points * 2 // 3 :] += level[shifted] * 0.1
    trending = rng.random(n_series) < 0.1
    matrix[trending, -8:] += level[trending] * 0.02 * np.arange(8)
    gaps = rng.random((n_series, n_points)) < 0.01
    matrix[gaps] = np.nan
    directions = rng.choice(
        [Direction.INCREASE, Direction.DECREASE, Direction.NEUTRAL], n_series, p=[0.45, 0.45, 0.1]
    ).tolist()
    targets = np.where(rng.random(n_series) < 0.7, level[:, 0] * rng.uniform(0.9, 1.1), np.nan)
    return matrix, directions, targets


def median_seconds(run: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=10_000)
    parser.add_argument("--points", type=int, default=60)
    parser.add_argument("--repeats", type=int, default=5, help="runs per measurement (≥ 5)")
    args = parser.parse_args(argv)
    repeats = max(5, args.repeats)
    matrix, directions, targets = make_series(args.series, args.points)
    settings = SpcSettings()
    out = sys.stdout

    def vectorised() -> object:
        return analyse_many(matrix, directions, targets, settings)

    def loop() -> list[tuple[str, str]]:
        return [
            (r.variation, r.assurance)
            for r in (
                analyse(row, d, target=t, settings=settings)
                for row, d, t in zip(matrix, directions, targets.tolist(), strict=True)
            )
        ]

    def baseline() -> object:
        return np.nanmean(matrix, axis=1)

    variation, assurance = vectorised()  # warm-up, and the check that both paths agree
    looped = loop()
    agree = all((v, a) == pair for v, a, pair in zip(variation, assurance, looped, strict=True))
    t_base = median_seconds(baseline, repeats)
    t_many = median_seconds(vectorised, repeats)
    t_loop = median_seconds(loop, repeats)

    size = f"{args.series:,} series × {args.points} points"
    out.write(f"SPC benchmark: {size}, median of {repeats} runs each\n")
    out.write(f"  baseline (numpy nanmean per series): {t_base * 1000:8.1f} ms\n")
    out.write(
        f"  analyse_many (vectorised):           {t_many * 1000:8.1f} ms"
        f"  = {t_many / t_base:6.1f} × baseline\n"
    )
    out.write(
        f"  analyse() loop, one call per series: {t_loop * 1000:8.1f} ms"
        f"  = {t_loop / t_base:6.1f} × baseline, {t_loop / t_many:5.1f} × analyse_many\n"
    )
    out.write(f"  analyse_many and analyse() agree on every series: {'yes' if agree else 'NO'}\n")
    codes = dict(zip(*np.unique(variation, return_counts=True), strict=True))
    out.write(f"  variation mix: {', '.join(f'{k} {v}' for k, v in sorted(codes.items()))}\n")
    verdict = "PASS" if t_many < TARGET_SECONDS and agree else "FAIL"
    out.write(f"  target: {size} under {TARGET_SECONDS:.0f} s -> {verdict}\n")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    raise SystemExit(main())
