"""Benchmark: `scorecard demo` (36 months, the real framework) against DuckDB writing the same rows.

In one run, each the median of --runs repeats, in a temporary folder:

- baseline: the same demo rows (generated once, outside the timing) written by DuckDB directly
  from a pandas DataFrame into a fresh file (`CREATE TABLE … AS SELECT * FROM frame`, CHECKPOINT);
- build: `demo.build_demo_store` in this process (generate, Pandera validation through
  `pipeline.load_frame`, atomic swap), with the generation alone reported beside it;
- cli: `python -m scorecard demo --db …` as a child process (process start, imports and framework
  parsing included): the figure the target applies to.

Target: the CLI build under 30 s wall. Exit status 1 when it misses.

    .venv/bin/python bench/bench_demo.py [--runs 3] [--months 36]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scorecard.synthetic import demo, demo_plants, demo_series  # noqa: E402  (after the sys.path line)
from scorecard.thread.framework import load_framework  # noqa: E402

TARGET_S = 30.0
END = demo_plants.last_month()


def median_of(runs: int, work: Callable[[int], object]) -> tuple[float, list[float]]:
    times = []
    for i in range(runs):
        start = time.perf_counter()
        work(i)
        times.append(time.perf_counter() - start)
    return statistics.median(times), [round(t, 2) for t in times]


def duckdb_direct(frame: pd.DataFrame, path: Path) -> None:
    con = duckdb.connect(
        str(path),
        config={"autoinstall_known_extensions": False, "autoload_known_extensions": False},
    )
    try:
        con.register("frame", frame)
        con.execute("CREATE TABLE observations AS SELECT * FROM frame")
        con.execute("CHECKPOINT")
    finally:
        con.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--months", type=int, default=demo_plants.DEFAULT_MONTHS)
    options = parser.parse_args()
    fw = load_framework(ROOT / "data" / "framework")
    with tempfile.TemporaryDirectory(prefix="bench-demo-") as tmp:
        folder = Path(tmp)
        frame = demo_series.generate_demo(fw, options.months, demo_series.DEFAULT_SEED, END)
        rows = len(frame)

        base, base_all = median_of(
            options.runs, lambda i: duckdb_direct(frame, folder / f"direct-{i}.duckdb")
        )
        gen, gen_all = median_of(
            options.runs,
            lambda i: demo_series.generate_demo(
                fw, options.months, demo_series.DEFAULT_SEED + i, END
            ),
        )
        build, build_all = median_of(
            options.runs,
            lambda i: demo.build_demo_store(
                folder / "build.duckdb", fw, options.months, demo_series.DEFAULT_SEED + i, END
            ),
        )
        command = [sys.executable, "-m", "scorecard", "demo", "--months", str(options.months)]

        def cli(i: int) -> None:
            args = [*command, "--db", str(folder / "cli.duckdb"), "--seed", str(i)]
            done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                sys.stderr.write(done.stderr)
                raise SystemExit(1)

        wall, wall_all = median_of(options.runs, cli)

    print(f"demo: {len(fw.kpis)} KPIs, {options.months} months to {END}, {rows:,} rows")
    print(f"baseline DuckDB CTAS from a DataFrame: median {base:.3f} s  {base_all}")
    print(f"generate_demo (rows only):             median {gen:.3f} s  {gen_all}")
    print(f"build_demo_store (in process):         median {build:.3f} s  {build_all}")
    print(f"`python -m scorecard demo` (wall):     median {wall:.3f} s  {wall_all}")
    print(f"ratio build / baseline: {build / base:.1f}x; cli / baseline: {wall / base:.1f}x")
    verdict = "PASS" if wall < TARGET_S else "FAIL"
    print(f"{verdict}: target < {TARGET_S:.0f} s wall, process start included")
    return 0 if wall < TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
