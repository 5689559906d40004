"""The CRM fields the invoice flow writes itself (deal and organisation), by name and Pipedrive type.

One table, read by the write-back (to find or create the fields), the status refresh, and the deal
fingerprint (which leaves these out, so the flow's own write-back never looks like a change to a deal).
Fields are found by name, compared as `normalise_field_name` compares (case, spaces and punctuation
ignored), so an operator's "xero invoice number" is the same field.
"""

from __future__ import annotations

from dataclasses import dataclass

from workbench.pipedrive.canonicalise import normalise_field_name


@dataclass(frozen=True)
class WritebackField:
    entity: str  # Pipedrive entity: "deal" or "organization"
    key: str  # the flow's own name for it
    name: str  # the field name in the CRM
    field_type: str  # Pipedrive field_type used when the flow creates it


DEAL_INVOICE_NUMBER = WritebackField("deal", "invoice_number", "Xero invoice number", "varchar")
DEAL_INVOICE_ID = WritebackField("deal", "invoice_id", "Xero InvoiceID", "varchar")
# DRAFT, SUBMITTED, AUTHORISED, OVERDUE (authorised, past due, money owed), PAID or VOIDED
DEAL_INVOICE_STATUS = WritebackField("deal", "invoice_status", "Xero invoice status", "varchar")
DEAL_AMOUNT_DUE = WritebackField("deal", "amount_due", "Xero amount due", "monetary")  # {value, currency}
# "on stop", "overdue" or "in good standing" (the rule: workbench.flow.refresh.account_status)
ORGANISATION_ACCOUNT_STATUS = WritebackField(
    "organization", "account_status", "Xero account status", "varchar"
)

WRITEBACK_FIELDS: tuple[WritebackField, ...] = (
    DEAL_INVOICE_NUMBER,
    DEAL_INVOICE_ID,
    DEAL_INVOICE_STATUS,
    DEAL_AMOUNT_DUE,
    ORGANISATION_ACCOUNT_STATUS,
)
DEAL_FIELDS = tuple(f for f in WRITEBACK_FIELDS if f.entity == "deal")
ORGANISATION_FIELDS = tuple(f for f in WRITEBACK_FIELDS if f.entity == "organization")
_OWN_NAMES = {
    entity: frozenset(normalise_field_name(f.name) for f in WRITEBACK_FIELDS if f.entity == entity)
    for entity in ("deal", "organization")
}


def is_writeback_field(entity: str, name: str) -> bool:
    """Whether the CRM field called `name` on `entity` ("deal"/"organization") is one the flow writes."""
    return normalise_field_name(name) in _OWN_NAMES.get(entity, frozenset())
