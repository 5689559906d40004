"""The app served by `streamlit run` and driven in Debian's Chromium through Playwright: start the
server on a free loopback port, open the browser, wait for Streamlit to go idle, list the pages in the
sidebar, check a page for failures, screenshot it. Shared by the browser test and `benchmarks/app.py`.

Chromium is the machine's own (`/usr/bin/chromium`, Debian's package, installed by `.ci/run`): never a
browser downloaded by Playwright. Nothing leaves loopback: the app runs on the sandbox, and Chromium's
background networking is off.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Browser, Locator, Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "streamlit_app.py"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
VIEWPORT = {"width": 1400, "height": 900}
SECONDS = 1000  # Playwright counts milliseconds
SLOW = 180 * SECONDS  # a first pull or a profile on a loaded 2-core machine
IDLE_FOR_MS = 300  # idle this long in a row counts as done (a rerun starts within a few ms of a click)

# True once the script has stopped, the connection is up, nothing is stale (greyed while a rerun
# redraws) and no chart is still drawing; held for IDLE_FOR_MS so the gap between a click and its
# rerun is not mistaken for the end of it.
IDLE_SCRIPT = """(idleFor) => {
  const app = document.querySelector('[data-testid="stApp"]');
  const busy = !app
    || app.dataset.testScriptState !== 'notRunning'
    || app.dataset.testConnectionState !== 'CONNECTED'
    || document.querySelector('[data-stale="true"]') !== null
    || document.querySelector('[data-testid="stSkeleton"]') !== null
    || [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
         .some((chart) => chart.querySelector('.main-svg') === null);
  const now = performance.now();
  if (busy) { window.__workbenchIdleSince = null; return false; }
  if (window.__workbenchIdleSince == null) { window.__workbenchIdleSince = now; }
  return now - window.__workbenchIdleSince >= idleFor;
}"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path
    started: float  # time.perf_counter() when the process was started

    def log_tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


@contextmanager
def serve_app(env: Mapping[str, str], log: Path, timeout: float = 120.0) -> Iterator[Server]:
    """`streamlit run streamlit_app.py` on a free loopback port with `env`, until its health check
    answers; stopped on exit."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.headless=true",
        "--server.address=127.0.0.1",
        f"--server.port={port}",
        "--browser.gatherUsageStats=false",
        "--server.fileWatcherType=none",  # nothing edits the code under test; watching it only costs
        "--client.toolbarMode=viewer",
    ]
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as output:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, env=dict(env), stdout=output, stderr=subprocess.STDOUT)
    server = Server(f"http://127.0.0.1:{port}", process, log, started)
    try:
        _wait_healthy(server, timeout)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_healthy(server: Server, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"the app exited with {server.process.returncode}:\n{server.log_tail()}")
        try:
            with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=5) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"the app did not answer its health check in {timeout:.0f} s:\n{server.log_tail()}")


@contextmanager
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def new_page(browser: Browser, downloads: bool = False) -> Page:
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=downloads)
    page = context.new_page()
    page.set_default_timeout(60 * SECONDS)
    return page


def wait_idle(page: Page, timeout: float = SLOW) -> None:
    """Until the script has finished and the page has drawn it (see IDLE_SCRIPT)."""
    page.wait_for_function(IDLE_SCRIPT, arg=IDLE_FOR_MS, timeout=timeout, polling=50)


# Marks when the script next starts running, and when the action began, for `timed`.
WATCH_SCRIPT = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (window.__workbenchWatch) { window.__workbenchWatch.disconnect(); }
  window.__workbenchRan = false;
  window.__workbenchIdleSince = null;
  window.__workbenchScriptStart = null;
  window.__workbenchScriptEnd = null;
  window.__workbenchWatch = new MutationObserver(() => {
    const state = app.dataset.testScriptState;
    if (state === 'running') {
      window.__workbenchRan = true;
      if (window.__workbenchScriptStart == null) { window.__workbenchScriptStart = performance.now(); }
      window.__workbenchScriptEnd = null;
    } else if (window.__workbenchRan && window.__workbenchScriptEnd == null) {
      window.__workbenchScriptEnd = performance.now();
    }
  });
  window.__workbenchWatch.observe(app, { attributes: true, attributeFilter: ['data-test-script-state'] });
  window.__workbenchStart = performance.now();
}"""


@dataclass(frozen=True)
class Timing:
    seconds: float  # from the action until the page is drawn and idle
    script_seconds: float  # of which until the browser had the end of the script's run


def timed(
    page: Page, action: Callable[[], object], timeout: float = 30 * 60 * SECONDS, tries: int = 5
) -> Timing:
    """How long from `action` (which must start a rerun) until the page is drawn and idle again, as
    the browser's clock saw it. An action that started no rerun within a few seconds is done again
    (Streamlit drops a rerun key pressed just as a run ends)."""
    for _ in range(tries - 1):
        page.evaluate(WATCH_SCRIPT)
        action()
        try:
            page.wait_for_function("() => window.__workbenchRan", timeout=3 * SECONDS, polling=20)
            break
        except PlaywrightTimeout:
            continue
    else:
        page.evaluate(WATCH_SCRIPT)
        action()
    page.wait_for_function(
        f"(idleFor) => window.__workbenchRan && ({IDLE_SCRIPT})(idleFor)",
        arg=IDLE_FOR_MS,
        timeout=timeout,
        polling=50,
    )
    total, script = page.evaluate(
        """() => [window.__workbenchIdleSince - window.__workbenchStart,
                 (window.__workbenchScriptEnd ?? window.__workbenchIdleSince)
                   - window.__workbenchScriptStart]"""
    )
    return Timing(float(total) / 1000, float(script) / 1000)


def idle_since_epoch(page: Page) -> float:
    """When the page last went idle, in seconds since the epoch (after `wait_idle`)."""
    return float(page.evaluate("() => performance.timeOrigin + window.__workbenchIdleSince")) / 1000


def rerun(page: Page) -> None:
    """Rerun the current page as it stands (Streamlit's R key), every widget keeping its value."""
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    page.keyboard.press("r")


@dataclass(frozen=True)
class NavPage:
    label: str
    href: str


NAV_LINKS = '[data-testid="stSidebarNav"] a[data-testid="stSidebarNavLink"]'


def sidebar_pages(page: Page) -> list[NavPage]:
    """Every page in the app's navigation, in the sidebar's order."""
    links = page.locator(NAV_LINKS)
    links.first.wait_for()
    return [
        NavPage(
            str(links.nth(i).locator("span[label]").get_attribute("label")),
            str(links.nth(i).get_attribute("href")),
        )
        for i in range(links.count())
    ]


def nav_link(page: Page, label: str) -> Locator:
    return page.locator(NAV_LINKS).filter(has=page.locator(f"span[label={json.dumps(label)}]"))


def open_page(page: Page, label: str, timeout: float = SLOW) -> Timing:
    """Click the page in the sidebar and wait until it has run and been drawn; how long that took."""
    timing = timed(page, lambda: nav_link(page, label).click(), timeout)
    current = page.locator(f"{NAV_LINKS}[aria-current='page'] span[label]").get_attribute("label")
    if current != label:
        raise AssertionError(f"clicked '{label}' in the sidebar, but '{current}' is the current page")
    return timing


def failures(page: Page) -> list[str]:
    """What the page shows that only a failure shows: exceptions, tracebacks, error messages."""
    found = [f"exception: {e}" for e in page.locator('[data-testid="stException"]').all_inner_texts()]
    found += [
        f"error message: {e}" for e in page.locator('[data-testid="stAlertContentError"]').all_inner_texts()
    ]
    if "Traceback" in page.locator("body").inner_text():
        found.append("a traceback is on the page")
    return found


def screenshot(page: Page, path: Path, whole: bool = True) -> None:
    """The page as a PNG; `whole` grows the viewport to the main column's height first (Streamlit
    scrolls inside it, so Playwright's full_page alone would stop at the window)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not whole:
        page.screenshot(path=str(path))
        return
    height = int(
        page.evaluate(
            "() => { const m = document.querySelector('[data-testid=\"stMain\"]');"
            " return m ? m.scrollHeight : document.body.scrollHeight; }"
        )
    )
    page.set_viewport_size({"width": VIEWPORT["width"], "height": max(VIEWPORT["height"], min(height, 8000))})
    try:
        wait_idle(page)
        page.screenshot(path=str(path))
    finally:
        page.set_viewport_size(VIEWPORT)


def slug(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")


def app_environment(
    home: Path, base: Mapping[str, str] | None = None, drop: tuple[str, ...] = ()
) -> dict[str, str]:
    """The app's environment: `base` (default this process's) without `drop`, engagements and tokens
    under `home`."""
    env = {k: v for k, v in (os.environ if base is None else base).items() if k not in drop}
    env["WORKBENCH_HOME"] = str(home)
    env["WORKBENCH_TOKEN_DIR"] = str(home / "tokens")
    return env
