"""`workbench profile`: run the health profile on an engagement's pulled data and print what it found."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from workbench.app_support.findings_view import findings_csv
from workbench.commands.route import day_argument
from workbench.profile.findings import SEVERITIES
from workbench.profile.tables import READING, pulled_tables
from workbench.store import Engagement

TOP_FINDINGS = 10


def profile_progress(step: str, done: int, total: int) -> None:
    """The profile's steps as lines on stderr (on two cores two steps run at once, so the count is of
    the steps finished, not the step's place in a sequence)."""
    if step == READING:
        print("reading the pulled tables...", file=sys.stderr, flush=True)
    elif step != "done":
        print(f"profiling {step}... ({done}/{total} done)", file=sys.stderr, flush=True)


def _write_csv(findings: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(findings_csv(findings))


def _run(args: argparse.Namespace) -> int:
    from workbench.profile.health import run_profile

    with Engagement.open(args.engagement, create=False) as engagement:
        tables = pulled_tables(engagement, args.as_of, lazy=True)
    health = run_profile(tables, None if args.quiet else profile_progress)
    findings = health.findings
    total = sum(health.seconds.values())
    print(f"Health profile of '{args.engagement}' as of {tables.as_of.isoformat()} ({total:.1f} s)")
    by_severity = findings["severity"].value_counts()
    print(f"{len(findings):,} findings: " + ", ".join(f"{by_severity.get(s, 0):,} {s}" for s in SEVERITIES))
    print()
    for row in health.counts().itertuples(index=False):
        print(f"  {row.findings:>6,}  {row.severity:<6}  {row.kind}")
    worst = findings[findings["severity"] == "high"].head(TOP_FINDINGS)
    if not worst.empty:
        print(f"\nFirst {len(worst)} high-severity findings:")
        for row in worst.itertuples(index=False):
            print(f"  - {row.explanation}\n    fix: {row.fix}")
    print(f"\nMatching CRM to Xero: {health.matching.key_recommendation.text}")
    if args.csv:
        _write_csv(findings, Path(args.csv))
        print(f"\nWrote {len(findings):,} findings to {args.csv}")
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "profile",
        help="profile an engagement: duplicates, CRM-Xero matching, VAT, hygiene and volumes",
        description="Run every analysis of the health profile on the engagement's pulled data and print "
        "the findings per kind and severity, the worst of them with their fixes, and the match-key "
        "recommendation.",
    )
    parser.add_argument("--engagement", required=True, help="engagement name, e.g. acme-2026")
    parser.add_argument(
        "--as-of", type=day_argument, help="read the data as of this day (default: the day it was pulled)"
    )
    parser.add_argument("--csv", help="also write every finding to this CSV file")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    parser.set_defaults(run=_run)
