"""Mapping workbook figures: export and re-import times for a plan with 10,000 duplicate rows.

Run: `.venv/bin/python benchmarks/excel.py [--duplicates 10000] [--organisations 300]`
Pulls the sandbox demo client into a temporary engagement, proposes its plan, then exports the workbook
with that many duplicate-cluster rows on the Duplicates sheet and reads it back, unedited and after a
client's edits. Prints the figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from openpyxl import load_workbook

from workbench.connections import Connector
from workbench.excel.engagement import export_plan, import_plan
from workbench.plan.defaults import propose_plan
from workbench.plan.versions import save_version
from workbench.profile.findings import Finding, findings_frame
from workbench.profile.tables import ProfileTables
from workbench.pull.runner import pull
from workbench.sandbox.app import Sandbox
from workbench.sandbox.demo import DemoSize
from workbench.store import Engagement

T = TypeVar("T")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def duplicate_findings(count: int) -> list[Finding]:
    """`count` clusters of 2-4 CRM organisations, worded like the profile's."""
    findings = []
    for i in range(count):
        members = [str(100_000 + i * 4 + k) for k in range(2 + i % 3)]
        findings.append(
            Finding(
                kind="duplicate_organization",
                severity=("high", "medium", "low")[i % 3],
                subject_table="organisations",
                subject_id=members[0],
                explanation=f"{len(members)} CRM organisations look like one business (likely): "
                + ", ".join(f"'Cluster {i} Ltd' (organisation {m})" for m in members)
                + " — the same VAT number, names 96% alike.",
                fix=f"Merge {', '.join(members[1:])} into {members[0]} in the CRM (most deals). "
                "Merges cannot be undone: check the records side by side first.",
                records={"organisations": members},
            )
        )
    return findings


def timed(label: str, action: Callable[[], T]) -> T:
    started = time.perf_counter()
    result = action()
    print(f"  {label:<52} {time.perf_counter() - started:6.2f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duplicates", type=int, default=10_000)
    parser.add_argument("--organisations", type=int, default=None, help="demo size (default: the demo's 300)")
    args = parser.parse_args()
    sandbox = (
        Sandbox.demo(7)
        if args.organisations is None
        else Sandbox.demo(7, DemoSize.scaled(args.organisations))
    )
    with (
        tempfile.TemporaryDirectory() as home,
        Engagement.open("bench", Path(home)) as engagement,
        Connector(sandbox=sandbox) as connector,
    ):
        for source in connector.sources(engagement):
            pull(engagement, source)
        tables = ProfileTables.from_engagement(engagement, sandbox.client.manifest.as_of)
        duplicates = findings_frame(duplicate_findings(args.duplicates))
        print(f"demo client pulled; {len(duplicates):,} duplicate findings built")
        plan = timed("propose the plan from the pull", lambda: propose_plan(tables))
        save_version(engagement, plan, origin="proposed")
        out = Path(home) / "plan.xlsx"
        timed(
            f"export with {args.duplicates:,} duplicate rows",
            lambda: export_plan(engagement, out, tables=tables, duplicates=duplicates, top_duplicates=None),
        )
        rows = load_workbook(out, read_only=True)["Duplicates"].max_row
        print(f"  workbook: {out.stat().st_size / 1024:,.0f} KB, Duplicates sheet {rows:,} rows")
        unedited = timed("re-import, unedited", lambda: import_plan(engagement, out, tables=tables))
        wb = load_workbook(out)
        ws = wb["Deal to invoice"]
        for row in range(1, ws.max_row + 1):
            if ws.cell(row=row, column=1).value == "due_days":
                ws.cell(row=row, column=5).value = 14
        edited = Path(home) / "returned under another name.xlsx"
        wb.save(edited)
        outcome = timed(
            "re-import, one edit (stores a new version)",
            lambda: import_plan(engagement, edited, tables=tables),
        )
        stored = outcome.saved.version if outcome.saved else None  # the unedited file stored nothing
        print(
            f"  unedited: {len(unedited.result.changes)} changes, {len(unedited.result.errors)} errors; "
            f"edited: {len(outcome.result.changes)} change, stored as version {stored}"
        )
        print(f"peak memory {peak_rss_mb():,.0f} MB")


if __name__ == "__main__":
    main()
