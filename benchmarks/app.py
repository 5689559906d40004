"""App figures in a real browser: cold start to first render, each page's first render, and each
page's cached rerun, on the 100,000-organisation engagement.

Run: `.venv/bin/python benchmarks/app.py [--organisations 100000] [--cache DIR] [--reruns 3]`
Needs Debian's Chromium (/usr/bin/chromium) and the `test` extra (Playwright). The engagement is the
one `benchmarks/profile.py` pulls and keeps under `--cache` (pulled first if missing); it is copied to a
temporary home so the app's writes (audit log, plan versions) leave the cache as it was. The app is
started with `streamlit run` and driven through the sidebar like a person would:

- cold start: from starting the server process to the first page drawn and idle;
- first render: clicking a page until it is drawn and idle (the first health page computes the
  health profile, once per session);
- cached rerun: the median of `--reruns` reruns of the page (Streamlit's "rerun" key, R), everything
  already computed: what each click on a widget costs.

Times are measured in the browser (a page counts as drawn when the script has finished, nothing is
stale and every chart has drawn). Prints a table; asserts nothing.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: import the project's own

from benchmarks.profile import DEFAULT_CACHE, engagement_folder
from tests.browser import driver


def prepared_home(cache: Path, organisations: int, into: Path) -> Path:
    """A copy of the cached engagement (pulled first by benchmarks/profile.py when missing)."""
    folder = engagement_folder(cache, organisations)
    if not (folder / "manifest.json").exists():
        print(f"pulling {organisations:,} organisations once (cached)...", file=sys.stderr, flush=True)
        profile_script = Path(__file__).with_name("profile.py")
        command = [
            sys.executable,
            str(profile_script),
            "--pull-one",
            str(organisations),
            "--cache",
            str(cache),
        ]
        subprocess.run(command, check=True)
    shutil.copytree(folder / "engagements", into / "engagements")
    return into


Row = tuple[str, driver.Timing, driver.Timing]  # page, first render, median cached rerun


def measure(cache: Path, organisations: int, reruns: int, log: Path) -> tuple[float, list[Row]]:
    """(cold start seconds, [(page, first render, median cached rerun)])."""
    with tempfile.TemporaryDirectory(prefix="workbench-app-bench-") as folder:
        home = prepared_home(cache, organisations, Path(folder))
        env = driver.app_environment(home)
        rows: list[Row] = []
        with driver.serve_app(env, log) as server, driver.chromium() as browser:
            page = driver.new_page(browser)
            started_epoch = time.time() - (time.perf_counter() - server.started)
            page.goto(server.url)
            page.locator("h1").first.wait_for(timeout=30 * 60 * driver.SECONDS)
            driver.wait_idle(page, timeout=30 * 60 * driver.SECONDS)
            cold = driver.idle_since_epoch(page) - started_epoch
            problems = driver.failures(page)
            if problems:
                raise RuntimeError(f"first page: {problems}")
            for nav in driver.sidebar_pages(page):
                print(f"  {nav.label}...", file=sys.stderr, flush=True)
                first = driver.open_page(page, nav.label, timeout=30 * 60 * driver.SECONDS)
                problems = driver.failures(page)
                if problems:
                    raise RuntimeError(f"{nav.label}: {problems}")
                again = [driver.timed(page, lambda: driver.rerun(page)) for _ in range(reruns)]
                rows.append((nav.label, first, _median(again)))
    return cold, rows


def _median(timings: list[driver.Timing]) -> driver.Timing:
    return driver.Timing(
        statistics.median(t.seconds for t in timings), statistics.median(t.script_seconds for t in timings)
    )


def report(organisations: int, cold: float, rows: list[Row]) -> None:
    print(f"\nThe app on the {organisations:,}-organisation engagement (seconds, in Chromium)")
    print(f"cold start to the first page drawn: {cold:.1f}")
    print(f"\n{'page':<24} {'first render':>12} {'(script)':>9} {'cached rerun':>13} {'(script)':>9}")
    for label, first, again in rows:
        print(
            f"{label:<24} {first.seconds:>12.2f} {first.script_seconds:>9.2f} "
            f"{again.seconds:>13.2f} {again.script_seconds:>9.2f}"
        )
    slowest = max(rows, key=lambda row: row[2].seconds)
    print(f"\nslowest cached rerun: {slowest[0]} {slowest[2].seconds:.2f} s")
    print("(script): of that, until the browser had the end of the script's run; the rest is drawing")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--organisations", type=int, default=100_000)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="where pulled engagements are kept")
    parser.add_argument("--reruns", type=int, default=3, help="cached reruns per page (the median is shown)")
    parser.add_argument("--log", type=Path, default=Path("artifacts/benchmark-streamlit.log"))
    args = parser.parse_args()
    if not driver.CHROMIUM.exists():
        sys.exit(f"{driver.CHROMIUM} is missing: apt-get install chromium (Debian's package)")
    cold, rows = measure(args.cache, args.organisations, args.reruns, args.log)
    report(args.organisations, cold, rows)


if __name__ == "__main__":
    main()
