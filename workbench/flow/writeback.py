"""Write the Xero invoice back onto its deal: number, InvoiceID, status and amount due.

The flow's own fields (`writeback_fields`) are found by name and created only when the operator agrees.
Each deal gets at most one PATCH holding only the values that differ from what the deal already shows,
so a re-run (or a refresh with nothing new in Xero) writes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from workbench.errors import ConfigurationError
from workbench.flow.writeback_fields import (
    DEAL_AMOUNT_DUE,
    DEAL_INVOICE_ID,
    DEAL_INVOICE_NUMBER,
    DEAL_INVOICE_STATUS,
    WRITEBACK_FIELDS,
    WritebackField,
)
from workbench.pipedrive.canonicalise import normalise_field_name
from workbench.pipedrive.client import PipedriveClient
from workbench.references import parse_deal_reference
from workbench.store import today as utc_today
from workbench.xero.models import Invoice

CREATE_FIELDS_OPTION = "--create-fields"
# Field types the flow can write each of its values into (an operator may have made the field already).
COMPATIBLE_TYPES = {
    "varchar": ("varchar", "text", "varchar_auto"),
    "monetary": ("monetary", "double"),
}
_FIELDS_RESOURCE = {"deal": "dealFields", "organization": "organizationFields"}
_NO_INVOICE = "00000000-0000-0000-0000-000000000000"  # the InvoiceID Xero gives an element it did not create


@dataclass(frozen=True)
class FieldKey:
    field: WritebackField
    code: str  # the 40-character hash values are written under
    name: str  # the name as the CRM spells it (the canonical custom_fields json is keyed by it)
    field_type: str


@dataclass(frozen=True)
class FieldKeys:
    """The CRM's hash for each of the flow's fields, the names created now, and the calls it took."""

    keys: Mapping[str, FieldKey]
    created: tuple[str, ...] = ()
    calls: int = 0

    def of(self, wanted: WritebackField) -> FieldKey:
        return self.keys[wanted.key]

    def for_entity(self, entity: str) -> list[FieldKey]:
        return [k for k in self.keys.values() if k.field.entity == entity]

    def codes(self, entity: str) -> frozenset[str]:
        return frozenset(k.code for k in self.for_entity(entity))


def ensure_fields(crm: PipedriveClient, *, create: bool) -> FieldKeys:
    """Find the flow's deal and organisation fields by name; create the missing ones only if `create`."""
    before = crm.session.stats.calls
    found: dict[str, FieldKey] = {}
    missing: list[WritebackField] = []
    for entity, resource in _FIELDS_RESOURCE.items():
        defined = crm.list_all(resource)
        for wanted in (f for f in WRITEBACK_FIELDS if f.entity == entity):
            key = _find(defined, wanted)
            if key is None:
                missing.append(wanted)
            else:
                found[wanted.key] = key
    if missing and not create:
        names = ", ".join(f"{f.entity} field '{f.name}'" for f in missing)
        raise ConfigurationError(
            f"Pipedrive has no {names}; the flow writes the Xero invoice back into these",
            hint=f"run again with {CREATE_FIELDS_OPTION} to create them (needs a Pipedrive admin, or the "
            "deal-fields:full and contact-fields:full scopes), or create them in Pipedrive by these names",
        )
    for wanted in missing:
        made = crm.create_field(wanted.entity, wanted.name, wanted.field_type)
        code = made.get("field_code")
        if not isinstance(code, str) or not code:
            raise ConfigurationError(
                f"Pipedrive created the {wanted.entity} field '{wanted.name}' but sent no field_code",
                hint="look the field up in Pipedrive (Settings > Data fields) and run again without "
                f"{CREATE_FIELDS_OPTION}",
            )
        found[wanted.key] = FieldKey(wanted, code, wanted.name, wanted.field_type)
    return FieldKeys(found, tuple(f.name for f in missing), crm.session.stats.calls - before)


