"""Field definitions (`/dealFields` & co. in their v2 shape) and custom-field values.

Custom fields are keyed by 40-character hex hashes (`field_code`); v2 reads and writes them only inside
`custom_fields`. Value shapes per type (same for read and write): text types a string, `double` a
number, `monetary` `{"value", "currency"}`, `enum` an option id, `set` a non-empty list of option ids
(clear with null, `[]` is a validation error), `date` `YYYY-MM-DD`, `user`/`org`/`people` an id.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from workbench.sandbox.pipedrive.encode import is_json_int, parse_date, parse_decimal, to_wire

Record = dict[str, Any]

ENTITIES = ("deal", "organization", "person", "product")
CREATABLE_TYPES = (
    "varchar", "text", "double", "phone", "date", "daterange", "time", "timerange",
    "set", "enum", "varchar_auto", "address", "monetary", "org", "people", "user",
)  # fmt: skip
# Keys each POST /{entity}Fields body may carry (v2 spec request bodies; anything else is rejected).
BODY_KEYS = {
    "deal": frozenset({"field_name", "field_type", "options", "ui_visibility", "important_fields",
                       "required_fields", "description"}),
    "organization": frozenset({"field_name", "field_type", "options", "ui_visibility", "important_fields",
                               "required_fields"}),
    "person": frozenset({"field_name", "field_type", "options", "ui_visibility", "important_fields",
                         "required_fields"}),
    "product": frozenset({"field_name", "field_type", "options", "ui_visibility"}),
}  # fmt: skip
# The optional parts `include_fields=` may ask for, per entity (v2 spec GET /{entity}Fields).
INCLUDABLE = {
    "deal": ("ui_visibility", "important_fields", "required_fields"),
    "organization": ("ui_visibility", "important_fields", "required_fields"),
    "person": ("ui_visibility", "important_fields", "required_fields"),
    "product": ("ui_visibility",),
}

_STATUS_OPTIONS = [{"id": s, "label": s.capitalize()} for s in ("open", "won", "lost", "deleted")]
# Built-in fields served when the dataset lists only custom ones: (field_code, field_name, field_type).
_SYSTEM_FIELDS: dict[str, list[tuple[str, str, str]]] = {
    "deal": [
        ("id", "ID", "int"), ("title", "Title", "varchar"), ("value", "Value", "monetary"),
        ("org_id", "Organization", "org"), ("person_id", "Contact person", "people"),
        ("pipeline_id", "Pipeline", "int"), ("stage_id", "Stage", "stage"), ("status", "Status", "status"),
        ("owner_id", "Owner", "user"), ("expected_close_date", "Expected close date", "date"),
        ("won_time", "Won time", "date"), ("lost_time", "Lost time", "date"),
        ("close_time", "Deal closed on", "date"), ("lost_reason", "Lost reason", "varchar"),
        ("add_time", "Deal created", "date"), ("update_time", "Update time", "date"),
        ("label_ids", "Label", "set"), ("visible_to", "Visible to", "visible_to"),
    ],
    "organization": [
        ("id", "ID", "int"), ("name", "Name", "varchar"), ("owner_id", "Owner", "user"),
        ("address", "Address", "address"), ("website", "Website", "varchar"),
        ("linkedin", "LinkedIn profile", "varchar"), ("label_ids", "Labels", "set"),
        ("add_time", "Organization created", "date"), ("update_time", "Update time", "date"),
        ("visible_to", "Visible to", "visible_to"),
    ],
    "person": [
        ("id", "ID", "int"), ("name", "Name", "varchar"), ("first_name", "First name", "varchar"),
        ("last_name", "Last name", "varchar"), ("org_id", "Organization", "org"),
        ("owner_id", "Owner", "user"), ("emails", "Email", "varchar"), ("phones", "Phone", "phone"),
        ("label_ids", "Labels", "set"), ("add_time", "Person created", "date"),
        ("update_time", "Update time", "date"), ("visible_to", "Visible to", "visible_to"),
    ],
    "product": [
        ("id", "ID", "int"), ("name", "Name", "varchar"), ("code", "Product code", "varchar"),
        ("unit", "Unit", "varchar"), ("tax", "Tax", "double"), ("category", "Category", "enum"),
        ("prices", "Price", "price_list"), ("owner_id", "Owner", "user"),
        ("billing_frequency", "Billing frequency", "billing_frequency"),
        ("visible_to", "Visible to", "visible_to"),
    ],
}  # fmt: skip


def system_fields(entity: str) -> list[Record]:
    fields: list[Record] = []
    for code, name, field_type in _SYSTEM_FIELDS[entity]:
        field: Record = {"field_code": code, "field_name": name, "field_type": field_type,
                         "is_custom_field": False, "is_optional_response_field": False}  # fmt: skip
        if code == "status":
            field["options"] = [dict(o) for o in _STATUS_OPTIONS]
        if field_type == "monetary":
            field["subfields"] = _monetary_subfields(code, name)
        fields.append(field)
    return fields


def _monetary_subfields(code: str, name: str) -> list[Record]:
    currency = "currency" if code == "value" else f"{code}_currency"
    return [
        {"field_code": code, "field_name": f"Amount of {name}", "field_type": "double"},
        {"field_code": currency, "field_name": f"Currency of {name}", "field_type": "varchar"},
    ]


def _default_ui_visibility(entity: str) -> Record:
    visibility: Record = {"add_visible_flag": False, "details_visible_flag": True}
    if entity == "deal":
        visibility["projects_detail_visible_flag"] = False
        visibility["show_in_pipelines"] = {"show_in_all": True, "pipeline_ids": []}
    elif entity in ("organization", "person"):
        visibility["show_in_add_deal_dialog"] = {"show": False, "order": None}
    if entity == "person":
        visibility["show_in_add_person_dialog"] = {"show": False, "order": None}
    return visibility


def _default_part(entity: str, part: str) -> Record:
    if part == "ui_visibility":
        return _default_ui_visibility(entity)
    if part == "required_fields" and entity == "deal":
        return {"enabled": False, "stage_ids": [], "statuses": {}}
    if part == "required_fields":
        return {"enabled": False}
    return {"enabled": False, "stage_ids": []}


def render_field(field: Record, entity: str, include: tuple[str, ...] = ()) -> Record:
    """One field definition on the v2 wire; optional parts only when `include_fields` asked for them."""
    out: Record = {
        "field_name": field.get("field_name") or field.get("name") or "",
        "field_code": field["field_code"],
        "description": field.get("description"),
        "field_type": field.get("field_type", "varchar"),
        "options": field.get("options"),
        "subfields": field.get("subfields"),
        "is_custom_field": bool(field.get("is_custom_field", False)),
        "is_optional_response_field": bool(field.get("is_optional_response_field", False)),
    }
    if out["description"] is None:
        del out["description"]
    for part in include:
        out[part] = field.get(part) or _default_part(entity, part)
    return to_wire(out)


def new_field_code(entity: str, name: str, taken: set[str]) -> str:
    """A fresh 40-hex field code, stable for the same sequence of creations (reproducible sandboxes)."""
    salt = len(taken)
    while True:
        code = hashlib.sha1(f"{entity}:{name}:{salt}".encode(), usedforsecurity=False).hexdigest()
        if code not in taken:
            return code
        salt += 1


def check_field_body(entity: str, body: Any) -> list[str]:
    """The problems of a POST /{entity}Fields body, as `name: what is wrong` strings."""
    if not isinstance(body, dict):
        return ["body: Must be a JSON object"]
    problems = [f"{key}: Parameter '{key}' is not allowed for this request"
                for key in body if key not in BODY_KEYS[entity]]  # fmt: skip
    name = body.get("field_name")
    if not isinstance(name, str) or not 1 <= len(name.strip()) <= 255:
        problems.append("field_name: Must be a string of 1 to 255 characters")
    field_type = body.get("field_type")
    if field_type not in CREATABLE_TYPES:
        problems.append(f"field_type: Must be one of {', '.join(CREATABLE_TYPES)}")
    options = body.get("options")
    if field_type in ("enum", "set"):
        if not isinstance(options, list) or not options:
            problems.append("options: Required for enum and set fields")
        elif not all(isinstance(o, dict) and isinstance(o.get("label"), str) and o["label"] for o in options):
            problems.append("options: Each option needs a label")
    elif options is not None:
        problems.append("options: Only enum and set fields have options")
    for part in ("ui_visibility", "important_fields", "required_fields"):
        if part in body and not isinstance(body[part], dict):
            problems.append(f"{part}: Must be an object")
    if "description" in body and body["description"] is not None and not isinstance(body["description"], str):
        problems.append("description: Must be a string")
    return problems


def build_field(entity: str, body: Record, code: str, first_option_id: int, now: datetime) -> Record:
    """The stored definition of a field created from a (checked) POST body."""
    name = body["field_name"].strip()
    field: Record = {
        "field_name": name,
        "field_code": code,
        "field_type": body["field_type"],
        "options": None,
        "subfields": None,
        "is_custom_field": True,
        "is_optional_response_field": False,
    }
    if body.get("description") is not None:
        field["description"] = body["description"]
    if body.get("options"):
        field["options"] = [
            {"id": first_option_id + n, "label": o["label"], "color": o.get("color"), "add_time": now,
             "update_time": now}
            for n, o in enumerate(body["options"])
        ]  # fmt: skip
    if body["field_type"] == "monetary":
        field["subfields"] = _monetary_subfields(code, name)
    for part in INCLUDABLE[entity]:
        field[part] = {**_default_part(entity, part), **(body.get(part) or {})}
    return field


def _text(limit: int) -> Callable[[Any, Record], Any]:
    def check(value: Any, field: Record) -> Any:
        if not isinstance(value, str):
            raise ValueError("Must be a string")
        if len(value) > limit:
            raise ValueError(f"Must be at most {limit} characters")
        return value

    return check


def _double(value: Any, field: Record) -> Decimal:
    parsed = parse_decimal(value)
    if parsed is None:
        raise ValueError("Must be a number")
    return parsed


def _int(value: Any, field: Record) -> int:
    if not is_json_int(value):
        raise ValueError("Must be an integer")
    return int(value)


def _date(value: Any, field: Record) -> Any:
    parsed = parse_date(value) if isinstance(value, str) else None
    if parsed is None:
        raise ValueError("Must be a date in YYYY-MM-DD format")
    return parsed


def _monetary(value: Any, field: Record) -> Record:
    if not isinstance(value, dict) or "value" not in value or set(value) - {"value", "currency"}:
        raise ValueError('Must be an object {"value": number, "currency": string}')
    amount = parse_decimal(value["value"])
    currency = value.get("currency")
    if amount is None:
        raise ValueError("value: Must be a number")
    if currency is not None and not (isinstance(currency, str) and len(currency) == 3):
        raise ValueError("currency: Must be a 3-letter currency code")
    return {"value": amount, "currency": currency}


def _option_ids(field: Record) -> set[Any]:
    return {o.get("id") for o in field.get("options") or []}


def _enum(value: Any, field: Record) -> int:
    if not is_json_int(value) or value not in _option_ids(field):
        raise ValueError("Must be the id of one of the field's options")
    return int(value)


def _set(value: Any, field: Record) -> list[int]:
    if not isinstance(value, list) or not value:
        raise ValueError("Must be a non-empty array of option ids (use null to clear)")
    allowed = _option_ids(field)
    if not all(is_json_int(v) and v in allowed for v in value):
        raise ValueError("Every item must be the id of one of the field's options")
    return [int(v) for v in value]


def _object_with_value(value: Any, field: Record) -> Record:
    if not isinstance(value, dict) or "value" not in value:
        raise ValueError('Must be an object with a "value"')
    return dict(value)


_VALUE_CHECKS: dict[str, Callable[[Any, Record], Any]] = {
    "varchar": _text(255), "varchar_auto": _text(255), "phone": _text(255), "text": _text(65_535),
    "double": _double, "int": _int, "monetary": _monetary, "date": _date, "enum": _enum, "set": _set,
    "user": _int, "org": _int, "people": _int, "address": _object_with_value,
    "daterange": _object_with_value, "time": _object_with_value, "timerange": _object_with_value,
}  # fmt: skip


def check_custom_values(values: Any, fields: dict[str, Record]) -> tuple[Record, list[str]]:
    """Validate a `custom_fields` write against the custom fields by code; (stored values, problems)."""
    if not isinstance(values, dict):
        return {}, ["custom_fields: Must be an object"]
    stored: Record = {}
    problems: list[str] = []
    for code, value in values.items():
        field = fields.get(code)
        if field is None or not field.get("is_custom_field"):
            problems.append(f"custom_fields.{code}: Unknown custom field '{code}'")
            continue
        if value is None:
            stored[code] = None
            continue
        check = _VALUE_CHECKS.get(str(field.get("field_type")), _object_with_value)
        try:
            stored[code] = check(value, field)
        except ValueError as error:
            problems.append(f"custom_fields.{code}: {error}")
    return stored, problems


def render_custom_values(
    values: Record, fields: list[Record], *, only: set[str] | None = None, option_labels: bool = False
) -> Record:
    """Every custom field of the entity (null when unset), or just `only`; enum/set as {id, label} on ask."""
    out: Record = {}
    for field in fields:
        code = field["field_code"]
        if not field.get("is_custom_field") or (only is not None and code not in only):
            continue
        value = values.get(code)
        if option_labels and value is not None and field.get("field_type") in ("enum", "set"):
            labels = {o.get("id"): o.get("label") for o in field.get("options") or []}
            if isinstance(value, list):
                value = [{"id": v, "label": labels.get(v)} for v in value]
            else:
                value = {"id": value, "label": labels.get(value)}
        out[code] = to_wire(value)
    return out
