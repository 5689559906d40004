"""Pulling the sandbox tenant through `XeroSource`: counts, calls vs minimum, incremental cursors."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import httpx
import pandas as pd
import pytest

from tests.xero.support import XeroSandbox, demo_sandbox, xero_sandbox
from workbench.canonical import TABLES
from workbench.errors import PullFailed
from workbench.pull.runner import pull
from workbench.store import Engagement
from workbench.xero.source import ENDPOINTS, XeroSource

RESOURCE = {e.name: e.resource for e in ENDPOINTS}
TABLE_OF = {
    "organisation": "xero_organisation",
    "currencies": "currencies",
    "tax_rates": "tax_rates",
    "accounts": "accounts",
    "items": "items",
    "contacts": "xero_contacts",
    "invoices": "invoices",
    "credit_notes": "credit_notes",
    "payments": "payments",
}


@pytest.fixture
def sandbox() -> Iterator[XeroSandbox]:
    built = xero_sandbox()
    yield built
    built.close()


@pytest.fixture
def engagement(tmp_path: Path) -> Iterator[Engagement]:
    with Engagement.open("acme", tmp_path) as opened:
        yield opened


def _sorted(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    key = list(TABLES[table].key)
    return frame.sort_values(key).reset_index(drop=True)


def _assert_full_pull_is_complete_and_minimal(sandbox: XeroSandbox, engagement: Engagement) -> None:
    result = pull(engagement, XeroSource(sandbox.xero_client()))
    assert result.mode == "full"
    counts = sandbox.counts()
    assert result.snapshot.counts == counts
    for report in result.endpoints:
        calls = len(sandbox.transport.api_calls(RESOURCE[report.name]))
        assert report.records == counts[TABLE_OF[report.name]], report.name
        assert calls == report.pages_fetched == report.minimum_calls, (report.name, calls, report)
    assert [r.name for r in result.endpoints] == [
        "organisation",
        "currencies",
        "tax_rates",
        "accounts",
        "items",
        "contacts",
        "invoices",
        "credit_notes",
        "payments",
    ]


def test_a_full_pull_gets_every_record_in_the_minimum_number_of_calls(
    sandbox: XeroSandbox, engagement: Engagement
) -> None:
    _assert_full_pull_is_complete_and_minimal(sandbox, engagement)
    by_resource = {r: len(sandbox.transport.api_calls(r)) for r in RESOURCE.values()}
    # 1,000 contacts is exactly one page (no empty second page); 2,300 invoices are three
    assert by_resource == {
        "Organisation": 1,
        "Currencies": 1,
        "TaxRates": 1,
        "Accounts": 1,
        "Items": 1,
        "Contacts": 1,
        "Invoices": 3,
        "CreditNotes": 1,
        "Payments": 1,
    }
    for call in sandbox.transport.api_calls():
        assert call.headers["xero-tenant-id"] == sandbox.tenant.tenant_id
        assert call.headers["accept"] == "application/json"
        assert "if-modified-since" not in call.headers
        if call.resource in ("Contacts", "Invoices", "CreditNotes", "Payments"):
            assert call.url.params["pageSize"] == "1000"
    assert all(c.url.params["includeArchived"] == "true" for c in sandbox.transport.api_calls("Contacts"))
    contacts = engagement.table("xero_contacts")
    assert "ARCHIVED" in set(contacts["status"])


def test_a_full_pull_of_the_generated_demo_client(engagement: Engagement) -> None:
    demo = demo_sandbox()
    if demo is None:
        pytest.skip("the demo generator (workbench.sandbox.demo) does not import yet")
    try:
        _assert_full_pull_is_complete_and_minimal(demo, engagement)
    finally:
        demo.close()


def test_canonical_tables_read_back_with_their_types(sandbox: XeroSandbox, engagement: Engagement) -> None:
    pull(engagement, sandbox.source())
    invoices = engagement.table("invoices").set_index("invoice_id")
    first = sandbox.tenant.invoices[0]
    row = invoices.loc[first["InvoiceID"]]
    assert isinstance(row["total"], Decimal) and row["total"] == first["Total"]
    assert row["date"] == pd.Timestamp(date(1965, 3, 1))  # a negative /Date(..)/ survived the trip
    dtype = invoices["updated_at"].dtype
    assert isinstance(dtype, pd.DatetimeTZDtype) and str(dtype.tz) == "UTC"
    lines = engagement.table("invoice_lines")
    assert len(lines) == len(sandbox.tenant.invoices)
    assert all(isinstance(v, Decimal) for v in lines["unit_amount"])
    notes = engagement.table("credit_notes").set_index("credit_note_id")
    allocated = notes.loc["50000000-0000-4000-8000-000000000001", "allocations"]
    assert Decimal(allocated[0]["amount"]) == Decimal("12.00") and allocated[0]["invoice_id"]
    contact = (
        engagement.table("xero_contacts").set_index("contact_id").loc["00000000-0000-4000-9000-000000000031"]
    )
    assert (contact["address"], contact["postcode"], contact["phone"]) == (
        "PO Box 31",
        "LS1 4AP",
        "0113 7946 0000",
    )


def test_an_incremental_pull_with_nothing_changed_costs_one_call_per_paged_endpoint(
    sandbox: XeroSandbox, engagement: Engagement
) -> None:
    first = pull(engagement, sandbox.source())
    sandbox.transport.clear()
    second = pull(engagement, sandbox.source())
    assert second.mode == "incremental"
    by_resource = {r: len(sandbox.transport.api_calls(r)) for r in RESOURCE.values()}
    assert set(by_resource.values()) == {1}
    for resource in ("Contacts", "Invoices", "CreditNotes", "Payments"):
        (call,) = sandbox.transport.api_calls(resource)
        since = call.headers["if-modified-since"]
        assert len(since) == 19 and since[10] == "T"  # YYYY-MM-DDTHH:MM:SS
    assert second.snapshot.counts == first.snapshot.counts
    assert second.snapshot.cursors == first.snapshot.cursors
    for table in first.snapshot.counts:
        before = _sorted(engagement.table(table, first.snapshot.snapshot_id), table)
        after = _sorted(engagement.table(table, second.snapshot.snapshot_id), table)
        pd.testing.assert_frame_equal(before, after)


def test_an_incremental_pull_picks_up_a_new_and_a_changed_invoice(
    sandbox: XeroSandbox, engagement: Engagement
) -> None:
    first = pull(engagement, sandbox.source())
    client = sandbox.xero_client()
    sandbox.clock.advance(60)
    created = client.create_invoices(
        [
            {
                "Type": "ACCREC",
                "Contact": {"ContactID": sandbox.tenant.contacts[3]["ContactID"]},
                "Date": date(2026, 11, 20),
                "DueDate": date(2026, 12, 20),
                "Reference": "PD-DEAL-9001",
                "LineAmountTypes": "Exclusive",
                "LineItems": [
                    {
                        "Description": "Workshop",
                        "Quantity": Decimal(2),
                        "UnitAmount": Decimal("412.50"),
                        "AccountCode": "200",
                        "TaxType": "OUTPUT2",
                    }
                ],
            }
        ],
        idempotency_key="test-incremental-1",
    )
    assert created[0]["StatusAttributeString"] == "OK"
    new_id = created[0]["InvoiceID"]
    # a DRAFT invoice edited in Xero: its one line becomes two
    draft = next(i for i in sandbox.tenant.invoices if i["Status"] == "DRAFT")
    edited = client.session.request(
        "POST",
        f"{client.base_url}/Invoices/{draft['InvoiceID']}",
        headers={"xero-tenant-id": sandbox.tenant.tenant_id, "Accept": "application/json"},
        json={
            "LineItems": [
                {
                    "Description": "Consulting",
                    "Quantity": 1,
                    "UnitAmount": 100,
                    "AccountCode": "200",
                    "TaxType": "OUTPUT2",
                },
                {
                    "Description": "Travel",
                    "Quantity": 1,
                    "UnitAmount": 40,
                    "AccountCode": "200",
                    "TaxType": "OUTPUT2",
                },
            ]
        },
    )
    assert edited.status_code == 200, edited.text
    sandbox.transport.clear()

    second = pull(engagement, sandbox.source())
    assert second.mode == "incremental"
    assert len(sandbox.transport.api_calls("Invoices")) == 1
    invoices = engagement.table("invoices").set_index("invoice_id")
    assert len(invoices) == first.snapshot.counts["invoices"] + 1
    row = invoices.loc[new_id]
    assert row["reference"] == "PD-DEAL-9001" and row["status"] == "DRAFT"
    assert row["subtotal"] == Decimal("825.00") and row["total"] == Decimal("990.00")
    lines = engagement.table("invoice_lines")
    assert sorted(lines[lines["invoice_id"] == draft["InvoiceID"]]["description"]) == ["Consulting", "Travel"]
    assert len(lines) == first.snapshot.counts["invoice_lines"] + 1 + 1
    assert second.snapshot.cursors["invoices"] > first.snapshot.cursors["invoices"]
    assert (
        engagement.table("invoices", first.snapshot.snapshot_id).shape[0] == first.snapshot.counts["invoices"]
    )


def test_budget_left_reports_the_servers_headers(sandbox: XeroSandbox, engagement: Engagement) -> None:
    source = sandbox.source()
    assert source.budget_left() == {"minute": None, "day": None}
    pull(engagement, source)
    calls = len(sandbox.transport.api_calls())
    assert source.budget_left() == {"minute": 60 - calls, "day": 5000 - calls}


def test_a_pull_that_fails_mid_invoices_resumes_at_the_failed_page(
    sandbox: XeroSandbox, engagement: Engagement
) -> None:
    inner = sandbox.transport.inner
    broken = {"on": True}

    class FlakyInvoicesPage2(httpx.BaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            if broken["on"] and request.url.path.endswith("/Invoices") and request.url.params["page"] == "2":
                raise httpx.ReadTimeout("no answer", request=request)
            return inner.handle_request(request)

    sandbox.transport.inner = FlakyInvoicesPage2()
    with pytest.raises(PullFailed) as raised:
        pull(engagement, sandbox.source())
    assert (raised.value.endpoint, raised.value.page) == ("invoices", 2)
    broken["on"] = False
    sandbox.transport.clear()
    result = pull(engagement, sandbox.source())
    assert result.resumed and result.snapshot.counts == sandbox.counts()
    pages = [c.url.params["page"] for c in sandbox.transport.api_calls("Invoices")]
    assert pages == ["2", "3"]  # page 1 is not fetched again
    assert not sandbox.transport.api_calls("Contacts")  # completed endpoints are kept
