"""HubSpot's raw records to canonical rows: labels for custom properties and options, won from the
calculation, primary associations first, the newest copy of a record seen twice, readable errors."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from workbench.errors import MalformedResponse
from workbench.hubspot.canonicalise import canonical_batch


def _object(object_id: str, updated: str = "2026-03-01T10:00:00.000Z", **properties: Any) -> dict[str, Any]:
    return {
        "id": object_id,
        "properties": properties,
        "createdAt": "2025-01-02T03:04:05.000Z",
        "updatedAt": updated,
        "archived": False,
    }


def _definition(
    name: str, label: str, kind: str = "string", *, custom: bool = True, **extra: Any
) -> dict[str, Any]:
    return {
        "name": name,
        "label": label,
        "type": kind,
        "fieldType": extra.pop("field_type", "text"),
        "groupName": "g",
        "hubspotDefined": not custom,
        **extra,
    }


PAGES: dict[str, list[dict[str, Any]]] = {
    "owners": [{"id": "7", "email": "ann@x.co.uk", "firstName": "Ann", "lastName": "Lee", "archived": False}],
    "pipelines": [
        {
            "id": "p1",
            "label": "Renewals",
            "displayOrder": 0,
            "stages": [
                {
                    "id": "s-open",
                    "label": "Open",
                    "displayOrder": 0,
                    "metadata": {"isClosed": "false", "probability": "0.5"},
                },
                {
                    "id": "s-won",
                    "label": "Renewed",
                    "displayOrder": 1,
                    "metadata": {"isClosed": "true", "probability": "1.0"},
                },
                {
                    "id": "s-lost",
                    "label": "Gone",
                    "displayOrder": 2,
                    "metadata": {"isClosed": "true", "probability": "0.0"},
                },
            ],
        }
    ],
    "company_properties": [
        _definition("name", "Name", custom=False),
        _definition("vat_reg", "VAT Reg No"),
        _definition(
            "sector",
            "Sector",
            "enumeration",
            field_type="select",
            options=[{"label": "Construction", "value": "construction"}],
        ),
    ],
    "deal_properties": [
        _definition(
            "vat_treatment",
            "VAT treatment",
            "enumeration",
            field_type="select",
            options=[{"label": "Domestic reverse charge", "value": "drc"}],
        )
    ],
    "line_item_properties": [_definition("vat_rate", "VAT rate", "number")],
    "companies": [
        _object("10", name="Old Name", sector="construction"),
        _object(
            "10",
            "2026-03-02T10:00:00.000Z",
            name="New Name Ltd",
            vat_reg="GB123456789",
            sector="construction",
            address="1 High St",
            city="Leeds",
            zip="LS1 1AA",
            country="United Kingdom",
            hubspot_owner_id="7",
        ),
    ],
    "contacts": [
        _object(
            "20",
            firstname="Jo",
            lastname="Bloggs",
            email="jo@newname.co.uk",
            hs_additional_emails="jo.b@gmail.com;accounts@newname.co.uk",
        )
    ],
    "deals": [
        _object(
            "30",
            dealname="Won by stage",
            amount="1200.10",
            dealstage="s-won",
            pipeline="p1",
            hs_is_closed_won="true",
            hs_is_closed="true",
            closedate="2026-02-01T12:00:00Z",
            vat_treatment="drc",
        ),
        _object(
            "31",
            dealname="Lost",
            amount="10",
            dealstage="s-lost",
            hs_is_closed_won="false",
            hs_is_closed="true",
            closedate="1767268800000",
        ),
        {**_object("32", dealname="Archived"), "archived": True},
    ],
    "contact_companies": [
        {"from": "20", "to": [{"id": "11", "types": [279]}, {"id": "10", "types": [1, 279]}]}
    ],
    "deal_companies": [{"from": "30", "to": [{"id": "10", "types": [5, 341]}]}],
    "deal_line_items": [{"from": "30", "to": [{"id": "40", "types": [19]}]}],
    "line_items": [
        _object(
            "40",
            name="Day rate",
            quantity="2",
            price="600.05",
            amount="1200.10",
            hs_discount_percentage="0",
            vat_rate="20",
            hs_product_id="50",
        )
    ],
}


def test_rows_read_hubspot_names_labels_and_calculations() -> None:
    batch = canonical_batch(PAGES)
    (org,) = batch.rows["organisations"]
    assert org["name"] == "New Name Ltd" and org["vat_number"] == "GB123456789"
    assert org["custom_fields"] == {"VAT Reg No": "GB123456789", "Sector": "Construction"}
    assert org["address"] == "1 High St, Leeds LS1 1AA, United Kingdom" and org["owner_name"] == "Ann Lee"
    assert org["email_domain"] == "newname.co.uk"  # no domain property: from its people's business emails
    (person,) = batch.rows["people"]
    assert person["org_id"] == "10"  # the primary company, though another is associated too
    assert person["emails"] == ["jo@newname.co.uk", "jo.b@gmail.com", "accounts@newname.co.uk"]
    deals = {d["deal_id"]: d for d in batch.rows["deals"]}
    assert deals["30"]["status"] == "won" and deals["30"]["value"] == Decimal("1200.10")
    assert deals["30"]["custom_fields"] == {"VAT treatment": "Domestic reverse charge"}
    assert deals["30"]["stage_name"] == "Renewed" and deals["30"]["org_id"] == "10"
    assert deals["31"]["status"] == "lost" and deals["31"]["lost_time"] == datetime(
        2026, 1, 1, 12, tzinfo=UTC
    )
    assert deals["32"]["status"] == "deleted" and deals["32"]["is_deleted"]
    (line,) = batch.rows["deal_lines"]
    assert (
        line["deal_id"] == "30"
        and line["tax_percent"] == Decimal("20")
        and line["line_total"] == Decimal("1200.10")
    )
    stages = {s["stage_id"]: s["deal_probability"] for s in batch.rows["stages"]}
    assert stages == {"s-open": 50, "s-won": 100, "s-lost": 0}
    fields = {(f["entity"], f["field_key"]): f for f in batch.rows["crm_fields"]}
    assert fields[("company", "sector")]["options"] == [{"id": "construction", "label": "Construction"}]
    assert not fields[("company", "name")]["is_custom"]


def test_an_incremental_batch_replaces_the_lines_of_the_deals_it_read() -> None:
    batch = canonical_batch(PAGES, incremental=True, previous=lambda table: [])
    assert batch.replace["deal_lines"] == ("deal_id", {"30", "31", "32"})
    assert batch.complete == {"crm_users", "stages", "crm_fields"}


def test_an_unreadable_record_is_named_with_its_field() -> None:
    broken = {**PAGES, "deals": [_object("77", amount="twelve pounds")]}
    with pytest.raises(MalformedResponse) as raised:
        canonical_batch(broken)
    assert "'77'" in str(raised.value) and "amount" in str(raised.value)
