"""The demo client's CRM in HubSpot form: the same companies, people, deals, products and lines as its
Pipedrive company, with the same ids, so every planted problem and manifest label holds unchanged.

HubSpot names things its own way: organisations are companies (`name`, `domain`, `city`, `zip`, ...),
persons are contacts (`firstname`, `lastname`, `email`), deal products are line items associated to
their deal, and custom fields are custom properties with plain internal names (`vat_number`,
`vat_treatment`), enumerations keyed by option values rather than ids. Won is a stage of the deal's
pipeline that is closed with probability 1 (`closedwon` only in the default pipeline).
"""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from workbench.sandbox.demo.dataset import DemoClient, HubSpotPortal, Manifest, PipedriveCompany, Record
from workbench.sandbox.demo.pipedrive_reference import (
    DEAL_VAT_FIELD,
    ORG_SECTOR_FIELD,
    ORG_VAT_FIELD,
    ORG_XERO_ID_FIELD,
    PERSON_ROLE_FIELD,
    PRODUCT_ACCOUNT_FIELD,
)

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
# The default pipeline's built-in open stage ids, in order; its closed stages are closedwon/closedlost.
DEFAULT_OPEN_STAGES = (
    "appointmentscheduled",
    "qualifiedtobuy",
    "presentationscheduled",
    "decisionmakerboughtin",
    "contractsent",
)
PIPELINE_ID_BASE = 7_640_000  # custom pipelines and their stages have numeric ids
MANIFEST_KEYS = {
    "pipedrive.organization": "hubspot.company",
    "pipedrive.person": "hubspot.contact",
    "pipedrive.deal": "hubspot.deal",
}
OWNER_ID_BASE = 51_000_000
_PD_REFERENCE = re.compile(r"^PD-(?=\d)")
# HubSpot association type ids (HUBSPOT_DEFINED) of the pairs the demo stores.
ASSOCIATIONS = ("contacts/companies", "deals/companies", "deals/contacts", "deals/line_items")


def _option_value(label: str) -> str:
    """`"Standard rated (20%)"` -> `"standard_rated_20"` (HubSpot option values are internal names)."""
    return re.sub(r"_+", "_", re.sub(r"[^0-9a-z]+", "_", label.casefold())).strip("_")


def _property(
    name: str, label: str, kind: str, field_type: str, group: str, options: list[str] | None = None
) -> Record:
    return {
        "name": name,
        "label": label,
        "type": kind,
        "fieldType": field_type,
        "groupName": group,
        "description": "",
        "options": [
            {"label": o, "value": _option_value(o), "displayOrder": n, "hidden": False}
            for n, o in enumerate(options or [])
        ],
    }


def _custom_definitions(company: PipedriveCompany) -> tuple[dict[str, list[Record]], dict[str, str]]:
    """The portal's custom properties per object type, and Pipedrive field code -> property name."""
    by_name = {
        f["field_name"]: f
        for fields in (
            company.organization_fields,
            company.deal_fields,
            company.person_fields,
            company.product_fields,
        )
        for f in fields
        if f.get("is_custom_field")
    }

    def labels(name: str) -> list[str]:
        return [o["label"] for o in by_name[name].get("options") or []]

    properties = {
        "companies": [
            _property("vat_number", ORG_VAT_FIELD, "string", "text", "companyinformation"),
            _property("company_number", "Company number", "string", "text", "companyinformation"),
            _property("xero_contact_id", ORG_XERO_ID_FIELD, "string", "text", "companyinformation"),
            _property(
                "sector",
                ORG_SECTOR_FIELD,
                "enumeration",
                "select",
                "companyinformation",
                labels(ORG_SECTOR_FIELD),
            ),
        ],
        "contacts": [],
        "deals": [
            _property(
                "vat_treatment",
                DEAL_VAT_FIELD,
                "enumeration",
                "select",
                "dealinformation",
                labels(DEAL_VAT_FIELD),
            ),
        ],
        "products": [
            _property("vat_rate", "VAT rate", "number", "number", "productinformation"),
            _property("xero_account_code", PRODUCT_ACCOUNT_FIELD, "string", "text", "productinformation"),
        ],
        "line_items": [_property("vat_rate", "VAT rate", "number", "number", "lineiteminformation")],
    }
    codes = {by_name[name]["field_code"]: name for name in by_name}
    renamed = {
        ORG_VAT_FIELD: "vat_number",
        ORG_XERO_ID_FIELD: "xero_contact_id",
        ORG_SECTOR_FIELD: "sector",
        DEAL_VAT_FIELD: "vat_treatment",
        PERSON_ROLE_FIELD: "jobtitle",
        PRODUCT_ACCOUNT_FIELD: "xero_account_code",
    }
    return properties, {code: renamed[name] for code, name in codes.items() if name in renamed}


