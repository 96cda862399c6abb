"""Benchmark: data-quality kite marks on a scale store (100 KPIs × 200 areas × 60 months).

Times ``series_quality`` and ``kpi_quality`` (vectorised) against the loop implementation they
replaced (kept as the reference in tests/unit/test_quality.py), each the median of several runs
on the same frames, checks that both give the same results, and prints the ratios.

    .venv/bin/python bench/bench_quality.py [--repeats 3] [--month 2024-12]
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from unittest import mock

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from bench_app import SCALE_AREAS, SCALE_KPIS, SCALE_MONTHS, scale_framework  # noqa: E402

from scorecard.statistics import quality  # noqa: E402
from scorecard.thread.domain import Framework  # noqa: E402
from scorecard.thread.framework import load_framework  # noqa: E402

TARGET_RATIO = 10.0


def reference_module() -> ModuleType:
    """tests/unit/test_quality.py, which holds the loop implementation as a reference."""
    path = REPO / "tests" / "unit" / "test_quality.py"
    spec = importlib.util.spec_from_file_location("reference_quality", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def scale_store(fw: Framework, months: int, seed: int = 2024) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``Store.current()``- and ``Store.history()``-shaped frames: every KPI × area × month.

    A few gaps, late series, provisional recent values, a few bad values, synthetic labels and
    about 5% of values revised after their first load.
    """
    rng = np.random.default_rng(seed)
    pairs = [(k.code, a.code) for k in fw.kpis for a in fw.kpi_areas(k.code)]
    end = 2024 * 12 + 11
    periods = np.array(
        [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(end - months + 1, end + 1)]
    )
    n_pairs, n_rows = len(pairs), len(pairs) * months
    kpi_codes = np.repeat(np.array([k for k, _ in pairs], dtype=object), months)
    area_codes = np.repeat(np.array([a for _, a in pairs], dtype=object), months)
    month_no = np.tile(np.arange(months), n_pairs)
    lateness = np.repeat(rng.choice([0, 0, 0, 0, 1, 2, 5], n_pairs), months)
    keep = (rng.random(n_rows) > 0.02) & (month_no < months - lateness)
    den = rng.integers(50, 500, n_rows).astype(np.float64)
    num = np.floor(den * rng.uniform(0.3, 0.95, n_rows))
    value = 100.0 * num / den
    value[rng.random(n_rows) < 0.001] = -1.0
    recent = month_no >= months - 2
    status = np.where(recent & (rng.random(n_rows) < 0.6), "provisional", "final")
    status[rng.random(n_rows) < 0.002] = "provisional"
    current = pd.DataFrame(
        {
            "kpi_code": kpi_codes,
            "area_code": area_codes,
            "period": periods[month_no],
            "value": value,
            "numerator": num,
            "denominator": den,
            "status": status.astype(object),
            "note": "",
            "load_id": np.int64(1),
            "synthetic": rng.random(n_rows) < 0.9,
        }
    ).loc[keep]
    current = current.reset_index(drop=True)
    revised = current.sample(frac=0.05, random_state=seed)
    history = pd.concat([current, revised], ignore_index=True)
    history = history.sort_values(["kpi_code", "area_code", "period"], kind="stable")
    return current, history.reset_index(drop=True)


def median_seconds(run: Callable[[], object], repeats: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs per measurement")
    parser.add_argument("--month", default="2024-12", help="the month shown")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        fw = load_framework(scale_framework(Path(tmp) / "framework"), use_cache=False)
    current, history = scale_store(fw, SCALE_MONTHS)
    n_series = sum(len(fw.kpi_areas(k.code)) for k in fw.kpis)
    print(
        f"scale store: {len(fw.kpis)} KPIs (target {SCALE_KPIS}) × {len(fw.areas)} areas "
        f"(target {SCALE_AREAS}) × {SCALE_MONTHS} months = {n_series} series, "
        f"{len(current):,} current rows, {len(history):,} history rows"
    )
    reference = reference_module().reference_series_quality

    def new_series() -> object:
        return quality.series_quality(fw, current, args.month, history)

    def old_series() -> object:
        return reference(fw, current, args.month, history)

    def new_kpi() -> object:
        return quality.kpi_quality(fw, current, args.month, history)

    def old_kpi() -> object:
        with mock.patch.object(quality, "series_quality", reference):
            return quality.kpi_quality(fw, current, args.month, history)

    same = new_series() == old_series() and new_kpi() == old_kpi()
    print(f"results identical (series_quality and kpi_quality): {same}")
    ok = same
    for name, old, new in (
        ("series_quality", old_series, new_series),
        ("kpi_quality", old_kpi, new_kpi),
    ):
        old_s, old_times = median_seconds(old, args.repeats)
        new_s, new_times = median_seconds(new, args.repeats)
        ratio = old_s / new_s
        ok &= ratio >= TARGET_RATIO
        print(
            f"{name}: loop median {old_s:.2f} s ({', '.join(f'{t:.2f}' for t in old_times)}); "
            f"vectorised median {new_s:.3f} s ({', '.join(f'{t:.3f}' for t in new_times)}); "
            f"{ratio:.1f}× faster (target ≥ {TARGET_RATIO:.0f}×: "
            f"{'met' if ratio >= TARGET_RATIO else 'NOT met'})"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
