"""`benefits --json` against `scorecard --json` for the same month of the demo store (≤ 1.5×).

Both commands run as a user runs them (a child process, interpreter start included), one after
the other in turns so that the machine's load falls on both alike; the medians of the runs and
their ratio are reported. Exit status 1 when the ratio misses the target.
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET_RATIO = 1.5
RUNS = 7


def timed(args: list[str]) -> float:
    """Wall seconds of one `python -m scorecard ARGS` run (exits on failure)."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "scorecard", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"command failed: {' '.join(args)}")
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=None, help="a store (default: build a demo)")
    parser.add_argument("--runs", type=int, default=RUNS)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-benefits-") as folder:
        db = options.db
        if db is None:
            db = Path(folder) / "demo.duckdb"
            print(f"built the demo store in {timed(['demo', '--db', str(db)]):.1f} s")
        sys.path.insert(0, str(REPO))
        from scorecard.data.store import Store

        month = Store(db).periods()[-1]
        base = ["--month", month, "--json", "--db", str(db)]
        timed(["scorecard", *base])  # warm the framework snapshot and the file cache
        timed(["benefits", *base])
        card: list[float] = []
        benefits: list[float] = []
        for _ in range(options.runs):
            card.append(timed(["scorecard", *base]))
            benefits.append(timed(["benefits", *base]))
    card_s, benefits_s = statistics.median(card), statistics.median(benefits)
    ratio = benefits_s / card_s
    print(f"month {month}, {options.runs} runs each (wall time, process start included)")
    print(f"baseline  scorecard --json  median {card_s:.3f} s  {[round(t, 3) for t in card]}")
    print(
        f"measured  benefits --json   median {benefits_s:.3f} s  {[round(t, 3) for t in benefits]}"
    )
    verdict = "meets" if ratio <= TARGET_RATIO else "MISSES"
    print(f"ratio {ratio:.2f}× ({verdict} the target of ≤ {TARGET_RATIO}×)")
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    raise SystemExit(main())