def _object(record_id: int, created: datetime, updated: datetime, properties: dict[str, Any]) -> Record:
    return {
        "id": record_id,
        "createdAt": created,
        "updatedAt": updated,
        "archived": False,
        "properties": {k: v for k, v in properties.items() if v is not None and v != ""},
    }


class _Renderer:
    def __init__(self, company: PipedriveCompany) -> None:
        self.company = company
        self.definitions, self.property_of = _custom_definitions(company)
        self.options = {
            f["field_code"]: {o["id"]: _option_value(o["label"]) for o in f.get("options") or []}
            for fields in (company.organization_fields, company.deal_fields)
            for f in fields
            if f.get("is_custom_field") and f.get("options")
        }
        self.owner_of_user = {int(u["id"]): OWNER_ID_BASE + n for n, u in enumerate(company.users, start=1)}
        self.stage_of: dict[int, str] = {}
        self.closed_of: dict[int, tuple[str, str]] = {}  # pipeline id -> (won stage, lost stage)
        self.pipeline_of: dict[int, str] = {}

    def custom(self, values: Mapping[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for code, value in values.items():
            name = self.property_of.get(code)
            if name is None or value is None:
                continue
            out[name] = self.options[code].get(value) if code in self.options else value
        return out

    def owner(self, user_id: Any) -> int | None:
        return self.owner_of_user.get(int(user_id)) if user_id is not None else None

    # reference data ------------------------------------------------------------------------------
    def owners(self) -> list[Record]:
        out = []
        for user in self.company.users:
            first, _, last = str(user["name"]).partition(" ")
            out.append(
                {
                    "id": self.owner_of_user[int(user["id"])],
                    "email": user["email"],
                    "firstName": first,
                    "lastName": last,
                    "userId": int(user["id"]),
                    "createdAt": user["created"],
                    "updatedAt": user["modified"],
                    "archived": not user.get("active_flag", True),
                }
            )
        return out

    def pipelines(self) -> list[Record]:
        out = []
        for pipeline in sorted(self.company.pipelines, key=lambda p: p["order_nr"]):
            number = int(pipeline["id"])
            default = pipeline["order_nr"] == 1
            pipeline_id = "default" if default else str(PIPELINE_ID_BASE + number)
            self.pipeline_of[number] = pipeline_id
            own = sorted(
                (s for s in self.company.stages if s["pipeline_id"] == number), key=lambda s: s["order_nr"]
            )
            stages = []
            for n, stage in enumerate(own):
                stage_id = (
                    DEFAULT_OPEN_STAGES[n]
                    if default and n < len(DEFAULT_OPEN_STAGES)
                    else str(PIPELINE_ID_BASE + 100 * number + n + 1)
                )
                self.stage_of[int(stage["id"])] = stage_id
                probability = Decimal(stage["deal_probability"]) / HUNDRED
                stages.append(self._stage(stage_id, stage["name"], n, probability, False, stage["add_time"]))
            won = "closedwon" if default else str(PIPELINE_ID_BASE + 100 * number + 98)
            lost = "closedlost" if default else str(PIPELINE_ID_BASE + 100 * number + 99)
            self.closed_of[number] = (won, lost)
            stages.append(self._stage(won, "Closed won", len(own), Decimal(1), True, pipeline["add_time"]))
            stages.append(
                self._stage(lost, "Closed lost", len(own) + 1, Decimal(0), True, pipeline["add_time"])
            )
            out.append(
                {
                    "id": pipeline_id,
                    "label": pipeline["name"],
                    "displayOrder": pipeline["order_nr"] - 1,
                    "createdAt": pipeline["add_time"],
                    "updatedAt": pipeline["update_time"],
                    "archived": False,
                    "stages": stages,
                }
            )
        return out

    @staticmethod
    def _stage(
        stage_id: str, label: str, order: int, probability: Decimal, closed: bool, when: datetime
    ) -> Record:
        return {
            "id": stage_id,
            "label": label,
            "displayOrder": order,
            "metadata": {"isClosed": closed, "probability": probability},
            "createdAt": when,
            "updatedAt": when,
            "archived": False,
        }

    # records ---------------------------------------------------------------------------------------
    def products(self) -> list[Record]:
        out = []
        for product in self.company.products:
            prices: dict[str, Record] = {p["currency"]: p for p in product.get("prices") or []}
            gbp: Record = prices.get("GBP") or next(iter(prices.values()), {})
            properties: dict[str, Any] = {
                "name": product["name"],
                "hs_sku": product.get("code"),
                "description": product.get("description"),
                "price": gbp.get("price"),
                "hs_cost_of_goods_sold": gbp.get("cost"),
                "vat_rate": product.get("tax"),
                **{f"hs_price_{c.lower()}": p["price"] for c, p in prices.items()},
                **self.custom(product.get("custom_fields") or {}),
            }
            out.append(_object(int(product["id"]), product["add_time"], product["update_time"], properties))
        return out

    def companies(self) -> list[Record]:
        out = []
        for org in self.company.organizations:
            address = org.get("address") or {}
            street = _street(address)
            website = org.get("website")
            properties = {
                "name": org["name"],
                "domain": _domain(website),
                "website": website,
                "address": street,
                "city": address.get("locality"),
                "state": address.get("admin_area_level_2"),
                "zip": address.get("postal_code"),
                "country": address.get("country"),
                "numberofemployees": org.get("employee_count"),
                "hubspot_owner_id": self.owner(org.get("owner_id")),
                **self.custom(org.get("custom_fields") or {}),
            }
            out.append(_object(int(org["id"]), org["add_time"], org["update_time"], properties))
        return out

    def contacts(self) -> tuple[list[Record], dict[int, list[int]]]:
        out: list[Record] = []
        links: dict[int, list[int]] = {}
        for person in self.company.persons:
            emails = [e["value"] for e in person.get("emails") or [] if e.get("value")]
            phones = [p["value"] for p in person.get("phones") or [] if p.get("value")]
            properties = {
                "firstname": person.get("first_name"),
                "lastname": person.get("last_name"),
                "email": emails[0] if emails else None,
                "hs_additional_emails": ";".join(emails[1:]) or None,
                "phone": phones[0] if phones else None,
                "hubspot_owner_id": self.owner(person.get("owner_id")),
                **self.custom(person.get("custom_fields") or {}),
            }
            out.append(_object(int(person["id"]), person["add_time"], person["update_time"], properties))
            if person.get("org_id") is not None:
                links[int(person["id"])] = [int(person["org_id"])]
        return out, links

    def deals(self) -> tuple[list[Record], dict[str, dict[int, list[int]]]]:
        out: list[Record] = []
        links: dict[str, dict[int, list[int]]] = {"deals/companies": {}, "deals/contacts": {}}
        for deal in self.company.deals:
            pipeline = int(deal["pipeline_id"])
            won, lost = self.closed_of[pipeline]
            status = deal.get("status")
            stage = (
                won if status == "won" else lost if status == "lost" else self.stage_of[int(deal["stage_id"])]
            )
            closed = deal.get("close_time")
            expected = deal.get("expected_close_date")
            if closed is None and isinstance(expected, date):
                closed = datetime.combine(expected, time(), tzinfo=UTC)
            properties = {
                "dealname": deal["title"],
                "amount": deal.get("value"),
                "deal_currency_code": deal.get("currency"),
                "pipeline": self.pipeline_of[pipeline],
                "dealstage": stage,
                "closedate": closed,
                "closed_lost_reason": deal.get("lost_reason"),
                "hubspot_owner_id": self.owner(deal.get("owner_id")),
                **self.custom(deal.get("custom_fields") or {}),
            }
            record = _object(int(deal["id"]), deal["add_time"], deal["update_time"], properties)
            record["archived"] = bool(deal.get("is_deleted") or deal.get("is_archived"))
            out.append(record)
            if deal.get("org_id") is not None:
                links["deals/companies"][int(deal["id"])] = [int(deal["org_id"])]
            if deal.get("person_id") is not None:
                links["deals/contacts"][int(deal["id"])] = [int(deal["person_id"])]
        return out, links

    def line_items(self) -> tuple[list[Record], dict[int, list[int]]]:
        codes = {int(p["id"]): p.get("code") for p in self.company.products}
        out: list[Record] = []
        links: dict[int, list[int]] = {}
        for line in self.company.deal_products:
            quantity, price = Decimal(line["quantity"]), Decimal(line["item_price"])
            discount = Decimal(line.get("discount") or 0)
            # HubSpot's amount is the line net of its discount (before tax), rounded per line
            amount = (quantity * price * (HUNDRED - discount) / HUNDRED).quantize(CENT, ROUND_HALF_UP)
            properties = {
                "name": line["name"],
                "quantity": quantity,
                "price": price,
                "hs_discount_percentage": discount if discount else None,
                "amount": amount,
                "hs_product_id": line.get("product_id"),
                "hs_sku": codes.get(int(line["product_id"])) if line.get("product_id") is not None else None,
                "vat_rate": line.get("tax"),
                "hs_position_on_quote": line.get("order_nr"),
            }
            out.append(_object(int(line["id"]), line["add_time"], line["update_time"], properties))
            links.setdefault(int(line["deal_id"]), []).append(int(line["id"]))
        return out, links


def _street(address: Mapping[str, Any]) -> str | None:
    route, number, unit = address.get("route"), address.get("street_number"), address.get("subpremise")
    if not route:
        return None
    return f"{unit}, {route}" if unit else f"{number} {route}" if number else str(route)


def _domain(website: str | None) -> str | None:
    if not website:
        return None
    host = re.sub(r"^[a-z]+://", "", website.strip().lower()).split("/")[0]
    return host.removeprefix("www.") or None


def hubspot_portal(company: PipedriveCompany) -> HubSpotPortal:
    """The Pipedrive company's records as one HubSpot portal (same ids, HubSpot names and shapes)."""
    renderer = _Renderer(company)
    pipelines = renderer.pipelines()
    contacts, contact_links = renderer.contacts()
    deals, deal_links = renderer.deals()
    line_items, line_links = renderer.line_items()
    return HubSpotPortal(
        portal_id=40_000_000 + company.company_id % 1_000_000,
        owners=renderer.owners(),
        pipelines=pipelines,
        companies=renderer.companies(),
        contacts=contacts,
        deals=deals,
        line_items=line_items,
        products=renderer.products(),
        properties=renderer.definitions,
        associations={"contacts/companies": contact_links, **deal_links, "deals/line_items": line_links},
    )


def as_hubspot_client(client: DemoClient) -> DemoClient:
    """The same demo client fed by HubSpot: its HubSpot portal, invoice references `HS-<deal id>` in
    Xero, and a manifest naming HubSpot records (`hubspot.company`, ...) with the same ids."""
    tenant = copy.copy(client.xero)
    tenant.invoices = [_hubspot_reference(doc) for doc in client.xero.invoices]
    tenant.credit_notes = [_hubspot_reference(doc) for doc in client.xero.credit_notes]
    manifest = client.manifest
    problems = [
        dataclasses.replace(p, records={MANIFEST_KEYS.get(k, k): v for k, v in p.records.items()})
        for p in manifest.problems
    ]
    links = [{MANIFEST_KEYS.get(k, k): v for k, v in link.items()} for link in manifest.links]
    hubspot = client.hubspot or hubspot_portal(client.pipedrive)
    renamed = Manifest(
        seed=manifest.seed,
        params={**manifest.params, "crm": "hubspot"},
        as_of=manifest.as_of,
        counts={**manifest.counts, **portal_counts(hubspot)},
        problems=problems,
        links=links,
    )
    return DemoClient(
        xero=tenant, pipedrive=client.pipedrive, manifest=renamed, crm="hubspot", hubspot=hubspot
    )


def portal_counts(portal: HubSpotPortal) -> dict[str, int]:
    """`hubspot.companies`, `hubspot.deals`, ...: how many records of each object the portal holds."""
    return {
        f"hubspot.{name}": len(getattr(portal, name))
        for name in ("owners", "pipelines", "companies", "contacts", "deals", "line_items", "products")
    }


def _hubspot_reference(doc: Record) -> Record:
    reference = doc.get("Reference")
    if not isinstance(reference, str) or not _PD_REFERENCE.match(reference):
        return doc
    return {**doc, "Reference": _PD_REFERENCE.sub("HS-", reference, count=1)}
