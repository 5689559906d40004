"""Write the Xero invoice back onto its deal: number, InvoiceID, status and amount due.

The flow's own fields (`writeback_fields`) are found by name and created only when the operator agrees.
Each deal is sent only the values that differ from what the deal already shows (Pipedrive: one PATCH
per deal; HubSpot: one PATCH, or batch updates of 100), so a re-run (or a refresh with nothing new in
Xero) writes nothing. The CRM is the writer's (`crm_writer.writer_for`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pandas as pd
from pydantic import ValidationError

from workbench.connections import Connector
from workbench.errors import ConfigurationError
from workbench.flow.crm_fields import (
    CREATE_FIELDS_OPTION,
    FieldKey,
    FieldKeys,
    changed_values,
    comparable,
    current_values,
)
from workbench.flow.crm_writer import CrmWriter, writer_for
from workbench.flow.ledger import Ledger
from workbench.flow.run_report import CallCounter
from workbench.flow.writeback_fields import (
    DEAL_AMOUNT_DUE,
    DEAL_INVOICE_ID,
    DEAL_INVOICE_NUMBER,
    DEAL_INVOICE_STATUS,
)
from workbench.references import parse_deal_reference
from workbench.store import Engagement
from workbench.store import today as utc_today
from workbench.xero.models import Invoice

__all__ = [
    "CREATE_FIELDS_OPTION",
    "CrmView",
    "FieldKey",
    "FieldKeys",
    "InvoiceState",
    "WriteBackResult",
    "comparable",
    "crm_view",
    "ensure_fields",
    "invoice_state",
    "write_back",
    "write_back_run",
    "writer_for",
]
_NO_INVOICE = "00000000-0000-0000-0000-000000000000"  # the InvoiceID Xero gives an element it did not create


# invoices ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class InvoiceState:
    """What the flow writes back about one deal's Xero invoice."""

    deal_id: str
    invoice_id: str
    invoice_number: str | None
    status: str  # Xero's Status
    amount_due: Decimal
    currency: str | None
    due_date: dt.date | None = None
    contact_id: str | None = None

    def deal_status(self, today: dt.date) -> str:
        """Xero's status, with OVERDUE for an approved invoice past its due date with money still owed."""
        if self.is_overdue(today):
            return "OVERDUE"
        return self.status

    def is_overdue(self, today: dt.date, *, by_more_than: int = 0) -> bool:
        return (
            self.status == "AUTHORISED"
            and self.amount_due > 0
            and self.due_date is not None
            and (today - self.due_date).days > by_more_than
        )

    def values(self, today: dt.date) -> dict[str, Any]:
        return {
            DEAL_INVOICE_NUMBER.key: self.invoice_number,
            DEAL_INVOICE_ID.key: self.invoice_id,
            DEAL_INVOICE_STATUS.key: self.deal_status(today),
            DEAL_AMOUNT_DUE.key: {"value": self.amount_due, "currency": self.currency},
        }

    @classmethod
    def from_ledger(cls, deal_id: str, invoice_id: str, number: str | None, status: str | None,
                    amount_due: Decimal | None, currency: str | None) -> InvoiceState:  # fmt: skip
        """What Xero answered when the flow created the invoice (as the ledger recorded it)."""
        return cls(deal_id, invoice_id, number or None, (status or "").upper(), amount_due or Decimal(0),
                   currency)  # fmt: skip


def invoice_state(
    raw: Mapping[str, Any], source: str = "pipedrive", *, deal_id: str | None = None
) -> InvoiceState | None:
    """The write-back state of a Xero invoice, or None when it bills no whole deal of `source` (or Xero
    did not create it: an element answered with errors carries no real InvoiceID). `deal_id` names the
    deal when it is known already (by InvoiceID), whatever the Reference now says."""
    try:
        invoice = Invoice.model_validate(raw)
    except ValidationError:
        return None
    if invoice.invoice_id in ("", _NO_INVOICE) or invoice.status_attribute_string == "ERROR":
        return None
    if deal_id is None:
        reference = parse_deal_reference(invoice.reference)
        if reference is None or reference.source != source or reference.instalment is not None:
            return None
        deal_id = reference.deal_id
    return InvoiceState(
        deal_id=deal_id,
        invoice_id=invoice.invoice_id,
        invoice_number=invoice.invoice_number or None,
        status=(invoice.status or "").upper(),
        amount_due=invoice.amount_due if invoice.amount_due is not None else (invoice.total or Decimal(0)),
        currency=invoice.currency_code,
        due_date=invoice.due_date,
        contact_id=invoice.contact.contact_id if invoice.contact else None,
    )


@dataclass
class WriteBackResult:
    written: list[str] = field(default_factory=list)  # ids of the records PATCHed
    unchanged: int = 0  # records that already showed every value
    not_deals: int = 0  # invoices that bill no whole deal (or were not created)
    failed: dict[str, str] = field(default_factory=dict)  # record id -> the CRM's refusal
    calls: int = 0

    def summary(self) -> dict[str, Any]:
        return {"written": len(self.written), "unchanged": self.unchanged, "failed": dict(self.failed)}


