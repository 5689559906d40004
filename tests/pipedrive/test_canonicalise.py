"""Raw Pipedrive records to canonical rows: custom-field hashes to names, well-known columns, domains."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from workbench.errors import MalformedResponse
from workbench.pipedrive.canonicalise import (
    canonical_batch,
    normalise_field_name,
    people_domain,
    website_domain,
)

VAT = "f" * 40
XERO = "e" * 40
COMPANY_NO = "d" * 40
SECTOR = "c" * 40
PRIORITY = "b" * 40
TAGS = "a" * 40
BUDGET = "9" * 40


def field(code: str, name: str, kind: str = "varchar", options: list[str] | None = None) -> dict[str, Any]:
    return {
        "field_code": code,
        "field_name": name,
        "field_type": kind,
        "is_custom_field": True,
        "options": [{"id": n, "label": label} for n, label in enumerate(options or [], start=1)] or None,
    }


def pages(**overrides: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    base: dict[str, list[dict[str, Any]]] = {
        "users": [{"id": 1, "name": "Olivia Owner", "email": "o@acme.example", "active_flag": True}],
        "pipelines": [{"id": 1, "name": "Sales"}],
        "stages": [{"id": 4, "name": "Proposal", "pipeline_id": 1, "order_nr": 2, "deal_probability": 60}],
        "organization_fields": [
            {"field_code": "name", "field_name": "Name", "field_type": "varchar", "is_custom_field": False},
            field(VAT, "VAT number"),
            field(XERO, " Xero  ContactID "),
            field(COMPANY_NO, "company NUMBER"),
            field(SECTOR, "Sector", "enum", ["Retail", "Construction"]),
        ],
        "deal_fields": [
            field(PRIORITY, "Priority", "enum", ["Low", "Medium", "High"]),
            field(TAGS, "Tags", "set", ["Retainer", "Project"]),
            field(BUDGET, "Budget", "monetary"),
        ],
        "person_fields": [],
        "product_fields": [],
        "products": [{"id": 7, "name": "Audit", "code": "AUD-1", "tax": 20, "prices": [{"price": 99.99}]}],
        "organizations": [
            {
                "id": 10,
                "name": "Acme Ltd",
                "owner_id": 1,
                "website": "https://www.Acme.co.uk/about",
                "address": {
                    "value": "1 High St, Leeds LS1 1AA",
                    "locality": "Leeds",
                    "postal_code": "LS1 1AA",
                    "country": "United Kingdom",
                },
                "update_time": "2026-03-01T10:00:00Z",
                "custom_fields": {
                    VAT: " GB123456789 ",
                    XERO: "5b1f0c54-6f0e-4c4e-9d7e-1c9b8f2f3a11",
                    COMPANY_NO: "01234567",
                    SECTOR: 2,
                },
            },
            {"id": 11, "name": "No Site Ltd", "custom_fields": {VAT: None, SECTOR: None}},
        ],
        "persons": [
            {
                "id": 20,
                "name": "Ann Lee",
                "org_id": 11,
                "emails": [
                    {"value": "ann@gmail.com", "primary": False},
                    {"value": "ann@nosite.co.uk", "primary": True},
                ],
            },
            {
                "id": 21,
                "name": "Bo Ray",
                "org_id": 11,
                "emails": [{"value": "bo@nosite.co.uk", "primary": True}],
            },
        ],
        "deals": [
            {
                "id": 30,
                "title": "Audit 2026",
                "owner_id": 1,
                "org_id": 10,
                "pipeline_id": 1,
                "stage_id": 4,
                "status": "won",
                "value": 1500.1,
                "currency": "GBP",
                "won_time": "2026-03-02T11:00:00Z",
                "update_time": "2026-03-02T11:00:00Z",
                "custom_fields": {PRIORITY: 3, TAGS: [1, 2], BUDGET: {"value": 2000.5, "currency": "GBP"}},
            },
            {"id": 31, "title": "Gone", "status": "deleted", "is_deleted": True},
        ],
        "deal_products": [
            {
                "id": 40,
                "deal_id": 30,
                "product_id": 7,
                "name": "Audit",
                "quantity": 2,
                "item_price": 750.05,
                "sum": 1500.1,
                "tax": 20,
                "discount": 0,
                "discount_type": "percentage",
                "tax_method": "exclusive",
                "currency": "GBP",
            },
        ],
    }
    base.update(overrides)
    return base


def one(rows: list[dict[str, Any]], key: str, value: str) -> dict[str, Any]:
    return next(r for r in rows if r[key] == value)


def test_custom_field_hashes_resolve_to_names_and_option_labels() -> None:
    rows = canonical_batch(pages()).rows
    acme = one(rows["organisations"], "org_id", "10")
    assert acme["custom_fields"]["VAT number"] == " GB123456789 "
    assert acme["custom_fields"]["Sector"] == "Construction"
    assert VAT not in acme["custom_fields"]
    deal = one(rows["deals"], "deal_id", "30")
    assert deal["custom_fields"] == {
        "Priority": "High",
        "Tags": ["Retainer", "Project"],
        "Budget": {"value": Decimal("2000.5"), "currency": "GBP"},
    }
    assert one(rows["organisations"], "org_id", "11")["custom_fields"] == {}  # unset fields are left out


def test_well_known_organisation_fields_get_their_own_columns_whatever_the_spelling() -> None:
    acme = one(canonical_batch(pages()).rows["organisations"], "org_id", "10")
    assert acme["vat_number"] == "GB123456789"
    assert acme["xero_contact_id"] == "5b1f0c54-6f0e-4c4e-9d7e-1c9b8f2f3a11"
    assert acme["company_number"] == "01234567"
    assert (
        normalise_field_name("Xero contact ID") == normalise_field_name(" xero ContactID") == "xerocontactid"
    )


def test_unknown_hashes_are_kept_unresolved() -> None:
    stray = "0" * 40
    org = {"id": 12, "name": "Stray", "custom_fields": {stray: "x"}}
    rows = canonical_batch(pages(organizations=[org])).rows
    assert rows["organisations"][0]["custom_fields"] == {stray: "x"}


def test_organisation_columns_and_email_domain_from_website_or_people() -> None:
    rows = canonical_batch(pages()).rows
    acme = one(rows["organisations"], "org_id", "10")
    assert (acme["email_domain"], acme["city"], acme["postcode"], acme["owner_name"]) == (
        "acme.co.uk", "Leeds", "LS1 1AA", "Olivia Owner")  # fmt: skip
    assert acme["updated_at"] == datetime(2026, 3, 1, 10, tzinfo=UTC)
    assert one(rows["organisations"], "org_id", "11")["email_domain"] == "nosite.co.uk"  # gmail.com ignored


@pytest.mark.parametrize(
    ("website", "domain"),
    [("acme.co.uk", "acme.co.uk"), ("http://WWW.acme.com:8080/x", "acme.com"), ("n/a", None), ("", None)],
)
def test_website_domain(website: str, domain: str | None) -> None:
    assert website_domain(website) == domain


def test_people_domain_prefers_the_most_common_business_domain() -> None:
    assert people_domain(["a@x.com", "b@y.com", "c@y.com", "d@gmail.com", "e@gmail.com"]) == "y.com"
    assert people_domain(["a@hotmail.co.uk"]) is None


def test_people_rows_carry_primary_and_all_emails() -> None:
    ann = one(canonical_batch(pages()).rows["people"], "person_id", "20")
    assert ann["email"] == "ann@nosite.co.uk" and ann["emails"] == ["ann@gmail.com", "ann@nosite.co.uk"]
    assert ann["org_id"] == "11"


def test_deals_are_won_by_status_with_stage_pipeline_and_owner_names() -> None:
    rows = canonical_batch(pages()).rows
    won = one(rows["deals"], "deal_id", "30")
    assert won["is_won"] is True and won["value"] == Decimal("1500.1")
    assert (won["stage_name"], won["pipeline_name"], won["owner_name"]) == (
        "Proposal",
        "Sales",
        "Olivia Owner",
    )
    gone = one(rows["deals"], "deal_id", "31")
    assert gone["is_deleted"] is True and gone["status"] == "deleted" and gone["is_won"] is False
    stage = rows["stages"][0]
    assert (stage["stage_id"], stage["pipeline_name"], stage["deal_probability"]) == ("4", "Sales", 60)


def test_deal_lines_carry_product_codes_and_exact_money() -> None:
    line = canonical_batch(pages()).rows["deal_lines"][0]
    assert line["product_code"] == "AUD-1" and line["unit_price"] == Decimal("750.05")
    assert line["line_total"] == Decimal("1500.1") and line["tax_percent"] == Decimal("20")


def test_field_rows_list_every_entity_with_options() -> None:
    fields = canonical_batch(pages()).rows["crm_fields"]
    priority = one(fields, "field_key", PRIORITY)
    assert priority["entity"] == "deal" and priority["is_custom"] is True
    assert priority["options"] == [{"id": 1, "label": "Low"}, {"id": 2, "label": "Medium"},
                                   {"id": 3, "label": "High"}]  # fmt: skip


def test_incremental_batches_replace_the_lines_of_changed_deals_and_whole_reference_tables() -> None:
    full = canonical_batch(pages())
    assert "deal_lines" not in full.replace
    incremental = canonical_batch(pages(), incremental=True)
    assert incremental.replace["deal_lines"] == ("deal_id", {"30", "31"})
    assert incremental.complete == full.complete == {"crm_users", "stages", "crm_fields"}


def test_incremental_batches_look_up_unchanged_people_and_products_in_the_previous_snapshot() -> None:
    previous = {
        "people": [{"person_id": "20", "org_id": "11", "emails": ["ann@nosite.co.uk"], "is_deleted": False}],
        "products": [{"product_id": "7", "code": "AUD-1"}],
    }
    changed = pages(persons=[], products=[])
    rows = canonical_batch(changed, incremental=True, previous=lambda table: previous.get(table, [])).rows
    assert one(rows["organisations"], "org_id", "11")["email_domain"] == "nosite.co.uk"
    assert rows["deal_lines"][0]["product_code"] == "AUD-1"
    without = canonical_batch(changed, incremental=True).rows
    assert one(without["organisations"], "org_id", "11")["email_domain"] is None


def test_a_record_seen_twice_keeps_its_newest_version() -> None:
    older = {"id": 30, "title": "Old", "update_time": "2026-03-01T00:00:00Z"}
    newer = {"id": 30, "title": "New", "update_time": "2026-03-02T00:00:00Z"}
    assert [d["title"] for d in canonical_batch(pages(deals=[newer, older])).rows["deals"]] == ["New"]


def test_an_unreadable_record_is_named_by_endpoint_id_and_field() -> None:
    with pytest.raises(MalformedResponse, match=r"deals record 30 .*'value'"):
        canonical_batch(pages(deals=[{"id": 30, "value": "lots"}]))
