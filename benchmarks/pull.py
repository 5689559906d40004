"""Pull figures: calls used against the minimum per endpoint, records per second in-process, peak memory.

Run: `.venv/bin/python benchmarks/pull.py [--organisations 100000] [--crm pipedrive|hubspot|both] [--no-xero]`
Pulls the sandbox demo client of that size through the product's own clients into a temporary
engagement, under the services' default rate limits on the sandbox clock (waits move the sandbox
clock; nobody sleeps): Xero, then the CRM as Pipedrive and/or HubSpot (the same records). HubSpot is
pulled a second time after 1% of its deals changed, so the search-based incremental pull shows too.
Prints the figures the README quotes; asserts nothing.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from workbench.connections import Connector, CrmConnection
from workbench.pull.runner import pull
from workbench.pull.source import Source
from workbench.sandbox.app import Sandbox
from workbench.sandbox.demo import DemoSize, generate_demo_client
from workbench.store import Engagement


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def report(sandbox: Sandbox, engagement: Engagement, source: Source) -> None:
    """Pull `source` and print its records per second, API time and calls against the minimum."""
    sandbox_start = sandbox.clock.now()
    started = time.perf_counter()
    result = pull(engagement, source)
    elapsed = time.perf_counter() - started
    records = sum(e.records for e in result.endpoints)
    sandbox_minutes = (sandbox.clock.now() - sandbox_start).total_seconds() / 60
    limited = source.client.session.stats.rate_limited  # type: ignore[attr-defined]
    print(
        f"\n{source.name} ({result.mode}): {records:,} records in {elapsed:.1f} s = "
        f"{records / elapsed:,.0f} records/s in-process; {sandbox_minutes:.1f} min of API time "
        f"under the default limits; 429s met: {limited}"
    )
    print(f"  {'endpoint':<20} {'records':>9} {'calls':>6} {'minimum':>8}")
    for endpoint in result.endpoints:
        minimum = endpoint.minimum_calls if endpoint.minimum_calls is not None else "-"
        flag = "" if endpoint.minimum_calls in (None, endpoint.pages_fetched) else "  <-- above minimum"
        print(
            f"  {endpoint.name:<20} {endpoint.records:>9,} {endpoint.pages_fetched:>6} {minimum!s:>8}{flag}"
        )


def touch_hubspot_deals(sandbox: Sandbox, share: float) -> int:
    """Change the amount of every 1/share-th HubSpot deal, as a user editing deals would."""
    sandbox.clock.advance(3600)
    store = sandbox.hubspot.store
    step = max(1, round(1 / share))
    deals = sorted(store.objects["deals"])[::step]
    for deal_id in deals:
        deal = store.objects["deals"][deal_id]
        amount = deal["properties"].get("amount") or Decimal(0)
        store.put(
            "deals",
            {
                **deal,
                "properties": {**deal["properties"], "amount": amount + 1},
                "updatedAt": sandbox.clock.now(),
            },
        )
    return len(deals)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--organisations", type=int, default=100_000)
    parser.add_argument("--crm", choices=("pipedrive", "hubspot", "both"), default="both")
    parser.add_argument("--no-xero", action="store_true", help="pull the CRM only")
    args = parser.parse_args()
    client = generate_demo_client(7, DemoSize.scaled(args.organisations))
    sandbox = Sandbox(client)
    print(
        f"demo client: {args.organisations:,} organisations; peak memory after generation "
        f"{peak_rss_mb():,.0f} MB"
    )
    crms = ("pipedrive", "hubspot") if args.crm == "both" else (args.crm,)
    with tempfile.TemporaryDirectory() as home, Engagement.open("bench", Path(home)) as engagement:
        with Connector(sandbox=sandbox) as connector:
            sources: list[Source] = [] if args.no_xero else [connector.xero_source()]
            if "pipedrive" in crms:
                sources.append(connector.crm_source(engagement))
            for source in sources:
                report(sandbox, engagement, source)
        if "hubspot" in crms:
            with Connector(crm=CrmConnection(kind="hubspot-sandbox"), sandbox=sandbox) as connector:
                report(sandbox, engagement, connector.crm_source(engagement))
                changed = touch_hubspot_deals(sandbox, share=0.01)
                print(f"\n{changed:,} HubSpot deals changed; incremental pull:")
                report(sandbox, engagement, connector.crm_source(engagement))
    print(f"\npeak memory (whole process, generator included): {peak_rss_mb():,.0f} MB")


if __name__ == "__main__":
    main()
