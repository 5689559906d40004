"""The flow's own CRM fields as found in one CRM (`crm_writer` finds or creates them), and their values
compared the same way whether read raw (by Pipedrive hash or HubSpot internal name) or from a snapshot
(by field name or property label)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from workbench.flow.writeback_fields import WritebackField
from workbench.xero.models import to_decimal

CREATE_FIELDS_OPTION = "--create-fields"


@dataclass(frozen=True)
class FieldKey:
    field: WritebackField
    code: str  # what values are written under: Pipedrive's 40-character hash, HubSpot's internal name
    name: str  # as the CRM spells it (the canonical custom_fields json is keyed by it: name or label)
    field_type: str


@dataclass(frozen=True)
class FieldKeys:
    """The CRM's code for each of the flow's fields, the names created now, and the calls it took."""

    keys: Mapping[str, FieldKey]
    created: tuple[str, ...] = ()
    calls: int = 0

    def of(self, wanted: WritebackField) -> FieldKey:
        return self.keys[wanted.key]

    def for_entity(self, entity: str) -> list[FieldKey]:
        return [k for k in self.keys.values() if k.field.entity == entity]

    def codes(self, entity: str) -> frozenset[str]:
        return frozenset(k.code for k in self.for_entity(entity))


# values ------------------------------------------------------------------------------------------------
def comparable(key: FieldKey, value: Any) -> Any:
    """A value as the flow compares it, whether written by us, read raw from the CRM or from a snapshot."""
    if value is None or value == "" or value == []:
        return None
    if key.field.field_type == "monetary":
        amount, currency = (
            (value.get("value"), value.get("currency")) if isinstance(value, dict) else (value, None)
        )
        number = to_decimal(amount)
        if not isinstance(number, Decimal):
            return None
        return (
            (number, str(currency).upper()) if key.field_type == "monetary" and currency else (number, None)
        )
    return str(value).strip() or None


def wire_value(key: FieldKey, value: Any) -> Any:
    """A `comparable` value in the shape the CRM takes for the field's actual type (only a Pipedrive
    monetary field takes a currency; a number field, Pipedrive's or HubSpot's, takes the amount)."""
    if value is not None and key.field.field_type == "monetary":
        amount, currency = value
        return {"value": amount, "currency": currency} if key.field_type == "monetary" else amount
    return value


def current_values(custom_fields: Mapping[str, Any] | None, keys: Iterable[FieldKey]) -> dict[str, Any]:
    """What a record shows in the flow's fields, from a raw record (by code) or a snapshot (by name)."""
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
    """The `{code: wire value}` to write: the wanted values the record does not already show."""
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
