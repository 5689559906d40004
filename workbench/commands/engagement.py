"""`workbench engagement list|show|purge`: the client engagement folders."""

from __future__ import annotations

import argparse

from workbench.store import Engagement, default_home


def _list(args: argparse.Namespace) -> int:
    names = Engagement.names()
    if not names:
        print(f"No engagements yet in {default_home()}. Start one with `workbench pull --engagement NAME`.")
    for name in names:
        print(name)
    return 0


def _show(args: argparse.Namespace) -> int:
    with Engagement.open(args.name, create=False) as engagement:
        print(f"Engagement '{engagement.name}' in {engagement.root}")
        snapshots = engagement.snapshots()
        if not snapshots:
            print("  no snapshots yet")
        for info in snapshots:
            counts = ", ".join(f"{k} {v:,}" for k, v in sorted(info.counts.items()))
            print(f"  snapshot {info.snapshot_id} {info.source} at {info.created_at}: {counts}")
    return 0


def _purge(args: argparse.Namespace) -> int:
    if not args.yes:
        answer = input(f"Delete engagement '{args.name}' and all its client data? Type its name to confirm: ")
        if answer.strip() != args.name:
            print("Nothing deleted.")
            return 1
    removed = Engagement.purge(args.name)
    print(f"Deleted {removed}")
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("engagement", help="list, show or purge client engagements")
    sub = parser.add_subparsers(dest="engagement_command", required=True)
    sub.add_parser("list", help="engagement names").set_defaults(run=_list)
    show = sub.add_parser("show", help="an engagement's snapshots and record counts")
    show.add_argument("name")
    show.set_defaults(run=_show)
    purge = sub.add_parser("purge", help="delete an engagement's folder and all its client data")
    purge.add_argument("name")
    purge.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    purge.set_defaults(run=_purge)
