"""The official Xero Python SDK (xero-python) against the served sandbox: the acceptance test of fidelity."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from xero_python.accounting import AccountingApi, Contact, Invoice, Invoices, LineAmountTypes, LineItem
from xero_python.api_client import ApiClient, Configuration
from xero_python.api_client.oauth2 import OAuth2Token, TokenApi
from xero_python.identity import IdentityApi

from tests.sandbox.sandbox_factory import small_sandbox
from workbench.sandbox import credentials
from workbench.sandbox.server import SandboxServer


@pytest.fixture
def served() -> Iterator[SandboxServer]:
    with SandboxServer(small_sandbox()) as server:
        yield server


@pytest.fixture
def sdk(served: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> tuple[AccountingApi, IdentityApi, str]:
    base = served.base_url
    monkeypatch.setattr(TokenApi, "client_credentials_token_url", f"{base}/xero/identity/connect/token")
    monkeypatch.setattr(TokenApi, "refresh_token_url", f"{base}/xero/identity/connect/token")
    monkeypatch.setattr(TokenApi, "revoke_token_url", f"{base}/xero/identity/connect/revocation")
    api_client = ApiClient(
        Configuration(
            oauth2_token=OAuth2Token(
                client_id=credentials.XERO_CLIENT_ID, client_secret=credentials.XERO_CLIENT_SECRET
            )
        ),
        pool_threads=1,
    )
    store: dict[str, dict] = {}

    @api_client.oauth2_token_getter
    def get_token() -> dict | None:
        return store.get("token")

    @api_client.oauth2_token_saver
    def save_token(token: dict) -> None:
        store["token"] = token

    api_client.get_client_credentials_token()
    assert store["token"]["access_token"]
    tenant_id = served.sandbox.client.xero.tenant_id
    return (
        AccountingApi(api_client, base_url=f"{base}/xero/api.xro/2.0"),
        IdentityApi(api_client, base_url=f"{base}/xero"),
        tenant_id,
    )


def test_sdk_reads_organisation_contacts_and_paged_invoices(
    sdk: tuple[AccountingApi, IdentityApi, str],
) -> None:
    accounting, _identity, tenant = sdk
    organisation = accounting.get_organisations(tenant).organisations[0]
    assert organisation.base_currency.value == "GBP" and organisation.name
    contacts = accounting.get_contacts(tenant, page=1).contacts
    assert contacts and all(c.contact_id for c in contacts)
    seen = []
    page = 1
    while True:
        invoices = accounting.get_invoices(tenant, page=page, page_size=100)
        seen += [i.invoice_id for i in invoices.invoices]
        if page >= invoices.pagination.page_count:
            break
        page += 1
    assert len(seen) == len(set(seen)) == invoices.pagination.item_count > 100
    first = accounting.get_invoices(tenant, page=1).invoices[0]
    assert isinstance(first.date, date) and first.line_items and isinstance(first.total, float | Decimal)


def test_sdk_creates_a_draft_invoice(sdk: tuple[AccountingApi, IdentityApi, str]) -> None:
    accounting, _identity, tenant = sdk
    contact_id = accounting.get_contacts(tenant, page=1).contacts[0].contact_id
    invoice = Invoice(
        type="ACCREC",
        contact=Contact(contact_id=contact_id),
        date=date(2026, 11, 20),
        due_date=date(2026, 12, 20),
        reference="PD-SDK-1",
        status="DRAFT",
        line_amount_types=LineAmountTypes.EXCLUSIVE,
        line_items=[
            LineItem(
                description="Discovery workshop",
                quantity=2.0,
                unit_amount=650.0,
                account_code="200",
                tax_type="OUTPUT2",
            )
        ],
    )
    created = accounting.create_invoices(
        tenant, Invoices(invoices=[invoice]), summarize_errors=False, idempotency_key="sdk-test-1"
    ).invoices[0]
    assert created.status == "DRAFT" and created.total == 1560.0 and created.invoice_id
    found = accounting.get_invoices(tenant, where='Reference=="PD-SDK-1"').invoices
    assert [i.invoice_id for i in found] == [created.invoice_id]
