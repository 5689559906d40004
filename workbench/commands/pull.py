"""`workbench pull`: pull Xero and the CRM into an engagement (the sandbox unless told otherwise)."""

from __future__ import annotations

import argparse
from typing import cast

from workbench.commands.progress import ProgressLine
from workbench.connections import Connector, CrmConnection, CrmKind, XeroConnection
from workbench.pull.runner import Mode, pull
from workbench.pull.source import Source
from workbench.store import Engagement
from workbench.tokens import TokenStore

CRM_KINDS = (
    "sandbox",
    "hubspot-sandbox",
    "pipedrive-token",
    "pipedrive-oauth",
    "hubspot",
    "hubspot-token",
    "hubspot-oauth",
)


def _crm_kind(kind: str, name: str | None, store: TokenStore) -> CrmKind:
    """`hubspot` is whichever HubSpot connection `workbench connect hubspot` saved under the name."""
    if kind != "hubspot":
        return cast(CrmKind, kind)
    saved = store.load(name or "hubspot")
    return "hubspot-oauth" if saved is not None and saved.refresh_token else "hubspot-token"


def crm_connection(args: argparse.Namespace) -> CrmConnection:
    """The CRM connection the `--crm`, `--crm-name` and `--pipedrive-domain` options name."""
    kind = _crm_kind(args.crm, args.crm_name, TokenStore())
    return CrmConnection(kind=kind, name=args.crm_name, company_domain=args.pipedrive_domain)


def _run(args: argparse.Namespace) -> int:
    xero = XeroConnection(kind=args.xero, name=args.xero_name, tenant_id=args.tenant)
    crm = crm_connection(args)
    mode: Mode = "full" if args.full else "auto"
    with Engagement.open(args.engagement) as engagement, Connector(xero, crm, seed=args.seed) as connector:
        print(f"Engagement '{engagement.name}' in {engagement.root}")
        sources: list[Source] = []
        if not args.crm_only:
            sources.append(connector.xero_source())
        if not args.xero_only:
            sources.append(connector.crm_source(engagement))
        for source in sources:
            result = pull(engagement, source, mode=mode, progress=ProgressLine())
            resumed = " (resumed)" if result.resumed else ""
            print(
                f"{source.name}: {result.mode} pull{resumed}, snapshot {result.snapshot.snapshot_id}, "
                f"{result.pages_fetched} calls"
            )
            for report in result.endpoints:
                minimum = f" (minimum {report.minimum_calls})" if report.minimum_calls is not None else ""
                counts = f"{report.records:>8,} records  {report.pages_fetched:>4} calls"
                print(f"  {report.name:<20} {counts}{minimum}")
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "pull",
        help="pull Xero and the CRM into an engagement (resumes an interrupted pull)",
        description="Pull both systems into the engagement's database. With no connection options the "
        "built-in sandbox demo client is pulled. A second pull is incremental.",
    )
    parser.add_argument("--engagement", required=True, help="engagement name, e.g. acme-2026")
    parser.add_argument(
        "--xero",
        choices=("sandbox", "custom", "oauth"),
        default="sandbox",
        help="sandbox (default); custom: a custom connection from XERO_CLIENT_ID/SECRET; "
        "oauth: a connection made with `workbench connect xero`",
    )
    parser.add_argument("--xero-name", default="xero", help="name of the saved Xero connection (oauth)")
    parser.add_argument("--tenant", help="Xero tenant id to pull (default: the connection's)")
    parser.add_argument(
        "--crm",
        choices=CRM_KINDS,
        default="sandbox",
        help="sandbox (default: the sandbox's Pipedrive); hubspot-sandbox: the sandbox demo as a HubSpot "
        "client; pipedrive-token/-oauth; hubspot: the connection `workbench connect hubspot` saved (or "
        "HUBSPOT_ACCESS_TOKEN), hubspot-token/-oauth to say which",
    )
    parser.add_argument("--crm-name", help="name of the saved CRM connection (default: pipedrive or hubspot)")
    parser.add_argument("--pipedrive-domain", help="COMPANY in COMPANY.pipedrive.com (API-token connections)")
    parser.add_argument("--seed", type=int, default=7, help="sandbox demo client seed (default 7)")
    parser.add_argument("--full", action="store_true", help="ignore cursors and pull everything again")
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--xero-only", action="store_true", help="pull Xero only")
    only.add_argument("--crm-only", action="store_true", help="pull the CRM only")
    parser.set_defaults(run=_run)
