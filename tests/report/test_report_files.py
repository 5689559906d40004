"""`write_report`: the HTML report works offline and shows every section, the workbook is the plan's
own, the CSV holds every finding."""

from __future__ import annotations

import dataclasses
import html
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from tests.report.conftest import Checked, route_and_plan
from workbench.excel.engagement import import_plan
from workbench.plan.versions import PlanVersion
from workbench.profile.findings import FINDING_COLUMNS, money
from workbench.profile.health import HealthProfile
from workbench.report import ReportFiles, render_html, write_report
from workbench.report.health_sections import vat_not_charged
from workbench.route.decision import RouteRecommendation
from workbench.store import Engagement

EXTERNAL = re.compile(
    r"<(?:script|link|img|iframe|source)\b[^>]*\b(?:src|href)\s*=\s*[\"']?(?:https?:)?//", re.I
)


@pytest.fixture(scope="module")
def written(small_demo: tuple[Path, HealthProfile], tmp_path_factory: pytest.TempPathFactory) -> Written:
    """One report written for the tests that only read it (a copy of the engagement of its own)."""
    home = tmp_path_factory.mktemp("written") / "engagements"
    shutil.copytree(small_demo[0] / "engagements" / "demo", home / "demo")
    profile = small_demo[1]
    with Engagement.open("demo", home, create=False) as engagement:
        rec, plan = route_and_plan(engagement, profile)
        files = write_report(engagement, profile, rec, plan, home.parent / "out")
    return Written(files, profile, rec, plan)


@dataclasses.dataclass(frozen=True)
class Written:
    files: ReportFiles
    profile: HealthProfile
    rec: RouteRecommendation
    plan: PlanVersion


SECTIONS = ("summary", "duplicates", "matching", "vat", "hygiene", "volumes", "route", "next-steps")


def test_the_report_writes_three_files_into_the_engagements_folder(
    checked: Checked, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    files = write_report(checked.engagement, checked.profile, checked.rec, checked.plan)
    assert files.folder == Path("reports") / "demo"
    assert [p.name for p in files] == ["health-check.html", "mapping-plan.xlsx", "findings.csv"]
    assert all(p.stat().st_size > 0 for p in files)
    assert (files.folder.stat().st_mode & 0o777) == 0o700  # client data: private folder
    assert "report written" in set(checked.engagement.audit_log()["action"])


def test_the_html_is_self_contained_with_plotly_inlined_once(written: Written) -> None:
    page = written.files.html.read_text(encoding="utf-8")
    assert EXTERNAL.search(page) is None  # nothing fetched from the network: it opens offline
    assert "<style>" in page and 'rel="stylesheet"' not in page
    scripts_with_src = re.findall(r"<script\b[^>]*\bsrc=", page)
    assert scripts_with_src == []
    assert len(re.findall(r"\* plotly\.js v\d", page)) == 1  # the library once, however many charts
    assert page.count("Plotly.newPlot(") >= 6  # duplicate rates, 2 matching, VAT, hygiene, monthly


def test_the_html_has_every_section_with_the_clients_own_findings(written: Written) -> None:
    profile, checked = written.profile, written
    page = written.files.html.read_text()
    for anchor in SECTIONS:
        assert f'id="{anchor}"' in page and f'href="#{anchor}"' in page
    assert "Integration Health Check: Northwind Workshop Ltd" in page  # the Xero organisation's name
    assert "20 November 2026" in page  # the data's day, not the machine's
    vat = profile.vat
    first = vat.iloc[0]
    assert html.escape(first["explanation"]) in page and html.escape(first["fix"]) in page
    total = vat_not_charged(vat)
    assert total > 0 and money(total) in page  # VAT not charged, in pounds
    assert html.escape(profile.matching.key_recommendation.text) in page
    assert all(html.escape(reason) in page for reason in checked.rec.reasons)
    assert f"plan version {checked.plan.version}" in page


def test_every_text_in_the_html_is_escaped(checked: Checked) -> None:
    profile = checked.profile
    vat = profile.vat.copy()
    vat.loc[vat.index[0], "explanation"] = "<script>alert('x')</script> & <b>bold</b>"
    vat.loc[vat.index[0], "severity"] = "high"
    page = render_html("demo", dataclasses.replace(profile, vat=vat), checked.rec, checked.plan)
    assert "<script>alert(" not in page and "<b>bold</b>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in page


def test_the_findings_csv_holds_every_finding_with_its_records_and_evidence(written: Written) -> None:
    rows = pd.read_csv(written.files.findings, encoding="utf-8-sig", dtype=str)
    expected = written.profile.findings
    assert list(rows.columns) == list(FINDING_COLUMNS)
    assert len(rows) == len(expected) == written.files.findings_count
    assert sorted(rows["kind"]) == sorted(expected["kind"])
    row = rows.iloc[0]
    assert row["subject_id"] in json.loads(row["records"])[row["subject_table"]]


def test_the_workbook_is_the_plan_version_and_reads_back_unchanged(checked: Checked, tmp_path: Path) -> None:
    files = write_report(checked.engagement, checked.profile, checked.rec, checked.plan, tmp_path)
    book = load_workbook(files.plan)
    assert {"Cover", "Duplicates", "VAT findings"} <= set(book.sheetnames)
    cover = " ".join(str(c.value) for row in book["Cover"].iter_rows() for c in row if c.value is not None)
    assert checked.rec.headline in cover  # the route of the report is on the cover
    outcome = import_plan(checked.engagement, files.plan, tables=checked.profile.tables)
    assert outcome.result.accepted and not outcome.result.changes and outcome.saved is None
    assert outcome.result.identity.plan_version == checked.plan.version
