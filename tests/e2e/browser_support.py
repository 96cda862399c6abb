"""Helpers for the real-browser tests: paths, chromium arguments, waiting and screenshots."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "test-artifacts" / "e2e"
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
VIEWPORT = {"width": 1366, "height": 768}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# Rendered: the script has finished, the connection is up, nothing is stale and every lazily
# loaded element (charts, tables) has replaced its skeleton.
RENDERED = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return !!app
    && app.getAttribute('data-test-script-state') === 'notRunning'
    && app.getAttribute('data-test-connection-state') === 'CONNECTED'
    && !document.querySelector('[data-stale="true"]')
    && !document.querySelector('[data-testid="stSkeleton"]');
}"""


def wait_rendered(page: Page, timeout: float = 90_000) -> None:
    """Wait until the script has finished and nothing on the page is stale or still loading."""
    page.wait_for_function(RENDERED, timeout=timeout)


def shot(page: Page, name: str) -> Path:
    """Save a screenshot of the window (1366×768) as a test artifact."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    if page.locator(".js-plotly-plot").count():
        page.wait_for_timeout(800)  # Plotly fades a Sankey's links in after drawing it
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path
