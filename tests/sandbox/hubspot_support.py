"""Factories for the HubSpot emulator tests: a small deterministic portal, and the emulator over it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from workbench.sandbox.clock import SandboxClock
from workbench.sandbox.credentials import HUBSPOT_PRIVATE_APP_TOKEN
from workbench.sandbox.demo.dataset import HubSpotPortal
from workbench.sandbox.hubspot import HubSpotEmulator, HubSpotLimits
from workbench.sandbox.wire import Request, Response

START = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
VAT_OPTIONS = ("Standard rated (20%)", "Zero rated", "Domestic reverse charge")


def _object(n: int, created: datetime, updated: datetime, properties: dict[str, Any]) -> dict[str, Any]:
    return {"id": n, "createdAt": created, "updatedAt": updated, "archived": False, "properties": properties}


def hubspot_portal(companies: int = 12, deals: int = 8) -> HubSpotPortal:
    """`companies` companies (one contact each), `deals` deals (deal n won when n is even, in the default
    pipeline; odd ones open in a custom pipeline), one or two line items per deal, two products.
    Record n was last modified n minutes after START minus a day."""
    base = START - timedelta(days=1)
    portal = HubSpotPortal(portal_id=4_242_424)
    portal.owners = [
        {
            "id": 901,
            "email": "ann@example.co.uk",
            "firstName": "Ann",
            "lastName": "Owner",
            "userId": 11,
            "createdAt": base,
            "updatedAt": base,
            "archived": False,
        },
        {
            "id": 902,
            "email": "bob@example.co.uk",
            "firstName": "Bob",
            "lastName": "Left",
            "userId": 12,
            "createdAt": base,
            "updatedAt": base,
            "archived": True,
        },
    ]

    def stage(stage_id: str, label: str, order: int, probability: str, closed: bool) -> dict[str, Any]:
        return {
            "id": stage_id,
            "label": label,
            "displayOrder": order,
            "createdAt": base,
            "updatedAt": base,
            "archived": False,
            "metadata": {"isClosed": closed, "probability": Decimal(probability)},
        }

    portal.pipelines = [
        {
            "id": "default",
            "label": "Sales",
            "displayOrder": 0,
            "createdAt": base,
            "updatedAt": base,
            "archived": False,
            "stages": [
                stage("appointmentscheduled", "Qualified", 0, "0.2", False),
                stage("closedwon", "Closed won", 1, "1.0", True),
                stage("closedlost", "Closed lost", 2, "0", True),
            ],
        },
        {
            "id": "555",
            "label": "Renewals",
            "displayOrder": 1,
            "createdAt": base,
            "updatedAt": base,
            "archived": False,
            "stages": [stage("5551", "Renewal due", 0, "0.4", False), stage("5559", "Renewed", 1, "1", True)],
        },
    ]
    portal.properties = {
        "companies": [
            {
                "name": "vat_number",
                "label": "VAT number",
                "type": "string",
                "fieldType": "text",
                "groupName": "companyinformation",
            }
        ],
        "deals": [
            {
                "name": "vat_treatment",
                "label": "VAT treatment",
                "type": "enumeration",
                "fieldType": "select",
                "groupName": "dealinformation",
                "options": [
                    {"label": o, "value": f"v{n}", "displayOrder": n, "hidden": False}
                    for n, o in enumerate(VAT_OPTIONS)
                ],
            }
        ],
    }
    for n in range(1, companies + 1):
        when = base + timedelta(minutes=n)
        portal.companies.append(
            _object(
                n,
                base,
                when,
                {
                    "name": f"Company {n} Ltd",
                    "domain": f"c{n}.co.uk",
                    "city": "Leeds",
                    "vat_number": f"GB{n:09d}",
                },
            )
        )
        portal.contacts.append(
            _object(
                n, base, when, {"firstname": f"First{n}", "lastname": "Person", "email": f"p{n}@c{n}.co.uk"}
            )
        )
    portal.products = [
        _object(1, base, base, {"name": "Consulting day", "price": Decimal("650.00"), "hs_sku": "CONS-DAY"}),
        _object(2, base, base, {"name": "Licence", "price": Decimal("240"), "hs_sku": "LIC"}),
    ]
    line = 0
    links: dict[str, dict[int, list[int]]] = {
        "deals/companies": {},
        "deals/contacts": {},
        "deals/line_items": {},
    }
    for n in range(1, deals + 1):
        won = n % 2 == 0
        properties = {
            "dealname": f"Deal {n}",
            "amount": Decimal("100.50") * n,
            "deal_currency_code": "GBP",
            "pipeline": "default" if won else "555",
            "dealstage": "closedwon" if won else "5551",
            "closedate": START - timedelta(days=n),
            "hubspot_owner_id": 901,
            "vat_treatment": "v0" if won else None,
        }
        portal.deals.append(_object(n, base, base + timedelta(minutes=n), properties))
        company = (n - 1) % companies + 1
        links["deals/companies"][n] = [company]
        links["deals/contacts"][n] = [company]
        for product in range(1, 1 + (n % 2) + 1):
            line += 1
            portal.line_items.append(
                _object(
                    line,
                    base,
                    base,
                    {
                        "name": f"Line {line}",
                        "quantity": Decimal(2),
                        "price": Decimal("650.00"),
                        "amount": Decimal("1300.00"),
                        "hs_product_id": product,
                    },
                )
            )
            links["deals/line_items"].setdefault(n, []).append(line)
    portal.associations = {"contacts/companies": {n: [n] for n in range(1, companies + 1)}, **links}
    return portal


def make_emulator(
    portal: HubSpotPortal | None = None, limits: HubSpotLimits | None = None
) -> tuple[HubSpotEmulator, SandboxClock]:
    clock = SandboxClock(START)
    return HubSpotEmulator(portal or hubspot_portal(), clock, limits or HubSpotLimits()), clock


def call(
    emulator: HubSpotEmulator,
    method: str,
    path: str,
    query: str = "",
    body: bytes | str | None = None,
    *,
    token: str | None = HUBSPOT_PRIVATE_APP_TOKEN,
    content_type: str = "application/json",
) -> Response:
    headers = [("Content-Type", content_type)]
    if token is not None:
        headers.append(("Authorization", f"Bearer {token}"))
    raw = body.encode("utf-8") if isinstance(body, str) else (body or b"")
    return emulator.handle(Request.build(method, path, query, headers, raw), path)
