"""`scorecard --json` for a whole month of the demo store: wall time with process start (< 2 s).

Runs `python -m scorecard scorecard --month <latest> --json` five times on a demo store built in
a temporary folder (or the one given with --db) and reports the median wall time, beside a
baseline measured in the same run: `python -m scorecard --help` (interpreter start, imports of
the front door, argument parsing). The child's CPU time (user + sys) is printed too: on a busy
machine wall time exceeds it. Exit status 1 when the median wall time misses the target.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET_S = 2.0
RUNS = 5


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(args: list[str]) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """(wall seconds, CPU seconds of the child, result) of one `python -m scorecard` run."""
    cpu = _child_cpu()
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "scorecard", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    return time.perf_counter() - start, _child_cpu() - cpu, done


def measure(args: list[str], runs: int) -> tuple[list[float], list[float], str]:
    """Wall and CPU seconds of ``runs`` runs, and the last run's stdout."""
    walls: list[float] = []
    cpus: list[float] = []
    stdout = ""
    for _ in range(runs):
        wall, cpu, done = timed(args)
        if done.returncode != 0:
            sys.stderr.write(done.stderr)
            raise SystemExit(f"command failed: {' '.join(args)}")
        walls.append(wall)
        cpus.append(cpu)
        stdout = done.stdout
    return walls, cpus, stdout


def rounded(times: list[float]) -> list[float]:
    return [round(t, 3) for t in times]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=None, help="a store (default: build a demo)")
    parser.add_argument("--runs", type=int, default=RUNS)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-scorecard-") as folder:
        db = options.db
        if db is None:
            db = Path(folder) / "demo.duckdb"
            build_s, _, done = timed(["demo", "--db", str(db)])
            if done.returncode != 0:
                sys.stderr.write(done.stderr)
                return 1
            print(f"built the demo store in {build_s:.1f} s")
        sys.path.insert(0, str(REPO))
        from scorecard.data.store import Store

        month = Store(db).periods()[-1]
        command = ["scorecard", "--month", month, "--json", "--db", str(db)]
        timed(command)  # warm the file cache
        base_walls, base_cpus, _ = measure(["--help"], options.runs)
        walls, cpus, stdout = measure(command, options.runs)
    base, card = statistics.median(base_walls), statistics.median(walls)
    rows = json.loads(stdout)
    print(f"scorecard --json, month {month}: {len(rows)} KPI × area rows")
    print(f"baseline `python -m scorecard --help`: median {base:.3f} s  {rounded(base_walls)}")
    print(f"`scorecard --month {month} --json`:  median {card:.3f} s  {rounded(walls)}")
    print(f"ratio to baseline: {card / base:.1f}×; above baseline: {card - base:.3f} s")
    print(
        f"CPU (user + sys) medians: baseline {statistics.median(base_cpus):.3f} s, scorecard "
        f"{statistics.median(cpus):.3f} s (load average {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} CPUs; wall above CPU means a busy machine)"
    )
    verdict = "PASS" if card < TARGET_S else "FAIL"
    print(f"{verdict}: target < {TARGET_S:.1f} s wall, process start included")
    return 0 if card < TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
