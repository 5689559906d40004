"""Reach the Xero emulator from the product's client, as a user would: real Xero URLs, a bearer token.

`xero_sandbox()` builds a hand-made tenant sized to exercise paging (1,000 contacts: exactly one page;
2,300 invoices: three pages) behind the emulator; `demo_sandbox()` the generated demo client when the
demo generator is importable. Both are reached through an httpx transport that records every request,
and a session whose clock is the sandbox clock (budgets wait on sandbox time, never real time).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx

from tests.sandbox.xero_factory import CONTACT_IDS, small_tenant
from workbench.http import ApiSession, SteppedClock, XeroBudget, build_client
from workbench.sandbox import credentials
from workbench.sandbox.clock import SandboxClock
from workbench.sandbox.demo.dataset import XeroTenant
from workbench.sandbox.wire import Request
from workbench.sandbox.xero.accounting import XeroEmulator
from workbench.xero.client import XeroClient
from workbench.xero.source import XeroSource

TOKEN_URL = "https://identity.xero.com/connect/token"
API_PATH = "/api.xro/2.0/"


def emulator_transport(emulator: XeroEmulator) -> httpx.MockTransport:
    """The emulator behind the real hosts: api.xero.com and identity.xero.com (as the sandbox routes)."""

    def handler(request: httpx.Request) -> httpx.Response:
        host = request.url.host
        path = request.url.path
        routed = ("/identity" + path) if host == "identity.xero.com" else path
        answer = emulator.handle(
            Request.build(
                request.method,
                path,
                request.url.query.decode("ascii"),
                list(request.headers.multi_items()),
                request.read(),
                host=host,
            ),
            routed,
        )
        return httpx.Response(
            answer.status,
            headers=[(k, v) for k, v in answer.headers.items() if k.lower() != "content-length"],
            content=answer.body,
        )

    return httpx.MockTransport(handler)


@dataclass
class Recorded:
    method: str
    url: httpx.URL
    headers: httpx.Headers

    @property
    def resource(self) -> str | None:
        path = self.url.path
        return path.split(API_PATH, 1)[1].split("/")[0] if API_PATH in path else None


class RecordingTransport(httpx.BaseTransport):
    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.requests: list[Recorded] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(Recorded(request.method, request.url, request.headers.copy()))
        return self.inner.handle_request(request)

    def api_calls(self, resource: str | None = None) -> list[Recorded]:
        return [r for r in self.requests if r.resource and (resource is None or r.resource == resource)]

    def clear(self) -> None:
        self.requests.clear()


@dataclass
class XeroSandbox:
    tenant: XeroTenant
    clock: SandboxClock
    transport: RecordingTransport
    emulator: XeroEmulator
    token: str = ""
    clients: list[httpx.Client] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.token = self.client_credentials_token()

    def client_credentials_token(self) -> str:
        with httpx.Client(transport=self.transport) as plain:
            answer = plain.post(
                TOKEN_URL,
                data={"grant_type": "client_credentials"},
                auth=(credentials.XERO_CLIENT_ID, credentials.XERO_CLIENT_SECRET),
            )
        assert answer.status_code == 200, answer.text
        self.transport.clear()
        return str(answer.json()["access_token"])

    def session(self, token: str | None = None) -> ApiSession:
        client = build_client(self.transport)
        client.headers["Authorization"] = f"Bearer {token or self.token}"
        self.clients.append(client)
        clock = SteppedClock(now=self.clock.timestamp, advance=self.clock.advance)
        return ApiSession("Xero", client, XeroBudget(clock), clock=clock, rng=random.Random(0))

    def xero_client(self, tenant_id: str | None = "tenant", **session: Any) -> XeroClient:
        tenant = self.tenant.tenant_id if tenant_id == "tenant" else tenant_id
        return XeroClient(self.session(**session), tenant)

    def source(self) -> XeroSource:
        return XeroSource(self.xero_client())

    def counts(self) -> dict[str, int]:
        """What a full pull must give per canonical table: the tenant's own record counts."""
        t = self.tenant
        return {
            "xero_organisation": 1,
            "currencies": len(t.currencies),
            "tax_rates": len(t.tax_rates),
            "accounts": len(t.accounts),
            "items": len(t.items),
            "xero_contacts": len(t.contacts),
            "invoices": len(t.invoices),
            "invoice_lines": sum(len(i.get("LineItems") or []) for i in t.invoices),
            "credit_notes": len(t.credit_notes),
            "payments": len(t.payments),
        }

    def close(self) -> None:
        for client in self.clients:
            client.close()


