"""The health-check report's files for one engagement: the HTML report (one self-contained file that
works offline), the Excel mapping plan and every finding as CSV, in one folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from workbench.app_support.findings_view import findings_csv
from workbench.excel.cover import RouteSummary
from workbench.excel.engagement import REPORTS_FOLDER, export_plan
from workbench.plan.versions import PlanVersion
from workbench.profile.health import HealthProfile
from workbench.report import health_sections as hs
from workbench.report import markup as m
from workbench.report import route_sections as rs
from workbench.report.redact import KeepAll, Redaction, Redactor
from workbench.report.style import CSS
from workbench.route.decision import RouteRecommendation
from workbench.store import Engagement, utc_now

HTML_NAME = "health-check.html"
PLAN_NAME = "mapping-plan.xlsx"
FINDINGS_NAME = "findings.csv"


@dataclass(frozen=True)
class ReportFiles:
    folder: Path
    html: Path
    plan: Path
    findings: Path
    findings_count: int
    redacted: bool

    def __iter__(self) -> Iterator[Path]:
        return iter((self.html, self.plan, self.findings))


def report_folder(engagement: str, out_dir: Path | None = None) -> Path:
    """Where an engagement's report goes: `out_dir`, else reports/<engagement>/."""
    return out_dir if out_dir is not None else REPORTS_FOLDER / engagement


def render_html(
    engagement: str,
    profile: HealthProfile,
    rec: RouteRecommendation,
    plan: PlanVersion,
    redaction: Redaction | None = None,
) -> str:
    """The whole report as one HTML page: inline CSS, plotly.js inlined once, every text escaped."""
    redaction = redaction or KeepAll()
    chart = m.Charts()
    client = hs.client_name(profile, engagement)
    sections = [
        ("summary", "Summary", hs.summary(profile, engagement)),
        ("duplicates", "Duplicates", hs.duplicates(profile, chart, redaction)),
        ("matching", "CRM ↔ Xero matching", hs.matching(profile, chart, redaction)),
        ("vat", "VAT", hs.vat(profile, chart, redaction)),
        ("hygiene", "Hygiene", hs.hygiene(profile, chart, redaction)),
        ("volumes", "Volumes", hs.volumes(profile, chart)),
        ("route", "Route recommendation", rs.route(rec)),
        ("next-steps", "Next steps", rs.next_steps_list(profile, rec, plan)),
    ]
    contents = "".join(f'<li><a href="#{anchor}">{m.esc(title)}</a></li>' for anchor, title, _ in sections)
    body = "".join(
        f"<section>{m.heading(2, title, anchor)}{html}</section>" for anchor, title, html in sections
    )
    made = utc_now().strftime("%d %B %Y %H:%M UTC")
    subtitle = (
        f"CRM and Xero as of {profile.tables.as_of:%d %B %Y} · engagement {engagement} · prepared {made}"
    )
    footer = (
        "Prepared by the Integration Health Check workbench from the data pulled for this engagement. "
        f"The mapping plan is {PLAN_NAME} and every finding is in {FINDINGS_NAME} beside this file."
    )
    if isinstance(redaction, Redactor):
        footer += " People's names and email addresses are withheld."
    return (
        '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{m.esc(f'Integration Health Check · {client}')}</title><style>{CSS}</style></head>"
        f'<body><main><header class="report">{m.heading(1, f"Integration Health Check: {client}")}'
        f"{m.paragraph(subtitle)}</header><nav><ol>{contents}</ol></nav>{body}"
        f"<footer>{m.esc(footer)}</footer></main></body></html>"
    )


def write_report(
    engagement: Engagement,
    profile: HealthProfile,
    route_result: RouteRecommendation,
    plan: PlanVersion,
    out_dir: Path | None = None,
    *,
    redact: bool = False,
) -> ReportFiles:
    """Write health-check.html, mapping-plan.xlsx and findings.csv into `out_dir` (default
    reports/<engagement>/). With `redact`, people's names and email addresses are withheld from all
    three (see `workbench.report.redact`)."""
    folder = report_folder(engagement.name, out_dir)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)  # client data: private to this user
    redaction: Redaction = Redactor.from_tables(profile.tables) if redact else KeepAll()
    html_path = folder / HTML_NAME
    _write(html_path, render_html(engagement.name, profile, route_result, plan, redaction).encode("utf-8"))
    findings = redaction.findings(profile.findings)
    findings_path = folder / FINDINGS_NAME
    _write(findings_path, findings_csv(findings))
    plan_path = export_plan(
        engagement,
        folder / PLAN_NAME,
        tables=profile.tables,
        version=plan.version,
        route=RouteSummary.from_recommendation(route_result),
        duplicates=redaction.findings(profile.duplicates.findings),
        vat_findings=redaction.findings(profile.vat),
    ).path
    engagement.audit("report written", folder=str(folder), redacted=redact, findings=len(findings))
    return ReportFiles(folder, html_path, plan_path, findings_path, len(findings), redact)


def _write(path: Path, content: bytes) -> None:
    """Write through a temporary file, so a reader never sees half a report."""
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(content)
    os.replace(partial, path)
