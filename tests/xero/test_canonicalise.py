"""Wire records -> canonical rows: every value has its column's type; lines replaced per invoice."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from tests.xero.support import xero_sandbox
from tests.xero.test_models import example
from workbench.canonical import TABLES, Row
from workbench.errors import MalformedResponse
from workbench.xero.canonicalise import canonicalise
from workbench.xero.source import ENDPOINTS

SPEC_PAGES = {e.name: e.resource for e in ENDPOINTS}


def assert_typed(table: str, rows: list[Row]) -> None:
    columns = TABLES[table].columns
    for row in rows:
        assert set(row) == set(columns), (table, set(columns) ^ set(row))
        for name, value in row.items():
            if value is None:
                continue
            kind = columns[name]
            where = (table, name, value)
            if kind == "decimal":
                assert isinstance(value, Decimal), where
            elif kind == "date":
                assert type(value) is date, where  # a calendar day, never a datetime
            elif kind == "datetime":
                assert isinstance(value, datetime) and value.utcoffset() == UTC.utcoffset(None), where
            elif kind == "bool":
                assert isinstance(value, bool), where
            elif kind == "int":
                assert isinstance(value, int) and not isinstance(value, bool), where
            elif kind == "json":
                assert isinstance(value, list | dict), where
            else:
                assert isinstance(value, str), where


def test_the_specs_examples_become_typed_rows_of_every_xero_table() -> None:
    pages = {name: example(resource) for name, resource in SPEC_PAGES.items()}
    pages["invoices"] += example("Invoices", "/Invoices/{InvoiceID}")  # lists carry no lines; this one does
    batch = canonicalise(pages)
    assert set(batch.rows) == {
        "xero_organisation",
        "currencies",
        "tax_rates",
        "accounts",
        "items",
        "xero_contacts",
        "invoices",
        "invoice_lines",
        "credit_notes",
        "payments",
    }
    for table, rows in batch.rows.items():
        assert rows, table
        assert_typed(table, rows)
    invoice = batch.rows["invoices"][0]
    assert invoice["date"] == date(2018, 10, 20) and isinstance(invoice["total"], Decimal)
    assert batch.replace == {
        "invoice_lines": ("invoice_id", {r["invoice_id"] for r in batch.rows["invoices"]})
    }


def test_the_sandbox_tenants_pages_become_typed_rows() -> None:
    sandbox = xero_sandbox()
    client = sandbox.xero_client()
    pages: dict[str, list[dict[str, Any]]] = {}
    for endpoint in ENDPOINTS:
        if endpoint.paged:
            pages[endpoint.name] = [r for p in client.iter_pages(endpoint.resource) for r in p.records]
        else:
            pages[endpoint.name] = client.get_all(endpoint.resource)
    sandbox.close()
    batch = canonicalise(pages)
    for table, rows in batch.rows.items():
        assert_typed(table, rows)
    assert {t: len(r) for t, r in batch.rows.items()} == sandbox.counts()
    first_invoice = sandbox.tenant.invoices[0]["InvoiceID"]
    (old,) = [r for r in batch.rows["invoices"] if r["invoice_id"] == first_invoice]
    assert old["date"] == date(1965, 3, 1)  # sent as a negative /Date(..)/


def test_contacts_take_the_postal_address_and_the_default_phone() -> None:
    record = {
        "ContactID": "c1",
        "Name": "Acme Ltd",
        "Addresses": [
            {"AddressType": "POBOX", "AddressLine1": "", "City": ""},
            {
                "AddressType": "STREET",
                "AddressLine1": "1 Main St",
                "AddressLine2": "Unit 4",
                "City": "York",
                "PostalCode": "YO1 7HH",
                "Country": "UK",
            },
        ],
        "Phones": [
            {"PhoneType": "MOBILE", "PhoneNumber": "07700 900000"},
            {
                "PhoneType": "DEFAULT",
                "PhoneNumber": "496000",
                "PhoneAreaCode": "01904",
                "PhoneCountryCode": "44",
            },
            {"PhoneType": "FAX", "PhoneNumber": ""},
        ],
        "AccountsReceivableTaxType": "OUTPUT2",
        "MergedToContactID": "c0",
        "UpdatedDateUTC": "/Date(1551399321043+0000)/",
    }
    (row,) = canonicalise({"contacts": [record]}).rows["xero_contacts"]
    assert (row["address"], row["city"], row["postcode"]) == ("1 Main St, Unit 4", "York", "YO1 7HH")
    assert row["phone"] == "+44 01904 496000"
    assert (row["sales_tax_type"], row["merged_to_contact_id"]) == ("OUTPUT2", "c0")
    assert row["updated_at"] == datetime(2019, 3, 1, 0, 15, 21, 43000, tzinfo=UTC)


def test_a_record_seen_on_two_pages_gives_one_row_the_later_copy() -> None:
    first = {"InvoiceID": "i1", "Status": "DRAFT", "LineItems": [{"LineItemID": "l1", "Description": "a"}]}
    later = {"InvoiceID": "i1", "Status": "AUTHORISED", "LineItems": [{"Description": "b"}]}
    batch = canonicalise({"invoices": [first, later]})
    assert [r["status"] for r in batch.rows["invoices"]] == ["AUTHORISED"]
    assert [(r["line_id"], r["position"]) for r in batch.rows["invoice_lines"]] == [("i1:1", 1)]


def test_only_the_endpoints_pulled_fill_tables() -> None:
    assert canonicalise({}).rows == {}
    assert set(canonicalise({"currencies": [{"Code": "GBP"}]}).rows) == {"currencies"}


def test_a_malformed_record_names_the_endpoint_record_and_field() -> None:
    with pytest.raises(MalformedResponse) as raised:
        canonicalise({"invoices": [{"InvoiceID": "i-42", "Total": "lots"}]})
    message = str(raised.value)
    assert "invoices" in message and "i-42" in message and "Total" in message
    with pytest.raises(MalformedResponse, match="ContactID"):
        canonicalise({"contacts": [{"Name": "no id"}]})
