"""`pack` on the demo store: wall time of the Board pack PDF with process start (< 30 s).

Runs `python -m scorecard pack --month <latest> --out <tmp>.pdf` three times on a demo store
built in a temporary folder (or the one given with --db) and reports the median wall time beside
a baseline measured in the same run: `python -m scorecard scorecard --month <latest> --json`
(the same month's scorecard, which the pack also computes). Exit status 1 when the median
misses the target.
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET_S = 30.0
RUNS = 3


def timed(args: list[str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "scorecard", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    return time.perf_counter() - start, done


def median_of(args: list[str], runs: int) -> tuple[float, list[float]]:
    times: list[float] = []
    for _ in range(runs):
        seconds, done = timed(args)
        if done.returncode != 0:
            sys.stderr.write(done.stderr)
            raise SystemExit(f"command failed: {' '.join(args)}")
        times.append(seconds)
    return statistics.median(times), times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--db", type=Path, default=None, help="an existing store (default: build a demo)"
    )
    parser.add_argument("--runs", type=int, default=RUNS)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-pack-") as folder:
        db = options.db
        if db is None:
            db = Path(folder) / "demo.duckdb"
            build_s, done = timed(["demo", "--db", str(db)])
            if done.returncode != 0:
                sys.stderr.write(done.stderr)
                return 1
            print(f"built the demo store in {build_s:.1f} s")
        sys.path.insert(0, str(REPO))
        from scorecard.store import Store

        month = Store(db).periods()[-1]
        out = Path(folder) / "pack.pdf"
        pack_args = ["pack", "--month", month, "--out", str(out), "--db", str(db)]
        timed(pack_args)  # warm the file cache (fonts, store)
        base, base_all = median_of(
            ["scorecard", "--month", month, "--json", "--db", str(db)], options.runs
        )
        pack, pack_all = median_of(pack_args, options.runs)
        size = out.stat().st_size
    print(f"pack for {month}, area QPM: {size:,} bytes")
    print(f"baseline `scorecard --month {month} --json`: median {base:.2f} s  {base_all}")
    print(f"`pack --month {month}`: median {pack:.2f} s  {[round(t, 2) for t in pack_all]}")
    print(f"ratio to baseline: {pack / base:.1f}×; above baseline: {pack - base:.2f} s")
    verdict = "PASS" if pack < TARGET_S else "FAIL"
    print(f"{verdict}: target < {TARGET_S:.0f} s wall, process start included")
    return 0 if pack < TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
