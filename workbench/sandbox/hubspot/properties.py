"""Property definitions: HubSpot's own (per object type) and a portal's custom ones, and creating more.

A definition is what `GET /crm/v3/properties/{objectType}` answers per property (the SDK's `Property`:
name, label, type, fieldType, groupName, description and options required). Calculated properties
(`hs_is_closed_won`, ...) and the system ones (`hs_object_id`, `createdate`, the last-modified date) are
read-only.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from workbench.sandbox.hubspot.encode import instant
from workbench.sandbox.hubspot.errors import HubSpotError, detail, error_body, validation

Record = dict[str, Any]
OBJECT_TYPES = ("companies", "contacts", "deals", "line_items", "products")
ALIASES = {
    **{t: t for t in OBJECT_TYPES},
    "company": "companies",
    "contact": "contacts",
    "deal": "deals",
    "line_item": "line_items",
    "product": "products",
    "0-1": "contacts",
    "0-2": "companies",
    "0-3": "deals",
    "0-7": "products",
    "0-8": "line_items",
}
# the property holding each object's last-modified instant (contacts keep the older name)
MODIFIED = {
    "companies": "hs_lastmodifieddate",
    "contacts": "lastmodifieddate",
    "deals": "hs_lastmodifieddate",
    "line_items": "hs_lastmodifieddate",
    "products": "hs_lastmodifieddate",
}
# what a read without `properties=` returns, per object type
DEFAULT_READ = {
    "companies": ("createdate", "domain", "hs_lastmodifieddate", "hs_object_id", "name"),
    "contacts": ("createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"),
    "deals": (
        "amount",
        "closedate",
        "createdate",
        "dealname",
        "dealstage",
        "hs_lastmodifieddate",
        "hs_object_id",
        "pipeline",
    ),
    "line_items": (
        "amount",
        "createdate",
        "hs_lastmodifieddate",
        "hs_object_id",
        "hs_product_id",
        "name",
        "price",
        "quantity",
    ),
    "products": ("createdate", "description", "hs_lastmodifieddate", "hs_object_id", "name", "price"),
}
_GROUP = {
    "companies": "companyinformation",
    "contacts": "contactinformation",
    "deals": "dealinformation",
    "line_items": "lineiteminformation",
    "products": "productinformation",
}
_TEXT = ("string", "text")
_NUMBER = ("number", "number")
_WHEN = ("datetime", "date")
_OWNER = ("enumeration", "select")
_FLAG = ("bool", "booleancheckbox")
_STANDARD: dict[str, tuple[tuple[str, str, tuple[str, str]], ...]] = {
    "companies": (
        ("name", "Company name", _TEXT),
        ("domain", "Company domain name", _TEXT),
        ("website", "Website URL", _TEXT),
        ("phone", "Phone number", _TEXT),
        ("address", "Street address", _TEXT),
        ("address2", "Street address 2", _TEXT),
        ("city", "City", _TEXT),
        ("state", "State/Region", _TEXT),
        ("zip", "Postal code", _TEXT),
        ("country", "Country/Region", _TEXT),
        ("industry", "Industry", _TEXT),
        ("numberofemployees", "Number of employees", _NUMBER),
        ("hubspot_owner_id", "Company owner", _OWNER),
    ),
    "contacts": (
        ("firstname", "First name", _TEXT),
        ("lastname", "Last name", _TEXT),
        ("email", "Email", _TEXT),
        ("hs_additional_emails", "Additional email addresses", _TEXT),
        ("phone", "Phone number", _TEXT),
        ("mobilephone", "Mobile phone number", _TEXT),
        ("jobtitle", "Job title", _TEXT),
        ("company", "Company name", _TEXT),
        ("hubspot_owner_id", "Contact owner", _OWNER),
    ),
    "deals": (
        ("dealname", "Deal name", _TEXT),
        ("amount", "Amount", _NUMBER),
        ("deal_currency_code", "Currency", ("enumeration", "select")),
        ("pipeline", "Pipeline", _OWNER),
        ("dealstage", "Deal stage", _OWNER),
        ("closedate", "Close date", _WHEN),
        ("closed_lost_reason", "Closed lost reason", _TEXT),
        ("description", "Deal description", _TEXT),
        ("hubspot_owner_id", "Deal owner", _OWNER),
    ),
    "line_items": (
        ("name", "Name", _TEXT),
        ("quantity", "Quantity", _NUMBER),
        ("price", "Unit price", _NUMBER),
        ("amount", "Net price", _NUMBER),
        ("discount", "Unit discount", _NUMBER),
        ("hs_discount_percentage", "Discount percentage", _NUMBER),
        ("hs_product_id", "Product ID", _NUMBER),
        ("hs_sku", "SKU", _TEXT),
        ("hs_tax_rate_group_id", "Tax rate", _TEXT),
        ("hs_position_on_quote", "Position", _NUMBER),
        ("hs_recurring_billing_period", "Term", _TEXT),
        ("description", "Description", _TEXT),
    ),
    "products": (
        ("name", "Name", _TEXT),
        ("description", "Description", _TEXT),
        ("price", "Unit price", _NUMBER),
        ("hs_sku", "SKU", _TEXT),
        ("hs_cost_of_goods_sold", "Unit cost", _NUMBER),
        ("hs_price_gbp", "Unit price (GBP)", _NUMBER),
        ("hs_price_eur", "Unit price (EUR)", _NUMBER),
        ("hs_price_usd", "Unit price (USD)", _NUMBER),
        ("hs_recurring_billing_period", "Term", _TEXT),
    ),
}
_CALCULATED = {
    "deals": (
        ("hs_is_closed_won", "Is closed won", _FLAG),
        ("hs_is_closed", "Is deal closed?", _FLAG),
        ("hs_deal_stage_probability", "Deal probability", _NUMBER),
    )
}
TYPES = {
    "bool": ("booleancheckbox",),
    "enumeration": ("select", "radio", "checkbox", "booleancheckbox"),
    "date": ("date",),
    "datetime": ("date",),
    "string": ("text", "textarea", "file", "html", "phonenumber"),
    "number": ("number", "calculation_equation"),
    "phone_number": ("phonenumber",),
}
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,99}$")


def definition(
    name: str,
    label: str,
    kind: tuple[str, str],
    group: str,
    *,
    read_only: bool = False,
    calculated: bool = False,
    hubspot: bool = True,
) -> Record:
    return {
        "name": name,
        "label": label,
        "type": kind[0],
        "fieldType": kind[1],
        "groupName": group,
        "description": "",
        "options": [],
        "displayOrder": -1,
        "hubspotDefined": hubspot,
        "calculated": calculated,
        "externalOptions": False,
        "hasUniqueValue": False,
        "hidden": False,
        "formField": not read_only,
        "modificationMetadata": {
            "archivable": not hubspot,
            "readOnlyDefinition": hubspot,
            "readOnlyValue": read_only,
        },
    }


def standard_definitions(object_type: str) -> list[Record]:
    group = _GROUP[object_type]
    system = [
        definition("hs_object_id", "Record ID", _NUMBER, group, read_only=True),
        definition("createdate", "Create date", _WHEN, group, read_only=True),
        definition(MODIFIED[object_type], "Last modified date", _WHEN, group, read_only=True),
    ]
    standard = [definition(n, label, kind, group) for n, label, kind in _STANDARD[object_type]]
    calculated = [
        definition(n, label, kind, group, read_only=True, calculated=True)
        for n, label, kind in _CALCULATED.get(object_type, ())
    ]
    return system + standard + calculated


def custom_definition(raw: Record) -> Record:
    """A dataset's custom property as the API lists it."""
    kind = (raw["type"], raw["fieldType"])
    out = definition(raw["name"], raw["label"], kind, raw["groupName"], hubspot=False)
    out["description"] = raw.get("description") or ""
    out["options"] = [dict(o) for o in raw.get("options") or []]
    for stamp in ("createdAt", "updatedAt"):
        if isinstance(raw.get(stamp), datetime):
            out[stamp] = raw[stamp]
    return out


