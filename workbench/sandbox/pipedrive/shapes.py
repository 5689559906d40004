"""Record dicts to wire objects: every spec field present, missing ones filled with a sensible default.

A record value of None is kept only where Pipedrive really answers null (the spec's nullable fields,
plus the few it marks non-nullable that the live API nulls: links to no person/organization, the
won/lost times of an open deal, an organization without an address); elsewhere the default is used.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from workbench.sandbox.pipedrive.encode import to_wire

Record = dict[str, Any]

DEAL = {
    "id": 0, "title": "", "owner_id": 1, "person_id": None, "org_id": None, "pipeline_id": 1, "stage_id": 1,
    "value": 0, "currency": "GBP", "add_time": None, "update_time": None, "stage_change_time": None,
    "is_deleted": False, "is_archived": False, "status": "open", "probability": None, "lost_reason": None,
    "visible_to": 3, "close_time": None, "won_time": None, "lost_time": None, "expected_close_date": None,
    "label_ids": [], "origin": "ManuallyCreated", "origin_id": None, "channel": None, "channel_id": None,
    "arr": None, "mrr": None, "acv": None,
}  # fmt: skip
DEAL_NULLABLE = frozenset({
    "person_id", "org_id", "stage_change_time", "probability", "lost_reason", "close_time", "won_time",
    "lost_time", "expected_close_date", "origin_id", "channel", "channel_id", "arr", "mrr", "acv",
})  # fmt: skip
ORGANIZATION = {
    "id": 0, "name": "", "owner_id": 1, "add_time": None, "update_time": None, "is_deleted": False,
    "visible_to": 3, "address": None, "label_ids": [], "website": None, "linkedin": None, "industry": None,
    "annual_revenue": None, "employee_count": None,
}  # fmt: skip
ORGANIZATION_NULLABLE = frozenset({"address", "website", "linkedin", "industry", "annual_revenue",
                                   "employee_count"})  # fmt: skip
PERSON = {
    "id": 0, "name": "", "first_name": "", "last_name": "", "owner_id": 1, "org_id": None,
    "add_time": None, "update_time": None, "emails": [], "phones": [], "is_deleted": False,
    "visible_to": 3, "label_ids": [], "picture_id": None,
}  # fmt: skip
PERSON_NULLABLE = frozenset({"org_id", "picture_id"})
# Contact Sync fields: only served when the record has them (the account has Contact Sync).
PERSON_CONTACT_SYNC = ("notes", "im", "birthday", "job_title", "postal_address")
PRODUCT = {
    "id": 0, "name": "", "code": "", "description": "", "unit": "", "tax": 0, "category": None,
    "is_linkable": True, "is_deleted": False, "visible_to": 3, "owner_id": 1, "add_time": None,
    "update_time": None, "billing_frequency": "one-time", "billing_frequency_cycles": None, "prices": [],
}  # fmt: skip
PRODUCT_NULLABLE = frozenset({"category", "billing_frequency_cycles"})
PRICE = {"product_id": 0, "price": 0, "currency": "GBP", "cost": 0, "direct_cost": None, "notes": ""}
DEAL_PRODUCT = {
    "id": 0, "sum": None, "tax": 0, "deal_id": 0, "name": "", "product_id": 0, "product_variation_id": None,
    "order_nr": None, "add_time": None, "update_time": None, "comments": "", "currency": "GBP",
    "discount": 0, "discount_type": "percentage", "quantity": 1, "item_price": 0, "tax_method": "exclusive",
    "is_enabled": True, "billing_frequency": "one-time", "billing_frequency_cycles": None,
    "billing_start_date": None,
}  # fmt: skip
DEAL_PRODUCT_NULLABLE = frozenset({"product_variation_id", "order_nr", "billing_frequency_cycles",
                                   "billing_start_date"})  # fmt: skip
STAGE = {
    "id": 0, "order_nr": 0, "name": "", "is_deleted": False, "deal_probability": 100, "pipeline_id": 1,
    "is_deal_rot_enabled": False, "days_to_rotten": None, "add_time": None, "update_time": None,
}  # fmt: skip
PIPELINE = {
    "id": 0, "name": "", "order_nr": 0, "is_deleted": False, "is_deal_probability_enabled": False,
    "add_time": None, "update_time": None,
}  # fmt: skip
USER = {
    "id": 0, "name": "", "default_currency": "GBP", "locale": "en_GB", "lang": 1, "email": "", "phone": None,
    "activated": True, "last_login": None, "created": None, "modified": None, "has_created_company": False,
    "access": [], "active_flag": True, "timezone_name": "Europe/London", "timezone_offset": "+00:00",
    "role_id": 1, "icon_url": None, "is_you": False, "is_deleted": False,
}  # fmt: skip
USER_NULLABLE = frozenset({"phone", "modified", "icon_url"})
CURRENCY = {"id": 0, "code": "", "name": "", "decimal_points": 2, "symbol": "", "active_flag": True,
            "is_custom_flag": False}  # fmt: skip
DEFAULT_CURRENCIES: list[Record] = [
    {"id": 1, "code": "GBP", "name": "British Pound", "symbol": "£"},
    {"id": 2, "code": "EUR", "name": "Euro", "symbol": "€"},
    {"id": 3, "code": "USD", "name": "US Dollar", "symbol": "$"},
]
_TIMES = ("add_time", "update_time")


def fill(record: Record, defaults: Record, nullable: frozenset[str], fallback_time: datetime) -> Record:
    """The record over its defaults (spec order first, then any extra keys the record carries)."""
    out: Record = {}
    for key, default in defaults.items():
        value = record.get(key, default)
        if value is None and key not in nullable:
            value = default
        if value is None and key in _TIMES:
            value = record.get("add_time") or fallback_time
        out[key] = value
    for key, value in record.items():
        if key not in out and not key.startswith("_"):
            out[key] = value
    return out


def deal(record: Record, now: datetime) -> Record:
    out = fill(record, DEAL, DEAL_NULLABLE, now)
    out.pop("custom_fields", None)
    return out


def organization(record: Record, now: datetime) -> Record:
    out = fill(record, ORGANIZATION, ORGANIZATION_NULLABLE, now)
    if isinstance(out["address"], str):
        out["address"] = {"value": out["address"]}
    elif isinstance(out["address"], dict):
        out["address"] = {k: v for k, v in out["address"].items() if v is not None}
    out.pop("custom_fields", None)
    return out


def person(record: Record, now: datetime) -> Record:
    defaults = dict(PERSON)
    name = str(record.get("name") or "")
    first, _, last = name.partition(" ")
    defaults.update(first_name=first, last_name=last)
    out = fill(record, defaults, PERSON_NULLABLE, now)
    for key in PERSON_CONTACT_SYNC:
        if out.get(key) is None:
            out.pop(key, None)
    out.pop("custom_fields", None)
    return out


def product(record: Record, now: datetime) -> Record:
    out = fill(record, PRODUCT, PRODUCT_NULLABLE, now)
    out["prices"] = [
        fill({**price, "product_id": price.get("product_id") or record.get("id")}, PRICE,
             frozenset({"direct_cost"}), now)
        for price in out["prices"] or []
    ]  # fmt: skip
    out.pop("custom_fields", None)
    return out


def deal_product(record: Record, now: datetime) -> Record:
    out = fill(record, DEAL_PRODUCT, DEAL_PRODUCT_NULLABLE, now)
    if record.get("sum") is None:
        out["sum"] = line_sum(out)
    return out


def line_sum(line: Record) -> Decimal:
    """quantity x item_price less the discount, plus tax when the price excludes it (a fallback only)."""
    gross = Decimal(str(line["quantity"])) * Decimal(str(line["item_price"]))
    discount = Decimal(str(line["discount"]))
    net = gross - (gross * discount / 100 if line["discount_type"] == "percentage" else discount)
    if line["tax_method"] == "exclusive":
        net += net * Decimal(str(line["tax"])) / 100
    return net.quantize(Decimal("0.01"))


def stage(record: Record, now: datetime) -> Record:
    return fill(record, STAGE, frozenset({"days_to_rotten"}), now)


def pipeline(record: Record, now: datetime) -> Record:
    return fill(record, PIPELINE, frozenset(), now)


def user(record: Record, now: datetime, *, me: bool) -> Record:
    out = fill(record, USER, USER_NULLABLE, now)
    out["created"] = record.get("created") or now
    out["last_login"] = record.get("last_login") or out["created"]
    out["is_you"] = me
    if not out["access"]:
        out["access"] = [{"app": "sales", "admin": bool(out["has_created_company"]), "permission_set_id": ""}]
    return out


def currency(record: Record, now: datetime) -> Record:
    return fill(record, CURRENCY, frozenset(), now)


RENDERERS: dict[str, Callable[[Record, datetime], Record]] = {
    "deals": deal, "organizations": organization, "persons": person, "products": product,
    "stages": stage, "pipelines": pipeline, "deal_products": deal_product, "currencies": currency,
}  # fmt: skip


def wire(record: Record, *, v1: bool = False) -> Any:
    return to_wire(record, v1=v1)
