"""The HubSpot emulator: objects, paging, property selection, writes, associations, pipelines, owners."""

from __future__ import annotations

import json
from typing import Any

from tests.sandbox.hubspot_support import call, hubspot_portal, make_emulator
from workbench.sandbox.hubspot import HubSpotEmulator


def _json(emulator: HubSpotEmulator, method: str, path: str, query: str = "", body: Any = None) -> Any:
    response = call(emulator, method, path, query, json.dumps(body) if body is not None else None)
    return response.status, response.payload()


def test_list_pages_with_an_after_cursor_until_paging_is_absent() -> None:
    emulator, _ = make_emulator(hubspot_portal(companies=25))
    seen: list[str] = []
    after = ""
    while True:
        status, body = _json(emulator, "GET", "/crm/v3/objects/companies", f"limit=10&after={after}")
        assert status == 200
        seen += [r["id"] for r in body["results"]]
        if "paging" not in body:
            break
        after = body["paging"]["next"]["after"]
        assert f"after={after}" in body["paging"]["next"]["link"]
    assert seen == [str(n) for n in range(1, 26)]


def test_limit_defaults_to_ten_and_is_capped_at_a_hundred() -> None:
    emulator, _ = make_emulator(hubspot_portal(companies=120))
    assert len(_json(emulator, "GET", "/crm/v3/objects/companies")[1]["results"]) == 10
    assert len(_json(emulator, "GET", "/crm/v3/objects/companies", "limit=500")[1]["results"]) == 100
    assert _json(emulator, "GET", "/crm/v3/objects/companies", "limit=x")[0] == 400


def test_properties_repeated_or_comma_separated_unknown_left_out_empty_as_null() -> None:
    emulator, _ = make_emulator()
    _, repeated = _json(
        emulator,
        "GET",
        "/crm/v3/objects/companies/3",
        "properties=name&properties=vat_number&properties=nosuch&properties=phone",
    )
    _, comma = _json(
        emulator, "GET", "/crm/v3/objects/companies/3", "properties=name,vat_number,nosuch,phone"
    )
    assert (
        repeated["properties"]
        == comma["properties"]
        == {"name": "Company 3 Ltd", "vat_number": "GB000000003", "phone": None}
    )
    _, default = _json(emulator, "GET", "/crm/v3/objects/companies/3")
    assert set(default["properties"]) == {
        "createdate",
        "domain",
        "hs_lastmodifieddate",
        "hs_object_id",
        "name",
    }
    assert default["properties"]["hs_object_id"] == "3"
    assert default["properties"]["hs_lastmodifieddate"] == default["updatedAt"] == "2026-03-09T09:33:00.000Z"


def test_contacts_keep_the_older_last_modified_property_name() -> None:
    emulator, _ = make_emulator()
    _, body = _json(emulator, "GET", "/crm/v3/objects/contacts/2")
    assert "lastmodifieddate" in body["properties"] and "hs_lastmodifieddate" not in body["properties"]


def test_deals_are_won_by_their_pipeline_stage_not_by_its_name() -> None:
    emulator, _ = make_emulator()
    query = "properties=dealstage,hs_is_closed_won,hs_is_closed,amount&limit=100"
    deals = {
        r["id"]: r["properties"] for r in _json(emulator, "GET", "/crm/v3/objects/deals", query)[1]["results"]
    }
    assert deals["2"] == {
        "dealstage": "closedwon",
        "hs_is_closed_won": "true",
        "hs_is_closed": "true",
        "amount": "201",
    }
    assert deals["1"]["hs_is_closed_won"] == "false"
    status, _ = _json(
        emulator, "PATCH", "/crm/v3/objects/deals/1", body={"properties": {"dealstage": "5559"}}
    )
    assert status == 200
    _, again = _json(emulator, "GET", "/crm/v3/objects/deals/1", "properties=hs_is_closed_won")
    assert again["properties"]["hs_is_closed_won"] == "true"  # "Renewed" is closed with probability 1


def test_associations_inline_and_through_v4() -> None:
    emulator, _ = make_emulator()
    _, deal = _json(emulator, "GET", "/crm/v3/objects/deals/3", "associations=companies,line_items,contacts")
    assert deal["associations"]["companies"]["results"] == [{"id": "3", "type": "deal_to_company"}]
    assert [r["id"] for r in deal["associations"]["line_items"]["results"]] == ["4", "5"]
    _, v4 = _json(emulator, "GET", "/crm/v4/objects/deals/3/associations/line_items")
    assert [r["toObjectId"] for r in v4["results"]] == [4, 5]
    assert v4["results"][0]["associationTypes"][0]["typeId"] == 19
    _, back = _json(emulator, "GET", "/crm/v4/objects/companies/3/associations/deals")
    assert [r["toObjectId"] for r in back["results"]] == [3]
    assert back["results"][0]["associationTypes"][0] == {
        "category": "HUBSPOT_DEFINED",
        "typeId": 6,
        "label": "Primary",
    }
    status, batch = _json(
        emulator,
        "POST",
        "/crm/v4/associations/deals/line_items/batch/read",
        body={"inputs": [{"id": "1"}, {"id": "2"}, {"id": "999"}]},
    )
    assert status == 207
    assert {r["from"]["id"]: [t["toObjectId"] for t in r["to"]] for r in batch["results"]} == {
        "1": [1, 2],
        "2": [3],
    }
    assert batch["errors"][0]["context"] == {"fromObjectId": ["999"]}