def render(definition_: Record) -> Record:
    return {k: instant(v) if isinstance(v, datetime) else v for k, v in definition_.items()}


def check_new_property(body: Any, taken: set[str], now: datetime) -> Record:
    """A valid `POST /crm/v3/properties/{objectType}` body as the definition it creates, or a 400/409."""
    if not isinstance(body, dict):
        raise validation("Invalid input JSON: the body must be an object")
    problems = [
        detail(f"{f} is required", "REQUIRED_FIELD", f)
        for f in ("name", "label", "type", "fieldType", "groupName")
        if not body.get(f)
    ]
    name, kind, field_type = body.get("name"), body.get("type"), body.get("fieldType")
    if name and (not isinstance(name, str) or not _NAME.match(name)):
        problems.append(
            detail(
                "name must be lower case letters, digits and underscores, starting with a letter",
                "INVALID_PROPERTY_NAME",
                "name",
            )
        )
    if kind and kind not in TYPES:
        problems.append(detail(f"type must be one of {', '.join(TYPES)}", "INVALID_ENUM", "type"))
    elif kind and field_type and field_type not in TYPES[kind]:
        problems.append(
            detail(
                f"fieldType {field_type!r} does not go with type {kind!r}", "INVALID_FIELD_TYPE", "fieldType"
            )
        )
    options = body.get("options") or []
    if kind == "enumeration" and not options:
        problems.append(detail("an enumeration property needs options", "REQUIRED_FIELD", "options"))
    if not isinstance(options, list) or not all(
        isinstance(o, dict) and isinstance(o.get("label"), str) and isinstance(o.get("value"), str)
        for o in options
    ):
        problems.append(detail("each option needs a label and a value", "INVALID_OPTION", "options"))
    if problems:
        raise validation(f"Property definition is invalid: {len(problems)} problem(s)", *problems)
    if name in taken:
        raise HubSpotError(
            409,
            error_body(
                f"A property named '{name}' already exists.",
                "OBJECT_ALREADY_EXISTS",
                context={"name": [str(name)]},
            ),
        )
    created = definition(
        str(name), str(body["label"]), (str(kind), str(field_type)), str(body["groupName"]), hubspot=False
    )
    created["description"] = str(body.get("description") or "")
    created["hasUniqueValue"] = bool(body.get("hasUniqueValue"))
    created["options"] = [
        {
            "label": o["label"],
            "value": o["value"],
            "displayOrder": o.get("displayOrder", n),
            "hidden": bool(o.get("hidden")),
        }
        for n, o in enumerate(options)
    ]
    created["createdAt"] = created["updatedAt"] = now
    return created
