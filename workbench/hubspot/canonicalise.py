"""HubSpot's raw records (as saved by a pull) to the canonical CRM tables, with `source="hubspot"`.

Custom properties have plain internal names; `custom_fields` keys them by their label (as Pipedrive's
are keyed by field name) and enumeration values by option label, so the analyses read both CRMs alike.
The organisation columns Pipedrive fills from custom fields (VAT number, Xero contact ID, company
number) are custom properties here, found by name or label the same way. Won is `hs_is_closed_won`
(HubSpot's own calculation from the stage), never a stage called "closedwon".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from workbench.canonical import Row
from workbench.errors import MalformedResponse
from workbench.hubspot.models import (
    CompanyProperties,
    ContactProperties,
    DealProperties,
    LineItemProperties,
    Owner,
    Pipeline,
    ProductProperties,
    PropertyDefinition,
    SimpleObject,
    Stage,
    to_decimal,
)
from workbench.pipedrive.canonicalise import (
    WELL_KNOWN_ORGANISATION_FIELDS,
    PreviousRows,
    normalise_field_name,
    people_domain,
    website_domain,
)
from workbench.pull.source import CanonicalBatch, RawRecord

SOURCE = "hubspot"
PROPERTY_ENDPOINTS = {
    "company_properties": ("companies", "company"),
    "contact_properties": ("contacts", "contact"),
    "deal_properties": ("deals", "deal"),
    "product_properties": ("products", "product"),
    "line_item_properties": ("line_items", "line_item"),
}
VAT_RATE_NAMES = frozenset({"vatrate", "vatpercent", "vatpercentage", "taxrate", "taxpercent", "vat"})
PRIMARY_TYPES = {"contact_companies": 1, "deal_companies": 5}  # HUBSPOT_DEFINED "Primary" association types
M = TypeVar("M", bound=BaseModel)


@dataclass
class PropertyCatalogue:
    """Property definitions by object type and name."""

    definitions: dict[str, dict[str, PropertyDefinition]] = field(default_factory=dict)

    def custom(self, object_type: str) -> list[PropertyDefinition]:
        return [d for d in self.definitions.get(object_type, {}).values() if d.is_custom]

    def custom_values(self, object_type: str, values: Mapping[str, str | None]) -> dict[str, Any]:
        """`{label: value}` of the filled custom properties (option labels for enumerations)."""
        out: dict[str, Any] = {}
        for definition in self.custom(object_type):
            raw = values.get(definition.name)
            if raw is None or raw == "":
                continue
            label = definition.label or definition.name
            if label in out:
                label = f"{label} [{definition.name}]"
            out[label] = _value(definition, raw)
        return out

    def well_known(
        self, object_type: str, values: Mapping[str, str | None], names: frozenset[str]
    ) -> str | None:
        """The first filled custom property whose name or label is one of `names` (normalised)."""
        for definition in self.custom(object_type):
            if {normalise_field_name(definition.name), normalise_field_name(definition.label)} & names:
                raw = values.get(definition.name)
                text = str(_value(definition, raw)).strip() if raw not in (None, "") else ""
                if text:
                    return text
        return None


def _value(definition: PropertyDefinition, raw: str) -> Any:
    if definition.type == "enumeration":
        labels = (
            [definition.option_label(v) for v in raw.split(";")]
            if ";" in raw
            else [definition.option_label(raw)]
        )
        return labels if definition.field_type == "checkbox" else labels[0]
    if definition.type == "number":
        number = to_decimal(raw)
        return number if isinstance(number, Decimal) else raw
    if definition.type == "bool":
        return raw.lower() == "true"
    return raw


def parse_records(model: type[M], records: list[RawRecord], endpoint: str) -> list[M]:
    """Validate raw records; a bad one names the endpoint, record id and field."""
    parsed = []
    for record in records:
        try:
            parsed.append(model.model_validate(record))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first.get("loc", ()))
            raise MalformedResponse(
                f"HubSpot {endpoint} record {record.get('id', record.get('name', '?'))!r} has an unreadable "
                f"'{where}': {first.get('msg')}",
                hint="the pull kept every page; report this record so the workbench can read it",
            ) from None
    return parsed


def latest_objects(records: list[RawRecord], endpoint: str) -> list[SimpleObject]:
    """Objects by id, the newest version of each (a search window boundary can return one twice)."""
    newest: dict[str, SimpleObject] = {}
    for item in parse_records(SimpleObject, records, endpoint):
        earlier = newest.get(item.id)
        if (
            earlier is None
            or earlier.updated_at is None
            or (item.updated_at is not None and item.updated_at >= earlier.updated_at)
        ):
            newest[item.id] = item
    return list(newest.values())


def _links(records: list[RawRecord], kind: str) -> dict[str, list[str]]:
    """from id -> associated ids, the primary association first."""
    primary = PRIMARY_TYPES.get(kind)
    out: dict[str, list[str]] = {}
    for record in records:
        targets = sorted(
            record.get("to") or [], key=lambda t: (primary not in (t.get("types") or []), int(t["id"]))
        )
        out[str(record["from"])] = [str(t["id"]) for t in targets]
    return out


def _first(ids: list[str] | None) -> str | None:
    return ids[0] if ids else None


def _props(model: type[M], item: SimpleObject, endpoint: str) -> M:
    try:
        return model.model_validate(item.properties)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise MalformedResponse(
            f"HubSpot {endpoint} record {item.id!r} has an unreadable '{where}': {first.get('msg')}",
            hint="the pull kept every page; report this record so the workbench can read it",
        ) from None


def canonical_batch(
    pages: Mapping[str, list[RawRecord]], *, incremental: bool = False, previous: PreviousRows | None = None
) -> CanonicalBatch:
    """Canonical rows from one pull's saved records (endpoint name -> records)."""
    catalogue = PropertyCatalogue(
        {
            object_type: {
                d.name: d for d in parse_records(PropertyDefinition, pages.get(endpoint, []), endpoint)
            }
            for endpoint, (object_type, _) in PROPERTY_ENDPOINTS.items()
        }
    )
    owners = {o.id: o for o in parse_records(Owner, pages.get("owners", []), "owners")}
    pipelines = parse_records(Pipeline, pages.get("pipelines", []), "pipelines")
    stages = {s.id: (p, s) for p in pipelines for s in p.stages}
    products = latest_objects(pages.get("products", []), "products")
    companies = latest_objects(pages.get("companies", []), "companies")
    contacts = latest_objects(pages.get("contacts", []), "contacts")
    deals = latest_objects(pages.get("deals", []), "deals")
    lines = latest_objects(pages.get("line_items", []), "line_items")
    contact_company = _links(pages.get("contact_companies", []), "contact_companies")
    deal_company = _links(pages.get("deal_companies", []), "deal_companies")
    deal_contact = _links(pages.get("deal_contacts", []), "deal_contacts")
    line_deal = {
        line: deal
        for deal, ids in _links(pages.get("deal_line_items", []), "deal_line_items").items()
        for line in ids
    }
    earlier = previous if incremental and previous is not None else (lambda table: [])

    def owner_name(owner_id: str | None) -> str | None:
        owner = owners.get(owner_id) if owner_id else None
        return owner.name if owner is not None else None

    people = [_person_row(c, catalogue, contact_company) for c in contacts]
    emails = _emails_by_org(people, earlier("people"))
    sku_of: dict[str, Any] = {str(p.get("product_id")): p.get("code") for p in earlier("products")}
    product_rows = [_product_row(p, catalogue) for p in products]
    sku_of.update({str(r["product_id"]): r["code"] for r in product_rows})
    deal_rows = [_deal_row(d, catalogue, owner_name, stages, deal_company, deal_contact) for d in deals]
    currency: dict[str, Any] = {str(r["deal_id"]): r["currency"] for r in deal_rows}
    rows: dict[str, list[Row]] = {
        "crm_users": [_user_row(o) for o in owners.values()],
        "stages": [_stage_row(p, s) for p, s in stages.values()],
        "crm_fields": [
            _field_row(entity, d)
            for endpoint, (object_type, entity) in PROPERTY_ENDPOINTS.items()
            for d in catalogue.definitions.get(object_type, {}).values()
        ],
        "products": product_rows,
        "people": people,
        "organisations": [_organisation_row(c, catalogue, owner_name, emails) for c in companies],
        "deals": deal_rows,
        "deal_lines": [_line_row(line, catalogue, line_deal, sku_of, currency) for line in lines],
    }
    replace: dict[str, tuple[str, set[str]]] = {}
    if incremental:
        replace["deal_lines"] = ("deal_id", {d.id for d in deals})
    return CanonicalBatch(rows=rows, replace=replace, complete={"crm_users", "stages", "crm_fields"})


