"""The app in a real browser: `streamlit run` on a fresh home (so it pulls the sandbox demo on first
start, as a new user sees it), Debian's Chromium driven by Playwright. Every page in the sidebar is
opened and checked for exceptions, tracebacks and error messages, and screenshotted to
`artifacts/screenshots/`; a duplicate cluster is opened, an incremental pull run, and the Excel plan
downloaded and read back.

Runs by default. Without /usr/bin/chromium it is skipped, unless WORKBENCH_REQUIRE_BROWSER=1 (set by
`.ci/run`), where a missing browser fails it.
"""

from __future__ import annotations

import ast
import csv
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page

from tests.browser import driver
from tests.conftest import CREDENTIAL_VARIABLES
from workbench.excel.identity import read_identity
from workbench.excel.layout import DEAL_INVOICE_SHEET, SECTION_SHEETS
from workbench.store import Engagement

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTIFACTS = driver.ROOT / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
FIRST_START_DONE = "Demo client pulled"


def _require_chromium() -> None:
    if driver.CHROMIUM.exists():
        return
    reason = f"{driver.CHROMIUM} is missing: install Debian's chromium package (`.ci/run` does)"
    if os.environ.get("WORKBENCH_REQUIRE_BROWSER") == "1":
        pytest.fail(reason + "; WORKBENCH_REQUIRE_BROWSER=1 says the browser test must run")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("browser-home")


@pytest.fixture(scope="module")
def browser_page(home: Path) -> Iterator[Page]:
    """One browser session on a freshly started app, past its first start (the demo pulled)."""
    _require_chromium()
    env = driver.app_environment(home, drop=CREDENTIAL_VARIABLES)
    with (
        driver.serve_app(env, ARTIFACTS / "streamlit.log") as server,
        driver.chromium() as browser,
    ):
        page = driver.new_page(browser, downloads=True)
        page.goto(server.url)
        page.get_by_text(FIRST_START_DONE).wait_for(timeout=driver.SLOW)
        driver.wait_idle(page)
        try:
            yield page
        finally:
            page.context.close()


def _declared_pages() -> int:
    """How many st.Page the app's script declares: the sidebar must list each."""
    tree = ast.parse(driver.APP.read_text())
    return sum(
        1
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "Page"
    )


def _assert_clean(page: Page, where: str) -> None:
    problems = driver.failures(page)
    assert not problems, f"{where}: " + "\n".join(problems)


def test_every_page_renders_without_a_failure(browser_page: Page) -> None:
    page = browser_page
    _assert_clean(page, "first start")
    pages = driver.sidebar_pages(page)
    assert len(pages) == _declared_pages() >= 8, [p.label for p in pages]
    for number, nav in enumerate(pages, 1):
        driver.open_page(page, nav.label)
        heading = page.locator("h1").first.inner_text()
        assert heading.strip(), f"{nav.label}: no title"
        _assert_clean(page, nav.label)
        driver.screenshot(page, SCREENSHOTS / f"{number:02d}-{driver.slug(nav.label)}.png")
        assert (SCREENSHOTS / f"{number:02d}-{driver.slug(nav.label)}.png").stat().st_size > 10_000


def test_a_duplicate_cluster_opens_to_its_records(browser_page: Page) -> None:
    page = browser_page
    driver.open_page(page, "Duplicates & matching")
    page.locator(".st-key-cluster_open").get_by_role("combobox").click()
    page.keyboard.press("ArrowDown")  # the list opens from the keyboard, as for a person tabbing in
    options = page.get_by_role("listbox", name="Open a cluster").get_by_role("option")
    first = options.first.inner_text()
    cluster_id = first.split(":")[0]
    options.first.click()
    driver.wait_idle(page)
    opened = page.get_by_text("merge the others into it")
    opened.wait_for()
    assert cluster_id in opened.inner_text()
    assert page.get_by_text(" ↔ ").count() >= 1  # one expander per pair of the cluster, with its evidence
    _assert_clean(page, "an open cluster")
    driver.screenshot(page, SCREENSHOTS / "cluster-open.png")


