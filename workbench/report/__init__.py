"""The health-check report: one self-contained HTML file, the Excel mapping plan and the findings as CSV,
written into reports/<engagement>/ (see `write_report`)."""

from workbench.report.files import FINDINGS_NAME, HTML_NAME, PLAN_NAME, ReportFiles, render_html, write_report
from workbench.report.redact import Redactor

__all__ = [
    "FINDINGS_NAME",
    "HTML_NAME",
    "PLAN_NAME",
    "Redactor",
    "ReportFiles",
    "render_html",
    "write_report",
]
