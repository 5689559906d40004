"""Creating and updating contacts as Xero does: unique active names, valid emails, archive rules."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from workbench.sandbox.demo.dataset import Record
from workbench.sandbox.xero.store import TenantStore

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_WRITABLE = (
    "Name",
    "ContactNumber",
    "AccountNumber",
    "ContactStatus",
    "FirstName",
    "LastName",
    "EmailAddress",
    "CompanyNumber",
    "TaxNumber",
    "AccountsReceivableTaxType",
    "AccountsPayableTaxType",
    "Addresses",
    "Phones",
    "ContactPersons",
    "DefaultCurrency",
    "BankAccountDetails",
    "PaymentTerms",
    "SalesDefaultAccountCode",
    "PurchasesDefaultAccountCode",
    "Website",
)
_LIMITS = {
    "Name": 255,
    "ContactNumber": 50,
    "AccountNumber": 50,
    "EmailAddress": 255,
    "TaxNumber": 50,
    "FirstName": 255,
    "LastName": 255,
}


class ContactWriter:
    def __init__(self, store: TenantStore, now: datetime, new_id: Callable[[], str]) -> None:
        self.store = store
        self.now = now
        self.new_id = new_id

    def apply(
        self, element: Any, *, create_only: bool, target_id: str | None = None
    ) -> tuple[Record | None, list[str]]:
        if not isinstance(element, dict):
            return None, [
                "No data has been processed for this endpoint. This endpoint is expecting Contact "
                "data to be specifed in the request body."
            ]
        existing = self._existing(element, target_id)
        if target_id is not None and existing is None:
            return None, [f"Contact with ID {target_id} could not be found."]
        if existing is not None and create_only:
            name = element.get("Name") or existing.get("Name")
            return None, [
                f"The contact name {name} is already assigned to another contact. The contact name "
                "must be unique across all active contacts."
            ]
        record = (
            copy.deepcopy(existing)
            if existing
            else {
                "ContactID": self.new_id(),
                "ContactStatus": "ACTIVE",
                "IsCustomer": False,
                "IsSupplier": False,
                "Addresses": [],
                "Phones": [],
                "ContactPersons": [],
                "HasAttachments": False,
            }
        )
        for field in _WRITABLE:
            if field in element:
                record[field] = element[field]
        errors = self._validate(record, existing)
        if errors:
            return None, errors
        record["UpdatedDateUTC"] = self.now
        self.store.put("Contacts", record)
        return record, []

    def _existing(self, element: dict[str, Any], target_id: str | None) -> Record | None:
        wanted = target_id or element.get("ContactID")
        if wanted:
            return self.store.get("Contacts", str(wanted))
        if element.get("ContactNumber"):
            found = self.store.find("Contacts", lambda c: c.get("ContactNumber") == element["ContactNumber"])
            if found is not None:
                return found
        name = str(element.get("Name") or "").strip().lower()
        if not name:
            return None
        return self.store.find(
            "Contacts",
            lambda c: c.get("ContactStatus") == "ACTIVE" and str(c.get("Name", "")).strip().lower() == name,
        )

    def _validate(self, record: Record, existing: Record | None) -> list[str]:
        errors: list[str] = []
        name = str(record.get("Name") or "").strip()
        if not name:
            errors.append("The contact name must be specified.")
        for field, limit in _LIMITS.items():
            value = record.get(field)
            if isinstance(value, str) and len(value) > limit:
                errors.append(f"{field} must not be more than {limit} characters long.")
        email = record.get("EmailAddress")
        if email and not _EMAIL.match(str(email)):
            errors.append("Email address must be valid.")
        if record.get("ContactStatus") not in ("ACTIVE", "ARCHIVED", "GDPRREQUEST"):
            errors.append(f"'{record.get('ContactStatus')}' is not a valid ContactStatus.")
        if name and record.get("ContactStatus") == "ACTIVE":
            clash = self.store.find(
                "Contacts",
                lambda c: (
                    c["ContactID"] != record["ContactID"]
                    and c.get("ContactStatus") == "ACTIVE"
                    and str(c.get("Name", "")).strip().lower() == name.lower()
                ),
            )
            if clash is not None:
                errors.append(
                    f"The contact name {name} is already assigned to another contact. The contact "
                    "name must be unique across all active contacts."
                )
        number = record.get("ContactNumber")
        if number and self.store.find(
            "Contacts", lambda c: c["ContactID"] != record["ContactID"] and c.get("ContactNumber") == number
        ):
            errors.append(f"The contact number {number} is already assigned to another contact.")
        if (
            existing is not None
            and existing.get("ContactStatus") == "ACTIVE"
            and record.get("ContactStatus") == "ARCHIVED"
            and self._has_outstanding(record["ContactID"])
        ):
            errors.append("This contact cannot be archived as it has outstanding invoices.")
        return errors

    def _has_outstanding(self, contact_id: str) -> bool:
        return any(
            (i.get("Contact") or {}).get("ContactID") == contact_id
            and i.get("Status") in ("AUTHORISED", "SUBMITTED", "DRAFT")
            for i in self.store.collections["Invoices"].values()
        )
