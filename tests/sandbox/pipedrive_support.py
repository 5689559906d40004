"""Factories and spec checking for the Pipedrive emulator tests.

`pipedrive_company()` builds a small deterministic company (the demo generator is someone else's; these
tests must not depend on it). `spec_validator()` checks exchanges against the official spec with a
short, named list of fields the spec types as non-nullable although Pipedrive answers null for them.
"""

from __future__ import annotations

import copy
import fnmatch
import functools
import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from openapi_core import OpenAPI

from tests.spec_validation import SpecValidator, load_spec_dict
from workbench.sandbox.clock import SandboxClock
from workbench.sandbox.credentials import PIPEDRIVE_API_TOKEN
from workbench.sandbox.demo.dataset import PipedriveCompany
from workbench.sandbox.pipedrive import PipedriveEmulator, PipedriveLimits
from workbench.sandbox.wire import Request, Response

START = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
INVOICE_FIELD = "a" * 40
PRIORITY_FIELD = "b" * 40
BUDGET_FIELD = "c" * 40
TAGS_FIELD = "d" * 40
RENEWAL_FIELD = "e" * 40
VAT_FIELD = "f" * 40

# Response fields the spec declares non-nullable that the live API answers with null. Each entry is a
# glob over the dotted property path from the response root (array items and allOf add nothing).
NULLABLE_QUIRKS: dict[str, tuple[str, ...]] = {
    "pipedrive-v2": (
        "additional_data.next_cursor",  # its own description: "will be null if you have reached the end"
        "data.person_id",  # a deal without a contact person
        "data.org_id",  # a deal/person without an organization
        "data.won_time",  # set only once a deal is won
        "data.lost_time",  # set only once a deal is lost
        "data.expected_close_date",
        "data.stage_change_time",  # a deal never moved between stages
        "data.address",  # an organization without an address
        "data.picture_id",  # a person without a picture
    ),
    "pipedrive-v1": (),
}


def _mark_nullable(schema: Any, path: tuple[str, ...], patterns: tuple[str, ...]) -> None:
    if not isinstance(schema, dict):
        return
    for combinator in ("allOf", "oneOf", "anyOf"):
        for sub in schema.get(combinator, []):
            _mark_nullable(sub, path, patterns)
    if "items" in schema:
        _mark_nullable(schema["items"], path, patterns)
    for name, sub in (schema.get("properties") or {}).items():
        dotted = ".".join((*path, name))
        if isinstance(sub, dict) and any(fnmatch.fnmatchcase(dotted, p) for p in patterns):
            sub["nullable"] = True
        _mark_nullable(sub, (*path, name), patterns)


@functools.cache
def _patched(name: str) -> tuple[dict[str, Any], OpenAPI]:
    spec = copy.deepcopy(load_spec_dict(name))
    for operations in spec["paths"].values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            for response in (operation.get("responses") or {}).values():
                for content in (response.get("content") or {}).values():
                    _mark_nullable(content.get("schema"), (), NULLABLE_QUIRKS[name])
    return spec, OpenAPI.from_dict(spec)


class PipedriveSpecValidator(SpecValidator):
    """SpecValidator over the official spec with only `NULLABLE_QUIRKS` relaxed."""

    def __init__(self, name: str, mount: str) -> None:
        super().__init__(name, mount)
        self.spec, self.openapi = _patched(name)


@functools.cache
def v2_validator() -> PipedriveSpecValidator:
    return PipedriveSpecValidator("pipedrive-v2", mount="/pipedrive/api/v2")


@functools.cache
def v1_validator() -> PipedriveSpecValidator:
    return PipedriveSpecValidator("pipedrive-v1", mount="/pipedrive/v1")


def _field(code: str, name: str, field_type: str, options: list[str] | None = None) -> dict[str, Any]:
    field: dict[str, Any] = {
        "field_code": code,
        "field_name": name,
        "field_type": field_type,
        "is_custom_field": True,
        "is_optional_response_field": False,
    }
    if options:
        field["options"] = [{"id": n, "label": label} for n, label in enumerate(options, start=1)]
    return field


