"""Pull figures: calls used against the minimum per endpoint, records per second in-process, peak memory.

Run: `.venv/bin/python benchmarks/pull.py [--organisations 100000]`
Pulls the sandbox demo client of that size through the product's own clients into a temporary
engagement, under the services' default rate limits on the sandbox clock (waits move the sandbox
clock; nobody sleeps). Prints the figures the README quotes; asserts nothing.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from workbench.connections import Connector
from workbench.pull.runner import pull
from workbench.sandbox.app import Sandbox
from workbench.sandbox.demo import DemoSize, generate_demo_client
from workbench.store import Engagement


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--organisations", type=int, default=100_000)
    args = parser.parse_args()
    client = generate_demo_client(7, DemoSize.scaled(args.organisations))
    sandbox = Sandbox(client)
    print(
        f"demo client: {args.organisations:,} organisations; peak memory after generation "
        f"{peak_rss_mb():,.0f} MB"
    )
    with (
        tempfile.TemporaryDirectory() as home,
        Engagement.open("bench", Path(home)) as engagement,
        Connector(sandbox=sandbox) as connector,
    ):
        for source in (connector.xero_source(), connector.crm_source(engagement)):
            sandbox_start = sandbox.clock.now()
            started = time.perf_counter()
            result = pull(engagement, source)
            elapsed = time.perf_counter() - started
            records = sum(e.records for e in result.endpoints)
            sandbox_minutes = (sandbox.clock.now() - sandbox_start).total_seconds() / 60
            print(
                f"\n{source.name}: {records:,} records in {elapsed:.1f} s = "
                f"{records / elapsed:,.0f} records/s in-process; {sandbox_minutes:.1f} min of API time "
                f"under the default limits; 429s met: {source.client.session.stats.rate_limited}"  # type: ignore[attr-defined]
            )
            print(f"  {'endpoint':<20} {'records':>9} {'calls':>6} {'minimum':>8}")
            for report in result.endpoints:
                minimum = report.minimum_calls if report.minimum_calls is not None else "-"
                flag = "" if report.minimum_calls in (None, report.pages_fetched) else "  <-- above minimum"
                print(
                    f"  {report.name:<20} {report.records:>9,} {report.pages_fetched:>6} {minimum!s:>8}{flag}"
                )
    print(f"\npeak memory (whole process, generator included): {peak_rss_mb():,.0f} MB")


if __name__ == "__main__":
    main()
