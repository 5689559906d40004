"""Xero emulator reads: envelopes, paging, filters, If-Modified-Since, single records; spec-validated."""

from __future__ import annotations

import pytest

from tests.sandbox.xero_factory import CONTACT_IDS, small_tenant
from tests.sandbox.xero_harness import XeroHarness


@pytest.fixture
def xero() -> XeroHarness:
    return XeroHarness(small_tenant())


@pytest.mark.parametrize(
    "resource,collection",
    [
        ("Organisation", "Organisations"),
        ("TaxRates", "TaxRates"),
        ("Accounts", "Accounts"),
        ("Items", "Items"),
        ("Currencies", "Currencies"),
        ("CreditNotes", "CreditNotes"),
        ("Payments", "Payments"),
    ],
)
def test_reference_collections_validate(xero: XeroHarness, resource: str, collection: str) -> None:
    body = xero.call("GET", resource).payload()
    assert body["Status"] == "OK" and body["DateTimeUTC"].startswith("/Date(")
    assert isinstance(body[collection], list)


def test_invoices_page_through_every_record_once_with_lines(xero: XeroHarness) -> None:
    seen: list[str] = []
    page = 1
    while True:
        body = xero.call("GET", "Invoices", {"page": page, "pageSize": 100}).payload()
        seen += [i["InvoiceID"] for i in body["Invoices"]]
        assert all("LineItems" in i and i["LineItems"] for i in body["Invoices"])
        if page >= body["pagination"]["pageCount"]:
            break
        page += 1
    assert body["pagination"] == {"page": 3, "pageSize": 100, "pageCount": 3, "itemCount": 250}
    assert len(seen) == len(set(seen)) == 250
    first = xero.call("GET", "Invoices", {"page": 1}).payload()["Invoices"][0]
    assert first["Date"].startswith("/Date(") and first["Date"].endswith("+0000)/")
    assert first["Contact"]["Name"].startswith("Customer")


def test_unpaged_invoice_list_has_no_lines_and_page_size_is_capped(xero: XeroHarness) -> None:
    body = xero.call("GET", "Invoices").payload()
    assert len(body["Invoices"]) == 250 and "pagination" not in body
    assert all("LineItems" not in i for i in body["Invoices"])
    capped = xero.call("GET", "Invoices", {"page": 1, "pageSize": 5000}).payload()
    assert capped["pagination"]["pageSize"] == 1000


@pytest.mark.parametrize(
    "where,expected",
    [
        ('Reference=="PD-1007"', {"INV-00007"}),
        ('Type=="ACCREC" AND Status=="DRAFT"', None),
        (f'Contact.ContactID==Guid("{CONTACT_IDS[5]}")', None),
        ("Date>=DateTime(2025, 12, 01)", None),
    ],
)
def test_where_filters(xero: XeroHarness, where: str, expected: set[str] | None) -> None:
    invoices = xero.call("GET", "Invoices", {"where": where, "page": 1, "pageSize": 1000}).payload()[
        "Invoices"
    ]
    assert invoices
    if expected is not None:
        assert {i["InvoiceNumber"] for i in invoices} == expected
    all_invoices = {i["InvoiceID"]: i for i in xero.tenant.invoices}
    for invoice in invoices:
        stored = all_invoices[invoice["InvoiceID"]]
        if "DRAFT" in where:
            assert stored["Status"] == "DRAFT"
        if "ContactID" in where:
            assert stored["Contact"]["ContactID"] == CONTACT_IDS[5]
        if "DateTime" in where:
            assert stored["Date"].isoformat() >= "2025-12-01"


def test_list_parameters_and_order(xero: XeroHarness) -> None:
    by_number = xero.call("GET", "Invoices", {"InvoiceNumbers": "INV-00003,INV-00004"}).payload()["Invoices"]
    assert sorted(i["InvoiceNumber"] for i in by_number) == ["INV-00003", "INV-00004"]
    statuses = xero.call("GET", "Invoices", {"Statuses": "PAID,VOIDED"}).payload()["Invoices"]
    assert {i["Status"] for i in statuses} == {"PAID", "VOIDED"}
    ordered = xero.call("GET", "Invoices", {"order": "InvoiceNumber DESC", "page": 1}).payload()["Invoices"]
    assert ordered[0]["InvoiceNumber"] == "INV-00250"
    by_contact = xero.call("GET", "Invoices", {"ContactIDs": CONTACT_IDS[1]}).payload()["Invoices"]
    assert by_contact and all(i["Contact"]["ContactID"] == CONTACT_IDS[1] for i in by_contact)


def test_bad_where_is_a_400_in_xeros_error_shape(xero: XeroHarness) -> None:
    body = xero.call(
        "GET", "Invoices", {"where": 'Status=="DRAFT" AND'}, expect=400, error_schema="Error"
    ).payload()
    assert body["Type"] == "QueryParseException"


def test_if_modified_since_returns_only_later_changes(xero: XeroHarness) -> None:
    since = "2026-09-01T00:00:00"
    body = xero.call("GET", "Invoices", {"page": 1, "pageSize": 1000}, headers={"If-Modified-Since": since})
    returned = body.payload()["Invoices"]
    expected = [i for i in xero.tenant.invoices if i["UpdatedDateUTC"].isoformat() >= "2026-09-01"]
    assert len(returned) == len(expected) > 0


def test_contacts_archived_hidden_unless_asked_and_summary_only(xero: XeroHarness) -> None:
    active = xero.call("GET", "Contacts", {"page": 1}).payload()["Contacts"]
    everyone = xero.call("GET", "Contacts", {"page": 1, "includeArchived": "true"}).payload()["Contacts"]
    assert len(active) == 29 and len(everyone) == 30
    summary = xero.call("GET", "Contacts", {"summaryOnly": "true"}).payload()["Contacts"]
    assert all("Addresses" not in c for c in summary)
    by_ids = xero.call("GET", "Contacts", {"IDs": ",".join(CONTACT_IDS[:3])}).payload()["Contacts"]
    assert {c["ContactID"] for c in by_ids} == set(CONTACT_IDS[:3])


def test_single_records_and_not_found(xero: XeroHarness) -> None:
    contact = xero.call("GET", f"Contacts/{CONTACT_IDS[1]}").payload()["Contacts"][0]
    assert "Balances" in contact and contact["Balances"]["AccountsReceivable"]["Outstanding"] > 0
    invoice = xero.call("GET", "Invoices/INV-00002").payload()["Invoices"][0]
    assert invoice["InvoiceNumber"] == "INV-00002" and invoice["LineItems"]
    assert (
        xero.call("GET", f"Invoices/{invoice['InvoiceID']}").payload()["Invoices"][0]["Total"]
        == invoice["Total"]
    )
    xero.call("GET", "Invoices/00000000-0000-0000-0000-00000000dead", expect=404)
    assert xero.call("GET", "TaxRates/OUTPUT2").payload()["TaxRates"][0]["TaxType"] == "OUTPUT2"
