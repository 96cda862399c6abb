"""What verifying the hash chain over people's words costs, beside a plain read of the same rows.

Run: ``.venv/bin/python bench/bench_ledger.py [--records N] [--repeat N]``.

Writes N commentary records and N / 10 Board sign-offs (each with a 200-row snapshot) through
``Reviews``, then times, as medians over the repeats: ``Reviews.verify()`` (every seal, record
and guard) and a baseline that reads every row of the same tables once (``SELECT *``). The
ratio is the figure to compare between runs (the machine is shared and noisy).
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from scorecard.data.access import Source, parse_role_map, principal_for
from scorecard.data.ledger import CHAINED
from scorecard.data.reviews import Reviews
from scorecard.thread.framework import load_framework

REPO = Path(__file__).resolve().parents[1]


def _build(path: Path, records: int) -> Reviews:
    fw = load_framework(REPO / "data" / "framework")
    mapping = parse_role_map(
        {
            "people": [
                {"id": "a", "roles": ["administrator"]},
                {"id": "b", "roles": ["executive_board"]},
            ]
        }
    )
    admin = principal_for("a", "Admin", mapping, Source.LOGIN)
    board = principal_for("b", "Board", mapping, Source.LOGIN)
    reviews = Reviews(path)
    kpis = [k.code for k in fw.kpis]
    rows = [{"kpi_code": f"K{i}", "area_code": "QPM", "value": float(i)} for i in range(200)]
    for n in range(records):
        month = f"{2000 + n // 12:04d}-{n % 12 + 1:02d}"
        reviews.add_commentary(fw, admin, kpis[n % len(kpis)], "QPM", month, chart_says=f"n{n}")
        if n % 10 == 0:
            reviews.sign_off(board, month, "QPM", rows, "store", "minute")
    return reviews


def _read_all(path: Path) -> int:
    con = sqlite3.connect(path)
    try:
        return sum(len(con.execute(f"SELECT * FROM {t}").fetchall()) for t in CHAINED)
    finally:
        con.close()


def main() -> None:
    """Print the medians and the ratio."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        reviews = _build(Path(folder) / "bench.reviews.sqlite", args.records)
        base, check = [], []
        for _ in range(args.repeat):
            start = time.perf_counter()
            _read_all(reviews.path)
            base.append(time.perf_counter() - start)
            start = time.perf_counter()
            state = reviews.verify()
            check.append(time.perf_counter() - start)
        assert state.intact
        b, c = statistics.median(base), statistics.median(check)
        print(f"records sealed: {state.seals:,}")
        print(f"baseline (read every row once): median {b * 1000:.1f} ms")
        print(f"verify (every seal, record, guard): median {c * 1000:.1f} ms")
        print(f"ratio verify / baseline: {c / b:.1f}")


if __name__ == "__main__":
    main()
