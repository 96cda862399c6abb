"""Benchmark: `scorecard published` against openpyxl and DuckDB reading the same files.

In one run, each as the median of --repeats runs in a child process (process start included):

- baseline: openpyxl reads every workbook of data/published/ in read-only mode (every row of
  every sheet, values only), then DuckDB reads every re-tabulated CSV
  (`CREATE TABLE t AS SELECT * FROM read_csv(file)` in an in-memory database);
- published: `python -m scorecard published --db <fresh path>` (connectors, conversions,
  validation, loads, comparisons, provenance; the whole store, all or nothing).

Wall time and CPU time (user + system of the child) are printed with their ratio; the target
is published within 2x the baseline.

    .venv/bin/python bench/bench_published.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PUBLISHED = ROOT / "data" / "published"
RATIO_TARGET = 2.0
BASELINE = """
import sys
from pathlib import Path

import duckdb
import openpyxl

root = Path(sys.argv[1])
cells = 0
for path in sorted(root.glob("*/*.xlsx")):
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(values_only=True):
            cells += len(row)
    workbook.close()
con = duckdb.connect(config={"autoinstall_known_extensions": False,
                             "autoload_known_extensions": False})
rows = 0
for i, path in enumerate(sorted((root / "retabulated").glob("*.csv"))):
    con.execute(f"CREATE TABLE t{i} AS SELECT * FROM read_csv(?)", [str(path)])
    rows += con.execute(f"SELECT count(*) FROM t{i}").fetchone()[0]
print(cells, rows)
"""


def timed(command: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of one child process; it must succeed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    env = {k: v for k, v in os.environ.items() if k != "SCORECARD_DB"}
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"failed: {' '.join(command)}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> int:
    """Time both, print medians and ratios; exit 1 when the target is missed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    env_python = sys.executable
    baseline: list[tuple[float, float]] = []
    published: list[tuple[float, float]] = []
    with tempfile.TemporaryDirectory(prefix="bench-published-") as scratch:
        for i in range(args.repeats):
            baseline.append(timed([env_python, "-c", BASELINE, str(PUBLISHED)]))
            db = Path(scratch) / f"published-{i}.duckdb"
            published.append(timed([env_python, "-m", "scorecard", "published", "--db", str(db)]))
    base_wall = statistics.median(w for w, _ in baseline)
    base_cpu = statistics.median(c for _, c in baseline)
    pub_wall = statistics.median(w for w, _ in published)
    pub_cpu = statistics.median(c for _, c in published)
    print(
        f"files: {len(list(PUBLISHED.glob('*/*.xlsx')))} workbooks, "
        f"{len(list(PUBLISHED.glob('retabulated/*.csv')))} CSVs; {args.repeats} runs each"
    )
    print(
        f"baseline (openpyxl read-only + DuckDB read_csv): wall {base_wall:.2f} s, "
        f"cpu {base_cpu:.2f} s (medians)"
    )
    print(f"published: wall {pub_wall:.2f} s, cpu {pub_cpu:.2f} s (medians)")
    wall_ratio, cpu_ratio = pub_wall / base_wall, pub_cpu / base_cpu
    print(f"ratio: wall {wall_ratio:.2f}x, cpu {cpu_ratio:.2f}x (target {RATIO_TARGET:.1f}x)")
    return 0 if wall_ratio <= RATIO_TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
