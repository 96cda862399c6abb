"""Benchmark: `scorecard load` of a 5,000,000-row extract against DuckDB's own CSV read.

Builds, in a temporary folder, a scale framework (the real data/framework plus many PCN areas,
every KPI reported for PCNs) and a valid extract CSV of about 5M rows (every KPI x area x
month). Then, in the same run and each as the median of --repeats runs:

- baseline: a child `python -c` that opens a fresh DuckDB file and runs
  `CREATE TABLE t AS SELECT * FROM read_csv(file)` then CHECKPOINT (process start included);
- load: a child `python -m scorecard load FILE` into a freshly initialised store (the full
  pipeline: read, Pandera validation, classification, copy-write-CHECKPOINT-swap; process
  start, imports and framework parsing included; `init` is not timed).

Wall time, CPU time (user + system, all threads: steadier than wall time on a busy machine)
and peak memory (ru_maxrss) are each child's own, measured by a small wrapper process.
Targets: load within 3x the baseline, peak under 2 GB. Then a typical monthly file
(--monthly-rows rows, one new month) is loaded end to end (process start included; target
under 2 s) into a store holding the real framework's 36 months and into the 5M-row store.

    .venv/bin/python bench/bench_load.py [--rows 5000000] [--repeats 3] [--keep DIR]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scorecard.thread.domain import DERIVED_KPIS, Framework, Unit
from scorecard.thread.framework import load_framework

ROOT = Path(__file__).resolve().parents[1]

RATIO_TARGET = 3.0
MEMORY_TARGET_MB = 2048
MONTHLY_TARGET_S = 2.0
CTAS = """
import duckdb, sys
con = duckdb.connect(sys.argv[1], config={"autoinstall_known_extensions": False,
                                          "autoload_known_extensions": False})
con.execute("CREATE TABLE t AS SELECT * FROM read_csv(?)", [sys.argv[2]])
con.execute("CHECKPOINT")
con.close()
"""


def scale_framework(source: Path, target: Path, pcns: int) -> Path:
    """The real framework plus ``pcns`` PCN areas, with every KPI reported for PCNs."""
    shutil.copytree(source, target)
    with (target / "areas.csv").open("a", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        for i in range(pcns):
            parent = "E06000061" if i % 2 else "E06000062"
            writer.writerow([f"U{i:05d}", f"Bench PCN {i}", "pcn", parent])
    kpis = target / "kpis.csv"
    with kpis.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        types = [t for t in row["area_types"].split(";") if t]
        row["area_types"] = ";".join([*types, "pcn"] if "pcn" not in types else types)
    with kpis.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return target


def months_back(end: str, count: int) -> list[str]:
    year, month = int(end[:4]), int(end[5:7])
    index = year * 12 + month - 1
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(index - count + 1, index + 1)]


def last_month() -> str:
    today = time.gmtime()
    year, month = (today.tm_year, today.tm_mon - 1) if today.tm_mon > 1 else (today.tm_year - 1, 12)
    return f"{year:04d}-{month:02d}"


def this_month() -> str:
    today = time.gmtime()
    return f"{today.tm_year:04d}-{today.tm_mon:02d}"


def extract_table(
    fw: Framework, periods: list[str], max_areas: int | None = None, seed: int = 7
) -> pa.Table:
    """A valid extract: every loadable KPI x (its first ``max_areas``) areas x period, vectorised.

    KPIs derived from people's records (ACT-BENEFIT) cannot be loaded and are left out.
    """
    rng = np.random.default_rng(seed)
    kpi_codes, area_codes, units = [], [], []
    for kpi in fw.kpis:
        if kpi.code in DERIVED_KPIS:
            continue
        areas = [a.code for a in fw.kpi_areas(kpi.code)][:max_areas]
        kpi_codes += [kpi.code] * len(areas)
        area_codes += areas
        units += [kpi.unit] * len(areas)
    pairs, months = len(kpi_codes), len(periods)
    n = pairs * months
    percent = np.repeat(np.array([u == Unit.PERCENT for u in units]), months)
    denominator = rng.integers(50, 5000, n).astype(np.float64)
    numerator = np.floor(denominator * rng.random(n))
    level = rng.uniform(10, 5000, n).round(1)
    value = np.where(percent, numerator / denominator * 100, level)
    status = np.where(np.tile(np.arange(months), pairs) == months - 1, "provisional", "final")
    notes = np.where(rng.random(n) < 0.001, "bench note, with a comma", None)
    return pa.table(
        {
            "kpi_code": np.repeat(np.array(kpi_codes), months),
            "area_code": np.repeat(np.array(area_codes), months),
            "period": np.tile(np.array(periods), pairs),
            "value": value,
            "numerator": pa.array(np.where(percent, numerator, np.nan), from_pandas=True),
            "denominator": pa.array(np.where(percent, denominator, np.nan), from_pandas=True),
            "status": status,
            "note": pa.array(notes, type=pa.string()),
        }
    )


# Runs a command and reports its wall time, CPU time and peak RSS. A child forked from this
# (big) bench process would inherit its RSS high-water mark, so a small wrapper forks it.
MEASURE = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
sys.stderr.write(done.stderr.decode())
print(json.dumps([wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, done.returncode]))
"""


@dataclass(frozen=True)
class Run:
    """One measured child process."""

    wall: float  # seconds, process start included
    cpu: float  # user + system seconds, all threads
    peak_mb: float  # peak resident memory
    code: int


