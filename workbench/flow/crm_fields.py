"""The flow's own CRM fields in one CRM: their hashes (found by name, created only when the operator
agrees), and their values compared the same way whether read raw (by hash) or from a snapshot (by name)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from workbench.errors import ConfigurationError
from workbench.flow.writeback_fields import WRITEBACK_FIELDS, WritebackField
from workbench.pipedrive.canonicalise import normalise_field_name
from workbench.pipedrive.client import PipedriveClient
from workbench.xero.models import to_decimal

CREATE_FIELDS_OPTION = "--create-fields"
# Field types the flow can write each of its values into (an operator may have made the field already).
COMPATIBLE_TYPES = {
    "varchar": ("varchar", "text", "varchar_auto"),
    "monetary": ("monetary", "double"),
}
_FIELDS_RESOURCE = {"deal": "dealFields", "organization": "organizationFields"}


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


def writeback_client(crm: object) -> PipedriveClient:
    """The CRM client the write-back writes through: Pipedrive's (HubSpot's deal properties are not
    wired into the flow yet, so a HubSpot engagement is told so instead of half-written)."""
    if isinstance(crm, PipedriveClient):
        return crm
    raise ConfigurationError(
        f"the flow writes invoice details back to Pipedrive only, not to {type(crm).__name__}",
        hint="run the flow with --no-write-back; the invoices and the ledger are unaffected",
    )


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
            hint=f"run `workbench flow refresh --engagement NAME {CREATE_FIELDS_OPTION}` to create them and "
            "write back what the flow created (needs a Pipedrive admin, or the deal-fields:full and "
            "contact-fields:full scopes), or create them in Pipedrive by these names",
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
        number = to_decimal(amount)
        if not isinstance(number, Decimal):
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
