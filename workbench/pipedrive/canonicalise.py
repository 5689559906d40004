"""Pipedrive's raw records (as saved by a pull) to the canonical CRM tables.

Custom fields arrive keyed by 40-character hashes; they are resolved to their names with the field
definitions pulled in the same run (option ids to labels for enum and set fields). A few well-known
organisation fields get their own columns (VAT number, Xero contact ID, company number), matched by
name whatever the case or spacing, since every Pipedrive company names and hashes them differently.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar
from urllib.parse import urlsplit

from pydantic import BaseModel, ValidationError

from workbench.canonical import Row
from workbench.errors import MalformedResponse
from workbench.pipedrive.models import (
    Deal,
    DealProduct,
    FieldDefinition,
    Organization,
    Person,
    Pipeline,
    Product,
    Stage,
    User,
)
from workbench.pull.source import CanonicalBatch, RawRecord

SOURCE = "pipedrive"
FIELD_ENDPOINTS = {
    "deal_fields": "deal",
    "organization_fields": "organization",
    "person_fields": "person",
    "product_fields": "product",
}
# normalised field names (lower case, letters and digits only) -> organisation column
WELL_KNOWN_ORGANISATION_FIELDS: dict[str, frozenset[str]] = {
    "vat_number": frozenset({"vatnumber", "vatno", "vatregistrationnumber", "vatregno", "vatreg", "vat"}),
    "xero_contact_id": frozenset({"xerocontactid", "xerocontactguid", "xeroid"}),
    "company_number": frozenset({"companynumber", "companyno", "companyregistrationnumber", "companyregno",
                                 "companieshousenumber", "crn"}),
}  # fmt: skip
FREE_MAIL_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "hotmail.com", "hotmail.co.uk", "outlook.com", "live.com", "live.co.uk",
    "msn.com", "yahoo.com", "yahoo.co.uk", "icloud.com", "me.com", "mac.com", "aol.com", "btinternet.com",
    "sky.com", "virginmedia.com", "talktalk.net", "protonmail.com", "proton.me", "gmx.com", "mail.com",
})  # fmt: skip

PreviousRows = Callable[[str], list[dict[str, Any]]]
"""The base snapshot's rows of a canonical table (for an incremental pull's cross-entity look-ups)."""

M = TypeVar("M", bound=BaseModel)


def normalise_field_name(name: str) -> str:
    """`"VAT  Number"`, `"vat_number"`, `"VAT-number"` -> `"vatnumber"`."""
    return re.sub(r"[^0-9a-z]", "", name.casefold())


@dataclass
class FieldCatalogue:
    """Field definitions by entity ("deal", "organization", "person", "product") and field code."""

    fields: dict[str, dict[str, FieldDefinition]] = field(default_factory=dict)

    def custom(self, entity: str) -> list[FieldDefinition]:
        return [f for f in self.fields.get(entity, {}).values() if f.is_custom_field]

    def resolve(self, entity: str, values: Mapping[str, Any]) -> dict[str, Any]:
        """`{hash: raw value}` -> `{field name: value}`; unset fields are left out, unknown hashes kept."""
        definitions = self.fields.get(entity, {})
        out: dict[str, Any] = {}
        for code, raw in values.items():
            definition = definitions.get(code)
            value = field_value(definition, raw)
            if value is None:
                continue
            name = definition.field_name if definition is not None and definition.field_name else code
            if name in out:  # two fields of the same name: keep both, the later one by its hash
                name = f"{name} [{code}]"
            out[name] = value
        return out

    def well_known(self, entity: str, values: Mapping[str, Any], column: str) -> str | None:
        """The text of the first filled custom field whose name is one of `column`'s known names."""
        names = WELL_KNOWN_ORGANISATION_FIELDS[column]
        for definition in self.custom(entity):
            if normalise_field_name(definition.field_name) not in names:
                continue
            text = _text(field_value(definition, values.get(definition.field_code)))
            if text:
                return text
        return None