def run_child(argv: list[str]) -> Run:
    """Run ``argv`` in a fresh process and measure it."""
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, *argv], cwd=ROOT, capture_output=True, check=True
    )
    run = Run(*json.loads(done.stdout))
    if run.code != 0:
        sys.stderr.write(done.stderr.decode())
    return run


def summary(runs: list[Run]) -> str:
    """Median wall and CPU seconds and the largest peak memory of some runs."""
    wall = statistics.median(r.wall for r in runs)
    cpu = statistics.median(r.cpu for r in runs)
    return f"median {wall:.2f} s wall, {cpu:.2f} s CPU; peak {max(r.peak_mb for r in runs):.0f} MB"


def scorecard(*args: str) -> list[str]:
    return [sys.executable, "-m", "scorecard", *args]


def fresh_store(db: Path, framework: Path) -> None:
    for leftover in db.parent.glob(db.name + "*"):
        leftover.unlink()
    subprocess.run(
        scorecard("init", "--db", str(db), "--framework", str(framework)),
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000, help="rows in the big extract")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--monthly-rows", type=int, default=3_000)
    parser.add_argument("--keep", type=Path, default=None, help="work here and keep the files")
    args = parser.parse_args(argv)

    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-load-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        real = load_framework(ROOT / "data" / "framework")
        months = 48
        pcns = max(1, round(args.rows / months / len(real.kpis)) - 6)
        fw_dir = scale_framework(ROOT / "data" / "framework", work / "framework", pcns)
        fw = load_framework(fw_dir)
        periods = months_back(last_month(), months)
        big = work / "extract_big.csv"
        started = time.perf_counter()
        table = extract_table(fw, periods)
        pacsv.write_csv(table, big)
        rows = table.num_rows
        del table
        print(f"scale framework: {len(fw.kpis)} KPIs, {len(fw.areas)} areas ({pcns} PCNs)")
        print(
            f"extract: {rows:,} rows, {big.stat().st_size / 1e6:.0f} MB, "
            f"written in {time.perf_counter() - started:.1f} s"
        )

        baseline: list[Run] = []
        load: list[Run] = []
        db = work / "store.duckdb"
        for _ in range(args.repeats):
            raw = work / "ctas.duckdb"
            raw.unlink(missing_ok=True)
            baseline.append(run_child([sys.executable, "-c", CTAS, str(raw), str(big)]))
            assert baseline[-1].code == 0, "the DuckDB baseline failed"
            fresh_store(db, fw_dir)
            load.append(
                run_child(scorecard("load", str(big), "--db", str(db), "--framework", str(fw_dir)))
            )
            assert load[-1].code == 0, "the load failed"
        ratio = statistics.median(r.wall for r in load) / statistics.median(
            r.wall for r in baseline
        )
        cpu_ratio = statistics.median(r.cpu for r in load) / statistics.median(
            r.cpu for r in baseline
        )
        peak = max(r.peak_mb for r in load)
        print(
            f"machine load average at the start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
        )
        print(f"DuckDB CREATE TABLE AS read_csv (child process): {summary(baseline)}")
        print(f"scorecard load (child process, full pipeline): {summary(load)}")
        print(
            f"ratio load / DuckDB: {ratio:.2f}x wall, {cpu_ratio:.2f}x CPU "
            f"(target <= {RATIO_TARGET:.0f}x); peak {peak:.0f} MB (target < {MEMORY_TARGET_MB} MB)"
        )

        # A typical monthly file: one new month, a few thousand rows.
        per_kpi = max(1, args.monthly_rows // len(fw.kpis))
        monthly = work / "extract_monthly.csv"
        pacsv.write_csv(extract_table(fw, [this_month()], max_areas=per_kpi, seed=11), monthly)
        monthly_rows = sum(1 for _ in monthly.open()) - 1
        history = work / "history.csv"
        pacsv.write_csv(extract_table(real, months_back(last_month(), 36)), history)
        small_db = work / "demo.duckdb"
        small_runs: list[Run] = []
        big_runs: list[Run] = []
        for _ in range(args.repeats):
            fresh_store(small_db, fw_dir)
            subprocess.run(
                scorecard("load", str(history), "--db", str(small_db), "--framework", str(fw_dir)),
                check=True,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
            )
            small_runs.append(
                run_child(
                    scorecard(
                        "load", str(monthly), "--db", str(small_db), "--framework", str(fw_dir)
                    )
                )
            )
            copy = work / "big_copy.duckdb"
            shutil.copyfile(db, copy)
            big_runs.append(
                run_child(
                    scorecard("load", str(monthly), "--db", str(copy), "--framework", str(fw_dir))
                )
            )
        imports = [
            run_child([sys.executable, "-c", "import pandera.pandas, duckdb, pyarrow.csv"])
            for _ in range(args.repeats)
        ]
        print(f"for scale, a process that only imports pandas, Pandera, DuckDB: {summary(imports)}")
        small_wall = statistics.median(r.wall for r in small_runs)
        print(
            f"monthly file ({monthly_rows:,} rows) into a 36-month store of the real framework: "
            f"{summary(small_runs)} (target < {MONTHLY_TARGET_S} s wall)"
        )
        print(
            f"monthly file ({monthly_rows:,} rows) into the {rows:,}-row store: {summary(big_runs)}"
        )
        ok = ratio <= RATIO_TARGET and peak < MEMORY_TARGET_MB and small_wall < MONTHLY_TARGET_S
        print("targets met" if ok else "TARGETS MISSED")
        return 0 if ok else 1
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