def pipedrive_company(deals: int = 40, *, base: datetime = START) -> PipedriveCompany:
    """A small deterministic company: 3 users, 2 pipelines, orgs, persons, products, `deals` deals."""
    at = base - timedelta(days=400)
    users = [
        {
            "id": 1,
            "name": "Olivia Owner",
            "email": "olivia@example.co.uk",
            "has_created_company": True,
            "created": at,
            "last_login": base - timedelta(hours=2),
            "default_currency": "GBP",
        },
        {
            "id": 2,
            "name": "Sam Seller",
            "email": "sam@example.co.uk",
            "created": at,
            "phone": "+44 20 7946 0000",
        },
        {"id": 3, "name": "Ria Rep", "email": "ria@example.co.uk", "created": at, "is_deleted": False},
    ]
    pipelines = [
        {"id": p, "name": f"Pipeline {p}", "order_nr": p, "add_time": at, "update_time": at} for p in (1, 2)
    ]
    stages = [
        {
            "id": s,
            "name": f"Stage {s}",
            "pipeline_id": 1 if s <= 3 else 2,
            "order_nr": (s - 1) % 3 + 1,
            "deal_probability": 20 * s,
            "add_time": at,
            "update_time": at,
        }
        for s in range(1, 7)
    ]
    organizations = [
        {
            "id": o,
            "name": f"Org {o} Ltd",
            "owner_id": o % 3 + 1,
            "add_time": at + timedelta(days=o),
            "update_time": at + timedelta(days=o, hours=3),
            "address": {
                "value": f"{o} High Street, London",
                "country": "United Kingdom",
                "postal_code": None,
            },
            "custom_fields": {VAT_FIELD: f"GB{100000000 + o}"} if o % 2 else {},
        }
        for o in range(1, 21)
    ]
    organizations.append(
        {"id": 21, "name": "No Address plc", "owner_id": 1, "add_time": at, "update_time": at}
    )
    organizations.append(
        {"id": 22, "name": "Gone Ltd", "is_deleted": True, "add_time": at, "update_time": at}
    )
    persons = [
        {
            "id": p,
            "name": f"Person {p} Smith",
            "owner_id": 1,
            "org_id": p if p <= 20 else None,
            "add_time": at,
            "update_time": at + timedelta(hours=p),
            "emails": [{"value": f"p{p}@org{p}.example", "primary": True, "label": "work"}],
            "phones": [{"value": f"+44 7700 900{p:03d}", "primary": True, "label": "mobile"}],
        }
        for p in range(1, 26)
    ]
    products = [
        {
            "id": n,
            "name": f"Service {n}",
            "code": f"SKU-{n:03d}",
            "unit": "hour",
            "tax": Decimal("20"),
            "owner_id": 1,
            "add_time": at,
            "update_time": at + timedelta(days=n),
            "prices": [{"price": Decimal("125.50") * n, "currency": "GBP", "cost": Decimal("40")}],
        }
        for n in range(1, 6)
    ]
    deal_records = []
    for d in range(1, deals + 1):
        status = ("open", "won", "lost", "open")[d % 4]
        updated = base - timedelta(days=d % 50, hours=d % 7)  # many ties on update_time
        record: dict[str, Any] = {
            "id": d,
            "title": f"Deal {d}",
            "owner_id": d % 3 + 1,
            "person_id": d % 25 + 1 if d % 5 else None,
            "org_id": d % 20 + 1 if d % 6 else None,
            "pipeline_id": 1 if d % 2 else 2,
            "stage_id": (d % 3 + 1) if d % 2 else (d % 3 + 4),
            "value": Decimal(d * 100) + Decimal("0.50"),
            "currency": "GBP",
            "add_time": updated - timedelta(days=30),
            "update_time": updated,
            "status": status,
            "expected_close_date": date(2026, 4, d % 28 + 1),
            "custom_fields": {PRIORITY_FIELD: d % 3 + 1} if d % 2 else {},
        }
        if status == "won":
            record["won_time"] = record["close_time"] = updated - timedelta(hours=1)
        if status == "lost":
            record["lost_time"] = record["close_time"] = updated - timedelta(hours=1)
            record["lost_reason"] = "Budget"
        deal_records.append(record)
    deal_lines = [
        {
            "id": n,
            "deal_id": n % 5 + 1,
            "product_id": n % 5 + 1,
            "quantity": Decimal(n),
            "item_price": Decimal("125.50"),
            "tax": Decimal("20"),
            "discount": Decimal("0"),
            "order_nr": n,
            "add_time": at,
            "update_time": at,
        }
        for n in range(1, 9)
    ]
    return PipedriveCompany(
        company_id=4242,
        company_domain="acme-sandbox",
        users=users,
        pipelines=pipelines,
        stages=stages,
        organizations=organizations,
        persons=persons,
        products=products,
        deals=deal_records,
        deal_products=deal_lines,
        deal_fields=[
            _field(INVOICE_FIELD, "Xero invoice number", "varchar"),
            _field(PRIORITY_FIELD, "Priority", "enum", ["Low", "Medium", "High"]),
            _field(BUDGET_FIELD, "Budget", "monetary"),
            _field(TAGS_FIELD, "Tags", "set", ["Retainer", "Project", "Referral"]),
            _field(RENEWAL_FIELD, "Renewal date", "date"),
        ],
        organization_fields=[_field(VAT_FIELD, "VAT number", "varchar")],
        currencies=[
            {"id": 1, "code": "GBP", "name": "British Pound", "symbol": "£"},
            {"id": 2, "code": "EUR", "name": "Euro", "symbol": "€"},
        ],
    )


