"""Benchmarks against England: every KPI × area × month of the published store, and KPI detail.

Run: ``.venv/bin/python bench/bench_benchmark.py --db STORE [--repeat N] [--compute-repeat M]``
on a store built by ``python -m scorecard published`` (built into a temporary folder when
``--db`` is not given). Exits 1 when a target is missed (``bench/run_all.py`` counts it).

Measures, each a median over N runs interleaved with its baseline (ratios are the figures):

- every benchmark (funnel or rank) of every KPI with comparison data × its areas × every month
  with comparison figures, from the comparison rows in memory (split included), against
  ``spc_many.analyse_many`` reading the same KPIs and areas at every one of those months (target
  ≤ 0.5×);
- KPI detail's warm AppTest script run for LEAD-P0 with the "Compared with England" panel
  against the same page with the panel switched off (target < 1.5×).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # this checkout's scorecard, whatever is installed

from timing import interleaved  # noqa: E402

from scorecard.data.store import Store  # noqa: E402
from scorecard.reports.comparisons import area_types, benchmarks_of_frame  # noqa: E402
from scorecard.statistics import spc_many  # noqa: E402
from scorecard.statistics.benchmark import LEVEL_OF_AREA_TYPE  # noqa: E402
from scorecard.thread.framework import load_framework  # noqa: E402

FRAMEWORK = REPO / "data" / "framework"


def say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


COMPUTE_TARGET = 0.5
PAGE_TARGET = 1.5


def compute_figures(db: Path, repeat: int) -> float:
    """Every benchmark against ``analyse_many``; the ratio of the medians."""
    fw = load_framework(FRAMEWORK)
    store = Store(db)
    comparisons = store.comparisons()
    current = store.current()
    types = area_types(fw)
    keys = {
        (str(k), str(p), str(lv))
        for k, p, lv in zip(
            comparisons["source_key"], comparisons["period"], comparisons["org_level"], strict=True
        )
    }
    wanted: list[tuple[str, str, str]] = []
    pairs: list[tuple[str, str]] = []
    months: set[str] = set()
    for kpi in fw.kpis:
        if not kpi.source_key:
            continue
        for area in fw.kpi_areas(kpi.code):
            level = LEVEL_OF_AREA_TYPE.get(types.get(area.code, ""))
            periods = sorted(p for k, p, lv in keys if k == kpi.source_key and lv == level)
            if not periods:
                continue
            pairs.append((kpi.code, area.code))
            wanted += [(kpi.code, area.code, p) for p in periods]
            months.update(periods)
    ordered = sorted(months)
    index = {p: i for i, p in enumerate(ordered)}
    matrix = np.full((len(pairs), len(ordered)), np.nan)
    row_of = {pair: i for i, pair in enumerate(pairs)}
    for kpi_code, area_code, period, value in zip(
        current["kpi_code"], current["area_code"], current["period"], current["value"], strict=True
    ):
        i = row_of.get((str(kpi_code), str(area_code)))
        j = index.get(str(period))
        if i is not None and j is not None and value is not None:
            matrix[i, j] = float(value)
    directions = [str(fw.kpi(k).direction) for k, _ in pairs]
    targets = [fw.kpi(k).target_value for k, _ in pairs]

    def benchmarks() -> None:
        found = benchmarks_of_frame(comparisons, fw, wanted)
        if not found:
            raise SystemExit("no benchmark was computed: is this the published store?")

    def spc_every_month() -> None:
        for j in range(len(ordered)):
            spc_many.analyse_many(matrix[:, : j + 1], directions, targets)

    say(
        f"{len(wanted)} KPI × area × month benchmarks ({len(pairs)} KPI × area pairs, "
        f"{len(ordered)} months, {len(comparisons)} comparison rows)"
    )
    took, base = interleaved(benchmarks, spc_every_month, repeat)
    say(
        f"benchmarks: median {took * 1000:.1f} ms; analyse_many at every month on the same "
        f"KPIs and areas: median {base * 1000:.1f} ms; ratio {took / base:.2f}× "
        f"(target ≤ {COMPUTE_TARGET}×; {repeat} runs each)"
    )
    return took / base


def kpi_page() -> None:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    at.switch_page("pages/2_kpi.py")
    for name, value in (("kpi", "LEAD-P0"), ("month", "2024-01"), ("area", "QPM")):
        at.query_params[name] = value
    at.run()
    if at.exception:
        raise SystemExit(f"KPI detail failed: {[e.value for e in at.exception]}")


def page_figures(db: Path, repeat: int) -> float:
    """KPI detail with the panel against without it; the ratio of the medians."""
    from streamlit_quiet import silence_missing_context

    from scorecard.ui import benchmark

    silence_missing_context()

    os.environ["SCORECARD_DB"] = str(db)
    panel = benchmark.benchmark_section

    def without() -> None:
        benchmark.benchmark_section = lambda ctx, kpi: None  # type: ignore[assignment]
        try:
            kpi_page()
        finally:
            benchmark.benchmark_section = panel  # type: ignore[assignment]

    kpi_page()  # warm the caches
    without()
    took, base = interleaved(kpi_page, without, repeat)
    say(
        f"KPI detail (LEAD-P0, warm AppTest run): with the panel median {took:.2f} s; without "
        f"median {base:.2f} s; ratio {took / base:.2f}× (target < {PAGE_TARGET}×)"
    )
    return took / base


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=5, help="runs of each KPI detail page")
    parser.add_argument(
        "--compute-repeat", type=int, default=21, help="runs of every benchmark and its baseline"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = args.db
        if db is None:
            db = Path(folder) / "published.duckdb"
            say("building the published store (a few minutes)…")
            subprocess.run(
                [sys.executable, "-m", "scorecard", "published", "--db", str(db)],
                cwd=REPO,
                check=True,
                capture_output=True,
            )
        compute = compute_figures(db, args.compute_repeat)
        page = page_figures(db, args.repeat)
    missed = compute > COMPUTE_TARGET or page >= PAGE_TARGET
    if missed:
        say("a target was missed")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