def ensure_fields(crm: object, *, create: bool) -> FieldKeys:
    """The flow's fields in the CRM of `crm` (a client or a writer), created only if `create`."""
    return writer_for(crm).ensure_fields(create=create)


def write_back(
    crm: object,
    keys: FieldKeys,
    invoices: Iterable[Mapping[str, Any] | InvoiceState],
    *,
    current: Mapping[str, Mapping[str, Any] | None] | None = None,
    today: dt.date | None = None,
) -> WriteBackResult:
    """Write onto each deal (of `crm`: a client or a writer) the invoice values it does not show;
    `current` maps deal id to the deal's custom fields (raw by code or a snapshot's by name); a deal
    left out is written in full."""
    writer: CrmWriter = writer_for(crm)
    before = writer.calls
    day = today or utc_today()
    deal_keys = keys.for_entity("deal")
    result = WriteBackResult()
    patches: dict[str, dict[str, Any]] = {}
    for item in invoices:
        state = item if isinstance(item, InvoiceState) else invoice_state(item, writer.crm)
        if state is None:
            result.not_deals += 1
            continue
        shown = None
        if current is not None and state.deal_id in current:
            shown = current_values(current[state.deal_id], deal_keys)
        patch = changed_values(deal_keys, state.values(day), shown)
        if patch:
            patches[state.deal_id] = patch
        else:
            result.unchanged += 1
    written = writer.write("deal", patches)
    result.written, result.failed = written.written, written.failed
    result.calls = writer.calls - before
    return result


# the CRM as the engagement last saw it, and the write-back after a flow run ----------------------------
@dataclass(frozen=True)
class CrmView:
    """What the CRM shows (from the engagement's latest snapshot, or raw records): each deal's
    organisation, currency and custom fields, each organisation's custom fields (by name or by hash)."""

    deal_orgs: Mapping[str, str | None] = field(default_factory=dict)
    deal_fields: Mapping[str, Mapping[str, Any] | None] = field(default_factory=dict)
    org_fields: Mapping[str, Mapping[str, Any] | None] = field(default_factory=dict)
    deal_currency: Mapping[str, str | None] = field(default_factory=dict)


def crm_view(engagement: Engagement, source: str = "pipedrive") -> CrmView:
    """The CRM side of the engagement's latest snapshot, as the write-back compares against it."""
    deals = engagement.table("deals", source=source)
    orgs = engagement.table("organisations", source=source)
    deal_ids = [str(d) for d in deals["deal_id"]]
    return CrmView(
        deal_orgs=dict(zip(deal_ids, (_text(o) for o in deals["org_id"]), strict=True)),
        deal_fields=dict(zip(deal_ids, (_fields(c) for c in deals["custom_fields"]), strict=True)),
        org_fields={str(o): _fields(c) for o, c in zip(orgs["org_id"], orgs["custom_fields"], strict=True)},
        deal_currency=dict(zip(deal_ids, (_text(c) for c in deals["currency"]), strict=True)),
    )


def write_back_run(
    engagement: Engagement, ledger: Ledger, run_id: int, connector: Connector, *, create_fields: bool = False
) -> dict[str, Any]:
    """After a flow run: write back the invoices this run created, and any the flow created before whose
    deal does not show its InvoiceID yet (a run stopped before its write-back). Invoices already shown
    are the status refresh's business, so the values Xero answered at creation never overwrite newer
    ones. Missing fields, when not allowed to create them, skip the write-back with the reason."""
    source = connector.crm_source(engagement)
    counter = CallCounter()
    counter.attach(source.client.session.client, source.name)
    try:
        writer = writer_for(source.client)
        keys = writer.ensure_fields(create=create_fields)
    except ConfigurationError as error:
        return {"skipped": error.args[0], "hint": error.hint, "calls": counter.as_dict()}
    view = crm_view(engagement, source.name)
    id_key = keys.of(DEAL_INVOICE_ID)
    states = []
    for (crm, deal_id), row in sorted(ledger.invoiced().items()):
        if crm != source.name or not row.invoice_id:
            continue
        shown = current_values(view.deal_fields.get(deal_id), [id_key])[DEAL_INVOICE_ID.key]
        if row.run_id == run_id or shown != row.invoice_id:
            states.append(InvoiceState.from_ledger(deal_id, row.invoice_id, row.invoice_number,
                          row.invoice_status, row.amount_due, view.deal_currency.get(deal_id)))  # fmt: skip
    result = write_back(writer, keys, states, current=view.deal_fields)
    return {**result.summary(), "fields_created": list(keys.created), "calls": counter.as_dict()}


def _text(value: Any) -> str | None:
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _fields(value: Any) -> Mapping[str, Any] | None:
    return value if isinstance(value, Mapping) else None