def make_emulator(
    company: PipedriveCompany | None = None, limits: PipedriveLimits | None = None, start: datetime = START
) -> tuple[PipedriveEmulator, SandboxClock]:
    clock = SandboxClock(start)
    company = company if company is not None else pipedrive_company()
    emulator = (
        PipedriveEmulator(company, clock) if limits is None else PipedriveEmulator(company, clock, limits)
    )
    return emulator, clock


def call(
    emulator: PipedriveEmulator,
    method: str,
    path: str,
    query: str = "",
    body: Any = None,
    *,
    token: str | None = PIPEDRIVE_API_TOKEN,
    headers: dict[str, str] | None = None,
) -> tuple[Request, Response]:
    """Send `method path?query` (path like /api/v2/deals or /v1/users) through the sandbox mount."""
    sent = {"x-api-token": token} if token is not None else {}
    sent.update(headers or {})
    raw = b""
    if body is not None:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
        sent.setdefault("Content-Type", "application/json")
    request = Request.build(method, "/pipedrive" + path, query, sent, raw)
    return request, emulator.handle(request, path)


def check(request: Request, response: Response) -> None:
    """Validate a documented exchange against the v2 or v1 spec, whichever the path belongs to."""
    validator = v2_validator() if request.path.startswith("/pipedrive/api/v2") else v1_validator()
    validator.check(request, response)


# The error bodies Pipedrive sends but its v2 spec does not document (see workbench/.../errors.py).
GATEWAY_KEYS = {"success", "error", "errorCode", "error_info"}
VALIDATION_KEYS = {"success", "error", "code"}
APPLICATION_KEYS = {"success", "error", "error_info", "data", "additional_data"}


def assert_error(response: Response, status: int, keys: set[str], *, contains: str = "") -> dict[str, Any]:
    assert response.status == status, response.body
    assert response.headers.get("Content-Type", "").startswith("application/json")
    body = response.payload()
    assert set(body) == keys, body
    assert body["success"] is False
    assert isinstance(body["error"], str) and body["error"]
    if "errorCode" in keys:
        assert body["errorCode"] == status
    if "code" in keys:
        assert body["code"] == "ERR_SCHEMA_VALIDATION_FAILED"
        assert body["error"].startswith("Validation failed: ")
    if "data" in keys:
        assert body["data"] is None and body["additional_data"] is None
    assert contains in body["error"], body["error"]
    return body