def paging_tenant() -> XeroTenant:
    """The hand-made small tenant grown to exercise paging, with credit notes, payments and odd dates."""
    tenant = small_tenant(invoices=2300)
    for n in range(len(tenant.contacts) + 1, 1001):
        tenant.contacts.append(
            {
                "ContactID": f"00000000-0000-4000-9000-{n:012d}",
                "Name": f"Supplier {n:04d} Ltd",
                "ContactStatus": "ACTIVE",
                "EmailAddress": f"ap@supplier{n:04d}.co.uk",
                "IsCustomer": False,
                "IsSupplier": True,
                "TaxNumber": f"GB{n:09d}",
                "Addresses": [
                    {"AddressType": "STREET", "AddressLine1": f"{n} High Street", "City": "Leeds"},
                    {
                        "AddressType": "POBOX",
                        "AddressLine1": f"PO Box {n}",
                        "City": "Leeds",
                        "PostalCode": "LS1 4AP",
                        "Country": "United Kingdom",
                    },
                ],
                "Phones": [{"PhoneType": "DEFAULT", "PhoneNumber": "7946 0000", "PhoneAreaCode": "0113"}],
                "ContactPersons": [],
                "UpdatedDateUTC": datetime(2025, 6, 1, tzinfo=UTC) + timedelta(minutes=n),
            }
        )
    # a pre-1970 document date travels as a negative /Date(..)/
    tenant.invoices[0]["Date"] = date(1965, 3, 1)
    paid = [i for i in tenant.invoices if i["Status"] == "PAID"]
    for n, invoice in enumerate(paid, start=1):
        tenant.payments.append(
            {
                "PaymentID": f"40000000-0000-4000-8000-{n:012d}",
                "Invoice": {"InvoiceID": invoice["InvoiceID"]},
                "Account": {"AccountID": "a0000000-0000-4000-8000-000000000090", "Code": "090"},
                "Date": invoice["DueDate"],
                "Amount": invoice["Total"],
                "CurrencyRate": Decimal(1),
                "Reference": f"BACS {n}",
                "IsReconciled": n % 2 == 0,
                "Status": "AUTHORISED",
                "PaymentType": "ACCRECPAYMENT",
                "UpdatedDateUTC": datetime(2026, 3, 1, 10, tzinfo=UTC) + timedelta(seconds=n),
            }
        )
    for n in range(1, 13):
        target = tenant.invoices[n * 7]
        tenant.credit_notes.append(
            {
                "CreditNoteID": f"50000000-0000-4000-8000-{n:012d}",
                "CreditNoteNumber": f"CN-{n:04d}",
                "Type": "ACCRECCREDIT",
                "Reference": f"Refund {n}",
                "Contact": {"ContactID": CONTACT_IDS[n]},
                "Date": date(2025, n, 15),
                "Status": "AUTHORISED",
                "LineAmountTypes": "Exclusive",
                "CurrencyCode": "GBP",
                "CurrencyRate": Decimal(1),
                "LineItems": [
                    {
                        "Description": "Goodwill",
                        "Quantity": Decimal(1),
                        "UnitAmount": Decimal("10.00"),
                        "AccountCode": "200",
                        "TaxType": "OUTPUT2",
                        "LineAmount": Decimal("10.00"),
                        "TaxAmount": Decimal("2.00"),
                    }
                ],
                "SubTotal": Decimal("10.00"),
                "TotalTax": Decimal("2.00"),
                "Total": Decimal("12.00"),
                "RemainingCredit": Decimal("0.00") if n % 2 else Decimal("12.00"),
                "Allocations": (
                    [
                        {
                            "AllocationID": f"60000000-0000-4000-8000-{n:012d}",
                            "Amount": Decimal("12.00"),
                            "Date": date(2025, n, 16),
                            "Invoice": {
                                "InvoiceID": target["InvoiceID"],
                                "InvoiceNumber": target["InvoiceNumber"],
                            },
                        }
                    ]
                    if n % 2
                    else []
                ),
                "UpdatedDateUTC": datetime(2026, 2, n, 9, tzinfo=UTC),
            }
        )
    return tenant


def xero_sandbox(tenant: XeroTenant | None = None) -> XeroSandbox:
    clock = SandboxClock(datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
    tenant = tenant or paging_tenant()
    emulator = XeroEmulator([tenant], clock)
    return XeroSandbox(tenant, clock, RecordingTransport(emulator_transport(emulator)), emulator)


def demo_sandbox() -> XeroSandbox | None:
    """The generated demo client through the sandbox's own transport; None until the generator imports."""
    try:
        from workbench.sandbox.app import Sandbox
        from workbench.sandbox.demo import DemoSize
        from workbench.sandbox.transport import SandboxTransport
    except ImportError:
        return None
    sandbox = Sandbox.demo(
        3, DemoSize(organisations=40, people=80, deals=200, xero_contacts=50, invoices=300)
    )
    return XeroSandbox(
        sandbox.client.xero, sandbox.clock, RecordingTransport(SandboxTransport(sandbox)), sandbox.xero
    )


SandboxFactory = Callable[[], XeroSandbox | None]
