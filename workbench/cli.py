"""The `workbench` command: a thin face over the library (each sub-command lives in `commands/`)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from workbench.commands import (
    connect,
    demo,
    engagement,
    flow,
    importing,
    plan,
    profile,
    pull,
    report,
    route,
    sandbox,
)
from workbench.errors import WorkbenchError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="workbench", description="Integration Health Check workbench")
    commands = parser.add_subparsers(dest="command", required=True)
    for module in (sandbox, connect, pull, importing, engagement, profile, route, plan, flow, report, demo):
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except WorkbenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
