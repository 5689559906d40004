"""What the flow intends to send: one DRAFT invoice per won deal, or the reason a deal gets none.

The builder (`build.py`) turns deals into these; the runner (`runner.py`) records them in the ledger,
asks Xero which references already exist, and sends the sendable ones. Money is `Decimal` throughout,
rounded as Xero rounds (per line, 2 dp, half up).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any


class HoldReason(StrEnum):
    """Why a candidate deal gets no invoice in this run (before anything is sent)."""

    ALREADY_INVOICED = "already invoiced"
    NOT_ALLOWED = "not allowed in this run"
    INVALID = "failed local validation"
    NO_CONTACT = "no Xero contact and the plan holds unmatched deals"
    CONTACT_REVIEW = "the Xero contact needs a person to confirm it"  # ambiguous, archived, or a review key
    REJECTED_UNCHANGED = "rejected by Xero before and unchanged since"


@dataclass(frozen=True)
class DraftLine:
    description: str
    quantity: Decimal
    unit_amount: Decimal
    account_code: str | None
    tax_type: str | None
    line_amount: Decimal  # quantity × unit amount less discount, as Xero computes it (2 dp, half up)
    tax_amount: Decimal  # the tax Xero will compute for this line
    item_code: str | None = None
    discount_rate: Decimal | None = None
    discount_amount: Decimal | None = None  # an amount off the line (Xero's DiscountAmount)
    # where the account and tax type came from, so a problem can say which plan row to change
    account_from: str = ""
    tax_from: str = ""

    def payload(self) -> dict[str, Any]:
        line: dict[str, Any] = {
            "Description": self.description,
            "Quantity": self.quantity,
            "UnitAmount": self.unit_amount,
        }
        if self.account_code:
            line["AccountCode"] = self.account_code
        if self.tax_type:
            line["TaxType"] = self.tax_type
        if self.item_code:
            line["ItemCode"] = self.item_code
        if self.discount_rate:
            line["DiscountRate"] = self.discount_rate
        if self.discount_amount:
            line["DiscountAmount"] = self.discount_amount
        return line


@dataclass(frozen=True)
class ContactChoice:
    """The Xero contact an invoice goes to: an existing ContactID, or a new contact created with it."""

    matched_by: str  # "stored ContactID", "VAT number", ..., or "new contact"
    contact_id: str | None = None
    new_contact: dict[str, Any] | None = None  # Xero Contact payload (Name, EmailAddress, TaxNumber...)

    def payload(self) -> dict[str, Any]:
        if self.contact_id:
            return {"ContactID": self.contact_id}
        return dict(self.new_contact or {})


@dataclass(frozen=True)
class InvoiceDraft:
    source: str  # the CRM: "pipedrive" or "hubspot"
    deal_id: str
    deal_title: str
    reference: str  # workbench.references.deal_reference(source, deal_id): the idempotency key in Xero
    contact: ContactChoice
    currency: str
    line_amount_types: str  # always explicit: Exclusive, Inclusive or NoTax
    date: dt.date
    due_date: dt.date
    status: str  # DRAFT unless the plan and the operator both asked for more
    lines: tuple[DraftLine, ...]
    subtotal: Decimal
    total_tax: Decimal
    total: Decimal
    problems: tuple[str, ...] = ()  # local validation failures; a draft with problems is never sent
    deal_fingerprint: str = ""  # hash of the deal's own fields (not the flow's write-back fields)
    org_id: str | None = None  # the CRM organisation billed (where a new contact's ContactID goes back)

    @property
    def sendable(self) -> bool:
        return not self.problems

    def payload(self) -> dict[str, Any]:
        """The invoice in Xero's wire format (money still `Decimal`; the client encodes it exactly)."""
        return {
            "Type": "ACCREC",
            "Contact": self.contact.payload(),
            "Reference": self.reference,
            "CurrencyCode": self.currency,
            "LineAmountTypes": self.line_amount_types,
            "Date": self.date.isoformat(),
            "DueDate": self.due_date.isoformat(),
            "Status": self.status,
            "LineItems": [line.payload() for line in self.lines],
        }

    def fingerprint(self) -> str:
        """A hash of what would be sent: a rejected deal is retried only once this changes."""
        text = json.dumps(self.payload(), sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Held:
    """A candidate deal that gets no invoice in this run, and why (in words the operator can act on)."""

    source: str
    deal_id: str
    deal_title: str
    reason: HoldReason
    why: str
    draft: InvoiceDraft | None = field(default=None, compare=False)  # when one was built (e.g. invalid)
