"""Pydantic models of Pipedrive's wire format: API v2 entities and field definitions, v1 users.

Only the fields the workbench reads are modelled; everything else is ignored. Instants become aware UTC
datetimes (v2 writes RFC 3339 with `Z`, v1 `YYYY-MM-DD HH:MM:SS` in UTC); money and rates become
`Decimal` via their shortest text (so 99.99 stays 99.99); custom fields stay keyed by their 40-character
hashes until `canonicalise` resolves them against the field definitions.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field


def parse_instant(value: Any) -> Any:
    """An aware UTC datetime from RFC 3339 (v2) or `YYYY-MM-DD HH:MM:SS` (v1, UTC); "" is None."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, str):
        text = value.strip()
        try:
            parsed = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
        except ValueError:
            return value  # let pydantic report it with the field's name
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    return value


def parse_day(value: Any) -> Any:
    """A calendar date from `YYYY-MM-DD` ("" is None)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            return value
    return value


def to_decimal(value: Any) -> Any:
    """A `Decimal` from a JSON number or numeric text, through `str` so no float error gets in."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value  # pydantic refuses it
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int | float | str):
        try:
            return Decimal(str(value).strip())
        except InvalidOperation:
            return value
    return value


Instant = Annotated[datetime | None, BeforeValidator(parse_instant)]
Day = Annotated[date | None, BeforeValidator(parse_day)]
Money = Annotated[Decimal | None, BeforeValidator(to_decimal)]


class WireModel(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class Address(WireModel):
    value: str | None = None
    country: str | None = None
    admin_area_level_1: str | None = None
    admin_area_level_2: str | None = None
    locality: str | None = None
    sublocality: str | None = None
    route: str | None = None
    street_number: str | None = None
    subpremise: str | None = None
    postal_code: str | None = None


class ContactPoint(WireModel):
    """One of a person's emails or phones."""

    value: str = ""
    primary: bool = False
    label: str | None = None


class Organization(WireModel):
    id: int
    name: str = ""
    owner_id: int | None = None
    add_time: Instant = None
    update_time: Instant = None
    is_deleted: bool = False
    address: Address | None = None
    label_ids: list[int] = Field(default_factory=list)
    website: str | None = None
    custom_fields: dict[str, Any] = Field(default_factory=dict)


class Person(WireModel):
    id: int
    name: str = ""
    first_name: str | None = None
    last_name: str | None = None
    owner_id: int | None = None
    org_id: int | None = None
    add_time: Instant = None
    update_time: Instant = None
    emails: list[ContactPoint] = Field(default_factory=list)
    phones: list[ContactPoint] = Field(default_factory=list)
    is_deleted: bool = False
    job_title: str | None = None  # only with Contact Sync
    postal_address: Address | None = None  # only with Contact Sync
    custom_fields: dict[str, Any] = Field(default_factory=dict)

    @property
    def primary_email(self) -> str | None:
        return _primary(self.emails)

    @property
    def primary_phone(self) -> str | None:
        return _primary(self.phones)


def _primary(points: list[ContactPoint]) -> str | None:
    filled = [p for p in points if p.value.strip()]
    chosen = next((p for p in filled if p.primary), filled[0] if filled else None)
    return chosen.value.strip() if chosen else None


class Deal(WireModel):
    id: int
    title: str = ""
    owner_id: int | None = None
    person_id: int | None = None
    org_id: int | None = None
    pipeline_id: int | None = None
    stage_id: int | None = None
    value: Money = None
    currency: str | None = None
    add_time: Instant = None
    update_time: Instant = None
    stage_change_time: Instant = None
    is_deleted: bool = False
    is_archived: bool = False
    status: str | None = None
    probability: Money = None
    lost_reason: str | None = None
    close_time: Instant = None
    won_time: Instant = None
    lost_time: Instant = None
    expected_close_date: Day = None
    label_ids: list[int] = Field(default_factory=list)
    custom_fields: dict[str, Any] = Field(default_factory=dict)

    @property
    def is_won(self) -> bool:
        """Won is the deal's status, never its stage (stages have no won flag)."""
        return self.status == "won"


class ProductPrice(WireModel):
    product_id: int | None = None
    price: Money = None
    currency: str | None = None
    cost: Money = None
    direct_cost: Money = None
    notes: str | None = None


class Product(WireModel):
    id: int
    name: str = ""
    code: str | None = None
    description: str | None = None
    unit: str | None = None
    tax: Money = None
    category: str | int | None = None
    is_deleted: bool = False
    owner_id: int | None = None
    add_time: Instant = None
    update_time: Instant = None
    billing_frequency: str | None = None
    prices: list[ProductPrice] = Field(default_factory=list)
    custom_fields: dict[str, Any] = Field(default_factory=dict)


class DealProduct(WireModel):
    """A product attached to a deal (a deal line)."""

    id: int
    deal_id: int
    product_id: int | None = None
    product_variation_id: int | None = None
    name: str | None = None
    sum: Money = None
    tax: Money = None
    quantity: Money = None
    item_price: Money = None
    discount: Money = None
    discount_type: str | None = None
    tax_method: str | None = None
    currency: str | None = None
    order_nr: int | None = None
    comments: str | None = None
    is_enabled: bool = True
    add_time: Instant = None
    update_time: Instant = None
    billing_frequency: str | None = None
    billing_start_date: Day = None


class Pipeline(WireModel):
    id: int
    name: str = ""
    order_nr: int | None = None
    is_deleted: bool = False
    add_time: Instant = None
    update_time: Instant = None


class Stage(WireModel):
    id: int
    name: str = ""
    pipeline_id: int | None = None
    order_nr: int | None = None
    deal_probability: int | None = None
    is_deleted: bool = False
    add_time: Instant = None
    update_time: Instant = None


class FieldOption(WireModel):
    id: int | str
    label: str = ""


class Subfield(WireModel):
    field_code: str
    field_name: str = ""
    field_type: str | None = None


class FieldDefinition(WireModel):
    """One of `/dealFields`, `/organizationFields`, `/personFields`, `/productFields` (v2 shape)."""

    field_code: str
    field_name: str = ""
    field_type: str = "varchar"
    description: str | None = None
    options: list[FieldOption] | None = None
    subfields: list[Subfield] | None = None
    is_custom_field: bool = False

    def option_label(self, option_id: Any) -> Any:
        """The label of option `option_id` (ids compared as text); the id itself when unknown."""
        for option in self.options or []:
            if str(option.id) == str(option_id):
                return option.label
        return option_id


class User(WireModel):
    """A v1 user (owners of deals and organisations)."""

    id: int
    name: str = ""
    email: str | None = None
    active_flag: bool = True
    is_deleted: bool = False
    has_created_company: bool = False
    created: Instant = None
    modified: Instant = None
    last_login: Instant = None
