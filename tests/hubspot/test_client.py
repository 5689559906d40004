"""The HubSpot client against the sandbox emulator: paging, search windows and the 10,000 cap,
associations, writes, errors and budgets."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.hubspot.harness import hubspot_harness
from tests.sandbox.hubspot_support import START, hubspot_portal
from workbench.errors import ApiError, AuthError, ConfigurationError, RateLimitExhausted
from workbench.hubspot.search import SearchCursor, epoch_ms
from workbench.sandbox.hubspot import HubSpotLimits


def test_list_pages_follow_the_after_cursor_with_custom_properties() -> None:
    harness = hubspot_harness(hubspot_portal(companies=230))
    records, after = harness.client.list_page("companies", properties=["name", "vat_number"])
    assert len(records) == 100 and after == "101"
    seen = records
    while after:
        page, after = harness.client.list_page("companies", after, properties=["name", "vat_number"])
        seen += page
    assert [int(r["id"]) for r in seen] == list(range(1, 231))
    assert seen[4]["properties"] == {"name": "Company 5 Ltd", "vat_number": "GB000000005"}
    assert harness.calls()["GET /crm/v3/objects/companies"] == 3


def test_search_reads_changes_since_a_moment_oldest_first() -> None:
    harness = hubspot_harness(hubspot_portal(companies=450))
    since = START - timedelta(days=1) + timedelta(minutes=40)
    steps = list(harness.client.changed_since("companies", since, properties=["name"]))
    ids = [int(r["id"]) for step in steps for r in step.records]
    assert ids == list(range(40, 451)) and steps[0].total == 411
    assert len(steps) == 3  # 200 a page
    assert all(s.records[0]["properties"]["hs_lastmodifieddate"] for s in steps)


@pytest.mark.slow
def test_the_search_window_restarts_before_the_ten_thousandth_result() -> None:
    harness = hubspot_harness(
        hubspot_portal(companies=10_450, deals=0), limits=HubSpotLimits(search_per_second=50)
    )
    since = START - timedelta(days=2)
    ids = [int(r["id"]) for step in harness.client.changed_since("companies", since) for r in step.records]
    assert set(ids) == set(range(1, 10_451))  # nothing lost past the cap
    assert len(ids) - len(set(ids)) <= 1  # the record at the window boundary is read twice at most
    assert harness.statuses() == {200: 53}  # 50 pages to the cap, then 451 from its last change: no 400


@pytest.mark.slow
def test_ten_thousand_changes_at_one_instant_are_read_in_id_order() -> None:
    portal = hubspot_portal(companies=10_300, deals=0)
    same = START - timedelta(hours=3)
    for company in portal.companies:
        company["updatedAt"] = same
    harness = hubspot_harness(portal, limits=HubSpotLimits(search_per_second=50))
    steps = list(harness.client.changed_since("companies", same - timedelta(minutes=1)))
    ids = [int(r["id"]) for step in steps for r in step.records]
    assert sorted(set(ids)) == list(range(1, 10_301))
    # the window restarts at the crowded instant once, then reads that instant by id (a second pass)
    assert len(ids) - len(set(ids)) <= 10_000
    assert steps[-1].following is None and 400 not in harness.statuses()


def test_search_cursor_round_trips_as_text() -> None:
    cursor = SearchCursor(epoch_ms(START), 400, 17)
    assert SearchCursor.parse(cursor.text()) == cursor
    assert SearchCursor.parse(SearchCursor(5).text()) == SearchCursor(5)


def test_associations_read_in_batches_and_line_items_by_id() -> None:
    harness = hubspot_harness()
    found = harness.client.associations("deals", "line_items", [1, 2, 3, 999])
    assert {k: [t["id"] for t in v] for k, v in found.items()} == {
        "1": ["1", "2"],
        "2": ["3"],
        "3": ["4", "5"],
    }
    assert found["1"][0]["types"] == [19]
    lines = harness.client.read_batch("line_items", ["1", "2", "404"], properties=["name", "quantity"])
    assert sorted(r["properties"]["name"] for r in lines) == ["Line 1", "Line 2"]
    with pytest.raises(ConfigurationError):
        harness.client.associations("deals", "line_items", [str(n) for n in range(1, 1002)])


def test_write_back_creates_the_property_then_updates_deals_one_and_many() -> None:
    harness = hubspot_harness()
    created = harness.client.create_deal_property("xero_invoice_number", "Xero invoice number")
    assert created["name"] == "xero_invoice_number"
    with pytest.raises(ApiError) as twice:
        harness.client.create_deal_property("xero_invoice_number", "Xero invoice number")
    assert twice.value.status == 409 and "xero_invoice_number" in str(twice.value)
    one = harness.client.update_deal(3, {"xero_invoice_number": "INV-0003"})
    assert one["properties"]["xero_invoice_number"] == "INV-0003"
    updates = {str(n): {"xero_invoice_number": f"INV-{n:04d}"} for n in range(1, 9)}
    updates["4040"] = {"xero_invoice_number": "INV-4040"}
    result = harness.client.update_deals(updates)
    assert len(result.updated) == 8 and result.missing == ["4040"]
    record = harness.emulator.store.objects["deals"][7]
    assert record["properties"]["xero_invoice_number"] == "INV-0007"
    with pytest.raises(ApiError) as bad:
        harness.client.update_deal(3, {"no_such_property": "x"})
    assert bad.value.status == 400 and "no_such_property" in bad.value.detail


def test_batches_of_more_than_a_hundred_are_split() -> None:
    harness = hubspot_harness(hubspot_portal(companies=5, deals=150))
    result = harness.client.update_deals({str(n): {"dealname": f"D{n}"} for n in range(1, 151)})
    assert len(result.updated) == 150 and not result.missing
    assert harness.calls()["POST /crm/v3/objects/deals/batch/update"] == 2


def test_refused_credentials_and_unknown_object_types() -> None:
    harness = hubspot_harness(token="pat-not-known")
    with pytest.raises(AuthError) as refused:
        harness.client.list_page("deals")
    assert "INVALID_AUTHENTICATION" in str(refused.value) and "pat-not-known" not in str(refused.value)
    with pytest.raises(ConfigurationError):
        harness.client.list_page("tickets")


def test_the_burst_budget_is_learned_from_the_headers_so_no_429_is_met() -> None:
    harness = hubspot_harness(hubspot_portal(companies=800), limits=HubSpotLimits(burst_limit=3))
    after: str | None = None
    for _ in range(8):
        _, after = harness.client.list_page("companies", after)
    assert harness.statuses() == {200: 8}
    assert harness.stepped.slept >= 10  # waited out a ten-second window rather than hammering


def test_the_search_budget_keeps_to_its_own_per_second_limit() -> None:
    harness = hubspot_harness(hubspot_portal(companies=2_000), limits=HubSpotLimits(search_per_second=4))
    list(harness.client.changed_since("companies", START - timedelta(days=2)))
    assert harness.statuses() == {200: 10}
    assert harness.stepped.slept >= 1


def test_a_spent_daily_limit_stops_the_run() -> None:
    harness = hubspot_harness(limits=HubSpotLimits(daily_limit=2))
    harness.client.list_page("deals")
    harness.client.list_page("deals")
    with pytest.raises(RateLimitExhausted) as spent:
        harness.client.list_page("deals")
    assert spent.value.limit == "daily"
