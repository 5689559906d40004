"""A served sandbox for the flow's crash test: `python -m tests.flow.served_flow_sandbox --port 0`
(`--crm hubspot` keeps the demo client's CRM data in HubSpot).

The demo client bills every won deal, so here the invoices of the deals won since `--unbilled-since`
(and their payments and credit allocations) are taken out of Xero: those deals are the won deals still
to invoice. Rate limits are raised (fifty-odd flow runs in two minutes are far over Xero's 60 a minute;
the limits have their own tests) and every PUT is answered late, after Xero has acted, so a kill
often lands while a created batch's answer is on its way back. Prints `URL <base url>` when ready.
"""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime, time

from workbench.references import parse_deal_reference
from workbench.sandbox.app import Sandbox
from workbench.sandbox.clock import SandboxClock
from workbench.sandbox.demo import DemoSize, generate_demo_client
from workbench.sandbox.demo.dataset import DemoClient
from workbench.sandbox.demo.hubspot_side import as_hubspot_client
from workbench.sandbox.hubspot import HubSpotLimits
from workbench.sandbox.pipedrive import PipedriveLimits
from workbench.sandbox.server import SandboxServer
from workbench.sandbox.wire import Request, Response
from workbench.sandbox.xero.limits import XeroLimits


def unbill_recent_deals(client: DemoClient, since: date) -> set[str]:
    """Remove the sales invoices of deals won on or after `since`; returns those deals' ids."""
    recent = {
        str(d["id"])
        for d in client.pipedrive.deals
        if d.get("status") == "won" and d.get("won_time") and d["won_time"].date() >= since
    }
    dropped = set()
    for invoice in client.xero.invoices:
        parsed = parse_deal_reference(invoice.get("Reference"))
        if invoice.get("Type") == "ACCREC" and parsed is not None and parsed.deal_id in recent:
            dropped.add(invoice["InvoiceID"])
    client.xero.invoices[:] = [i for i in client.xero.invoices if i["InvoiceID"] not in dropped]
    client.xero.payments[:] = [
        p for p in client.xero.payments if (p.get("Invoice") or {}).get("InvoiceID") not in dropped
    ]
    for note in client.xero.credit_notes:
        allocations = note.get("Allocations") or []
        note["Allocations"] = [
            a for a in allocations if (a.get("Invoice") or {}).get("InvoiceID") not in dropped
        ]
    return recent


def build(
    organisations: int, seed: int, unbilled_since: date, answer_delay: float, crm: str = "pipedrive"
) -> Sandbox:
    client = generate_demo_client(seed, DemoSize.scaled(organisations))
    unbill_recent_deals(client, unbilled_since)
    if crm == "hubspot":
        client = as_hubspot_client(client)  # the same deals, served by HubSpot, referenced HS-<id>
    clock = SandboxClock(datetime.combine(client.manifest.as_of, time(9), tzinfo=UTC), ticking=True)
    sandbox = Sandbox(
        client,
        clock=clock,
        xero_limits=XeroLimits(per_minute=100_000, per_day=1_000_000, concurrent=10),
        pipedrive_limits=PipedriveLimits(burst_limit=100_000, daily_base_tokens=10_000_000),
        hubspot_limits=HubSpotLimits(burst_limit=100_000, daily_limit=10_000_000, search_per_second=10_000),
    )
    handle = sandbox.handle

    def late_answers_to_writes(request: Request) -> Response:
        response = handle(request)  # Xero has acted by now; only the answer is late
        if request.method == "PUT" and answer_delay > 0:
            response.delay_seconds = answer_delay
        return response

    sandbox.handle = late_answers_to_writes  # type: ignore[method-assign]
    return sandbox


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--organisations", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--unbilled-since", type=date.fromisoformat, default=date(2026, 2, 1))
    parser.add_argument("--answer-delay", type=float, default=0.3)
    parser.add_argument("--crm", choices=("pipedrive", "hubspot"), default="pipedrive")
    args = parser.parse_args()
    sandbox = build(args.organisations, args.seed, args.unbilled_since, args.answer_delay, args.crm)
    server = SandboxServer(sandbox, args.port)
    # killed flow processes reset their connections: expected here, not worth a traceback each
    server.httpd.handle_error = lambda request, address: None  # type: ignore[method-assign]
    print(f"URL {server.base_url}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
