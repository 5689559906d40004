"""`workbench plan export|import|versions`: the client's mapping workbook and the plan versions."""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from workbench.excel.cover import RouteSummary
from workbench.excel.engagement import export_plan, import_plan
from workbench.plan.versions import list_versions
from workbench.profile.tables import ProfileTables, pulled_tables
from workbench.store import Engagement


def _profile(tables: ProfileTables, answers: Path | None) -> tuple[RouteSummary, pd.DataFrame, pd.DataFrame]:
    """The route summary, duplicate findings and VAT findings the cover and findings sheets show."""
    # imported here so the CLI's other commands start without loading the profile's matchers
    from workbench.commands.route import read_answers
    from workbench.profile.health import run_profile
    from workbench.route.decision import recommend
    from workbench.route.from_profile import route_inputs

    health = run_profile(tables)
    measured, evidence = route_inputs(health.volumes, health.findings, tables)
    discovery, _ = read_answers(answers, tables)
    route = RouteSummary.from_recommendation(recommend(discovery, measured, evidence))
    return route, health.duplicates.findings, health.vat


def _export(args: argparse.Namespace) -> int:
    with Engagement.open(args.engagement, create=False) as engagement:
        tables = pulled_tables(engagement, lazy=True)
        route, duplicates, vat = (None, None, None)
        if not args.no_profile:
            route, duplicates, vat = _profile(tables, Path(args.answers) if args.answers else None)
        result = export_plan(
            engagement,
            Path(args.out) if args.out else None,
            tables=tables,
            version=args.version,
            route=route,
            duplicates=duplicates,
            vat_findings=vat,
            top_duplicates=args.top_duplicates,
        )
    proposed = " (proposed from the pull and stored)" if result.proposed else ""
    print(f"Plan version {result.version.version}{proposed} exported to {result.path}")
    print("Send it to the client; when it comes back, run `workbench plan import FILE`.")
    return 0


def _import(args: argparse.Namespace) -> int:
    path = Path(args.file)
    with Engagement.open(args.engagement, create=False) as engagement:
        outcome = import_plan(engagement, path, tables=pulled_tables(engagement))
    result = outcome.result
    identity = result.identity
    print(
        f"Read {path.name}: plan version {identity.plan_version} of '{identity.engagement_name}', "
        f"exported {identity.exported_at[:16].replace('T', ' ')} UTC"
    )
    if result.errors:
        print(f"\n{len(result.errors)} errors (the client has to fix these):")
        for problem in result.errors:
            print(f"  {problem}")
    if result.warnings:
        print(f"\n{len(result.warnings)} warnings (settle before go-live):")
        for problem in result.warnings:
            print(f"  {problem}")
    print(f"\n{len(result.changes)} changes against version {result.exported.version}:")
    for change in result.changes:
        print(f"  {change}")
    if not result.accepted:
        print(
            f"\nNot stored: version {result.exported.version} stays current until a workbook without errors."
        )
        return 1
    if outcome.saved is None:
        print(f"\nNothing to store: the workbook matches version {result.exported.version}.")
        return 0
    print(f"\nStored as plan version {outcome.saved.version} (based on version {result.exported.version}).")
    return 0


def _versions(args: argparse.Namespace) -> int:
    with Engagement.open(args.engagement, create=False) as engagement:
        versions = list_versions(engagement)
    if not versions:
        print(
            f"No plan versions yet. Export one with `workbench plan export --engagement {args.engagement}`."
        )
    for version in versions:
        based = f", based on {version.based_on}" if version.based_on else ""
        signed = ", signed off" if version.plan.signed_off else ""
        made = version.created_at[:16].replace("T", " ")
        print(f"  version {version.version}: {version.origin}{based}{signed}, {made}  {version.note}")
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("plan", help="export the mapping plan to Excel, import the client's edits")
    sub = parser.add_subparsers(dest="plan_command", required=True)
    export = sub.add_parser(
        "export",
        help="write the client workbook for the current plan version",
        description="Write the mapping workbook (cover with the route, objects, field mapping, deal → "
        "invoice, tax mapping, match keys, duplicates, VAT findings, gotchas, sign-off). The first export "
        "proposes the plan from the pull and stores it as version 1.",
    )
    export.add_argument("--engagement", required=True, help="engagement name, e.g. acme-2026")
    export.add_argument("--out", help="where to write the .xlsx (default: reports/NAME-mapping-plan-vN.xlsx)")
    export.add_argument("--version", type=int, help="plan version to export (default: the latest)")
    export.add_argument("--answers", help="discovery answers for the route on the cover, YAML or JSON")
    export.add_argument("--top-duplicates", type=int, default=500, help="duplicate clusters to list (500)")
    export.add_argument(
        "--no-profile", action="store_true", help="skip the profile: no route, duplicates or VAT findings"
    )
    export.set_defaults(run=_export)
    imported = sub.add_parser(
        "import",
        help="read a returned workbook; store it as a new plan version if it has no errors",
        description="Validate every edit (sheet, row, column, value and why), show the changes against "
        "the exported version, and store a new version only when there are no errors.",
    )
    imported.add_argument("file", help="the returned .xlsx (any file name)")
    imported.add_argument("--engagement", required=True, help="engagement name, e.g. acme-2026")
    imported.set_defaults(run=_import)
    versions = sub.add_parser("versions", help="list the engagement's plan versions")
    versions.add_argument("--engagement", required=True, help="engagement name, e.g. acme-2026")
    versions.set_defaults(run=_versions)
