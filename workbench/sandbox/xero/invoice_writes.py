"""Creating and updating invoices as Xero does: validation, defaults, numbering, totals, status rules."""

from __future__ import annotations

import copy
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from workbench.sandbox.demo.dataset import Record
from workbench.sandbox.xero.encode import BadValue, parse_decimal, parse_request_date
from workbench.sandbox.xero.store import TenantStore
from workbench.sandbox.xero.totals import apply_totals

INVOICE_TYPES = ("ACCREC", "ACCPAY")
STATUSES = ("DRAFT", "SUBMITTED", "AUTHORISED", "DELETED", "VOIDED", "PAID")
LINE_AMOUNT_TYPES = ("Exclusive", "Inclusive", "NoTax")
# what an update may move an invoice to, from each status (Xero's invoice status rules)
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "DRAFT": ("DRAFT", "SUBMITTED", "AUTHORISED", "DELETED"),
    "SUBMITTED": ("SUBMITTED", "AUTHORISED", "DRAFT", "DELETED"),
    "AUTHORISED": ("AUTHORISED", "VOIDED"),
    "PAID": (),
    "VOIDED": (),
    "DELETED": (),
}
_REVENUE_ACCOUNT_TYPES = ("REVENUE", "SALES", "OTHERINCOME")
_LINE_FIELDS = (
    "LineItemID",
    "Description",
    "Quantity",
    "UnitAmount",
    "ItemCode",
    "AccountCode",
    "TaxType",
    "TaxAmount",
    "DiscountRate",
    "DiscountAmount",
    "Tracking",
)


