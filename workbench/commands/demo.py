"""`workbench demo`: the whole health check, headless, on the sandbox demo client."""

from __future__ import annotations

import argparse
from pathlib import Path

from workbench.commands.progress import ProgressLine
from workbench.commands.report import add_report_options, report_engagement
from workbench.connections import Connector
from workbench.pull.runner import pull
from workbench.store import Engagement
from workbench.tokens import TokenStore


def _run(args: argparse.Namespace) -> int:
    from workbench.sandbox.app import Sandbox
    from workbench.sandbox.demo import DemoSize

    size = DemoSize.scaled(args.organisations) if args.organisations else DemoSize()
    sandbox = Sandbox.demo(args.seed, size)
    with Engagement.open(args.engagement) as engagement:
        print(
            f"Engagement '{engagement.name}' in {engagement.root}: the sandbox demo client, seed {args.seed}"
        )
        # a full pull: the snapshot is exactly this seed's client, whatever the engagement held before
        with Connector(sandbox=sandbox, store=TokenStore()) as connector:
            for source in connector.sources(engagement):
                result = pull(
                    engagement, source, mode="full", progress=None if args.quiet else ProgressLine()
                )
                records = sum(e.records for e in result.endpoints)
                print(f"  pulled {source.name}: {records:,} records in {result.pages_fetched} calls")
        report_engagement(
            engagement,
            out=Path(args.out) if args.out else None,
            answers=Path(args.answers) if args.answers else None,
            redact=args.redact,
            quiet=args.quiet,
        )
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "demo",
        help="run the whole health check on the sandbox demo client and write its report",
        description="Pull the sandbox demo client into an engagement, profile it, recommend a route with "
        "the default answers, propose the mapping plan and write the report's files, with no browser.",
    )
    parser.add_argument("--engagement", default="demo", help="engagement to pull into (default: demo)")
    parser.add_argument(
        "--organisations",
        type=int,
        help="scale the demo client to this many CRM organisations (default: 300)",
    )
    parser.add_argument("--seed", type=int, default=7, help="sandbox demo client seed (default 7)")
    add_report_options(parser)
    parser.set_defaults(run=_run)