def test_patch_types_values_and_names_every_bad_property() -> None:
    emulator, clock = make_emulator()
    clock.advance(60)
    status, body = _json(
        emulator,
        "PATCH",
        "/crm/v3/objects/deals/2",
        body={"properties": {"amount": "1234.56", "vat_treatment": "v2"}},
    )
    assert status == 200
    assert body["properties"]["amount"] == "1234.56" and body["properties"]["vat_treatment"] == "v2"
    assert body["updatedAt"] == "2026-03-10T09:31:00.000Z"
    status, error = _json(
        emulator,
        "PATCH",
        "/crm/v3/objects/deals/2",
        body={"properties": {"amount": "lots", "vat_treatment": "v9", "hs_object_id": "3", "made_up": "x"}},
    )
    assert status == 400 and error["category"] == "VALIDATION_ERROR"
    assert {e["context"]["propertyName"][0]: e["code"] for e in error["errors"]} == {
        "amount": "INVALID_VALUE",
        "vat_treatment": "INVALID_OPTION",
        "hs_object_id": "READ_ONLY_VALUE",
        "made_up": "PROPERTY_DOESNT_EXIST",
    }
    assert set(error) >= {"status", "message", "correlationId", "category"}
    status, missing = _json(
        emulator, "PATCH", "/crm/v3/objects/deals/999", body={"properties": {"amount": "1"}}
    )
    assert status == 404 and missing["category"] == "OBJECT_NOT_FOUND"


def test_batch_update_at_most_a_hundred_inputs_and_207_for_missing_ids() -> None:
    emulator, _ = make_emulator()
    inputs = [
        {"id": "1", "properties": {"dealname": "Renamed 1"}},
        {"id": "2", "properties": {"dealname": "R2"}},
    ]
    status, body = _json(emulator, "POST", "/crm/v3/objects/deals/batch/update", body={"inputs": inputs})
    assert status == 200 and body["status"] == "COMPLETE"
    assert sorted(r["properties"]["dealname"] for r in body["results"]) == ["R2", "Renamed 1"]
    status, partial = _json(
        emulator,
        "POST",
        "/crm/v3/objects/deals/batch/update",
        body={
            "inputs": [
                {"id": "3", "properties": {"dealname": "x"}},
                {"id": "404", "properties": {"dealname": "y"}},
            ]
        },
    )
    assert status == 207 and partial["numErrors"] == 1 and partial["errors"][0]["context"] == {"ids": ["404"]}
    too_many = [{"id": str(n), "properties": {"dealname": "z"}} for n in range(101)]
    assert _json(emulator, "POST", "/crm/v3/objects/deals/batch/update", body={"inputs": too_many})[0] == 400


def test_properties_are_listed_and_custom_ones_created_once() -> None:
    emulator, _ = make_emulator()
    _, listed = _json(emulator, "GET", "/crm/v3/properties/deals")
    by_name = {p["name"]: p for p in listed["results"]}
    assert by_name["hs_is_closed_won"]["calculated"] is True
    assert by_name["vat_treatment"]["hubspotDefined"] is False
    assert [o["value"] for o in by_name["vat_treatment"]["options"]] == ["v0", "v1", "v2"]
    new = {
        "name": "xero_invoice_number",
        "label": "Xero invoice number",
        "type": "string",
        "fieldType": "text",
        "groupName": "dealinformation",
    }
    status, created = _json(emulator, "POST", "/crm/v3/properties/deals", body=new)
    assert status == 201 and created["name"] == "xero_invoice_number" and created["hubspotDefined"] is False
    assert _json(emulator, "POST", "/crm/v3/properties/deals", body=new)[0] == 409
    status, bad = _json(
        emulator, "POST", "/crm/v3/properties/deals", body={**new, "name": "x2", "fieldType": "date"}
    )
    assert status == 400 and bad["errors"][0]["code"] == "INVALID_FIELD_TYPE"
    status, _ = _json(
        emulator, "PATCH", "/crm/v3/objects/deals/1", body={"properties": {"xero_invoice_number": "INV-0042"}}
    )
    assert status == 200
    state = emulator.export_state()
    fresh, _ = make_emulator()
    fresh.import_state(state)
    _, read = _json(fresh, "GET", "/crm/v3/objects/deals/1", "properties=xero_invoice_number")
    assert read["properties"]["xero_invoice_number"] == "INV-0042"


def test_pipelines_and_owners() -> None:
    emulator, _ = make_emulator()
    _, pipelines = _json(emulator, "GET", "/crm/v3/pipelines/deals")
    assert [p["id"] for p in pipelines["results"]] == ["default", "555"]
    won = pipelines["results"][0]["stages"][1]
    assert won["id"] == "closedwon" and won["metadata"] == {"isClosed": "true", "probability": "1.0"}
    _, owners = _json(emulator, "GET", "/crm/v3/owners/")
    assert [o["email"] for o in owners["results"]] == ["ann@example.co.uk"]
    _, archived = _json(emulator, "GET", "/crm/v3/owners", "archived=true")
    assert [o["archived"] for o in archived["results"]] == [True]


def test_unknown_paths_methods_and_object_types_answer_in_hubspots_shape() -> None:
    emulator, _ = make_emulator()
    assert _json(emulator, "GET", "/crm/v3/nowhere")[0] == 404
    assert _json(emulator, "PUT", "/crm/v3/objects/deals/1")[0] == 405
    assert _json(emulator, "DELETE", "/crm/v3/objects/deals/1")[0] == 501
    status, body = _json(emulator, "GET", "/crm/v3/objects/widgets")
    assert status == 400 and "widgets" in body["message"]