def test_the_vat_findings_download_as_csv(browser_page: Page, tmp_path: Path) -> None:
    page = browser_page
    driver.open_page(page, "VAT")
    counted = page.get_by_text(re.compile(r"^[\d,]+ of [\d,]+ findings$")).first.inner_text()
    shown = int(counted.split(" of ")[0].replace(",", ""))
    with page.expect_download() as pending:
        page.locator(".st-key-vat_csv").get_by_role("button").click()
    saved = tmp_path / pending.value.suggested_filename
    pending.value.save_as(saved)
    with saved.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert pending.value.suggested_filename == "vat-findings.csv"
    assert len(rows) == shown > 0
    assert {"kind", "severity", "evidence"} <= set(rows[0])
    driver.wait_idle(page)
    _assert_clean(page, "after the CSV download")


def test_an_incremental_pull_adds_snapshots_based_on_the_last(browser_page: Page, home: Path) -> None:
    page = browser_page
    with Engagement.open("demo", home / "engagements", create=False) as engagement:
        before = {s.snapshot_id for s in engagement.snapshots()}
    driver.open_page(page, "Pull")
    page.get_by_text("incremental when there is a snapshot").click()
    page.locator(".st-key-pull_button").get_by_role("button").click()
    page.get_by_text("Last pull").wait_for(timeout=driver.SLOW)
    driver.wait_idle(page)
    _assert_clean(page, "after an incremental pull")
    assert page.get_by_text("Pulled").count() >= 1
    with Engagement.open("demo", home / "engagements", create=False) as engagement:
        after = engagement.snapshots()
    new = [s for s in after if s.snapshot_id not in before]
    assert len(new) == 2, new  # Xero and the CRM
    assert all(s.base_snapshot_id in before for s in new), "an incremental pull builds on the last snapshot"
    driver.screenshot(page, SCREENSHOTS / "pull-incremental.png")


def test_a_route_is_recommended_from_the_questionnaire(browser_page: Page) -> None:
    page = browser_page
    driver.open_page(page, "Route")
    page.locator(".st-key-route_submit").get_by_role("button").click()
    page.get_by_role("heading", name="Cost of every route").wait_for(timeout=driver.SLOW)
    driver.wait_idle(page)
    assert " — " in page.locator('[data-testid="stAlertContentSuccess"]').first.inner_text()
    _assert_clean(page, "a route recommended")
    driver.screenshot(page, SCREENSHOTS / "route-recommended.png")


def test_the_mapping_plan_downloads_as_a_workbook(browser_page: Page, tmp_path: Path) -> None:
    page = browser_page
    driver.open_page(page, "Mapping plan")
    propose = page.locator(".st-key-plan_propose").get_by_role("button")
    if propose.count():
        propose.click()
        page.get_by_text("Proposed plan version").wait_for(timeout=driver.SLOW)
        driver.wait_idle(page)
    page.locator(".st-key-plan_prepare").get_by_role("button").click()
    download_button = page.locator(".st-key-plan_download").get_by_role("button")
    download_button.wait_for(timeout=driver.SLOW)
    driver.wait_idle(page)
    with page.expect_download() as pending:
        download_button.click()
    download = pending.value
    assert download.suggested_filename.startswith("demo-mapping-plan-v")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    download.save_as(ARTIFACTS / download.suggested_filename)

    workbook = load_workbook(saved)
    expected = {sheet.name for sheet in SECTION_SHEETS} | {DEAL_INVOICE_SHEET}
    assert expected <= set(workbook.sheetnames), workbook.sheetnames
    identity = read_identity(workbook, saved)
    assert identity.engagement_name == "demo"
    assert download.suggested_filename == f"demo-mapping-plan-v{identity.plan_version}.xlsx"
    _assert_clean(page, "after the download")
    driver.screenshot(page, SCREENSHOTS / "plan-proposed.png")
