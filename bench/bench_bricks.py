"""How fast brick owners' views answer: the Bricks page (AppTest) and a KPI heatmap (browser).

Run: ``.venv/bin/python bench/bench_bricks.py [--repeat N] [--skip-scale] [--skip-browser]
[--port P] [--keep DIR]`` (``--keep`` builds the stores in DIR once and reuses them).

Measures, each as a median over N runs, beside a baseline measured in the same run and
interleaved with it (the machine is shared and noisy, so the ratio is the figure to compare):

- AppTest, warm: the Bricks page's script run on the demo store (target < 1.5× an empty
  page's run) and on a scale store of 100 KPIs × 200 areas × 60 months (target < 0.6 s).
- Browser, warm, scale store: KPI detail showing one KPI across 200 areas × 60 months (the
  heatmap), from navigation to fully rendered in Debian chromium at 1366×768 (target within
  1.5× of the same KPI's page showing its single SPC chart).
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # this checkout's scorecard, whatever is installed
sys.path.insert(1, str(REPO / "bench"))
from bench_app import (  # noqa: E402
    FRAMEWORK,
    SCALE_AREAS,
    SCALE_KPIS,
    SCALE_MONTHS,
    env,
    say,
    scale_framework,
    scorecard,
)
from timing import interleaved  # noqa: E402

HEATMAP_KPI = "ACT-RRPKG"


@contextmanager
def served(db: Path, framework: Path, port: int = 0) -> Iterator[str]:
    """The app served on a local port (0: a free one) for a store and framework; then stopped."""
    if not port:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
    streamlit = Path(sys.executable).parent / "streamlit"
    server = subprocess.Popen(
        [
            str(streamlit),
            "run",
            str(REPO / "app.py"),
            "--server.headless",
            "true",
            "--server.address",
            "127.0.0.1",
            "--server.port",
            str(port),
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "SCORECARD_DB": str(db), "SCORECARD_FRAMEWORK": str(framework)},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                    break
            except OSError:
                time.sleep(0.3)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def bricks_page() -> None:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    at.switch_page("pages/3_bricks.py")
    at.run()
    if at.exception:
        raise SystemExit(f"the Bricks page failed: {[e.value for e in at.exception]}")
    if not at.expander:
        raise SystemExit("the Bricks page showed no brick")


def empty_page() -> None:
    from streamlit.testing.v1 import AppTest

    AppTest.from_string("import streamlit as st\nst.title('Empty')", default_timeout=60).run()


def apptest_figures(demo: Path, scale: tuple[Path, Path] | None, repeat: int) -> None:
    from streamlit_quiet import silence_missing_context

    silence_missing_context()
    empty_page()  # import Streamlit's testing machinery once
    with env(SCORECARD_DB=str(demo), SCORECARD_FRAMEWORK=str(FRAMEWORK)):
        started = time.perf_counter()
        bricks_page()
        cold = time.perf_counter() - started
        baseline, warm = interleaved(empty_page, bricks_page, repeat)
    ratio = warm / baseline
    say(
        f"AppTest Bricks page, demo store: cold {cold:.2f} s; warm median {warm * 1000:.0f} ms; "
        f"empty page median {baseline * 1000:.0f} ms; ratio {ratio:.2f}×; target < 1.5×: "
        f"{'met' if ratio < 1.5 else 'NOT met'}"
    )
    if scale is None:
        return
    db, folder = scale
    with env(SCORECARD_DB=str(db), SCORECARD_FRAMEWORK=str(folder)):
        started = time.perf_counter()
        bricks_page()
        cold = time.perf_counter() - started
        baseline, warm = interleaved(empty_page, bricks_page, repeat)
    say(
        f"AppTest Bricks page, scale store ({SCALE_KPIS} KPIs × {SCALE_AREAS} areas × "
        f"{SCALE_MONTHS} months): cold {cold:.2f} s; warm median {warm:.3f} s "
        f"({warm / baseline:.2f}× the empty page's {baseline * 1000:.0f} ms); target < 0.6 s: "
        f"{'met' if warm < 0.6 else 'NOT met'}"
    )


def browser_figures(db: Path, folder: Path, repeat: int, port: int = 0) -> None:
    sys.path.insert(0, str(REPO / "tests" / "e2e"))
    from browser_support import CHROMIUM, CHROMIUM_ARGS, RENDERED

    if not CHROMIUM.is_file():
        say(f"browser: skipped, {CHROMIUM} is missing")
        return
    from playwright.sync_api import sync_playwright

    spc = f"/kpi?kpi={HEATMAP_KPI}"
    heat = f"/kpi?kpi={HEATMAP_KPI}&view=areas"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)

        def load(path: str, selector: str) -> Callable[[], None]:
            def once() -> None:
                page = browser.new_page(viewport={"width": 1366, "height": 768})
                page.goto(url + path)
                page.get_by_role("heading", level=1).first.wait_for(timeout=180_000)
                page.wait_for_function(RENDERED, timeout=180_000)
                page.locator(selector).first.wait_for(timeout=180_000)
                page.close()

            return once

        try:
            with served(db, folder, port) as url:
                chart = load(spc, ".js-plotly-plot .scatterlayer")
                cells = load(heat, ".js-plotly-plot .heatmaplayer")
                started = time.perf_counter()
                cells()
                cold = time.perf_counter() - started
                chart()  # warm both: server caches, the browser's cache of Streamlit's scripts
                baseline, warm = interleaved(chart, cells, repeat)
        finally:
            browser.close()
    ratio = warm / baseline
    say(
        f"Browser, scale store: KPI detail with {HEATMAP_KPI} across {SCALE_AREAS} areas × "
        f"{SCALE_MONTHS} months (heatmap): cold {cold:.2f} s; warm median {warm:.2f} s; "
        f"the same KPI's single SPC chart page median {baseline:.2f} s; ratio {ratio:.2f}×; "
        f"target within 1.5×: {'met' if ratio <= 1.5 else 'NOT met'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--skip-scale", action="store_true")
    parser.add_argument("--skip-browser", action="store_true")
    parser.add_argument("--port", type=int, default=0, help="serve the app here (0: a free port)")
    parser.add_argument("--keep", type=Path, help="keep the stores in this folder, reuse them")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-bricks-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        say(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        demo = work / "demo.duckdb"
        if not demo.is_file():
            scorecard("demo", "--db", str(demo))
        scale = None
        if not args.skip_scale:
            folder = work / "framework_scale"
            db = work / "scale.duckdb"
            if not db.is_file():
                shutil.rmtree(folder, ignore_errors=True)  # a half-built earlier run
                scale_framework(folder)
                started = time.perf_counter()
                scorecard(
                    "demo",
                    "--db",
                    str(db),
                    "--framework",
                    str(folder),
                    "--months",
                    str(SCALE_MONTHS),
                )
                say(f"scale store built in {time.perf_counter() - started:.1f} s")
            scale = (db, folder)
        apptest_figures(demo, scale, args.repeat)
        if scale is not None and not args.skip_browser:
            browser_figures(*scale, args.repeat, args.port)
        say(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
