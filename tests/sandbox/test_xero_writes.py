"""Xero emulator writes: batches, summarizeErrors, validation, status rules, idempotency, rounding."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.sandbox.xero_factory import CONTACT_IDS, small_tenant
from tests.sandbox.xero_harness import XeroHarness


@pytest.fixture
def xero() -> XeroHarness:
    return XeroHarness(small_tenant(invoices=20))


def draft(reference: str, **overrides: object) -> dict:
    invoice = {
        "Type": "ACCREC",
        "Contact": {"ContactID": CONTACT_IDS[0]},
        "Date": "2026-11-20",
        "DueDate": "2026-12-20",
        "Reference": reference,
        "LineAmountTypes": "Exclusive",
        "Status": "DRAFT",
        "LineItems": [
            {
                "Description": "Implementation",
                "Quantity": 1,
                "UnitAmount": 1000,
                "AccountCode": "200",
                "TaxType": "OUTPUT2",
            }
        ],
    }
    invoice.update(overrides)
    return invoice


def stored_references(xero: XeroHarness) -> list[str]:
    invoices = xero.call("GET", "Invoices", {"page": 1, "pageSize": 1000}).payload()["Invoices"]
    return [i.get("Reference") for i in invoices]


def test_put_creates_a_draft_with_xero_totals_and_a_number(xero: XeroHarness) -> None:
    body = xero.call(
        "PUT", "Invoices", {"summarizeErrors": "false"}, {"Invoices": [draft("PD-9001")]}
    ).payload()
    created = body["Invoices"][0]
    assert created["StatusAttributeString"] == "OK" and created["Status"] == "DRAFT"
    assert created["InvoiceNumber"] == "INV-00021"
    assert (created["SubTotal"], created["TotalTax"], created["Total"]) == (1000.0, 200.0, 1200.0)
    assert created["Contact"]["Name"] == "Customer 01 Ltd"
    assert "PD-9001" in stored_references(xero)


def test_tax_is_rounded_per_line_then_summed(xero: XeroHarness) -> None:
    lines = [
        {
            "Description": f"Line {n}",
            "Quantity": 1,
            "UnitAmount": "10.33",
            "AccountCode": "200",
            "TaxType": "OUTPUT2",
        }
        for n in range(3)
    ]
    created = xero.call(
        "PUT", "Invoices", {"summarizeErrors": "false"}, {"Invoices": [draft("PD-R", LineItems=lines)]}
    ).payload()["Invoices"][0]
    # per line: 10.33 * 20% = 2.066 -> 2.07, three lines 6.21; on the total it would be 30.99 * 20% = 6.20
    assert created["TotalTax"] == 6.21 and created["Total"] == 37.20
    inclusive = xero.call(
        "PUT",
        "Invoices",
        {"summarizeErrors": "false"},
        {
            "Invoices": [
                draft("PD-I", LineAmountTypes="Inclusive", LineItems=[{**lines[0], "UnitAmount": 120}])
            ]
        },
    ).payload()["Invoices"][0]
    assert (inclusive["SubTotal"], inclusive["TotalTax"], inclusive["Total"]) == (100.0, 20.0, 120.0)


@pytest.mark.parametrize(
    "change,message",
    [
        (
            {
                "LineItems": [
                    {
                        "Description": "x",
                        "Quantity": 1,
                        "UnitAmount": 5,
                        "AccountCode": "200",
                        "TaxType": "BOGUS",
                    }
                ]
            },
            "The TaxType code 'BOGUS' does not exist",
        ),
        (
            {
                "LineItems": [
                    {
                        "Description": "x",
                        "Quantity": 1,
                        "UnitAmount": 5,
                        "AccountCode": "200",
                        "TaxType": "CAPEXOUTPUT",
                    }
                ]
            },
            "is not active",
        ),
        (
            {"LineItems": [{"Description": "x", "Quantity": 1, "UnitAmount": 5, "AccountCode": "999"}]},
            "Account code '999' is not a valid code",
        ),
        (
            {"LineItems": [{"Description": "x", "Quantity": 1, "UnitAmount": 5, "AccountCode": "205"}]},
            "has been archived",
        ),
        (
            {
                "LineItems": [
                    {
                        "Description": "x",
                        "Quantity": 1,
                        "UnitAmount": 5,
                        "AccountCode": "200",
                        "TaxType": "INPUT2",
                    }
                ]
            },
            "cannot be used with account code '200'",
        ),
        ({"Contact": None}, "A Contact must be specified"),
        ({"Contact": {"ContactID": "00000000-0000-0000-0000-0000000000ff"}}, "could not be found"),
        ({"Date": "2026-13-45"}, "is not a valid date"),
        ({"CurrencyCode": "JPY"}, "not subscribed to currency JPY"),
        ({"Status": "AUTHORISED", "DueDate": None}, "Due Date is required"),
    ],
)
def test_validation_errors_per_element_with_summarize_errors_false(
    xero: XeroHarness, change: dict, message: str
) -> None:
    batch = {"Invoices": [draft("PD-GOOD"), draft("PD-BAD", **change)]}
    body = xero.call("PUT", "Invoices", {"summarizeErrors": "false"}, batch).payload()
    good, bad = body["Invoices"]
    assert good["StatusAttributeString"] == "OK"
    assert bad["StatusAttributeString"] == "ERROR" and bad["HasErrors"] is True
    assert any(message in e["Message"] for e in bad["ValidationErrors"]), bad["ValidationErrors"]
    references = stored_references(xero)
    assert "PD-GOOD" in references and "PD-BAD" not in references


def test_default_batch_is_a_400_that_still_keeps_the_valid_elements(xero: XeroHarness) -> None:
    batch = {"Invoices": [draft("PD-KEPT"), draft("PD-REFUSED", Contact=None)]}
    body = xero.call("PUT", "Invoices", None, batch, expect=400).payload()
    assert body["Type"] == "ValidationException" and body["ErrorNumber"] == 10
    assert [e["Reference"] for e in body["Elements"]] == ["PD-REFUSED"]
    assert body["Elements"][0]["ValidationErrors"][0]["Message"].startswith("A Contact must be specified")
    assert "PD-KEPT" in stored_references(xero)  # Xero's trap: the valid element was created, its id unseen


def test_status_transitions(xero: XeroHarness) -> None:
    created = xero.call(
        "PUT", "Invoices", {"summarizeErrors": "false"}, {"Invoices": [draft("PD-S")]}
    ).payload()["Invoices"][0]
    invoice_id = created["InvoiceID"]
    approved = xero.call(
        "POST",
        f"Invoices/{invoice_id}",
        {"summarizeErrors": "false"},
        {"Invoices": [{"Status": "AUTHORISED"}]},
    ).payload()["Invoices"][0]
    assert approved["Status"] == "AUTHORISED"
    back = xero.call(
        "POST", f"Invoices/{invoice_id}", {"summarizeErrors": "false"}, {"Invoices": [{"Status": "DRAFT"}]}
    ).payload()["Invoices"][0]
    assert back["StatusAttributeString"] == "ERROR"
    assert "from AUTHORISED to DRAFT" in back["ValidationErrors"][0]["Message"]
    voided = xero.call(
        "POST", f"Invoices/{invoice_id}", {"summarizeErrors": "false"}, {"Invoices": [{"Status": "VOIDED"}]}
    ).payload()["Invoices"][0]
    assert voided["Status"] == "VOIDED"
    again = xero.call("POST", f"Invoices/{invoice_id}", None, {"Invoices": [{"Status": "DRAFT"}]}, expect=400)
    assert again.payload()["Elements"][0]["ValidationErrors"][0]["Message"] == (
        "Invoice not of valid status for modification"
    )


def test_put_with_an_existing_invoice_number_is_refused(xero: XeroHarness) -> None:
    body = xero.call(
        "PUT",
        "Invoices",
        {"summarizeErrors": "false"},
        {"Invoices": [draft("PD-N", InvoiceNumber="INV-00003")]},
    ).payload()
    assert body["Invoices"][0]["ValidationErrors"][0]["Message"] == "Invoice # must be unique."


def test_idempotency_key_replays_and_refuses_a_different_request(xero: XeroHarness) -> None:
    key = {"Idempotency-Key": "deal-4242-attempt"}
    first = xero.call(
        "PUT", "Invoices", {"summarizeErrors": "false"}, {"Invoices": [draft("PD-4242")]}, headers=key
    ).payload()
    replay = xero.call(
        "PUT", "Invoices", {"summarizeErrors": "false"}, {"Invoices": [draft("PD-4242")]}, headers=key
    ).payload()
    assert replay["Invoices"][0]["InvoiceID"] == first["Invoices"][0]["InvoiceID"]
    assert stored_references(xero).count("PD-4242") == 1
    other = xero.call(
        "PUT",
        "Invoices",
        {"summarizeErrors": "false"},
        {"Invoices": [draft("PD-OTHER")]},
        headers=key,
        expect=400,
    ).payload()
    assert "is used with a different request" in other["Message"]
    xero.clock.advance(6 * 60 + 1)
    later = xero.call(
        "PUT", "Invoices", {"summarizeErrors": "false"}, {"Invoices": [draft("PD-4242")]}, headers=key
    ).payload()
    assert later["Invoices"][0]["InvoiceID"] != first["Invoices"][0]["InvoiceID"]  # the window is 6 minutes


def test_contacts_unique_active_name_email_and_upsert(xero: XeroHarness) -> None:
    body = xero.call(
        "PUT",
        "Contacts",
        {"summarizeErrors": "false"},
        {
            "Contacts": [
                {"Name": "Brand New Ltd", "EmailAddress": "accounts@brandnew.co.uk"},
                {"Name": "Customer 02 Ltd"},
                {"Name": "Bad Email Ltd", "EmailAddress": "not-an-email"},
            ]
        },
    ).payload()["Contacts"]
    assert [c["StatusAttributeString"] for c in body] == ["OK", "ERROR", "ERROR"]
    assert "must be unique across all active contacts" in body[1]["ValidationErrors"][0]["Message"]
    assert body[2]["ValidationErrors"][0]["Message"] == "Email address must be valid."
    updated = xero.call(
        "POST",
        "Contacts",
        {"summarizeErrors": "false"},
        {"Contacts": [{"ContactID": body[0]["ContactID"], "TaxNumber": "GB123456789"}]},
    ).payload()["Contacts"][0]
    assert updated["TaxNumber"] == "GB123456789" and updated["Name"] == "Brand New Ltd"


def test_money_stays_exact_in_storage(xero: XeroHarness) -> None:
    xero.call(
        "PUT",
        "Invoices",
        {"summarizeErrors": "false"},
        {
            "Invoices": [
                draft(
                    "PD-EXACT",
                    LineItems=[
                        {
                            "Description": "a",
                            "Quantity": "3",
                            "UnitAmount": "0.1",
                            "AccountCode": "200",
                            "TaxType": "OUTPUT2",
                        }
                    ],
                )
            ]
        },
    )
    store = next(iter(xero.emulator.stores.values()))
    stored = next(i for i in store.collections["Invoices"].values() if i.get("Reference") == "PD-EXACT")
    assert stored["SubTotal"] == Decimal("0.30") and stored["TotalTax"] == Decimal("0.06")
