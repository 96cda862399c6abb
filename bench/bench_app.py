"""How fast the app answers: home page script runs (AppTest) and a browser load, with baselines.

Run: ``.venv/bin/python bench/bench_app.py [--repeat N] [--skip-scale] [--skip-browser]``.

Measures, each as a median over N runs, beside a baseline measured in the same run (the
machine is shared and noisy, so the ratio is the figure to compare between runs):

- AppTest, warm: the home page's script run on the demo store (target < 1 s) and on a scale
  store of 100 KPIs × 200 areas × 60 months (target < 2 s); baseline: an empty page's run.
- AppTest, warm: the Benefits page's script run on the demo store (target < 0.3 s) and on the
  scale store (target < 0.6 s); same baseline.
- Browser, warm: the home page from navigation to fully rendered (script finished, nothing
  stale, no skeleton left) in Debian chromium at 1366×768 (target < 3 s); baseline: a page
  holding only a title, served the same way.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FRAMEWORK = REPO / "data" / "framework"
# The browser is launched and "rendered" is judged exactly as in the real-browser tests.
sys.path.insert(0, str(REPO / "tests" / "e2e"))
from browser_support import CHROMIUM, CHROMIUM_ARGS, RENDERED  # noqa: E402

SCALE_KPIS = 100
SCALE_AREAS = 200
SCALE_MONTHS = 60


def say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def scorecard(*args: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "scorecard", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"scorecard {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")


def _rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def _write(path: Path, fields: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def scale_framework(folder: Path) -> Path:
    """The iCAN framework grown to 100 KPIs reported for 200 areas (a synthetic programme)."""
    shutil.copytree(FRAMEWORK, folder)
    fields, areas = _rows(folder / "areas.csv")
    parent = next(a["code"] for a in areas if a["type"] == "system")
    for n in range(SCALE_AREAS - len(areas)):
        areas.append(
            {
                "code": f"PCN{n:03d}",
                "name": f"Synthetic PCN {n:03d}",
                "type": "pcn",
                "parent_code": parent,
            }
        )
    _write(folder / "areas.csv", fields, areas)
    fields, kpis = _rows(folder / "kpis.csv")
    for kpi in kpis:
        kpi["area_types"] = "system;place;provider;pcn"
        kpi["suppress_small_numbers"] = "false"
    _, links = _rows(folder / "links.csv")
    link_fields = list(links[0])
    activity = [k for k in kpis if k["tier"] == "activity"]
    extra: list[dict[str, str]] = []
    for n in range(SCALE_KPIS - len(kpis)):
        model = activity[n % len(activity)]
        code = f"ACT-SCALE{n:03d}"
        extra.append({**model, "code": code, "name": f"Synthetic scale KPI {n:03d}"})
        for ln in links:
            if ln["to_code"] == model["code"] and ln["kind"] in (
                "brick_activity_kpi",
                "lead_activity_kpi",
            ):
                links.append({**ln, "to_code": code})
            if ln["from_code"] == model["code"] and ln["kind"] == "kpi_i_statement":
                links.append({**ln, "from_code": code})
    _write(folder / "kpis.csv", fields, kpis + extra)
    _write(folder / "links.csv", link_fields, links)
    return folder


def median_time(run: Callable[[], object], repeat: int) -> tuple[float, list[float]]:
    times: list[float] = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times), times


@contextmanager
def env(**values: str) -> Iterator[None]:
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def apptest_figures(demo: Path, scale: tuple[Path, Path] | None, repeat: int) -> None:
    from streamlit.testing.v1 import AppTest
    from streamlit_quiet import silence_missing_context

    silence_missing_context()

    def empty_page() -> None:
        AppTest.from_string("import streamlit as st\nst.title('Empty')", default_timeout=60).run()

    def home() -> None:
        at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120).run()
        if at.exception:
            raise SystemExit(f"the home page failed: {[e.value for e in at.exception]}")

    def benefits() -> None:
        at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
        at.switch_page("pages/8_benefits.py")
        at.run()
        if at.exception:
            raise SystemExit(f"the Benefits page failed: {[e.value for e in at.exception]}")
        if not at.metric:
            raise SystemExit("the Benefits page showed no amounts")

    def benefits_figure(store: str, target: float) -> None:
        cold, _ = median_time(benefits, 1)
        warm, times = median_time(benefits, repeat)
        say(
            f"AppTest Benefits page, {store}: cold {cold:.2f} s; warm median {warm:.3f} s "
            f"(min {min(times):.3f}, max {max(times):.3f}) = {warm / baseline:.1f}× the empty "
            f"page; target < {target} s: {'met' if warm < target else 'NOT met'}"
        )

    empty_page()  # import Streamlit's testing machinery once
    baseline, _ = median_time(empty_page, repeat)
    say(f"AppTest baseline (empty page): median {baseline * 1000:.0f} ms")
    with env(SCORECARD_DB=str(demo), SCORECARD_FRAMEWORK=str(FRAMEWORK)):
        cold, _ = median_time(home, 1)
        warm, times = median_time(home, repeat)
    say(
        f"AppTest home, demo store: cold {cold:.2f} s; warm median {warm:.3f} s "
        f"(min {min(times):.3f}, max {max(times):.3f}) = {warm / baseline:.1f}× the empty page; "
        f"target < 1 s: {'met' if warm < 1 else 'NOT met'}"
    )
    with env(SCORECARD_DB=str(demo), SCORECARD_FRAMEWORK=str(FRAMEWORK)):
        benefits_figure("demo store", 0.3)
    if scale is None:
        return
    db, folder = scale
    with env(SCORECARD_DB=str(db), SCORECARD_FRAMEWORK=str(folder)):
        cold, _ = median_time(home, 1)
        warm, times = median_time(home, repeat)
    say(
        f"AppTest home, scale store ({SCALE_KPIS} KPIs × {SCALE_AREAS} areas × "
        f"{SCALE_MONTHS} months): cold {cold:.2f} s; warm median {warm:.3f} s "
        f"(min {min(times):.3f}, max {max(times):.3f}) = {warm / baseline:.1f}× the empty page; "
        f"target < 2 s: {'met' if warm < 2 else 'NOT met'}"
    )
    with env(SCORECARD_DB=str(db), SCORECARD_FRAMEWORK=str(folder)):
        benefits_figure("scale store", 0.6)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def served(app: Path, db: Path) -> Iterator[str]:
    port = _free_port()
    streamlit = Path(sys.executable).parent / "streamlit"
    server = subprocess.Popen(
        [
            str(streamlit),
            "run",
            str(app),
            "--server.headless",
            "true",
            "--server.address",
            "127.0.0.1",
            "--server.port",
            str(port),
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=app.parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "SCORECARD_DB": str(db), "SCORECARD_FRAMEWORK": str(FRAMEWORK)},
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


def browser_figures(demo: Path, repeat: int, workdir: Path) -> None:
    if not CHROMIUM.is_file():
        say(f"browser: skipped, {CHROMIUM} is missing")
        return
    from playwright.sync_api import sync_playwright

    trivial = workdir / "trivial" / "app.py"
    trivial.parent.mkdir()
    trivial.write_text("import streamlit as st\n\nst.title('Empty')\n", encoding="utf-8")

    def loads(url: str, browser: object) -> tuple[float, list[float]]:
        def once() -> None:
            page = browser.new_page(viewport={"width": 1366, "height": 768})  # type: ignore[attr-defined]
            page.goto(url)
            page.get_by_role("heading", level=1).first.wait_for(timeout=120_000)
            page.wait_for_function(RENDERED, timeout=120_000)
            page.close()

        once()  # warm: server caches, browser cache of Streamlit's scripts
        return median_time(once, repeat)

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            with served(trivial, demo) as url:
                baseline, _ = loads(url, browser)
            with served(REPO / "app.py", demo) as url:
                home, times = loads(url, browser)
        finally:
            browser.close()
    say(f"Browser baseline (page with a title only): warm median {baseline:.2f} s")
    say(
        f"Browser home, demo store, warm load to fully rendered: median {home:.2f} s "
        f"(min {min(times):.2f}, max {max(times):.2f}) = {home / baseline:.1f}× the baseline; "
        f"target < 3 s: {'met' if home < 3 else 'NOT met'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--skip-scale", action="store_true")
    parser.add_argument("--skip-browser", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-app-") as tmp:
        work = Path(tmp)
        say(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        demo = work / "demo.duckdb"
        started = time.perf_counter()
        scorecard("demo", "--db", str(demo))
        say(f"demo store built in {time.perf_counter() - started:.1f} s")
        scale = None
        if not args.skip_scale:
            folder = scale_framework(work / "framework_scale")
            db = work / "scale.duckdb"
            started = time.perf_counter()
            scorecard(
                "demo", "--db", str(db), "--framework", str(folder), "--months", str(SCALE_MONTHS)
            )
            say(f"scale store built in {time.perf_counter() - started:.1f} s")
            scale = (db, folder)
        apptest_figures(demo, scale, args.repeat)
        if not args.skip_browser:
            browser_figures(demo, args.repeat, work)
        say(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
