"""`workbench report`: write an engagement's health-check report (HTML, Excel mapping plan, findings CSV)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from workbench.commands.profile import profile_progress
from workbench.commands.route import read_answers
from workbench.profile.findings import SEVERITIES
from workbench.profile.tables import pulled_tables
from workbench.store import Engagement

if TYPE_CHECKING:  # the report loads the profile's matchers, which the CLI's other commands do not need
    from workbench.report import ReportFiles


def report_engagement(
    engagement: Engagement,
    *,
    out: Path | None = None,
    answers: Path | None = None,
    redact: bool = False,
    quiet: bool = False,
) -> ReportFiles:
    """Profile the engagement, recommend a route (the answers given, else the defaults), take the current
    plan version (proposing version 1 from the pull when there is none), write the report's files and
    print what they hold."""
    # imported here so the CLI's other commands start without loading the profile's matchers
    from workbench.excel.engagement import current_or_proposed
    from workbench.profile.health import run_profile
    from workbench.report import write_report
    from workbench.route.decision import recommend
    from workbench.route.from_profile import route_inputs

    tables = pulled_tables(engagement, lazy=True)
    profile = run_profile(tables, None if quiet else profile_progress)
    discovery, note = read_answers(answers, tables)
    rec = recommend(discovery, *route_inputs(profile.volumes, profile.findings, tables))
    plan, proposed = current_or_proposed(engagement, tables)
    files = write_report(engagement, profile, rec, plan, out, redact=redact)

    findings = profile.findings
    by_severity = findings["severity"].value_counts()
    print(f"Health check of '{engagement.name}' as of {tables.as_of:%d %b %Y}")
    print(f"  {len(findings):,} findings: " + ", ".join(f"{by_severity.get(s, 0):,} {s}" for s in SEVERITIES))
    print(f"  route: {rec.headline}" + (f" ({note})" if note else ""))
    print(
        f"  mapping plan version {plan.version}"
        + (" (proposed from the pull and stored)" if proposed else "")
    )
    if redact:
        print("  people's names and email addresses are withheld")
    print(f"Wrote the report to {files.folder}:")
    for path in files:
        print(f"  {path}")
    return files


def _run(args: argparse.Namespace) -> int:
    with Engagement.open(args.engagement, create=False) as engagement:
        report_engagement(
            engagement,
            out=Path(args.out) if args.out else None,
            answers=Path(args.answers) if args.answers else None,
            redact=args.redact,
            quiet=args.quiet,
        )
    return 0


def add_report_options(parser: argparse.ArgumentParser) -> None:
    """The options `report` and `demo` share."""
    parser.add_argument("--out", help="folder for the files (default: reports/ENGAGEMENT/)")
    parser.add_argument(
        "--answers", help="discovery answers for the route, YAML or JSON (default: none given)"
    )
    parser.add_argument(
        "--redact", action="store_true", help="withhold people's names and email addresses from every file"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress lines")


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "report",
        help="write the health-check report: HTML (works offline), Excel mapping plan, findings CSV",
        description="Profile the engagement's pulled data, recommend a route and write into one folder: "
        "health-check.html (self-contained, charts included, opens offline), mapping-plan.xlsx (the "
        "current plan version, proposed from the pull if there is none) and findings.csv (every finding).",
    )
    parser.add_argument("--engagement", required=True, help="engagement name, e.g. acme-2026")
    add_report_options(parser)
    parser.set_defaults(run=_run)
