"""How stored records look on the wire: full, paged, summary-only and nested forms."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from workbench.sandbox.demo.dataset import Record
from workbench.sandbox.xero.encode import iso_string, to_wire
from workbench.sandbox.xero.store import TenantStore

_CONTACT_IN_DOCUMENT = (
    "ContactID",
    "ContactNumber",
    "AccountNumber",
    "ContactStatus",
    "Name",
    "FirstName",
    "LastName",
    "EmailAddress",
    "HasValidationErrors",
)
_HEAVY_DOCUMENT_FIELDS = ("LineItems", "Payments", "CreditNotes", "Prepayments", "Overpayments")
_STRING_TWINS = {"Date": "DateString", "DueDate": "DueDateString", "UpdatedDateUTC": "UpdatedDateUTCString"}


def _with_string_twins(record: Record, wire: dict[str, Any], names: tuple[str, ...]) -> None:
    for name in names:
        value = record.get(name)
        if isinstance(value, date | datetime):
            if name == "UpdatedDateUTC":
                wire[_STRING_TWINS[name]] = (
                    value.strftime("%Y-%m-%dT%H:%M:%SZ") if isinstance(value, datetime) else iso_string(value)
                )
            else:
                wire[_STRING_TWINS[name]] = iso_string(value)


def contact_summary(store: TenantStore, contact_ref: dict[str, Any] | None) -> dict[str, Any]:
    if not contact_ref:
        return {}
    contact = store.get("Contacts", str(contact_ref.get("ContactID", "")))
    if contact is None:
        return to_wire(contact_ref)
    summary = {key: contact.get(key) for key in _CONTACT_IN_DOCUMENT if contact.get(key) is not None}
    summary.setdefault("HasValidationErrors", False)
    summary["Addresses"] = contact.get("Addresses") or []
    summary["Phones"] = contact.get("Phones") or []
    return to_wire(summary)


def invoice_view(
    store: TenantStore, invoice: Record, *, with_lines: bool, summary_only: bool = False
) -> dict[str, Any]:
    wire = to_wire({k: v for k, v in invoice.items() if k not in ("Contact", *_HEAVY_DOCUMENT_FIELDS)})
    wire["Contact"] = contact_summary(store, invoice.get("Contact"))
    _with_string_twins(invoice, wire, ("Date", "DueDate", "UpdatedDateUTC"))
    wire.setdefault("HasErrors", False)
    wire.setdefault("IsDiscounted", bool(invoice.get("TotalDiscount")))
    wire.setdefault("HasAttachments", False)
    if summary_only:
        return wire
    invoice_id = str(invoice["InvoiceID"])
    wire["Payments"] = [
        to_wire(
            {
                "PaymentID": p["PaymentID"],
                "Date": p.get("Date"),
                "Amount": p.get("Amount"),
                "Reference": p.get("Reference"),
                "CurrencyRate": p.get("CurrencyRate"),
                "HasAccount": bool(p.get("Account")),
                "HasValidationErrors": False,
            }
        )
        for p in store.payments_for(invoice_id)
        if p.get("Status", "AUTHORISED") == "AUTHORISED"
    ]
    wire["CreditNotes"] = [
        to_wire(
            {
                "CreditNoteID": note["CreditNoteID"],
                "CreditNoteNumber": note.get("CreditNoteNumber"),
                "AppliedAmount": allocation.get("Amount"),
                "Date": allocation.get("Date"),
                "Total": note.get("Total"),
                "HasErrors": False,
            }
        )
        for note, allocation in store.credit_allocations_for(invoice_id)
    ]
    wire["Prepayments"] = []
    wire["Overpayments"] = []
    if with_lines:
        wire["LineItems"] = to_wire(invoice.get("LineItems") or [])
    return wire


def credit_note_view(store: TenantStore, note: Record, *, with_lines: bool) -> dict[str, Any]:
    wire = to_wire({k: v for k, v in note.items() if k not in ("Contact", "LineItems", "Allocations")})
    wire["Contact"] = contact_summary(store, note.get("Contact"))
    _with_string_twins(note, wire, ("Date", "UpdatedDateUTC"))
    wire["Allocations"] = to_wire(note.get("Allocations") or [])
    wire.setdefault("HasErrors", False)
    if with_lines:
        wire["LineItems"] = to_wire(note.get("LineItems") or [])
    return wire


def payment_view(store: TenantStore, payment: Record) -> dict[str, Any]:
    wire = to_wire(payment)
    invoice_ref = payment.get("Invoice") or {}
    invoice = store.get("Invoices", str(invoice_ref.get("InvoiceID", ""))) if invoice_ref else None
    if invoice is not None:
        wire["Invoice"] = to_wire(
            {
                "InvoiceID": invoice["InvoiceID"],
                "InvoiceNumber": invoice.get("InvoiceNumber"),
                "Type": invoice.get("Type"),
                "Contact": {
                    "ContactID": (invoice.get("Contact") or {}).get("ContactID"),
                    "Name": contact_summary(store, invoice.get("Contact")).get("Name"),
                },
                "CurrencyCode": invoice.get("CurrencyCode"),
            }
        )
    _with_string_twins(payment, wire, ("UpdatedDateUTC",))
    wire.setdefault("HasValidationErrors", False)
    return wire


def contact_view(
    store: TenantStore, contact: Record, *, today: date | None = None, summary_only: bool = False
) -> dict[str, Any]:
    """A contact; with `today` (single-contact GETs only) its Balances are added, as Xero does."""
    wire = to_wire(contact)
    wire.setdefault("HasValidationErrors", False)
    wire.setdefault("ContactPersons", [])
    wire.setdefault("Addresses", [])
    wire.setdefault("Phones", [])
    if summary_only:
        for heavy in ("ContactPersons", "Addresses", "Phones", "Balances", "PaymentTerms"):
            wire.pop(heavy, None)
        return wire
    if today is not None:
        wire["Balances"] = to_wire(contact_balances(store, str(contact["ContactID"]), today))
    return wire


def contact_balances(store: TenantStore, contact_id: str, today: date) -> dict[str, Any]:
    """Balances as Xero reports them on a single contact: raw, not converted to base currency."""
    owed = {"ACCREC": [Decimal(0), Decimal(0)], "ACCPAY": [Decimal(0), Decimal(0)]}
    for invoice in store.collections["Invoices"].values():
        if (invoice.get("Contact") or {}).get("ContactID") != contact_id or invoice.get(
            "Status"
        ) != "AUTHORISED":
            continue
        due = Decimal(str(invoice.get("AmountDue", 0)))
        bucket = owed.get(str(invoice.get("Type")))
        if bucket is None:
            continue
        bucket[0] += due
        due_date = invoice.get("DueDate")
        if isinstance(due_date, date) and due_date < today:
            bucket[1] += due
    return {
        "AccountsReceivable": {"Outstanding": owed["ACCREC"][0], "Overdue": owed["ACCREC"][1]},
        "AccountsPayable": {"Outstanding": owed["ACCPAY"][0], "Overdue": owed["ACCPAY"][1]},
    }
