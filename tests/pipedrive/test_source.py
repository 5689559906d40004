"""Pulling a sandbox Pipedrive company into an engagement: counts, calls, incremental cursors, budgets."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests.pipedrive.harness import PipedriveHarness, pipedrive_harness, served_counts
from tests.sandbox.pipedrive_support import INVOICE_FIELD, VAT_FIELD, call, pipedrive_company
from workbench.canonical import TABLES
from workbench.errors import PullFailed, TransientFailure
from workbench.http import SteppedClock, UnlimitedBudget, build_client
from workbench.pipedrive.client import PipedriveClient, pipedrive_session
from workbench.pipedrive.source import PipedriveSource
from workbench.pull.runner import PullResult, pull
from workbench.sandbox.credentials import PIPEDRIVE_API_TOKEN
from workbench.sandbox.demo.dataset import PipedriveCompany
from workbench.sandbox.pipedrive import PipedriveLimits
from workbench.store import Engagement

CRM_TABLES = (
    "organisations",
    "people",
    "deals",
    "deal_lines",
    "products",
    "crm_users",
    "stages",
    "crm_fields",
)


def big_company() -> PipedriveCompany:
    """1,100 deals (3 pages), lines on every 4th deal (3 batches of 100 deals, one of them 2 pages)."""
    company = pipedrive_company(deals=1100)
    lines: list[dict[str, Any]] = []
    for deal_id in range(4, 1101, 4):
        for n in range(7 if deal_id <= 400 else 1):
            lines.append(
                {
                    "id": len(lines) + 1,
                    "deal_id": deal_id,
                    "product_id": n % 5 + 1,
                    "quantity": Decimal(n + 1),
                    "item_price": Decimal("10.25"),
                    "tax": Decimal(20),
                }
            )
    company.deal_products = lines
    return company


def run(engagement: Engagement, harness: PipedriveHarness) -> tuple[PullResult, dict[str, int]]:
    before = len(harness.exchanges)
    result = pull(engagement, PipedriveSource.for_engagement(harness.client, engagement))
    return result, dict(harness.calls_by_endpoint(before))


def snapshot_tables(engagement: Engagement, snapshot_id: int) -> dict[str, pd.DataFrame]:
    return {
        name: engagement.table(name, snapshot_id).sort_values(list(TABLES[name].key)).reset_index(drop=True)
        for name in CRM_TABLES
    }


def test_full_pull_counts_match_the_company_and_calls_match_the_minimum(tmp_path: Path) -> None:
    company = big_company()
    harness = pipedrive_harness(company)
    with Engagement.open("acme", tmp_path) as engagement:
        result, calls = run(engagement, harness)
        counts = result.snapshot.counts
        expected = served_counts(company)
        assert {name: counts[name] for name in expected} == expected
        fields = sum(len(f) for f in harness.emulator.store.fields.values())
        assert counts["crm_fields"] == fields
        for report in result.endpoints:
            assert calls.get(report.name, 0) == report.minimum_calls == report.pages_fetched, report
        assert calls["deals"] == 3 and calls["deal_products"] == 4  # batches of 100 deals: 2 + 1 + 1 pages
        assert harness.statuses() == {200: sum(calls.values())}
        assert set(result.snapshot.cursors) == {"products", "organizations", "persons", "deals"}
        organisations = engagement.table("organisations").set_index("org_id")
        assert organisations.loc["1", "vat_number"] == "GB100000001"
        assert organisations.loc["1", "custom_fields"] == {"VAT number": "GB100000001"}
        assert pd.isna(organisations.loc["2", "vat_number"])
        assert organisations.loc["3", "email_domain"] == "org3.example"


def test_incremental_pull_with_nothing_changed_costs_one_call_an_endpoint(tmp_path: Path) -> None:
    harness = pipedrive_harness(big_company())
    with Engagement.open("acme", tmp_path) as engagement:
        first, _ = run(engagement, harness)
        second, calls = run(engagement, harness)
        assert second.mode == "incremental"
        assert all(calls.get(report.name, 0) <= 1 for report in second.endpoints), calls
        # deal_products is called only when a deal read again (updated_since is inclusive) has lines
        assert sum(calls.values()) >= len(second.endpoints) - 1
        assert second.snapshot.counts == first.snapshot.counts
        assert second.snapshot.cursors == first.snapshot.cursors
        before = snapshot_tables(engagement, first.snapshot.snapshot_id)
        after = snapshot_tables(engagement, second.snapshot.snapshot_id)
        for name in CRM_TABLES:
            pd.testing.assert_frame_equal(before[name], after[name], obj=name)


def test_a_patched_deal_is_picked_up_incrementally(tmp_path: Path) -> None:
    harness = pipedrive_harness()
    with Engagement.open("acme", tmp_path) as engagement:
        first, _ = run(engagement, harness)
        harness.clock.advance(3600)
        harness.client.update_deal_custom_fields(8, {INVOICE_FIELD: "INV-0042"})
        call(harness.emulator, "PATCH", "/api/v2/deals/12", body={"status": "won"})
        second, calls = run(engagement, harness)
        assert calls["deals"] == 1
        deals = engagement.table("deals", second.snapshot.snapshot_id).set_index("deal_id")
        assert len(deals) == first.snapshot.counts["deals"]
        assert deals.loc["8", "custom_fields"]["Xero invoice number"] == "INV-0042"
        assert bool(deals.loc["12", "is_won"]) and deals.loc["12", "status"] == "won"
        assert second.snapshot.cursors["deals"] == "2026-03-10T10:30:00Z"
        assert second.snapshot.cursors["organizations"] == first.snapshot.cursors["organizations"]


def test_incremental_pull_drops_removed_lines_and_marks_deleted_deals(tmp_path: Path) -> None:
    harness = pipedrive_harness()
    store = harness.emulator.store
    with Engagement.open("acme", tmp_path) as engagement:
        first, _ = run(engagement, harness)
        assert first.snapshot.counts["deal_lines"] == 8
        harness.clock.advance(60)
        now = harness.clock.now().replace(microsecond=0)
        removed = [line_id for line_id, line in store.tables["deal_products"].items() if line["deal_id"] == 2]
        for line_id in removed:
            del store.tables["deal_products"][line_id]
        store.put("deals", {**store.tables["deals"][2], "update_time": now})
        store.put(
            "deals", {**store.tables["deals"][5], "is_deleted": True, "status": "deleted", "update_time": now}
        )
        second, _ = run(engagement, harness)
        lines = engagement.table("deal_lines", second.snapshot.snapshot_id)
        assert len(lines) == 8 - len(removed) and "2" not in set(lines["deal_id"])
        deals = engagement.table("deals", second.snapshot.snapshot_id).set_index("deal_id")
        assert bool(deals.loc["5", "is_deleted"]) and deals.loc["5", "status"] == "deleted"
        assert len(deals) == first.snapshot.counts["deals"]


def test_incremental_pull_keeps_an_organisations_email_domain_from_unchanged_people(tmp_path: Path) -> None:
    harness = pipedrive_harness()
    store = harness.emulator.store
    with Engagement.open("acme", tmp_path) as engagement:
        run(engagement, harness)
        harness.clock.advance(60)
        store.tables["organizations"][3].update(name="Org 3 Renamed Ltd", update_time=harness.clock.now())
        second, calls = run(engagement, harness)
        assert calls["persons"] == 1
        org = engagement.table("organisations", second.snapshot.snapshot_id).set_index("org_id").loc["3"]
        assert org["name"] == "Org 3 Renamed Ltd" and org["email_domain"] == "org3.example"


def test_respecting_the_burst_budget_avoids_429s(tmp_path: Path) -> None:
    limits = PipedriveLimits(burst_limit=3)
    harness = pipedrive_harness(big_company(), limits=limits)
    with Engagement.open("acme", tmp_path) as engagement:
        _, calls = run(engagement, harness)
    assert sum(calls.values()) > limits.burst_limit
    assert harness.statuses() == {200: sum(calls.values())} and harness.session.stats.rate_limited == 0
    assert harness.session.stats.retries == 0
    assert isinstance(harness.session.clock, SteppedClock) and harness.session.clock.slept > 0  # it waited
    source = PipedriveSource(harness.client)
    left = source.budget_left()
    assert left["burst"] is not None and left["daily_tokens"] is not None and left["daily_tokens"] > 0


def test_ignoring_the_budget_meets_429s_that_are_then_waited_out(tmp_path: Path) -> None:
    harness = pipedrive_harness(big_company(), limits=PipedriveLimits(burst_limit=3), budget=UnlimitedBudget)
    with Engagement.open("acme", tmp_path) as engagement:
        result, _ = run(engagement, harness)
    assert harness.statuses()[429] > 0 and harness.session.stats.rate_limited == harness.statuses()[429]
    assert result.snapshot.counts["deals"] == 1100


def test_the_demo_sandbox_pulls_whole_then_incrementally(tmp_path: Path) -> None:
    try:
        from workbench.sandbox.app import Sandbox
        from workbench.sandbox.demo import DemoSize
        from workbench.sandbox.transport import SandboxTransport
    except ImportError as exc:  # the demo generator is being finished elsewhere
        pytest.skip(f"demo sandbox not importable yet: {exc}")

    sandbox = Sandbox.demo(
        3, DemoSize(organisations=40, people=80, deals=200, xero_contacts=50, invoices=300)
    )
    company = sandbox.client.pipedrive
    http_client = build_client(SandboxTransport(sandbox))
    http_client.headers["x-api-token"] = PIPEDRIVE_API_TOKEN
    clock = SteppedClock(now=sandbox.clock.timestamp, advance=sandbox.clock.advance)
    session = pipedrive_session(http_client, clock)
    client = PipedriveClient(session, f"https://{company.company_domain}.pipedrive.com")
    with Engagement.open("demo", tmp_path) as engagement:
        result = pull(engagement, PipedriveSource.for_engagement(client, engagement))
        assert {name: result.snapshot.counts[name] for name in served_counts(company)} == served_counts(
            company
        )
        assert session.stats.calls == result.pages_fetched  # no retries, no 429s, one call a page
        assert all(r.pages_fetched == r.minimum_calls for r in result.endpoints), result.endpoints
        codes = {f["field_name"]: f["field_code"] for f in company.organization_fields}
        organisations = engagement.table("organisations").set_index("org_id")
        for column, name in (("vat_number", "VAT number"), ("xero_contact_id", "Xero contact ID")):
            expected = {str(o["id"]): o["custom_fields"][codes[name]] for o in company.organizations
                        if (o.get("custom_fields") or {}).get(codes[name])}  # fmt: skip
            assert organisations[column].dropna().to_dict() == expected
        deals = engagement.table("deals")
        assert deals["is_won"].sum() == sum(1 for d in company.deals if d["status"] == "won")
        treatments = {c.get("VAT treatment") for c in deals["custom_fields"]}
        assert treatments and all(isinstance(t, str) or t is None for t in treatments)
        again = pull(engagement, PipedriveSource.for_engagement(client, engagement))
        assert again.mode == "incremental" and all(r.pages_fetched == 1 for r in again.endpoints)
        assert again.snapshot.counts == result.snapshot.counts


def test_vat_field_fixture_is_the_one_the_sandbox_names() -> None:
    fields = pipedrive_company().organization_fields
    assert [(f["field_code"], f["field_name"]) for f in fields] == [(VAT_FIELD, "VAT number")]


def test_a_pull_that_fails_in_deal_products_resumes_from_the_failed_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    harness = pipedrive_harness(big_company())
    real = harness.client.deal_products_page
    asked: list[tuple[str, str | None]] = []

    def flaky(deal_ids: list[int], cursor: str | None = None) -> tuple[list[dict[str, Any]], str | None]:
        asked.append((f"{deal_ids[0]}-{deal_ids[-1]}", cursor))
        if len(asked) == 3:
            raise TransientFailure("Pipedrive GET /api/v2/deals/products failed after 6 attempt(s)")
        return real(deal_ids, cursor)

    monkeypatch.setattr(harness.client, "deal_products_page", flaky)
    with Engagement.open("acme", tmp_path) as engagement:
        with pytest.raises(PullFailed) as raised:
            run(engagement, harness)
        assert raised.value.endpoint == "deal_products" and raised.value.page == 3
        result, calls = run(engagement, harness)
        assert result.resumed and result.snapshot.counts["deal_lines"] == len(
            harness.emulator.store.tables["deal_products"]
        )
        assert set(calls) == {"deal_products"}  # nothing before the failed page is fetched again
        assert [a[0] for a in asked] == ["4-400", "4-400", "404-800", "404-800", "804-1100"]


def test_a_stage_or_field_deleted_at_the_source_disappears_on_the_next_incremental_pull(
    tmp_path: Path,
) -> None:
    harness = pipedrive_harness()
    store = harness.emulator.store
    with Engagement.open("acme", tmp_path) as engagement:
        first, _ = run(engagement, harness)
        store.tables["stages"][6]["is_deleted"] = True
        store.fields["deal"] = [f for f in store.fields["deal"] if f["field_code"] != INVOICE_FIELD]
        second, _ = run(engagement, harness)
        assert second.mode == "incremental"
        assert second.snapshot.counts["stages"] == first.snapshot.counts["stages"] - 1
        assert second.snapshot.counts["crm_fields"] == first.snapshot.counts["crm_fields"] - 1
        assert INVOICE_FIELD not in set(
            engagement.table("crm_fields", second.snapshot.snapshot_id)["field_key"]
        )