def field_value(definition: FieldDefinition | None, raw: Any) -> Any:
    """A custom-field value as the canonical `custom_fields` json holds it: labels for options, money
    as `Decimal` (stored as its text), everything else as Pipedrive sent it."""
    if raw is None or raw == "" or raw == []:
        return None
    kind = definition.field_type if definition is not None else None
    if kind == "enum" and definition is not None:
        return _option_label(definition, raw)
    if kind == "set" and definition is not None:
        items = raw if isinstance(raw, list) else [raw]
        return [_option_label(definition, item) for item in items]
    if kind == "monetary" and isinstance(raw, dict):
        return {"value": _decimal(raw.get("value")), "currency": raw.get("currency")}
    if kind in ("double", "monetary") and isinstance(raw, int | float | str) and not isinstance(raw, bool):
        return _decimal(raw)
    return raw


def _option_label(definition: FieldDefinition, raw: Any) -> Any:
    if isinstance(raw, dict):  # include_option_labels=true answers {id, label}
        return raw.get("label") or definition.option_label(raw.get("id"))
    return definition.option_label(raw)


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dict):
        value = value.get("value")
    text = str(value).strip() if value is not None else ""
    return text or None


def _id(value: int | None) -> str | None:
    return str(value) if value is not None else None


# --- domains ---------------------------------------------------------------------------------------
def website_domain(website: str | None) -> str | None:
    """`https://www.Acme.co.uk/about` -> `acme.co.uk`."""
    if not website or not website.strip():
        return None
    text = website.strip()
    host = urlsplit(text if "//" in text else f"//{text}").hostname or ""
    host = host.lower().strip(".").removeprefix("www.")
    return host if "." in host and " " not in host else None


def email_domain(email: str | None) -> str | None:
    if not email or "@" not in email:
        return None
    domain = email.rsplit("@", 1)[1].strip().lower().strip(".")
    return domain if "." in domain else None


def people_domain(emails: Iterable[str]) -> str | None:
    """The most common business (not free-mail) domain among `emails`; ties go alphabetically."""
    counts = Counter(d for d in (email_domain(e) for e in emails) if d and d not in FREE_MAIL_DOMAINS)
    if not counts:
        return None
    return min(counts, key=lambda d: (-counts[d], d))


# --- parsing ---------------------------------------------------------------------------------------
def parse_records(model: type[M], records: Iterable[RawRecord], endpoint: str) -> list[M]:
    """Validate raw records; a bad one names the endpoint, record id and field. Duplicates (a record
    updated while the pull paged past it is seen twice) collapse to the newest version."""
    parsed: dict[Any, M] = {}
    for record in records:
        try:
            item = model.model_validate(record)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first.get("loc", ()))
            raise MalformedResponse(
                f"Pipedrive {endpoint} record {record.get('id', '?')!r} has an unreadable '{where}': "
                f"{first.get('msg')}",
                hint="the pull kept every page; report this record so the workbench can read it",
            ) from None
        key = getattr(item, "id", None) or getattr(item, "field_code", None)
        earlier = parsed.get(key)
        if earlier is None or _newer_or_same(item, earlier):
            parsed[key] = item
    return list(parsed.values())


def _newer_or_same(item: BaseModel, earlier: BaseModel) -> bool:
    new: datetime | None = getattr(item, "update_time", None)
    old: datetime | None = getattr(earlier, "update_time", None)
    return new is None or old is None or new >= old


