"""Start-up: interpreter, CLI front door, framework validation and the framework cache, as ratios.

Every figure is the median of --runs runs, measured in the same run as its baseline (the machines
are noisy; the ratios travel, the seconds do not):

- baseline: `python -c pass` (interpreter start);
- `python -m scorecard --help` (the front door: argparse, no handler imported);
- `python -m scorecard framework` (the validator: always a full Pandera validation);
- `load_framework` in a fresh child, cold (empty cache folder: full validation, snapshot
  written) and warm (snapshot hit), each with the imports it pulls in, and in this process
  (imports already paid) with ``use_cache=False`` and with a hit;
- `python -m scorecard scorecard --month <latest> --json` on a demo store (built in a temporary
  folder unless --db is given), cold and warm, and where its time goes, stage by stage.

The children's CPU time (user + sys) is printed beside wall time: wall above CPU means a busy
machine. Every child runs with its own SCORECARD_CACHE_DIR, so nothing in the repository's
cache folder is read or written.

    .venv/bin/python bench/bench_startup.py [--runs 5] [--db STORE]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FRAMEWORK = ROOT / "data" / "framework"
sys.path.insert(0, str(ROOT))

# A child that times `load_framework` with the imports it pulls in, and says what it imported.
LOAD_CHILD = """
import json, sys, time
from pathlib import Path
start = time.perf_counter()
from scorecard.thread.framework import load_framework
imported = time.perf_counter()
load_framework(Path(sys.argv[1]))
done = time.perf_counter()
sys.stdout.write(json.dumps({
    "import": imported - start, "load": done - imported, "total": done - start,
    "pandera": "pandera" in sys.modules, "pandas": "pandas" in sys.modules,
}))
"""

# A child that runs the `scorecard --json` command's work stage by stage (each import is timed
# after the ones before it, so a figure is what that stage adds).
CARD_CHILD = """
import json, sys, time
from pathlib import Path
stamps = [("start", time.perf_counter())]
def stamp(name):
    stamps.append((name, time.perf_counter()))