def _find(defined: list[dict[str, Any]], wanted: WritebackField) -> FieldKey | None:
    target = normalise_field_name(wanted.name)
    matches = [
        d
        for d in defined
        if d.get("is_custom_field") and normalise_field_name(str(d.get("field_name") or "")) == target
    ]
    if not matches:
        return None
    if len(matches) > 1:
        codes = ", ".join(str(d.get("field_code")) for d in matches)
        raise ConfigurationError(
            f"Pipedrive has {len(matches)} {wanted.entity} fields called '{wanted.name}' ({codes})",
            hint="rename or delete all but one in Pipedrive (Settings > Data fields), then run again",
        )
    match = matches[0]
    field_type = str(match.get("field_type") or "")
    if field_type not in COMPATIBLE_TYPES[wanted.field_type]:
        raise ConfigurationError(
            f"the {wanted.entity} field '{match.get('field_name')}' is a {field_type} field; the flow writes "
            f"{' or '.join(COMPATIBLE_TYPES[wanted.field_type])} values into it",
            hint="change the field's type in Pipedrive, or rename it and run with "
            f"{CREATE_FIELDS_OPTION} to create one the flow can write",
        )
    return FieldKey(wanted, str(match["field_code"]), str(match.get("field_name")), field_type)


# values ------------------------------------------------------------------------------------------------
def comparable(key: FieldKey, value: Any) -> Any:
    """A value as the flow compares it, whether written by us, read raw from Pipedrive or from a snapshot."""
    if value is None or value == "" or value == []:
        return None
    if key.field.field_type == "monetary":
        amount, currency = (
            (value.get("value"), value.get("currency")) if isinstance(value, dict) else (value, None)
        )
        number = _decimal(amount)
        if number is None:
            return None
        return (
            (number, str(currency).upper()) if key.field_type == "monetary" and currency else (number, None)
        )
    return str(value).strip() or None


def wire_value(key: FieldKey, value: Any) -> Any:
    """A `comparable` value in the shape Pipedrive takes for the field's actual type."""
    if value is not None and key.field.field_type == "monetary":
        amount, currency = value
        return {"value": amount, "currency": currency} if key.field_type == "monetary" else amount
    return value


def current_values(custom_fields: Mapping[str, Any] | None, keys: Iterable[FieldKey]) -> dict[str, Any]:
    """What a record shows in the flow's fields, from raw Pipedrive (by hash) or a snapshot (by name)."""
    values = custom_fields or {}
    out: dict[str, Any] = {}
    for key in keys:
        raw = values.get(key.code)
        if raw is None:
            raw = values.get(key.name)
        out[key.field.key] = comparable(key, raw)
    return out


def changed_values(
    keys: Iterable[FieldKey], wanted: Mapping[str, Any], shown: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The `{hash: wire value}` to PATCH: the wanted values the record does not already show."""
    patch: dict[str, Any] = {}
    for key in keys:
        if key.field.key not in wanted:
            continue
        value = comparable(key, wanted[key.field.key])
        if shown is not None and shown.get(key.field.key) == value:
            continue
        if shown is None and value is None:
            continue  # nothing known and nothing to say
        patch[key.code] = wire_value(key, value)
    return patch


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
    calls: int = 0

    def add(self, other: WriteBackResult) -> None:
        self.written.extend(other.written)
        self.unchanged += other.unchanged
        self.not_deals += other.not_deals
        self.calls += other.calls


def write_back(
    crm: PipedriveClient,
    keys: FieldKeys,
    invoices: Iterable[Mapping[str, Any] | InvoiceState],
    *,
    current: Mapping[str, Mapping[str, Any] | None] | None = None,
    today: dt.date | None = None,
) -> WriteBackResult:
    """One PATCH per deal whose invoice values differ from what it shows; `current` maps deal id to
    the deal's custom fields (raw by hash or a snapshot's by name); a deal left out is written in full."""
    before = crm.session.stats.calls
    day = today or utc_today()
    deal_keys = keys.for_entity("deal")
    result = WriteBackResult()
    for item in invoices:
        state = item if isinstance(item, InvoiceState) else invoice_state(item)
        if state is None:
            result.not_deals += 1
            continue
        shown = None
        if current is not None and state.deal_id in current:
            shown = current_values(current[state.deal_id], deal_keys)
        patch = changed_values(deal_keys, state.values(day), shown)
        if not patch:
            result.unchanged += 1
            continue
        crm.update_deal_custom_fields(state.deal_id, patch)
        result.written.append(state.deal_id)
    result.calls = crm.session.stats.calls - before
    return result


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, Decimal):
        return value
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None
