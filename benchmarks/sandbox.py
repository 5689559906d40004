"""Sandbox figures: demo-client generation at benchmark scale, and requests per second served in-process.

Run: `.venv/bin/python benchmarks/sandbox.py [--organisations 100000] [--requests 2000]`
Prints the figures the README quotes. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import base64
import time

import httpx

from workbench.sandbox import credentials
from workbench.sandbox.app import Sandbox
from workbench.sandbox.demo import DemoSize, generate_demo_client
from workbench.sandbox.pipedrive import PipedriveLimits
from workbench.sandbox.transport import SandboxTransport
from workbench.sandbox.xero.limits import XeroLimits

UNLIMITED_XERO = XeroLimits(per_minute=10**9, per_day=10**9, concurrent=10**6, app_per_minute=10**9)


def _xero_token(client: httpx.Client) -> str:
    basic = base64.b64encode(
        f"{credentials.XERO_CLIENT_ID}:{credentials.XERO_CLIENT_SECRET}".encode()
    ).decode()
    response = client.post(
        "https://identity.xero.com/connect/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {basic}"},
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


def measure_generation(organisations: int) -> Sandbox:
    size = DemoSize.scaled(organisations)
    started = time.perf_counter()
    client = generate_demo_client(7, size)
    elapsed = time.perf_counter() - started
    counts = client.manifest.counts
    records = sum(counts.values())
    print(
        f"generator: {organisations:,} organisations, {counts.get('xero.invoices', 0):,} invoices, "
        f"{records:,} records in {elapsed:.1f} s ({records / elapsed:,.0f} records/s)"
    )
    started = time.perf_counter()
    sandbox = Sandbox(
        client,
        xero_limits=UNLIMITED_XERO,
        pipedrive_limits=PipedriveLimits(
            burst_limit=10**9, oauth_burst_limit=10**9, daily_base_tokens=10**12, plan_multiplier=1, seats=1
        ),
    )
    print(f"sandbox start-up over that client: {time.perf_counter() - started:.1f} s")
    return sandbox


def measure_requests(sandbox: Sandbox, requests: int) -> None:
    with httpx.Client(transport=SandboxTransport(sandbox)) as client:
        headers = {
            "Authorization": f"Bearer {_xero_token(client)}",
            "Accept": "application/json",
            "xero-tenant-id": sandbox.client.xero.tenant_id,
        }
        pipedrive = {"x-api-token": credentials.PIPEDRIVE_API_TOKEN}
        calls = [
            (
                "xero invoices page (100, with lines)",
                "https://api.xero.com/api.xro/2.0/Invoices",
                {"page": 1, "pageSize": 100},
                headers,
            ),
            ("xero contacts page (100)", "https://api.xero.com/api.xro/2.0/Contacts", {"page": 2}, headers),
            ("xero tax rates", "https://api.xero.com/api.xro/2.0/TaxRates", {}, headers),
            (
                "pipedrive deals page (100)",
                "https://sandbox.pipedrive.com/api/v2/deals",
                {"limit": 100},
                pipedrive,
            ),
        ]
        for label, url, params, call_headers in calls:
            client.get(url, params=params, headers=call_headers).raise_for_status()  # warm the query cache
            started = time.perf_counter()
            for _ in range(requests):
                client.get(url, params=params, headers=call_headers)
            elapsed = time.perf_counter() - started
            print(f"in-process: {label}: {requests / elapsed:,.0f} requests/s ({requests} requests)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--organisations", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()
    sandbox = measure_generation(args.organisations)
    measure_requests(sandbox, args.requests)


if __name__ == "__main__":
    main()