def _emails_by_org(people: list[Row], earlier_people: list[dict[str, Any]]) -> dict[str, list[str]]:
    by_person: dict[str, tuple[str | None, list[str]]] = {}
    for row in [*earlier_people, *people]:
        if row.get("is_deleted"):
            by_person.pop(str(row.get("person_id")), None)
            continue
        emails = row.get("emails")
        org = row.get("org_id")
        by_person[str(row.get("person_id"))] = (
            str(org) if isinstance(org, str | int) else None,
            [e for e in emails if isinstance(e, str)] if isinstance(emails, list) else [],
        )
    by_org: dict[str, list[str]] = {}
    for org, emails in by_person.values():
        if org is not None:
            by_org.setdefault(org, []).extend(emails)
    return by_org


def _user_row(owner: Owner) -> Row:
    return {
        "source": SOURCE,
        "user_id": owner.id,
        "name": owner.name,
        "email": owner.email,
        "is_active": not owner.archived,
    }


def _stage_row(pipeline: Pipeline, stage: Stage) -> Row:
    probability = stage.probability
    return {
        "source": SOURCE,
        "stage_id": stage.id,
        "pipeline_id": pipeline.id,
        "pipeline_name": pipeline.label,
        "name": stage.label,
        "order_nr": stage.display_order,
        "deal_probability": int(probability * 100) if probability is not None else None,
    }


