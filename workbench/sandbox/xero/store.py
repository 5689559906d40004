"""One tenant's records, indexed the ways the Accounting API looks them up, with a change log."""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from workbench.sandbox.demo.dataset import Record, XeroTenant

# collection name -> id field, as the API names them
ID_FIELDS: dict[str, str] = {
    "Contacts": "ContactID",
    "Invoices": "InvoiceID",
    "CreditNotes": "CreditNoteID",
    "Payments": "PaymentID",
    "Accounts": "AccountID",
    "Items": "ItemID",
    "TaxRates": "TaxType",
    "Currencies": "Code",
}


class TenantStore:
    """Records of one tenant by collection and id; `version` moves on every write (caches key on it)."""

    def __init__(self, tenant: XeroTenant) -> None:
        self.tenant_id = tenant.tenant_id
        self.tenant_name = tenant.tenant_name
        self.organisation: Record = tenant.organisation
        sources: dict[str, list[Record]] = {
            "Contacts": tenant.contacts,
            "Invoices": tenant.invoices,
            "CreditNotes": tenant.credit_notes,
            "Payments": tenant.payments,
            "Accounts": tenant.accounts,
            "Items": tenant.items,
            "TaxRates": tenant.tax_rates,
            "Currencies": tenant.currencies,
        }
        self.collections: dict[str, dict[str, Record]] = {
            name: {str(r[ID_FIELDS[name]]): r for r in records} for name, records in sources.items()
        }
        self.changed: dict[str, set[str]] = {name: set() for name in self.collections}
        self.version = 0
        self.lock = threading.RLock()
        self._payments_by_invoice: dict[str, list[Record]] | None = None
        self._credit_by_invoice: dict[str, list[tuple[Record, Record]]] | None = None

    # lookups -------------------------------------------------------------------------------------
    def get(self, collection: str, key: str) -> Record | None:
        records = self.collections[collection]
        found = records.get(key) or records.get(key.lower())
        if found is not None:
            return found
        lowered = key.lower()
        return next((r for k, r in records.items() if k.lower() == lowered), None)

    def find(self, collection: str, predicate: Callable[[Record], bool]) -> Record | None:
        return next((r for r in self.collections[collection].values() if predicate(r)), None)

    def account_by_code(self, code: str) -> Record | None:
        return self.find("Accounts", lambda a: str(a.get("Code", "")).lower() == code.lower())

    def rate_for(self, tax_type: str) -> Decimal:
        rate = self.collections["TaxRates"].get(tax_type)
        if rate is None:
            return Decimal(0)
        effective = rate.get("EffectiveRate")
        if effective is not None:
            return Decimal(str(effective))
        return sum((Decimal(str(c.get("Rate", 0))) for c in rate.get("TaxComponents") or []), Decimal(0))

    def payments_for(self, invoice_id: str) -> list[Record]:
        if self._payments_by_invoice is None:
            index: dict[str, list[Record]] = {}
            for payment in self.collections["Payments"].values():
                target = (payment.get("Invoice") or {}).get("InvoiceID")
                if target:
                    index.setdefault(str(target), []).append(payment)
            self._payments_by_invoice = index
        return self._payments_by_invoice.get(invoice_id, [])

    def credit_allocations_for(self, invoice_id: str) -> list[tuple[Record, Record]]:
        """(credit note, allocation) pairs applied to an invoice."""
        if self._credit_by_invoice is None:
            index: dict[str, list[tuple[Record, Record]]] = {}
            for note in self.collections["CreditNotes"].values():
                for allocation in note.get("Allocations") or []:
                    target = (allocation.get("Invoice") or {}).get("InvoiceID")
                    if target:
                        index.setdefault(str(target), []).append((note, allocation))
            self._credit_by_invoice = index
        return self._credit_by_invoice.get(invoice_id, [])

    # writes --------------------------------------------------------------------------------------
    def put(self, collection: str, record: Record) -> None:
        key = str(record[ID_FIELDS[collection]])
        self.collections[collection][key] = record
        self.changed[collection].add(key)
        self.version += 1
        if collection == "Payments":
            self._payments_by_invoice = None
        if collection == "CreditNotes":
            self._credit_by_invoice = None

    def export_changes(self) -> dict[str, Any]:
        return {
            name: {key: self.collections[name][key] for key in sorted(keys)}
            for name, keys in self.changed.items()
            if keys
        }

    def import_changes(self, changes: dict[str, Any]) -> None:
        for name, records in changes.items():
            for record in records.values():
                self.put(name, record)