class InvoiceWriter:
    """Applies one element of a PUT/POST Invoices batch to a tenant, or says why Xero would refuse it."""

    def __init__(self, store: TenantStore, now: datetime, new_id: Any) -> None:
        self.store = store
        self.now = now
        self.new_id = new_id

    def apply(
        self, element: dict[str, Any], *, create_only: bool, target_id: str | None = None
    ) -> tuple[Record | None, list[str]]:
        """The stored invoice (or None) and the validation messages; nothing is stored on error."""
        if not isinstance(element, dict):
            return None, [
                "No data has been processed for this endpoint. This endpoint is expecting Invoice "
                "data to be specifed in the request body."
            ]
        existing = self._existing(element, target_id)
        if existing is not None and create_only and element.get("InvoiceID"):
            return None, [f"An invoice with InvoiceID {element['InvoiceID']} already exists."]
        if existing is None and target_id is not None:
            return None, [f"Invoice with ID {target_id} could not be found."]
        if existing is not None and not create_only:
            return self._update(existing, element)
        return self._create(element)

    def _existing(self, element: dict[str, Any], target_id: str | None) -> Record | None:
        wanted = target_id or element.get("InvoiceID")
        if wanted:
            return self.store.get("Invoices", str(wanted))
        number = element.get("InvoiceNumber")
        if number and element.get("Type", "ACCREC") == "ACCREC":
            return self.store.find(
                "Invoices",
                lambda r: (
                    r.get("Type") == "ACCREC"
                    and str(r.get("InvoiceNumber", "")).lower() == str(number).lower()
                ),
            )
        return None

    # create ---------------------------------------------------------------------------------------
    def _create(self, element: dict[str, Any]) -> tuple[Record | None, list[str]]:
        errors: list[str] = []
        invoice_type = element.get("Type")
        if invoice_type not in INVOICE_TYPES:
            errors.append(
                "Invoice Type must be specified and be one of ACCREC or ACCPAY."
                if not invoice_type
                else f"'{invoice_type}' is not a valid invoice Type."
            )
        status = element.get("Status") or "DRAFT"
        if status not in ("DRAFT", "SUBMITTED", "AUTHORISED"):
            errors.append(
                f"Invoices cannot be created with a status of {status}. Create it as DRAFT, "
                "SUBMITTED or AUTHORISED."
            )
        contact, contact_errors = self._contact(element.get("Contact"))
        errors += contact_errors
        number = element.get("InvoiceNumber")
        if (
            number
            and invoice_type == "ACCREC"
            and self.store.find(
                "Invoices",
                lambda r: (
                    r.get("Type") == "ACCREC"
                    and str(r.get("InvoiceNumber", "")).lower() == str(number).lower()
                ),
            )
        ):
            errors.append("Invoice # must be unique.")
        record: Record = {
            "InvoiceID": self.new_id(),
            "Type": invoice_type,
            "Status": status,
            "Contact": {"ContactID": contact["ContactID"]} if contact else None,
            "Reference": element.get("Reference"),
            "CurrencyRate": Decimal(1),
            "SentToContact": False,
            "AmountPaid": Decimal("0.00"),
            "AmountCredited": Decimal("0.00"),
        }
        errors += self._common(record, element, status, is_new=True)
        if errors:
            return None, errors
        if record["Type"] == "ACCREC" and not number:
            number = self._next_number()
        record["InvoiceNumber"] = number or ""
        self._finish(record)
        if contact is not None:
            flag = "IsCustomer" if record["Type"] == "ACCREC" else "IsSupplier"
            if not contact.get(flag):
                contact[flag] = True
                self.store.put("Contacts", contact)
        self.store.put("Invoices", record)
        return record, []

    # update ---------------------------------------------------------------------------------------
    def _update(self, existing: Record, element: dict[str, Any]) -> tuple[Record | None, list[str]]:
        current = existing["Status"]
        wanted = element.get("Status") or current
        if wanted not in STATUSES:
            return None, [f"'{wanted}' is not a valid invoice Status."]
        if wanted not in TRANSITIONS.get(current, ()):
            if current in ("PAID", "VOIDED", "DELETED") or wanted in ("PAID",):
                return None, ["Invoice not of valid status for modification"]
            return None, [f"Cannot change the status of an invoice from {current} to {wanted}."]
        if wanted == "VOIDED" and Decimal(str(existing.get("AmountPaid") or 0)) > 0:
            return None, [
                "Payments have been applied to this invoice. Remove the payments before voiding it."
            ]
        edits_content = any(
            k in element
            for k in ("LineItems", "Contact", "Date", "DueDate", "LineAmountTypes", "CurrencyCode")
        )
        if current == "AUTHORISED" and edits_content and existing.get("Payments"):
            return None, [
                "This document cannot be edited as it has a payment or credit note allocated to it."
            ]
        record = copy.deepcopy(existing)
        record["Status"] = wanted
        errors: list[str] = []
        if "Contact" in element:
            contact, contact_errors = self._contact(element.get("Contact"))
            errors += contact_errors
            if contact is not None:
                record["Contact"] = {"ContactID": contact["ContactID"]}
        if "Reference" in element:
            record["Reference"] = element["Reference"]
        errors += self._common(record, element, wanted, is_new=False)
        if errors:
            return None, errors
        self._finish(record)
        self.store.put("Invoices", record)
        return record, []

    # shared ---------------------------------------------------------------------------------------
    def _common(self, record: Record, element: dict[str, Any], status: str, *, is_new: bool) -> list[str]:
        errors: list[str] = []
        for field in ("Date", "DueDate"):
            if element.get(field) not in (None, ""):
                try:
                    record[field] = parse_request_date(element[field], field)
                except BadValue as exc:
                    errors.append(str(exc))
        if is_new and not record.get("Date"):
            record["Date"] = self.now.date()
        if status == "AUTHORISED" and not record.get("DueDate"):
            errors.append("Due Date is required when approving an invoice.")
        kind = element.get("LineAmountTypes", record.get("LineAmountTypes") or "Exclusive")
        if kind not in LINE_AMOUNT_TYPES:
            errors.append(
                f"'{kind}' is not a valid LineAmountTypes value. Use Exclusive, Inclusive or NoTax."
            )
        record["LineAmountTypes"] = kind
        base = str(self.store.organisation.get("BaseCurrency", "GBP"))
        currency = element.get("CurrencyCode", record.get("CurrencyCode") or base)
        if currency not in self.store.collections["Currencies"]:
            errors.append(f"Organisation is not subscribed to currency {currency}")
        record["CurrencyCode"] = currency
        if "CurrencyRate" in element:
            try:
                record["CurrencyRate"] = parse_decimal(element["CurrencyRate"], "CurrencyRate")
            except BadValue as exc:
                errors.append(str(exc))
        elif currency == base:
            record["CurrencyRate"] = Decimal(1)
        if "LineItems" in element or is_new:
            lines, line_errors = self._lines(element.get("LineItems") or [], record)
            errors += line_errors
            record["LineItems"] = lines
        if status != "DRAFT" and not record.get("LineItems"):
            errors.append("At least one line item must be specified for an approved or submitted invoice.")
        return errors

    def _lines(self, raw_lines: Any, record: Record) -> tuple[list[Record], list[str]]:
        if not isinstance(raw_lines, list):
            return [], ["LineItems must be a list of line items."]
        previous = {str(line.get("LineItemID")): line for line in record.get("LineItems") or []}
        lines: list[Record] = []
        errors: list[str] = []
        for position, raw in enumerate(raw_lines, start=1):
            if not isinstance(raw, dict):
                errors.append(f"Line item {position} is not an object.")
                continue
            line: Record = {k: raw[k] for k in _LINE_FIELDS if k in raw and raw[k] is not None}
            kept = previous.get(str(raw.get("LineItemID"))) if raw.get("LineItemID") else None
            line["LineItemID"] = kept["LineItemID"] if kept else self.new_id()
            for numeric in ("Quantity", "UnitAmount", "TaxAmount", "DiscountRate", "DiscountAmount"):
                if numeric in line:
                    try:
                        line[numeric] = parse_decimal(line[numeric], numeric)
                    except BadValue as exc:
                        errors.append(f"Line item {position}: {exc}")
            if "Quantity" not in line and "UnitAmount" in line:
                line["Quantity"] = Decimal(1)
            errors += self._line_codes(line, position, record)
            if not line.get("Description") and not line.get("ItemCode"):
                errors.append(f"Line item {position}: Description needs to be specified.")
            lines.append(line)
        return lines, errors

    def _line_codes(self, line: Record, position: int, record: Record) -> list[str]:
        errors: list[str] = []
        item_code = line.get("ItemCode")
        if item_code:
            item = self.store.find(
                "Items", lambda i: str(i.get("Code", "")).lower() == str(item_code).lower()
            )
            if item is None:
                errors.append(f"Item code '{item_code}' is not valid.")
            else:
                details = (
                    item.get("SalesDetails" if record.get("Type") == "ACCREC" else "PurchaseDetails") or {}
                )
                line.setdefault("Description", item.get("Description") or item.get("Name"))
                line.setdefault("UnitAmount", details.get("UnitPrice"))
                line.setdefault("AccountCode", details.get("AccountCode"))
                line.setdefault("TaxType", details.get("TaxType"))
        account = None
        code = line.get("AccountCode")
        if code:
            account = self.store.account_by_code(str(code))
            if account is None:
                errors.append(f"Account code '{code}' is not a valid code for this document.")
            elif account.get("Status") != "ACTIVE":
                errors.append(
                    f"Account code '{code}' has been archived, or has been deleted. Each line item "
                    "must reference a valid account."
                )
        elif line.get("UnitAmount") not in (None, Decimal(0)) and record.get("Status") != "DRAFT":
            errors.append(f"Line item {position}: an AccountCode must be specified on approved invoices.")
        tax_type = line.get("TaxType")
        if tax_type:
            rate = self.store.collections["TaxRates"].get(str(tax_type))
            if rate is None:
                errors.append(
                    f"The TaxType code '{tax_type}' does not exist or cannot be used for this type of "
                    "transaction."
                )
            elif rate.get("Status") != "ACTIVE":
                errors.append(f"The TaxType code '{tax_type}' is not active and cannot be used.")
            elif account is not None and not self._tax_fits_account(rate, account, record):
                errors.append(f"The TaxType code '{tax_type}' cannot be used with account code '{code}'.")
        elif account is not None and account.get("TaxType"):
            line["TaxType"] = account["TaxType"]
        return errors

    @staticmethod
    def _tax_fits_account(rate: Record, account: Record, record: Record) -> bool:
        account_type = str(account.get("Type", ""))
        if account_type in _REVENUE_ACCOUNT_TYPES:
            return bool(rate.get("CanApplyToRevenue"))
        if account_type in ("EXPENSE", "DIRECTCOSTS", "OVERHEADS"):
            return bool(rate.get("CanApplyToExpenses"))
        return True

    def _contact(self, raw: Any) -> tuple[Record | None, list[str]]:
        if not isinstance(raw, dict) or not (
            raw.get("ContactID") or raw.get("Name") or raw.get("ContactNumber")
        ):
            return None, ["A Contact must be specified for this type of transaction"]
        if raw.get("ContactID"):
            contact = self.store.get("Contacts", str(raw["ContactID"]))
            if contact is None:
                return None, [f"The contact with ContactID {raw['ContactID']} could not be found."]
            return contact, []
        if raw.get("ContactNumber"):
            contact = self.store.find(
                "Contacts", lambda c: str(c.get("ContactNumber", "")) == str(raw["ContactNumber"])
            )
            if contact is not None:
                return contact, []
        name = str(raw.get("Name", "")).strip()
        contact = self.store.find(
            "Contacts",
            lambda c: (
                c.get("ContactStatus") == "ACTIVE" and str(c.get("Name", "")).strip().lower() == name.lower()
            ),
        )
        if contact is not None:
            return contact, []
        if not name:
            return None, ["A Contact must be specified for this type of transaction"]
        # Xero creates a contact on the fly when an invoice names one it does not know
        contact = {
            "ContactID": self.new_id(),
            "Name": name,
            "ContactStatus": "ACTIVE",
            "IsCustomer": False,
            "IsSupplier": False,
            "Addresses": [],
            "Phones": [],
            "ContactPersons": [],
            "UpdatedDateUTC": self.now,
        }
        self.store.put("Contacts", contact)
        return contact, []

    def _finish(self, record: Record) -> None:
        apply_totals(record, self.store.rate_for)
        if record["LineAmountTypes"] == "NoTax":
            for line in record["LineItems"]:
                line.setdefault("TaxType", "NONE")
        record["AmountDue"] = (
            record["Total"]
            - Decimal(str(record.get("AmountPaid") or 0))
            - Decimal(str(record.get("AmountCredited") or 0))
        )
        record["UpdatedDateUTC"] = self.now

    def _next_number(self) -> str:
        highest = 0
        for invoice in self.store.collections["Invoices"].values():
            number = str(invoice.get("InvoiceNumber") or "")
            if invoice.get("Type") == "ACCREC" and number.startswith("INV-") and number[4:].isdigit():
                highest = max(highest, int(number[4:]))
        return f"INV-{highest + 1:05d}"


def new_guid() -> str:
    """A GUID for a record the API creates (random, as Xero's are)."""
    return str(uuid.uuid4())