def _field_row(entity: str, definition: PropertyDefinition) -> Row:
    return {
        "source": SOURCE,
        "entity": entity,
        "field_key": definition.name,
        "name": definition.label or definition.name,
        "field_type": definition.type,
        "is_custom": definition.is_custom,
        "options": [{"id": o.value, "label": o.label} for o in definition.options] or None,
    }


def _product_row(item: SimpleObject, catalogue: PropertyCatalogue) -> Row:
    props = _props(ProductProperties, item, "products")
    prices = []
    for name, raw in sorted(item.properties.items()):
        if name.startswith("hs_price_") and raw not in (None, ""):
            prices.append(
                {
                    "currency": name.removeprefix("hs_price_").upper(),
                    "price": to_decimal(raw),
                    "cost": None,
                    "direct_cost": None,
                }
            )
    if not prices and props.price is not None:
        prices.append(
            {"currency": None, "price": props.price, "cost": props.hs_cost_of_goods_sold, "direct_cost": None}
        )
    rate = catalogue.well_known("products", item.properties, VAT_RATE_NAMES)
    return {
        "source": SOURCE,
        "product_id": item.id,
        "code": props.hs_sku,
        "name": props.name,
        "unit": None,
        "tax_percent": to_decimal(rate) if rate is not None else None,
        "prices": prices,
        "is_deleted": item.archived,
        "updated_at": item.updated_at,
    }


def _person_row(item: SimpleObject, catalogue: PropertyCatalogue, companies: Mapping[str, list[str]]) -> Row:
    props = _props(ContactProperties, item, "contacts")
    emails = [e for e in [props.email, *(props.hs_additional_emails or "").split(";")] if e and e.strip()]
    name = " ".join(p for p in (props.firstname, props.lastname) if p) or props.email or ""
    return {
        "source": SOURCE,
        "person_id": item.id,
        "org_id": _first(companies.get(item.id)),
        "name": name,
        "first_name": props.firstname,
        "last_name": props.lastname,
        "email": props.email.strip() if props.email else None,
        "emails": [e.strip() for e in emails],
        "phone": props.phone or props.mobilephone,
        "job_title": props.jobtitle,
        "owner_id": props.hubspot_owner_id,
        "created_at": item.created_at,
        "updated_at": item.updated_at,
        "is_deleted": item.archived,
        "custom_fields": catalogue.custom_values("contacts", item.properties),
    }


