"""`workbench flow refresh`: Xero invoice statuses onto the deals the flow invoiced and their organisations.

Connection options are the `workbench flow` ones, given before `refresh`:
`workbench flow --crm pipedrive-token --pipedrive-domain acme refresh --engagement acme-2026`, or
`workbench flow --crm hubspot refresh --engagement acme-2026`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import TextIO

from workbench.commands.pull import crm_connection
from workbench.connections import Connector, XeroConnection
from workbench.flow.refresh import ON_STOP_DAYS, RefreshResult, refresh_engagement
from workbench.store import Engagement


def _refresh(args: argparse.Namespace) -> int:
    xero = XeroConnection(kind=args.xero, name=args.xero_name, tenant_id=args.tenant)
    crm = crm_connection(args)
    with (
        Engagement.open(args.engagement, create=False) as engagement,
        Connector(xero, crm, seed=args.seed, sandbox_url=args.sandbox_url) as connector,
    ):
        result = refresh_engagement(
            engagement,
            connector,
            create_fields=args.create_fields,
            today=dt.date.fromisoformat(args.today) if args.today else None,
            on_stop_days=args.on_stop_days,
        )
    print_refresh(result)
    return 0


def print_refresh(result: RefreshResult, stream: TextIO | None = None) -> None:
    out = stream or sys.stdout
    summary = result.summary()
    print(
        f"Deals: {summary['deals_written']} updated, {summary['deals_unchanged']} already current; "
        f"organisations: {summary['organisations_written']} updated, "
        f"{summary['organisations_unchanged']} already current",
        file=out,
    )
    for label in ("on_stop", "overdue"):
        if summary[label]:
            print(f"  {label.replace('_', ' ')}: organisations {', '.join(summary[label])}", file=out)
    if summary["not_in_xero"]:
        print(f"  not found in Xero: deals {', '.join(summary['not_in_xero'])}", file=out)
    for deal_id, why in result.deals.failed.items():
        print(f"  deal {deal_id} not written: {why}", file=out)
    for org_id, why in result.organisations_failed.items():
        print(f"  organisation {org_id} not written: {why}", file=out)
    print(f"Calls: Xero {summary['xero_calls']}, CRM {summary['crm_calls']}", file=out)


def register_refresh(sub: argparse._SubParsersAction) -> None:
    """Add `refresh` under `workbench flow` (whose parser holds the connection options)."""
    refresh = sub.add_parser(
        "refresh",
        help="write Xero invoice statuses (paid, overdue, on stop) back to the CRM",
        description="Read from Xero the invoices of every deal the flow has invoiced, and their customers' "
        "approved invoices; write each deal's invoice number, status and amount due, and each "
        f"organisation's account status (on stop: owed more than {ON_STOP_DAYS} days past due), where "
        "the CRM does not show them yet. Pulls both systems (incrementally) first.",
    )
    refresh.add_argument("--engagement", required=True, help="engagement name")
    refresh.add_argument(
        "--create-fields", action="store_true", help="create the flow's CRM fields that are missing"
    )
    refresh.add_argument("--today", help="the day overdue is judged on (YYYY-MM-DD; default: the data's day)")
    refresh.add_argument(
        "--on-stop-days", type=int, default=ON_STOP_DAYS, help=f"days past due that put a customer on stop "
        f"(default {ON_STOP_DAYS})"
    )  # fmt: skip
    refresh.set_defaults(run=_refresh)
