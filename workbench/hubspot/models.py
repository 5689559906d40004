"""Pydantic models of HubSpot's wire format: CRM v3 objects and their pages, search pages, property
definitions, pipelines, owners, v4 association batch reads and the error body.

Every property value arrives as a string (or null); the typed views below (`CompanyProperties`, ...)
read the ones the workbench uses: instants as aware UTC datetimes (ISO 8601 or epoch milliseconds),
money and quantities as `Decimal` through their text, booleans from "true"/"false".
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from workbench.pipedrive.models import parse_instant, to_decimal


def parse_moment(value: Any) -> Any:
    """ISO 8601 (`...Z`) or epoch milliseconds (HubSpot writes both) as aware UTC; "" is None."""
    if isinstance(value, str) and value.strip().isdigit():
        return datetime.fromtimestamp(int(value.strip()) / 1000, tz=UTC)
    return parse_instant(value)


def parse_flag(value: Any) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        text = value.strip().lower()
        return True if text == "true" else False if text == "false" else value
    return value


def parse_calendar_day(value: Any) -> Any:
    moment = parse_moment(value)
    return moment.date() if isinstance(moment, datetime) else moment


Instant = Annotated[datetime | None, BeforeValidator(parse_moment)]
Day = Annotated[date | None, BeforeValidator(parse_calendar_day)]
Number = Annotated[Decimal | None, BeforeValidator(to_decimal)]
Flag = Annotated[bool | None, BeforeValidator(parse_flag)]
Text = Annotated[str | None, BeforeValidator(lambda v: None if v == "" else v)]


class WireModel(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class NextPage(WireModel):
    after: str
    link: str | None = None


class Paging(WireModel):
    next: NextPage | None = None


class SimpleObject(WireModel):
    """One CRM object: `properties` holds every property asked for, as HubSpot's strings."""

    id: str
    properties: dict[str, str | None] = Field(default_factory=dict)
    created_at: Instant = Field(None, alias="createdAt")
    updated_at: Instant = Field(None, alias="updatedAt")
    archived: bool = False


class ObjectPage(WireModel):
    results: list[SimpleObject]
    paging: Paging | None = None


class SearchPage(ObjectPage):
    total: int


class PropertyOption(WireModel):
    label: str
    value: str
    display_order: int | None = Field(None, alias="displayOrder")
    hidden: bool = False


class PropertyDefinition(WireModel):
    name: str
    label: str = ""
    type: str = "string"
    field_type: str = Field("text", alias="fieldType")
    group_name: str | None = Field(None, alias="groupName")
    hubspot_defined: bool | None = Field(None, alias="hubspotDefined")
    calculated: bool = False
    options: list[PropertyOption] = Field(default_factory=list)

    @property
    def is_custom(self) -> bool:
        return not self.hubspot_defined

    def option_label(self, value: str) -> str:
        """The label of an enumeration value (HubSpot stores internal values); unknown ones as sent."""
        return next((o.label for o in self.options if o.value == value), value)


class Stage(WireModel):
    id: str
    label: str = ""
    display_order: int | None = Field(None, alias="displayOrder")
    metadata: dict[str, str] = Field(default_factory=dict)
    archived: bool = False

    @property
    def is_closed(self) -> bool:
        return self.metadata.get("isClosed", "").lower() == "true"

    @property
    def probability(self) -> Decimal | None:
        value = to_decimal(self.metadata.get("probability"))
        return value if isinstance(value, Decimal) else None


class Pipeline(WireModel):
    id: str
    label: str = ""
    display_order: int | None = Field(None, alias="displayOrder")
    stages: list[Stage] = Field(default_factory=list)
    archived: bool = False


class Owner(WireModel):
    id: str
    email: str | None = None
    first_name: str | None = Field(None, alias="firstName")
    last_name: str | None = Field(None, alias="lastName")
    archived: bool = False

    @property
    def name(self) -> str | None:
        name = " ".join(p for p in (self.first_name, self.last_name) if p)
        return name or self.email


class AssociationType(WireModel):
    category: str | None = None
    type_id: int | None = Field(None, alias="typeId")
    label: str | None = None


class AssociatedId(WireModel):
    to_object_id: int | str = Field(alias="toObjectId")
    association_types: list[AssociationType] = Field(default_factory=list, alias="associationTypes")


class AssociationFrom(WireModel):
    id: str


class AssociationResult(WireModel):
    from_: AssociationFrom = Field(alias="from")
    to: list[AssociatedId] = Field(default_factory=list)


class AssociationBatch(WireModel):
    results: list[AssociationResult] = Field(default_factory=list)


class ErrorDetail(WireModel):
    message: str = ""
    code: str | None = None


class ErrorBody(WireModel):
    """HubSpot's error JSON (`status`, `message`, `correlationId`, `category`, `errors[]`, `policyName`)."""

    message: str = ""
    category: str | None = None
    correlation_id: str | None = Field(None, alias="correlationId")
    policy_name: str | None = Field(None, alias="policyName")
    status: str | None = None
    errors: list[ErrorDetail] = Field(default_factory=list)


# --- typed views of the properties the workbench reads ---------------------------------------------------
class CompanyProperties(WireModel):
    name: Text = None
    domain: Text = None
    website: Text = None
    phone: Text = None
    address: Text = None
    address2: Text = None
    city: Text = None
    state: Text = None
    zip: Text = None
    country: Text = None
    hubspot_owner_id: Text = None


class ContactProperties(WireModel):
    firstname: Text = None
    lastname: Text = None
    email: Text = None
    hs_additional_emails: Text = None
    phone: Text = None
    mobilephone: Text = None
    jobtitle: Text = None
    hubspot_owner_id: Text = None


class DealProperties(WireModel):
    dealname: Text = None
    amount: Number = None
    deal_currency_code: Text = None
    pipeline: Text = None
    dealstage: Text = None
    closedate: Instant = None
    hs_is_closed_won: Flag = None
    hs_is_closed: Flag = None
    hubspot_owner_id: Text = None


class LineItemProperties(WireModel):
    name: Text = None
    quantity: Number = None
    price: Number = None
    amount: Number = None
    discount: Number = None
    hs_discount_percentage: Number = None
    hs_product_id: Text = None
    hs_sku: Text = None
    hs_line_item_currency_code: Text = None


class ProductProperties(WireModel):
    name: Text = None
    hs_sku: Text = None
    price: Number = None
    hs_cost_of_goods_sold: Number = None