def _organisation_row(
    item: SimpleObject,
    catalogue: PropertyCatalogue,
    owner_name: Callable[[str | None], str | None],
    emails_by_org: Mapping[str, list[str]],
) -> Row:
    props = _props(CompanyProperties, item, "companies")
    street = ", ".join(p for p in (props.address, props.address2) if p)
    town = " ".join(p for p in (props.city, props.zip) if p)
    address = ", ".join(p for p in (street, town, props.country) if p) or None
    domain = (props.domain or "").strip().lower().removeprefix("www.") or None

    def known(column: str) -> str | None:
        return catalogue.well_known("companies", item.properties, WELL_KNOWN_ORGANISATION_FIELDS[column])

    return {
        "source": SOURCE,
        "org_id": item.id,
        "name": props.name or "",
        "website": props.website,
        "email_domain": domain
        or website_domain(props.website)
        or people_domain(emails_by_org.get(item.id, [])),
        "address": address,
        "city": props.city,
        "postcode": props.zip,
        "country": props.country,
        "vat_number": known("vat_number"),
        "company_number": known("company_number"),
        "xero_contact_id": known("xero_contact_id"),
        "owner_id": props.hubspot_owner_id,
        "owner_name": owner_name(props.hubspot_owner_id),
        "created_at": item.created_at,
        "updated_at": item.updated_at,
        "is_deleted": item.archived,
        "custom_fields": catalogue.custom_values("companies", item.properties),
    }


def _deal_row(
    item: SimpleObject,
    catalogue: PropertyCatalogue,
    owner_name: Callable[[str | None], str | None],
    stages: Mapping[str, tuple[Pipeline, Stage]],
    companies: Mapping[str, list[str]],
    contacts: Mapping[str, list[str]],
) -> Row:
    props = _props(DealProperties, item, "deals")
    pipeline, stage = stages.get(props.dealstage or "", (None, None))
    closed = props.hs_is_closed if props.hs_is_closed is not None else bool(stage and stage.is_closed)
    won = props.hs_is_closed_won
    if won is None:  # only when the portal hides the calculation: a closed stage with probability 1
        won = bool(stage and stage.is_closed and stage.probability == 1)
    status = "deleted" if item.archived else "won" if won else "lost" if closed else "open"
    when = props.closedate
    return {
        "source": SOURCE,
        "deal_id": item.id,
        "title": props.dealname or "",
        "org_id": _first(companies.get(item.id)),
        "person_id": _first(contacts.get(item.id)),
        "owner_id": props.hubspot_owner_id,
        "owner_name": owner_name(props.hubspot_owner_id),
        "value": props.amount,
        "currency": props.deal_currency_code,
        "status": status,
        "is_won": bool(won),
        "pipeline_id": props.pipeline,
        "pipeline_name": pipeline.label if pipeline is not None else None,
        "stage_id": props.dealstage,
        "stage_name": stage.label if stage is not None else None,
        "won_time": when if won else None,
        "lost_time": when if closed and not won else None,
        "close_time": when if closed else None,
        "expected_close_date": when.date() if when is not None and not closed else None,
        "created_at": item.created_at,
        "updated_at": item.updated_at,
        "is_deleted": item.archived,
        "custom_fields": catalogue.custom_values("deals", item.properties),
    }


def _line_row(
    item: SimpleObject,
    catalogue: PropertyCatalogue,
    deal_of: Mapping[str, str],
    sku_of: Mapping[str, Any],
    currency_of: Mapping[str, Any],
) -> Row:
    props = _props(LineItemProperties, item, "line_items")
    rate = catalogue.well_known("line_items", item.properties, VAT_RATE_NAMES)
    deal_id = deal_of.get(item.id)
    percent = props.hs_discount_percentage
    return {
        "source": SOURCE,
        "line_id": item.id,
        "deal_id": deal_id,
        "product_id": props.hs_product_id,
        "product_code": props.hs_sku or (sku_of.get(props.hs_product_id) if props.hs_product_id else None),
        "name": props.name,
        "quantity": props.quantity,
        "unit_price": props.price,
        "discount": percent if percent is not None else props.discount,
        "discount_type": "percentage"
        if percent is not None
        else "amount"
        if props.discount is not None
        else None,
        "tax_percent": to_decimal(rate) if rate is not None else None,
        # HubSpot prices lines before tax and adds its tax rates on top
        "tax_method": "exclusive" if rate is not None else None,
        "line_total": props.amount,
        "currency": props.hs_line_item_currency_code or (currency_of.get(deal_id) if deal_id else None),
    }
