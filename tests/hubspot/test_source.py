"""Pulling a sandbox HubSpot portal into an engagement: counts, calls beside the minimum, incremental
pulls through the search API, lines of changed deals replaced, budgets."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from tests.hubspot.harness import HubSpotHarness, hubspot_harness
from tests.sandbox.hubspot_support import hubspot_portal
from workbench.hubspot.source import HubSpotSource
from workbench.pull.runner import PullResult, pull
from workbench.store import Engagement


def run(engagement: Engagement, harness: HubSpotHarness) -> PullResult:
    return pull(engagement, HubSpotSource.for_engagement(harness.client, engagement))


def test_a_full_pull_reads_every_record_in_the_fewest_calls(tmp_path: Path) -> None:
    harness = hubspot_harness(hubspot_portal(companies=230, deals=120))
    with Engagement.open("hs", tmp_path) as engagement:
        result = run(engagement, harness)
        counts = {
            t: len(engagement.table(t, source="hubspot"))
            for t in ("organisations", "people", "deals", "deal_lines", "products", "crm_users", "stages")
        }
    assert counts == {
        "organisations": 230,
        "people": 230,
        "deals": 120,
        "deal_lines": 180,
        "products": 2,
        "crm_users": 2,
        "stages": 5,
    }
    assert result.mode == "full"
    assert {
        e.name: (e.pages_fetched, e.minimum_calls)
        for e in result.endpoints
        if e.pages_fetched != e.minimum_calls
    } == {}
    assert harness.statuses() == {200: result.pages_fetched}


def test_an_incremental_pull_searches_changes_and_replaces_the_lines_of_changed_deals(tmp_path: Path) -> None:
    harness = hubspot_harness(hubspot_portal(companies=30, deals=20))
    store, clock = harness.emulator.store, harness.clock
    with Engagement.open("hs", tmp_path) as engagement:
        run(engagement, harness)
        clock.advance(3600)
        deal = store.objects["deals"][4]
        store.put(
            "deals",
            {
                **deal,
                "properties": {**deal["properties"], "amount": Decimal("999.99")},
                "updatedAt": clock.now(),
            },
        )
        store.links[("deals", "line_items")][4] = store.links[("deals", "line_items")][4][:0]
        company = store.objects["companies"][7]
        store.put(
            "companies",
            {
                **company,
                "properties": {**company["properties"], "name": "Renamed Ltd"},
                "updatedAt": clock.now(),
            },
        )
        before = len(harness.exchanges)
        result = run(engagement, harness)
        deals = engagement.table("deals", source="hubspot").set_index("deal_id")
        orgs = engagement.table("organisations", source="hubspot").set_index("org_id")
        lines = engagement.table("deal_lines", source="hubspot")
    assert result.mode == "incremental"
    searched = harness.calls(before)
    assert searched["POST /crm/v3/objects/deals/search"] == 1 and "GET /crm/v3/objects/deals" not in searched
    assert deals.loc["4", "value"] == Decimal("999.99") and orgs.loc["7", "name"] == "Renamed Ltd"
    assert len(deals) == 20 and len(orgs) == 30
    assert "4" not in set(lines["deal_id"])  # the line removed from the changed deal is gone
    assert set(lines["deal_id"]) >= {"2", "6"}  # lines of unchanged deals stay


def test_won_deals_and_custom_properties_reach_the_canonical_tables(tmp_path: Path) -> None:
    harness = hubspot_harness()
    with Engagement.open("hs", tmp_path) as engagement:
        run(engagement, harness)
        deals = engagement.table("deals", source="hubspot").set_index("deal_id")
        orgs = engagement.table("organisations", source="hubspot").set_index("org_id")
        people = engagement.table("people", source="hubspot").set_index("person_id")
        stages = engagement.table("stages", source="hubspot").set_index("stage_id")
    won = deals.loc["2"]
    assert (
        won["status"] == "won"
        and bool(won["is_won"])
        and won["custom_fields"] == {"VAT treatment": "Standard rated (20%)"}
    )
    assert won["org_id"] == "2" and won["person_id"] == "2" and won["owner_name"] == "Ann Owner"
    assert won["won_time"] == won["close_time"] and won["pipeline_name"] == "Sales"
    opened = deals.loc["1"]
    assert opened["status"] == "open" and not bool(opened["is_won"]) and opened["stage_name"] == "Renewal due"
    assert opened["expected_close_date"] is not None and str(opened["won_time"]) == "NaT"
    assert orgs.loc["3", "vat_number"] == "GB000000003" and orgs.loc["3", "email_domain"] == "c3.co.uk"
    assert people.loc["5", "org_id"] == "5" and people.loc["5", "name"] == "First5 Person"
    assert stages.loc["closedwon", "deal_probability"] == 100 and stages.loc["5551", "deal_probability"] == 40


def test_budget_left_reports_the_headers(tmp_path: Path) -> None:
    harness = hubspot_harness()
    source = HubSpotSource(harness.client)
    with Engagement.open("hs", tmp_path) as engagement:
        pull(engagement, source)
    left = source.budget_left()
    assert left["daily"] is not None and 624_900 < left["daily"] < 625_000
    assert left["burst"] is not None and left["burst"] > 0