# --- the batch -------------------------------------------------------------------------------------
def canonical_batch(
    pages: Mapping[str, list[RawRecord]], *, incremental: bool = False, previous: PreviousRows | None = None
) -> CanonicalBatch:
    """Canonical rows from one pull's saved records (endpoint name -> records).

    For an incremental pull, `previous` (the base snapshot's rows) fills look-ups the pull did not
    fetch again: the people behind an organisation's email domain, the product codes of deal lines.
    """
    catalogue = FieldCatalogue({
        entity: {f.field_code: f for f in parse_records(FieldDefinition, pages.get(endpoint, []), endpoint)}
        for endpoint, entity in FIELD_ENDPOINTS.items()
    })  # fmt: skip
    users = {u.id: u for u in parse_records(User, pages.get("users", []), "users")}
    pipelines = {p.id: p for p in parse_records(Pipeline, pages.get("pipelines", []), "pipelines")}
    stages = {s.id: s for s in parse_records(Stage, pages.get("stages", []), "stages")}
    products = parse_records(Product, pages.get("products", []), "products")
    organizations = parse_records(Organization, pages.get("organizations", []), "organizations")
    persons = parse_records(Person, pages.get("persons", []), "persons")
    deals = parse_records(Deal, pages.get("deals", []), "deals")
    lines = parse_records(DealProduct, pages.get("deal_products", []), "deal_products")
    earlier = previous if incremental and previous is not None else (lambda table: [])

    emails_by_org = _emails_by_org(persons, earlier("people"))
    product_codes = _product_codes(products, earlier("products"))

    def owner_name(owner_id: int | None) -> str | None:
        user = users.get(owner_id) if owner_id is not None else None
        return user.name if user is not None else None

    rows: dict[str, list[Row]] = {
        "crm_users": [_user_row(u) for u in users.values()],
        "stages": [_stage_row(s, pipelines) for s in stages.values()],
        "crm_fields": [_field_row(entity, f) for entity, fs in catalogue.fields.items() for f in fs.values()],
        "products": [_product_row(p) for p in products],
        "people": [_person_row(p, catalogue) for p in persons],
        "organisations": [_organisation_row(o, catalogue, owner_name, emails_by_org) for o in organizations],
        "deals": [_deal_row(d, catalogue, owner_name, stages, pipelines) for d in deals],
        "deal_lines": [_line_row(line, product_codes) for line in lines],
    }
    replace: dict[str, tuple[str, set[str]]] = {}
    if incremental:
        # the lines of every deal that changed, so a line removed from a deal disappears
        replace["deal_lines"] = ("deal_id", {str(d.id) for d in deals})
    # users, stages and field definitions are pulled whole every time: a deleted one disappears
    return CanonicalBatch(rows=rows, replace=replace, complete={"crm_users", "stages", "crm_fields"})


