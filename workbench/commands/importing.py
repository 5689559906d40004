"""`workbench import`: a CRM's CSV/XLSX exports into an engagement (Pipedrive's export format)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from workbench.importers import ColumnMapping, import_into_engagement
from workbench.store import Engagement


def _run(args: argparse.Namespace) -> int:
    mapping = None
    if args.mapping:
        mapping = ColumnMapping.from_dict(json.loads(Path(args.mapping).read_text(encoding="utf-8")))
    with Engagement.open(args.engagement) as engagement:
        info = import_into_engagement(engagement, [Path(p) for p in args.files], mapping)
        counts = ", ".join(f"{k} {v:,}" for k, v in sorted(info.counts.items()) if v)
        print(f"Imported into '{engagement.name}' as snapshot {info.snapshot_id}: {counts}")
        warnings = engagement.audit_log().tail(1)
        if not warnings.empty:
            detail = json.loads(warnings.iloc[0]["detail"])
            for warning in detail.get("warnings", []):
                print(f"  warning: {warning}")
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "import",
        help="import a CRM's CSV/XLSX exports into an engagement",
        description="Read Pipedrive export files (organisations, people, deals, products; CSV or XLSX) "
        "into the engagement's canonical CRM tables. Nothing is saved unless every file reads "
        "cleanly; errors name the file, row and column.",
    )
    parser.add_argument("--engagement", required=True, help="engagement name, e.g. acme-2026")
    parser.add_argument("--mapping", help="JSON file of column aliases and settings (see ColumnMapping)")
    parser.add_argument("files", nargs="+", help="the export files")
    parser.set_defaults(run=_run)
