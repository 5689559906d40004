"""The demo Pipedrive company's set-up: users, pipelines, stages, products, field definitions, currencies.

Custom fields are keyed by 40-hex hashes drawn from the seed; `CustomFields` carries the codes (and
option ids) the generator fills and that the emulators and tests look up by field name.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from workbench.sandbox.demo.catalogue import CATALOGUE, price_in
from workbench.sandbox.demo.names import SECTORS
from workbench.sandbox.demo.rng import field_hash, instant

Record = dict[str, Any]

COMPANY_DOMAIN = "northwindworkshop"
ORG_VAT_FIELD = "VAT number"
ORG_XERO_ID_FIELD = "Xero contact ID"
ORG_SECTOR_FIELD = "Sector"
DEAL_VAT_FIELD = "VAT treatment"
PERSON_ROLE_FIELD = "Job role"
PRODUCT_ACCOUNT_FIELD = "Xero account code"
VAT_TREATMENTS = (
    "Standard rated (20%)",
    "Reduced rate (5%)",
    "Zero rated",
    "Exempt",
    "Outside scope (non-UK B2B)",
    "Domestic reverse charge",
)
USERS = (
    ("Hannah Whitaker", "Managing Director", True, True),
    ("Tom Ellery", "Account Executive", False, True),
    ("Priya Raman", "Account Executive", False, True),
    ("Callum Reid", "Account Manager", False, True),
    ("Sophie Marsh", "Finance Manager", False, True),
    ("Daniel Okoro", "Account Executive (left 2025)", False, False),
)
PIPELINES = (
    (
        "Sales",
        (
            ("Qualified", 10),
            ("Discovery call", 25),
            ("Proposal sent", 50),
            ("Negotiation", 75),
            ("Verbal yes", 90),
        ),
    ),
    ("Support and hosting", (("Renewal due", 40), ("Quote sent", 60), ("Awaiting PO", 85), ("Signed", 95))),
)
CATEGORY = {
    "service": "Services",
    "goods": "Goods",
    "retainer": "Subscriptions",
    "drc": "Construction services",
}


@dataclass(frozen=True)
class CustomFields:
    """Codes of the custom fields the generator fills, and option ids of its enum fields."""

    org_vat: str
    org_xero_id: str
    org_sector: str
    deal_vat: str
    person_role: str
    product_account: str
    sector_option: dict[str, int]
    vat_option: dict[str, int]


def custom_fields(rng: random.Random) -> CustomFields:
    codes = [field_hash(rng) for _ in range(6)]
    return CustomFields(
        org_vat=codes[0],
        org_xero_id=codes[1],
        org_sector=codes[2],
        deal_vat=codes[3],
        person_role=codes[4],
        product_account=codes[5],
        sector_option={sector: 11 + i for i, sector in enumerate(SECTORS)},
        vat_option={label: 31 + i for i, label in enumerate(VAT_TREATMENTS)},
    )


def users(rng: random.Random, created: date, as_of: date) -> list[Record]:
    base = rng.randrange(10_000_000, 20_000_000)
    out = []
    for n, (name, _role, admin, active) in enumerate(USERS, start=1):
        first = name.split()[0].lower()
        out.append(
            {
                "id": base + n,
                "name": name,
                "default_currency": "GBP",
                "locale": "en_GB",
                "lang": 1,
                "email": f"{first}@northwindworkshop.co.uk",
                "phone": f"0113 496 {rng.randrange(10**4):04d}",
                "activated": active,
                "last_login": instant(as_of if active else date(2025, 6, 30), rng),
                "created": instant(created, rng),
                "modified": instant(as_of if active else date(2025, 7, 1), rng),
                "has_created_company": n == 1,
                "access": [
                    {"app": "sales", "admin": admin, "permission_set_id": _permission_set(rng)},
                    {"app": "global", "admin": admin, "permission_set_id": _permission_set(rng)},
                ],
                "active_flag": active,
                "timezone_name": "Europe/London",
                "timezone_offset": "+00:00",
                "role_id": 1,
                "icon_url": None,
                "is_you": n == 1,
                "is_deleted": False,
                "is_admin": admin,
            }
        )
    return out


def _permission_set(rng: random.Random) -> str:
    value = f"{rng.getrandbits(128):032x}"
    return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"


def pipelines_and_stages(rng: random.Random, created: date) -> tuple[list[Record], list[Record]]:
    pipelines, stages = [], []
    stage_id = 0
    for p_id, (name, stage_specs) in enumerate(PIPELINES, start=1):
        added = instant(created, rng)
        pipelines.append(
            {
                "id": p_id,
                "name": name,
                "order_nr": p_id,
                "is_deleted": False,
                "is_deal_probability_enabled": True,
                "add_time": added,
                "update_time": added,
            }
        )
        for order, (stage_name, probability) in enumerate(stage_specs, start=1):
            stage_id += 1
            stages.append(
                {
                    "id": stage_id,
                    "order_nr": order,
                    "name": stage_name,
                    "is_deleted": False,
                    "deal_probability": probability,
                    "pipeline_id": p_id,
                    "is_deal_rot_enabled": order < 3,
                    "days_to_rotten": 30 if order < 3 else None,
                    "add_time": added,
                    "update_time": added,
                }
            )
    return pipelines, stages


def products(rng: random.Random, created: date, owner_id: int, fields: CustomFields) -> list[Record]:
    out: list[Record] = []
    for product in CATALOGUE:
        if not product.in_pipedrive:
            continue
        pid = len(out) + 1
        added = instant(created, rng)
        prices = []
        for currency in ("GBP", "EUR", "USD"):
            price = price_in(product, currency)
            prices.append(
                {
                    "product_id": pid,
                    "price": price,
                    "currency": currency,
                    "cost": (price * Decimal("0.45")).quantize(Decimal("0.01")),
                    "direct_cost": None,
                    "notes": "",
                }
            )
        out.append(
            {
                "id": pid,
                "name": product.name,
                "code": product.code,
                "unit": product.unit,
                "tax": product.tax,
                "is_deleted": False,
                "is_linkable": True,
                "visible_to": 3,
                "owner_id": owner_id,
                "add_time": added,
                "update_time": added,
                "description": product.description,
                "category": CATEGORY[product.kind],
                "custom_fields": {fields.product_account: product.account},
                "billing_frequency": "one-time",
                "billing_frequency_cycles": None,
                "prices": prices,
            }
        )
    return out


def _field(
    code: str,
    name: str,
    kind: str,
    *,
    custom: bool = False,
    options: list[Record] | None = None,
    subfields: list[Record] | None = None,
    description: str | None = None,
) -> Record:
    field: Record = {
        "field_name": name,
        "field_code": code,
        "field_type": kind,
        "options": options,
        "subfields": subfields,
        "is_custom_field": custom,
        "is_optional_response_field": False,
    }
    if description:
        field["description"] = description
    return field


def _money(code: str, name: str) -> list[Record]:
    currency = "currency" if code == "value" else f"{code}_currency"
    return [
        {"field_code": code, "field_name": f"Amount of {name}", "field_type": "double"},
        {"field_code": currency, "field_name": f"Currency of {name}", "field_type": "varchar"},
    ]


def _address_subfields() -> list[Record]:
    parts = (
        ("value", "Address value"),
        ("street_number", "House number"),
        ("route", "Street/road name"),
        ("subpremise", "Apartment/suite"),
        ("locality", "District"),
        ("admin_area_level_1", "State/province"),
        ("admin_area_level_2", "County"),
        ("country", "Country"),
        ("postal_code", "Postal code"),
        ("formatted_address", "Formatted address"),
    )
    return [{"field_code": c, "field_name": f"{n} of Address", "field_type": "varchar"} for c, n in parts]


def field_definitions(fields: CustomFields) -> dict[str, list[Record]]:
    """Standard and custom field definitions per entity, in the v2 `/{entity}Fields` shape."""
    status = [{"id": s, "label": s.capitalize()} for s in ("open", "won", "lost", "deleted")]
    sector_options = [{"id": i, "label": s} for s, i in fields.sector_option.items()]
    vat_options = [{"id": i, "label": s} for s, i in fields.vat_option.items()]
    deal = [
        _field("title", "Title", "varchar"),
        _field("value", "Value", "monetary", subfields=_money("value", "Value")),
        _field("org_id", "Organization", "org"),
        _field("person_id", "Contact person", "people"),
        _field("pipeline_id", "Pipeline", "int"),
        _field("stage_id", "Stage", "stage"),
        _field("status", "Status", "status", options=status),
        _field("owner_id", "Owner", "user"),
        _field("expected_close_date", "Expected close date", "date"),
        _field("probability", "Probability", "double"),
        _field("won_time", "Won time", "date"),
        _field("lost_time", "Lost time", "date"),
        _field("close_time", "Deal closed on", "date"),
        _field("lost_reason", "Lost reason", "varchar"),
        _field("add_time", "Deal created", "date"),
        _field("update_time", "Update time", "date"),
        _field("label_ids", "Label", "set"),
        _field("visible_to", "Visible to", "visible_to"),
        _field(
            fields.deal_vat,
            DEAL_VAT_FIELD,
            "enum",
            custom=True,
            options=vat_options,
            description="How VAT applies to this deal, for finance",
        ),
    ]
    organization = [
        _field("name", "Name", "varchar"),
        _field("owner_id", "Owner", "user"),
        _field("address", "Address", "address", subfields=_address_subfields()),
        _field("website", "Website", "varchar"),
        _field("linkedin", "LinkedIn profile", "varchar"),
        _field("employee_count", "Number of employees", "int"),
        _field("label_ids", "Labels", "set"),
        _field("add_time", "Organization created", "date"),
        _field("update_time", "Update time", "date"),
        _field("visible_to", "Visible to", "visible_to"),
        _field(fields.org_vat, ORG_VAT_FIELD, "varchar", custom=True),
        _field(
            fields.org_xero_id,
            ORG_XERO_ID_FIELD,
            "varchar",
            custom=True,
            description="ContactID of the matching Xero contact",
        ),
        _field(fields.org_sector, ORG_SECTOR_FIELD, "enum", custom=True, options=sector_options),
    ]
    person = [
        _field("name", "Name", "varchar"),
        _field("first_name", "First name", "varchar"),
        _field("last_name", "Last name", "varchar"),
        _field("org_id", "Organization", "org"),
        _field("owner_id", "Owner", "user"),
        _field("emails", "Email", "varchar"),
        _field("phones", "Phone", "phone"),
        _field("label_ids", "Labels", "set"),
        _field("add_time", "Person created", "date"),
        _field("update_time", "Update time", "date"),
        _field("visible_to", "Visible to", "visible_to"),
        _field(fields.person_role, PERSON_ROLE_FIELD, "varchar", custom=True),
    ]
    product = [
        _field("name", "Name", "varchar"),
        _field("code", "Product code", "varchar"),
        _field("unit", "Unit", "varchar"),
        _field("tax", "Tax", "double"),
        _field(
            "category",
            "Category",
            "enum",
            options=[{"id": n, "label": c} for n, c in enumerate(CATEGORY.values(), start=1)],
        ),
        _field("prices", "Price", "price_list"),
        _field("owner_id", "Owner", "user"),
        _field("billing_frequency", "Billing frequency", "billing_frequency"),
        _field("visible_to", "Visible to", "visible_to"),
        _field(fields.product_account, PRODUCT_ACCOUNT_FIELD, "varchar", custom=True),
    ]
    return {"deal": deal, "organization": organization, "person": person, "product": product}


def currencies() -> list[Record]:
    return [
        {
            "id": 1,
            "code": "GBP",
            "name": "British Pound",
            "decimal_points": 2,
            "symbol": "£",
            "active_flag": True,
            "is_custom_flag": False,
        },
        {
            "id": 2,
            "code": "EUR",
            "name": "Euro",
            "decimal_points": 2,
            "symbol": "€",
            "active_flag": True,
            "is_custom_flag": False,
        },
        {
            "id": 3,
            "code": "USD",
            "name": "US Dollar",
            "decimal_points": 2,
            "symbol": "$",
            "active_flag": True,
            "is_custom_flag": False,
        },
    ]