def _emails_by_org(persons: list[Person], earlier_people: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Every live person's emails by organisation id: the base snapshot's people, then this pull's."""
    people: dict[str, tuple[str | None, list[str]]] = {}
    for row in earlier_people:
        if bool(row.get("is_deleted")):
            continue
        emails = row.get("emails")
        org = row.get("org_id")
        people[str(row.get("person_id"))] = (
            str(org) if isinstance(org, str | int) else None,
            [e for e in emails if isinstance(e, str)] if isinstance(emails, list) else [],
        )
    for person in persons:
        if person.is_deleted:
            people.pop(str(person.id), None)
        else:
            people[str(person.id)] = (_id(person.org_id), [e.value for e in person.emails if e.value])
    by_org: dict[str, list[str]] = {}
    for org, emails in people.values():
        if org is not None:
            by_org.setdefault(org, []).extend(emails)
    return by_org


def _product_codes(products: list[Product], earlier_products: list[dict[str, Any]]) -> dict[str, str | None]:
    codes: dict[str, str | None] = {
        str(row.get("product_id")): row["code"] if isinstance(row.get("code"), str) else None
        for row in earlier_products
    }
    codes.update({str(p.id): p.code or None for p in products})
    return codes


def _user_row(user: User) -> Row:
    return {"source": SOURCE, "user_id": str(user.id), "name": user.name, "email": user.email,
            "is_active": user.active_flag and not user.is_deleted}  # fmt: skip


def _stage_row(stage: Stage, pipelines: Mapping[int, Pipeline]) -> Row:
    pipeline = pipelines.get(stage.pipeline_id) if stage.pipeline_id is not None else None
    return {
        "source": SOURCE,
        "stage_id": str(stage.id),
        "pipeline_id": _id(stage.pipeline_id),
        "pipeline_name": pipeline.name if pipeline is not None else None,
        "name": stage.name,
        "order_nr": stage.order_nr,
        "deal_probability": stage.deal_probability,
    }


def _field_row(entity: str, definition: FieldDefinition) -> Row:
    options = None
    if definition.options is not None:
        options = [{"id": o.id, "label": o.label} for o in definition.options]
    return {
        "source": SOURCE,
        "entity": entity,
        "field_key": definition.field_code,
        "name": definition.field_name,
        "field_type": definition.field_type,
        "is_custom": definition.is_custom_field,
        "options": options,
    }


def _product_row(product: Product) -> Row:
    return {
        "source": SOURCE,
        "product_id": str(product.id),
        "code": product.code or None,
        "name": product.name,
        "unit": product.unit or None,
        "tax_percent": product.tax,
        "prices": [
            {"currency": p.currency, "price": p.price, "cost": p.cost, "direct_cost": p.direct_cost}
            for p in product.prices
        ],
        "is_deleted": product.is_deleted,
        "updated_at": product.update_time,
    }


def _person_row(person: Person, catalogue: FieldCatalogue) -> Row:
    emails = [e.value.strip() for e in person.emails if e.value.strip()]
    return {
        "source": SOURCE,
        "person_id": str(person.id),
        "org_id": _id(person.org_id),
        "name": person.name,
        "first_name": person.first_name or None,
        "last_name": person.last_name or None,
        "email": person.primary_email,
        "emails": emails,
        "phone": person.primary_phone,
        "job_title": person.job_title or None,
        "owner_id": _id(person.owner_id),
        "created_at": person.add_time,
        "updated_at": person.update_time,
        "is_deleted": person.is_deleted,
        "custom_fields": catalogue.resolve("person", person.custom_fields),
    }


def _organisation_row(
    org: Organization,
    catalogue: FieldCatalogue,
    owner_name: Callable[[int | None], str | None],
    emails_by_org: Mapping[str, list[str]],
) -> Row:
    address = org.address
    values = org.custom_fields
    return {
        "source": SOURCE,
        "org_id": str(org.id),
        "name": org.name,
        "website": org.website or None,
        "email_domain": website_domain(org.website) or people_domain(emails_by_org.get(str(org.id), [])),
        "address": address.value if address is not None else None,
        "city": (address.locality or address.admin_area_level_2) if address is not None else None,
        "postcode": address.postal_code if address is not None else None,
        "country": address.country if address is not None else None,
        "vat_number": catalogue.well_known("organization", values, "vat_number"),
        "company_number": catalogue.well_known("organization", values, "company_number"),
        "xero_contact_id": catalogue.well_known("organization", values, "xero_contact_id"),
        "owner_id": _id(org.owner_id),
        "owner_name": owner_name(org.owner_id),
        "created_at": org.add_time,
        "updated_at": org.update_time,
        "is_deleted": org.is_deleted,
        "custom_fields": catalogue.resolve("organization", values),
    }


def _deal_row(
    deal: Deal,
    catalogue: FieldCatalogue,
    owner_name: Callable[[int | None], str | None],
    stages: Mapping[int, Stage],
    pipelines: Mapping[int, Pipeline],
) -> Row:
    stage = stages.get(deal.stage_id) if deal.stage_id is not None else None
    pipeline = pipelines.get(deal.pipeline_id) if deal.pipeline_id is not None else None
    is_deleted = deal.is_deleted or deal.status == "deleted"
    return {
        "source": SOURCE,
        "deal_id": str(deal.id),
        "title": deal.title,
        "org_id": _id(deal.org_id),
        "person_id": _id(deal.person_id),
        "owner_id": _id(deal.owner_id),
        "owner_name": owner_name(deal.owner_id),
        "value": deal.value,
        "currency": deal.currency,
        "status": "deleted" if is_deleted else deal.status,
        "is_won": deal.is_won,
        "pipeline_id": _id(deal.pipeline_id),
        "pipeline_name": pipeline.name if pipeline is not None else None,
        "stage_id": _id(deal.stage_id),
        "stage_name": stage.name if stage is not None else None,
        "won_time": deal.won_time,
        "lost_time": deal.lost_time,
        "close_time": deal.close_time,
        "expected_close_date": deal.expected_close_date,
        "created_at": deal.add_time,
        "updated_at": deal.update_time,
        "is_deleted": is_deleted,
        "custom_fields": catalogue.resolve("deal", deal.custom_fields),
    }


def _line_row(line: DealProduct, product_codes: Mapping[str, str | None]) -> Row:
    return {
        "source": SOURCE,
        "line_id": str(line.id),
        "deal_id": str(line.deal_id),
        "product_id": _id(line.product_id),
        "product_code": product_codes.get(str(line.product_id)) if line.product_id is not None else None,
        "name": line.name,
        "quantity": line.quantity,
        "unit_price": line.item_price,
        "discount": line.discount,
        "discount_type": line.discount_type,
        "tax_percent": line.tax,
        "tax_method": line.tax_method,
        "line_total": line.sum,
        "currency": line.currency,
    }