import numpy
stamp("import numpy")
import pyarrow
stamp("import pyarrow")
import pandas
stamp("import pandas")
import duckdb
stamp("import duckdb")
import scorecard.cli
stamp("import scorecard.cli")
import scorecard.reports.scoring
stamp("import scorecard.reports.scoring (spc, disclosure)")
import scorecard.data.store
stamp("import scorecard.data.store")
from scorecard.thread.framework import load_framework
fw = load_framework(Path(sys.argv[1]))
stamp("load_framework (warm cache)")
store = scorecard.data.store.Store(Path(sys.argv[2]))
rows = scorecard.reports.scoring.compute_scorecard(fw, store, sys.argv[3], None)
stamp("compute_scorecard")
text = json.dumps([row.as_contract_dict() for row in rows], indent=2, default=str)
stamp("JSON out")
sys.stdout.write(json.dumps({
    name: stamps[n][1] - stamps[n - 1][1] for n, (name, _) in enumerate(stamps) if n
}))
"""


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(argv: list[str], env: Mapping[str, str]) -> tuple[float, float, str]:
    """(wall s, CPU s, stdout) of one child process; exit on failure."""
    cpu = _child_cpu()
    start = time.perf_counter()
    done = subprocess.run(
        argv, cwd=ROOT, env=dict(env), capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - start
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"failed: {' '.join(argv)}")
    return wall, _child_cpu() - cpu, done.stdout


def measure(
    argv: list[str], env: Mapping[str, str], runs: int, before: Callable[[], None] | None = None
) -> tuple[float, float, list[str]]:
    """Median wall s, median CPU s and every stdout of ``runs`` runs (``before`` each run)."""
    walls: list[float] = []
    cpus: list[float] = []
    outs: list[str] = []
    for _ in range(runs):
        if before is not None:
            before()
        wall, cpu, out = run(argv, env)
        walls.append(wall)
        cpus.append(cpu)
        outs.append(out)
    return statistics.median(walls), statistics.median(cpus), outs


def in_process(call: Callable[[], object], runs: int) -> float:
    """Median seconds of ``call()`` in this process."""
    times: list[float] = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


class Report:
    """Lines of `name  wall  ratio  cpu`, ratios to the baseline's wall time."""

    def __init__(self, baseline: float) -> None:
        self.baseline = baseline

    def line(self, name: str, wall: float, cpu: float | None = None) -> None:
        cpu_text = f"  cpu {cpu:6.3f} s" if cpu is not None else ""
        print(f"{name:<58} {wall:6.3f} s  {wall / self.baseline:6.1f}x{cpu_text}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--db", type=Path, default=None, help="a store (default: build a demo)")
    options = parser.parse_args()
    runs: int = options.runs
    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        work = Path(tmp)
        cache = work / "cache"
        env = {**os.environ, "SCORECARD_CACHE_DIR": str(cache)}

        def empty_cache() -> None:
            for snapshot in cache.glob("*"):
                snapshot.unlink()

        base, base_cpu, _ = measure([python, "-c", "pass"], env, runs)
        report = Report(base)
        print(
            f"median of {runs} runs; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
        )
        report.line("python -c pass (baseline)", base, base_cpu)
        wall, cpu, _ = measure([python, "-m", "scorecard", "--help"], env, runs)
        report.line("python -m scorecard --help", wall, cpu)
        wall, cpu, _ = measure([python, "-m", "scorecard", "framework"], env, runs)
        report.line("python -m scorecard framework (always validates)", wall, cpu)

        load = [python, "-c", LOAD_CHILD, str(FRAMEWORK)]
        cold, cold_cpu, cold_out = measure(load, env, runs, before=empty_cache)
        warm, warm_cpu, warm_out = measure(load, env, runs)
        report.line("child: import + load_framework, cold cache", cold, cold_cpu)
        report.line("child: import + load_framework, warm cache", warm, warm_cpu)
        for label, outs in (("cold", cold_out), ("warm", warm_out)):
            stats = [json.loads(out) for out in outs]
            print(
                f"  {label}: import {statistics.median(s['import'] for s in stats):.3f} s, "
                f"load {statistics.median(s['load'] for s in stats):.3f} s; "
                f"pandera imported: {stats[-1]['pandera']}, pandas imported: {stats[-1]['pandas']}"
            )
        print(f"  warm/cold wall: {warm / cold:.2f}; cold - warm: {cold - warm:.3f} s")

        os.environ["SCORECARD_CACHE_DIR"] = str(cache)
        from scorecard.thread.framework import load_framework

        full = in_process(lambda: load_framework(FRAMEWORK, use_cache=False), runs)
        load_framework(FRAMEWORK)
        hit = in_process(lambda: load_framework(FRAMEWORK), runs)
        print(
            f"in process, imports paid: full validation {full * 1000:.1f} ms, cache hit "
            f"{hit * 1000:.1f} ms ({full / hit:.0f}x faster)"
        )

        db = options.db
        if db is None:
            db = work / "demo.duckdb"
            build, _, _ = run([python, "-m", "scorecard", "demo", "--db", str(db)], env)
            print(f"built the demo store in {build:.1f} s")
        from scorecard.data.store import Store

        month = Store(db).periods()[-1]
        card = [python, "-m", "scorecard", "scorecard", "--month", month, "--json", "--db", str(db)]
        wall, cpu, _ = measure(card, env, runs, before=empty_cache)
        report.line(f"scorecard --month {month} --json, cold cache", wall, cpu)
        wall, cpu, _ = measure(card, env, runs)
        report.line(f"scorecard --month {month} --json, warm cache", wall, cpu)

        _, _, outs = measure([python, "-c", CARD_CHILD, str(FRAMEWORK), str(db), month], env, runs)
        stages = [json.loads(out) for out in outs]
        print(
            f"where `scorecard --json` spends its time (median of {runs}, after interpreter start):"
        )
        for name in stages[0]:
            print(f"  {name:<44} {statistics.median(s[name] for s in stages):6.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
