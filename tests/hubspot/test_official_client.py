"""HubSpot's own Python SDK (`hubspot-api-client`) against the served sandbox: the emulator speaks the
wire format the SDK's generated models were built from (required fields, types, paging, errors)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hubspot import HubSpot
from hubspot.crm.deals import ApiException as DealsApiException
from hubspot.crm.deals import SimplePublicObjectInput
from hubspot.crm.properties import PropertyCreate

from workbench.sandbox.app import Sandbox
from workbench.sandbox.credentials import HUBSPOT_PRIVATE_APP_TOKEN
from workbench.sandbox.demo import DemoSize
from workbench.sandbox.server import SandboxServer

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[Sandbox, str]]:
    sandbox = Sandbox.demo(5, DemoSize.scaled(40), crm="hubspot")
    with SandboxServer(sandbox) as server:
        yield sandbox, server.urls()["hubspot"]


def _sdk(host: str) -> HubSpot:
    # every generated API's Configuration takes `host`; api_request reads `base_url`
    return HubSpot(access_token=HUBSPOT_PRIVATE_APP_TOKEN, host=host, base_url=host)


def test_reads_every_company_page_by_page(served: tuple[Sandbox, str]) -> None:
    sandbox, host = served
    client = _sdk(host)
    page = client.crm.companies.basic_api.get_page(limit=25, properties=["name", "vat_number", "zip"])
    assert len(page.results) == 25 and page.paging.next.after
    everything = client.crm.companies.get_all(properties=["name"])
    organisations = sandbox.client.pipedrive.organizations
    assert sorted(int(c.id) for c in everything) == sorted(o["id"] for o in organisations)
    by_id = {int(c.id): c for c in everything}
    first = organisations[0]
    assert by_id[first["id"]].properties["name"] == first["name"]
    assert by_id[first["id"]].created_at.tzinfo is not None  # parsed by the SDK as an aware datetime


def test_reads_deals_with_won_flags_and_associations(served: tuple[Sandbox, str]) -> None:
    sandbox, host = served
    client = _sdk(host)
    page = client.crm.deals.basic_api.get_page(
        limit=100,
        properties=["dealname", "amount", "hs_is_closed_won"],
        associations=["companies", "line_items"],
    )
    pipedrive = {d["id"]: d for d in sandbox.client.pipedrive.deals}
    for deal in page.results:
        source = pipedrive[int(deal.id)]
        assert deal.properties["dealname"] == source["title"]
        assert (deal.properties["hs_is_closed_won"] == "true") == (source["status"] == "won")
        if source.get("org_id") is not None:
            assert [a.id for a in deal.associations["companies"].results] == [str(source["org_id"])]
    pipelines = client.crm.pipelines.pipelines_api.get_all(object_type="deals")
    assert {s.id for p in pipelines.results for s in p.stages if s.metadata["probability"] == "1.0"} >= {
        "closedwon"
    }


def test_creates_a_deal_property_then_updates_and_reads_it_back(served: tuple[Sandbox, str]) -> None:
    _, host = served
    client = _sdk(host)
    created = client.crm.properties.core_api.create(
        object_type="deals",
        property_create=PropertyCreate(
            name="xero_invoice_number",
            label="Xero invoice number",
            type="string",
            field_type="text",
            group_name="dealinformation",
        ),
    )
    assert created.name == "xero_invoice_number" and created.hubspot_defined is False
    deal_id = client.crm.deals.basic_api.get_page(limit=1).results[0].id
    updated = client.crm.deals.basic_api.update(
        deal_id, SimplePublicObjectInput(properties={"xero_invoice_number": "INV-0042", "amount": "1250.50"})
    )
    assert updated.properties["xero_invoice_number"] == "INV-0042"
    again = client.crm.deals.basic_api.get_by_id(deal_id, properties=["xero_invoice_number", "amount"])
    assert again.properties == {"xero_invoice_number": "INV-0042", "amount": "1250.5"}


def test_errors_reach_the_sdk_in_hubspots_shape(served: tuple[Sandbox, str]) -> None:
    _, host = served
    client = _sdk(host)
    with pytest.raises(DealsApiException) as raised:
        client.crm.deals.basic_api.update("1", SimplePublicObjectInput(properties={"no_such_property": "x"}))
    assert raised.value.status == 400 and '"category":"VALIDATION_ERROR"' in raised.value.body
    stranger = HubSpot(access_token="not-a-token", host=host)
    with pytest.raises(DealsApiException) as refused:
        stranger.crm.deals.basic_api.get_page(limit=1)
    assert refused.value.status == 401


def test_searches_owners_line_items_and_batch_associations_through_the_sdk(
    served: tuple[Sandbox, str],
) -> None:
    from hubspot.crm.associations.v4 import BatchInputPublicFetchAssociationsBatchRequest
    from hubspot.crm.deals import Filter, FilterGroup, PublicObjectSearchRequest

    sandbox, host = served
    client = _sdk(host)
    request = PublicObjectSearchRequest(
        filter_groups=[
            FilterGroup(filters=[Filter(property_name="hs_is_closed_won", operator="EQ", value="true")])
        ],
        sorts=["hs_lastmodifieddate"],
        properties=["dealname", "hs_lastmodifieddate"],
        limit=200,
    )
    found = client.crm.deals.search_api.do_search(public_object_search_request=request)
    won = {d["id"] for d in sandbox.client.pipedrive.deals if d["status"] == "won"}
    assert found.total == len(won) and {int(d.id) for d in found.results} <= won
    stamps = [d.properties["hs_lastmodifieddate"] for d in found.results]
    assert stamps == sorted(stamps)
    owners = client.crm.owners.owners_api.get_page(limit=100)
    assert {o.email for o in owners.results} <= {u["email"] for u in sandbox.client.pipedrive.users}
    lines = client.crm.line_items.basic_api.get_page(
        limit=10, properties=["name", "quantity", "price", "amount"]
    )
    assert len(lines.results) == 10 and all(line.properties["amount"] for line in lines.results)
    deal_ids = sorted({line["deal_id"] for line in sandbox.client.pipedrive.deal_products})[:5]
    batch = client.crm.associations.v4.batch_api.get_page(
        from_object_type="deals",
        to_object_type="line_items",
        batch_input_public_fetch_associations_batch_request=BatchInputPublicFetchAssociationsBatchRequest(
            inputs=[{"id": str(i)} for i in deal_ids]
        ),
    )
    expected = {
        str(i): sorted(str(p["id"]) for p in sandbox.client.pipedrive.deal_products if p["deal_id"] == i)
        for i in deal_ids
    }
    assert {r._from.id: sorted(t.to_object_id for t in r.to) for r in batch.results} == expected
    assert batch.results[0].to[0].association_types[0].type_id == 19


def test_the_sdks_oauth_token_call_refreshes_a_thirty_minute_token(served: tuple[Sandbox, str]) -> None:
    from workbench.sandbox.credentials import HUBSPOT_CLIENT_ID, HUBSPOT_CLIENT_SECRET, HUBSPOT_REFRESH_TOKEN

    _, host = served
    tokens = HubSpot(host=host).oauth.tokens_api.create(
        grant_type="refresh_token",
        client_id=HUBSPOT_CLIENT_ID,
        client_secret=HUBSPOT_CLIENT_SECRET,
        refresh_token=HUBSPOT_REFRESH_TOKEN,
    )
    assert tokens.expires_in == 1800 and tokens.token_type == "bearer"
    deals = HubSpot(access_token=tokens.access_token, host=host).crm.deals.basic_api.get_page(limit=3)
    assert len(deals.results) == 3
