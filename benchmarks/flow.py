"""Invoice flow figures: API calls for 1,000 DRAFT invoices beside the minimum, and the time per invoice.

Run: `.venv/bin/python benchmarks/flow.py [--invoices 1000] [--seed 7]`
In-process sandbox. The demo client's won deals that the flow would invoice (found by a dry run) are
copied until there are `--invoices` of them, won this month; the copy is pulled into a temporary
engagement, its proposed plan signed off, the flow's CRM fields created, then the flow runs live twice.
The minimum for a run is: the creates in batches of 50, the look-ups by Reference (25 a query), one
write-back PATCH per invoice and the two field look-ups, plus one call per endpoint of the incremental
pull that starts every run. A second run should use only the look-ups. Prints the figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import math
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from workbench.connections import Connector
from workbench.flow.runner import run_flow
from workbench.flow.writeback import ensure_fields
from workbench.plan.defaults import propose_plan
from workbench.plan.model import Plan
from workbench.plan.versions import PlanVersion, save_version
from workbench.profile.tables import ProfileTables
from workbench.pull.runner import pull
from workbench.sandbox.app import Sandbox
from workbench.sandbox.demo import generate_demo_client
from workbench.sandbox.demo.dataset import DemoClient
from workbench.store import Engagement
from workbench.tokens import TokenStore
from workbench.xero.client import MAX_WRITE_BATCH, REFERENCES_PER_QUERY

EARLY = dt.date(2000, 1, 1)  # a cut-off that lets every won deal be a candidate (to find the templates)
WRITE_ENDPOINTS = ("xero PUT Invoices", "pipedrive PATCH deals/{id}")


def signed(plan: Plan, won_after: dt.date) -> Plan:
    rows = tuple(
        s.model_copy(update={"name": "Benchmark", "signed_on": dt.date(2026, 11, 20)}) for s in plan.sign_off
    )
    deal_invoice = plan.deal_invoice.model_copy(update={"won_after": won_after})
    return plan.model_copy(update={"sign_off": rows, "deal_invoice": deal_invoice})


def prepared(
    client: DemoClient, folder: Path, won_after: dt.date | None
) -> tuple[Engagement, Connector, PlanVersion]:
    """The client pulled into a fresh engagement, with a signed-off plan (cut-off `won_after`)."""
    engagement = Engagement.open("flow-benchmark", folder / "engagements")
    connector = Connector(sandbox=Sandbox(client), store=TokenStore(folder / "tokens"))
    for source in connector.sources(engagement):
        pull(engagement, source)
    plan = propose_plan(ProfileTables.from_engagement(engagement))
    cut_off = won_after or plan.deal_invoice.won_after or EARLY
    version = save_version(engagement, signed(plan, cut_off), origin="consultant")
    return engagement, connector, version


def sendable_deals(client: DemoClient, folder: Path) -> list[str]:
    """The won deals a live run would invoice (by a dry run over every won deal)."""
    engagement, connector, version = prepared(client, folder, EARLY)
    with engagement, connector:
        report = run_flow(engagement, version, connector, mode="dry-run", reports_dir=None).report
    return [o.deal_id for o in report.outcomes if o.outcome == "would be created"]


def with_copies(client: DemoClient, templates: list[str], count: int, won: dt.datetime) -> DemoClient:
    """The client with `count` new won deals, copies of `templates` (and their products), won on `won`."""
    grown = copy.deepcopy(client)
    company = grown.pipedrive
    deals = {str(d["id"]): d for d in company.deals}
    lines: dict[str, list[dict[str, Any]]] = {}
    for line in company.deal_products:
        lines.setdefault(str(line["deal_id"]), []).append(line)
    next_deal = max(int(d["id"]) for d in company.deals) + 1
    next_line = max((int(line["id"]) for line in company.deal_products), default=0) + 1
    for n in range(count):
        deal = copy.deepcopy(deals[templates[n % len(templates)]])
        original = str(deal["id"])
        deal.update(id=next_deal, title=f"{deal.get('title')} (copy {n + 1})", won_time=won, close_time=won,
                    add_time=won - dt.timedelta(days=20), update_time=won)  # fmt: skip
        company.deals.append(deal)
        for line in lines.get(original, []):
            company.deal_products.append({**copy.deepcopy(line), "id": next_line, "deal_id": next_deal})
            next_line += 1
        next_deal += 1
    return grown


def calls_of(report: Any) -> Counter[str]:
    calls = Counter(report.calls)
    calls.update(report.write_back.get("calls", {}))
    return calls


def print_calls(title: str, calls: Counter[str], minimum: dict[str, int]) -> None:
    print(f"\n{title}")
    print(f"  {'endpoint':38} {'used':>6} {'minimum':>8}")
    for endpoint in sorted(set(calls) | set(minimum)):
        print(f"  {endpoint:38} {calls.get(endpoint, 0):6d} {minimum.get(endpoint, 0):8d}")
    print(f"  {'total':38} {sum(calls.values()):6d} {sum(minimum.values()):8d}")


def minimum_calls(n: int, pull_endpoints: Counter[str], *, sending: bool) -> dict[str, int]:
    """One call per pulled endpoint; when sending n invoices also the creates, look-ups and write-backs."""
    least = {endpoint: 1 for endpoint in pull_endpoints}
    least["pipedrive GET dealFields"] = 1 + 1  # the pull's, and the write-back's look-up of its fields
    least["pipedrive GET organizationFields"] = 1 + 1
    if sending:
        least["xero PUT Invoices"] = math.ceil(n / MAX_WRITE_BATCH)
        least["xero GET Invoices"] = 1 + math.ceil(n / REFERENCES_PER_QUERY)  # the pull's page + look-ups
        least["pipedrive PATCH deals/{id}"] = n
    return least


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    started = time.perf_counter()
    client = generate_demo_client(args.seed)
    with tempfile.TemporaryDirectory() as scratch:
        templates = sendable_deals(client, Path(scratch) / "templates")
    as_of = client.manifest.as_of
    won = dt.datetime.combine(as_of - dt.timedelta(days=1), dt.time(15), tzinfo=dt.UTC)
    grown = with_copies(client, templates, args.invoices, won)
    print(
        f"demo seed {args.seed}: {len(templates)} won deals the flow would invoice, copied to "
        f"{args.invoices} won on {won:%d/%m/%Y} ({time.perf_counter() - started:.1f} s to prepare)"
    )

    with tempfile.TemporaryDirectory() as scratch:
        engagement, connector, version = prepared(grown, Path(scratch), None)
        with engagement, connector:
            keys = ensure_fields(connector.crm_source(engagement).client, create=True)
            print(f"the flow's CRM fields created once: {', '.join(keys.created)} ({keys.calls} calls)")

            clock = time.perf_counter()
            first = run_flow(engagement, version, connector, mode="live", reports_dir=None).report
            seconds = time.perf_counter() - clock
            outcomes = Counter(o.outcome for o in first.outcomes)
            n = outcomes["created"]
            calls = calls_of(first)
            pulled = Counter({k: v for k, v in calls.items() if " GET " in k})
            print(
                f"\nrun 1 (live, DRAFT): {dict(outcomes)}; write-back {first.write_back.get('written')} deals"
            )
            print(
                f"  {seconds:.1f} s in all, {1000 * seconds / max(n, 1):.1f} ms per invoice (incremental "
                "pull, build, look-ups, creates and write-back; in-process sandbox)"
            )
            print_calls("run 1 calls", calls, minimum_calls(n, pulled, sending=True))
            writes = sum(calls[e] for e in WRITE_ENDPOINTS)
            least = math.ceil(n / MAX_WRITE_BATCH) + n
            total = sum(calls.values())
            print(
                f"  writes: {writes} used, {least} minimum ({math.ceil(n / MAX_WRITE_BATCH)} creates + {n} "
                f"write-backs); all calls {total} = {total / max(n, 1):.3f} per invoice"
            )

            clock = time.perf_counter()
            second = run_flow(engagement, version, connector, mode="live", reports_dir=None).report
            seconds = time.perf_counter() - clock
            again = calls_of(second)
            print(f"\nrun 2 (live again): {dict(Counter(o.outcome for o in second.outcomes))}; "
                  f"write-back {second.write_back.get('written')} deals; {seconds:.1f} s")  # fmt: skip
            pulled = Counter({k: v for k, v in again.items() if " GET " in k})
            print_calls("run 2 calls", again, minimum_calls(0, pulled, sending=False))
            print(
                f"  creates {again['xero PUT Invoices']}, write-backs {again['pipedrive PATCH deals/{id}']}"
            )


if __name__ == "__main__":
    main()
