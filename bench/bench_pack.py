"""`pack` on the demo store: the Board pack within 3x `scorecard --json` for the same month.

Runs `python -m scorecard pack --month <latest> --out <tmp>.pdf` and the baseline
`python -m scorecard scorecard --month <latest> --json` (the same month's scorecard, which the
pack also computes) in turns, five times each, on a demo store built in a temporary folder (or
the one given with --db). Wall times include process start; the ratio is of the medians,
measured in the same run. Exit status 1 when the ratio misses the target.
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET_RATIO = 3.0
RUNS = 5


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


def checked(args: list[str]) -> float:
    seconds, done = timed(args)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"command failed: {' '.join(args)}")
    return seconds


def medians_in_turns(
    first: list[str], second: list[str], runs: int
) -> tuple[float, list[float], float, list[float]]:
    """Both commands in turns (load on a shared machine drifts), each ``runs`` times."""
    a: list[float] = []
    b: list[float] = []
    for _ in range(runs):
        a.append(checked(first))
        b.append(checked(second))
    return statistics.median(a), a, statistics.median(b), b


def rounded(times: list[float]) -> list[float]:
    return [round(t, 2) for t in times]


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
        from scorecard.data.store import Store

        month = Store(db).periods()[-1]
        out = Path(folder) / "pack.pdf"
        pack_args = ["pack", "--month", month, "--out", str(out), "--db", str(db)]
        base_args = ["scorecard", "--month", month, "--json", "--db", str(db)]
        checked(pack_args)  # warm the file cache (fonts, store, byte code)
        checked(base_args)
        base, base_all, pack, pack_all = medians_in_turns(base_args, pack_args, options.runs)
        size = out.stat().st_size
    ratio = pack / base
    print(f"pack for {month}, area QPM: {size:,} bytes")
    print(f"baseline `scorecard --month {month} --json`: median {base:.2f} s  {rounded(base_all)}")
    print(f"`pack --month {month}`: median {pack:.2f} s  {rounded(pack_all)}")
    verdict = "PASS" if ratio <= TARGET_RATIO else "FAIL"
    print(f"{verdict}: ratio {ratio:.2f}x (target <= {TARGET_RATIO:.0f}x, process start included)")
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
