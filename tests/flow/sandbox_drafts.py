"""Drafts built by hand against the in-process sandbox's tenant, for testing the ledger and the sender
without the builder: real ContactIDs, a revenue account and tax type Xero accepts, and ways to make one
Xero refuses (an archived account)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from typing import Any

import httpx

from workbench.connections import Connector
from workbench.flow.drafts import ContactChoice, DraftLine, InvoiceDraft
from workbench.references import deal_reference
from workbench.sandbox.app import Sandbox
from workbench.sandbox.demo import DemoSize
from workbench.xero.client import XeroClient

ARCHIVED_ACCOUNT = "205"  # the demo tenant's archived revenue account: Xero refuses lines coded to it
INVOICE_DATE = dt.date(2026, 11, 20)


def small_sandbox(seed: int = 7, organisations: int = 40, **options: Any) -> Sandbox:
    """The small demo client; `crm="hubspot"` keeps its CRM data in HubSpot."""
    return Sandbox.demo(seed, DemoSize.scaled(organisations), **options)


def crm_of(sandbox: Sandbox) -> str:
    """The CRM the sandbox's demo client keeps its deals in: "pipedrive" or "hubspot"."""
    return sandbox.client.crm


def contact_ids(sandbox: Sandbox) -> list[str]:
    store = sandbox.xero.stores[sandbox.client.xero.tenant_id]
    return sorted(
        c["ContactID"] for c in store.collections["Contacts"].values() if c.get("ContactStatus") == "ACTIVE"
    )


def draft(
    sandbox: Sandbox,
    deal_id: str,
    *,
    amount: str = "100.00",
    account: str = "200",
    tax_type: str = "OUTPUT2",
    status: str = "DRAFT",
    problems: tuple[str, ...] = (),
) -> InvoiceDraft:
    """A one-line GBP invoice for deal `deal_id` (of the sandbox's CRM) to one of the tenant's active
    contacts."""
    contacts = contact_ids(sandbox)
    net = Decimal(amount)
    tax = (net * Decimal("0.2")).quantize(Decimal("0.01"))
    line = DraftLine(f"Deal {deal_id}", Decimal(1), net, account, tax_type, net, tax)
    return InvoiceDraft(
        source=crm_of(sandbox),
        deal_id=deal_id,
        deal_title=f"Deal {deal_id}",
        reference=deal_reference(crm_of(sandbox), deal_id),
        contact=ContactChoice("stored ContactID", contact_id=contacts[int(deal_id) % len(contacts)]),
        currency="GBP",
        line_amount_types="Exclusive",
        date=INVOICE_DATE,
        due_date=INVOICE_DATE + dt.timedelta(days=30),
        status=status,
        lines=(line,),
        subtotal=net,
        total_tax=tax,
        total=net + tax,
        problems=problems,
        deal_fingerprint=f"deal-{deal_id}-{amount}",
    )


def refused(sandbox: Sandbox, deal_id: str) -> InvoiceDraft:
    """A draft that passes local checks but that Xero refuses (its account is archived in Xero)."""
    return draft(sandbox, deal_id, account=ARCHIVED_ACCOUNT)


def fixed(item: InvoiceDraft) -> InvoiceDraft:
    """The same deal's draft after the cause of a refusal was fixed (a live account)."""
    lines = tuple(replace(line, account_code="200") for line in item.lines)
    return replace(item, lines=lines)


class RequestLog:
    """Every request an httpx client sends, by method (`counts['PUT']`) and in order."""

    def __init__(self, client: httpx.Client) -> None:
        self.counts: Counter[str] = Counter()
        self.requests: list[tuple[str, str]] = []
        client.event_hooks["request"] = [*client.event_hooks.get("request", []), self._log]

    def _log(self, request: httpx.Request) -> None:
        self.counts[request.method] += 1
        self.requests.append((request.method, request.url.path))


def xero_client(connector: Connector) -> XeroClient:
    return connector.xero_source().client


def invoices_by_reference(sandbox: Sandbox) -> dict[str, list[dict[str, Any]]]:
    """The tenant's live (not deleted or voided) sales invoices, by Reference."""
    store = sandbox.xero.stores[sandbox.client.xero.tenant_id]
    found: dict[str, list[dict[str, Any]]] = {}
    for invoice in store.collections["Invoices"].values():
        if invoice.get("Type") == "ACCREC" and invoice.get("Status") not in ("DELETED", "VOIDED"):
            found.setdefault(str(invoice.get("Reference") or ""), []).append(invoice)
    return found


def iter_references(ids: range, crm: str = "pipedrive") -> Iterator[str]:
    return (deal_reference(crm, str(i)) for i in ids)
