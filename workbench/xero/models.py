"""Pydantic models of Xero's Accounting API wire format (JSON), and its `/Date(..)/` values.

Only the fields the workbench reads are modelled; everything else is ignored. Money and rates become
`Decimal` (floats via their shortest text, so 99.99 stays 99.99); date-only fields become the calendar
date Xero meant; instants become aware UTC datetimes.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.alias_generators import to_pascal

_MS_DATE = re.compile(r"^/Date\((-?\d+)([+-]\d{2}:?\d{2})?\)/$")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@lru_cache(maxsize=256)
def _offset(text: str | None) -> timezone:
    if not text:
        return UTC
    digits = text[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + int(digits[2:])
    return timezone(timedelta(minutes=-minutes if text[0] == "-" else minutes))


def _ms_date(text: str) -> tuple[datetime, timezone] | None:
    found = _MS_DATE.match(text.strip())
    if not found:
        return None
    # timedelta, not fromtimestamp: negative (pre-1970) values work on every platform
    instant = _EPOCH + timedelta(milliseconds=int(found.group(1)))
    return instant, _offset(found.group(2))


def parse_xero_datetime(value: Any) -> Any:
    """An instant from `/Date(ms±hhmm)/` or ISO-8601 text, as an aware UTC datetime.

    The milliseconds are already UTC; the offset only says where the writer was, so it is not applied.
    ISO text without a zone (the `*String` twins) is UTC.
    """
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, str):
        parsed = _ms_date(value)
        if parsed is not None:
            return parsed[0]
        try:
            iso = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return value  # let pydantic report it with the field's name
        return iso.replace(tzinfo=UTC) if iso.tzinfo is None else iso.astimezone(UTC)
    return value


def parse_xero_date(value: Any) -> Any:
    """A calendar date from `/Date(ms±hhmm)/` or ISO-8601 text.

    Xero encodes a date as that day's midnight: `+0000` (or no offset) means midnight UTC, so the UTC
    date is the answer; an explicit offset means midnight there, so the date is read in that offset.
    Never the machine's local zone (the off-by-one bug of xero-python#179).
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        parsed = _ms_date(value)
        if parsed is not None:
            instant, offset = parsed
            return instant.astimezone(offset).date()
        text = value.strip()
        try:
            return date.fromisoformat(text[:10]) if len(text) >= 10 else value
        except ValueError:
            return value
    return value


def to_decimal(value: Any) -> Any:
    """Money and rates as Decimal: floats through `str` (99.99 -> Decimal('99.99')), strings as written."""
    if value is None or isinstance(value, Decimal | bool):
        return value
    if isinstance(value, float | int):
        return Decimal(str(value))
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            return Decimal(text)
        except InvalidOperation:
            return value
    return value


XeroDate = Annotated[date, BeforeValidator(parse_xero_date)]
XeroDateTime = Annotated[datetime, BeforeValidator(parse_xero_datetime)]
Money = Annotated[Decimal, BeforeValidator(to_decimal)]


class XeroModel(BaseModel):
    """PascalCase on the wire (acronym fields get explicit aliases), unknown fields ignored."""

    model_config = ConfigDict(
        alias_generator=to_pascal,
        validate_by_name=True,
        validate_by_alias=True,
        extra="ignore",
        frozen=True,
    )


class ValidationMessage(XeroModel):
    message: str | None = None


# --- contacts -------------------------------------------------------------------------------------
class Address(XeroModel):
    address_type: str | None = None
    address_line1: str | None = None
    address_line2: str | None = None
    address_line3: str | None = None
    address_line4: str | None = None
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = None
    attention_to: str | None = None

    @property
    def lines(self) -> list[str]:
        parts = (self.address_line1, self.address_line2, self.address_line3, self.address_line4)
        return [p.strip() for p in parts if p and p.strip()]

    @property
    def is_empty(self) -> bool:
        return not (self.lines or (self.city or "").strip() or (self.postal_code or "").strip())


class Phone(XeroModel):
    phone_type: str | None = None
    phone_number: str | None = None
    phone_area_code: str | None = None
    phone_country_code: str | None = None

    @property
    def text(self) -> str:
        """The number as one string, e.g. "+44 20 7946 0000" (empty when there is no number)."""
        if not (self.phone_number or "").strip():
            return ""
        country = (self.phone_country_code or "").strip()
        parts = [
            ("+" + country.lstrip("+")) if country else "",
            self.phone_area_code or "",
            self.phone_number,
        ]
        return " ".join(p.strip() for p in parts if p and p.strip())


class Contact(XeroModel):
    contact_id: str = Field(alias="ContactID")
    name: str | None = None
    contact_number: str | None = None
    account_number: str | None = None
    contact_status: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    email_address: str | None = None
    tax_number: str | None = None
    company_number: str | None = None
    is_customer: bool | None = None
    is_supplier: bool | None = None
    default_currency: str | None = None
    accounts_receivable_tax_type: str | None = None
    accounts_payable_tax_type: str | None = None
    merged_to_contact_id: str | None = Field(default=None, alias="MergedToContactID")
    addresses: list[Address] = Field(default_factory=list)
    phones: list[Phone] = Field(default_factory=list)
    updated_date_utc: XeroDateTime | None = Field(default=None, alias="UpdatedDateUTC")


# --- invoices, credit notes, payments -------------------------------------------------------------
class LineItem(XeroModel):
    line_item_id: str | None = Field(default=None, alias="LineItemID")
    description: str | None = None
    quantity: Money | None = None
    unit_amount: Money | None = None
    item_code: str | None = None
    account_code: str | None = None
    account_id: str | None = Field(default=None, alias="AccountID")
    tax_type: str | None = None
    tax_amount: Money | None = None
    line_amount: Money | None = None
    discount_rate: Money | None = None
    discount_amount: Money | None = None


class InvoiceRef(XeroModel):
    invoice_id: str | None = Field(default=None, alias="InvoiceID")
    invoice_number: str | None = None


class CreditNoteRef(XeroModel):
    credit_note_id: str | None = Field(default=None, alias="CreditNoteID")
    credit_note_number: str | None = None


class AccountRef(XeroModel):
    account_id: str | None = Field(default=None, alias="AccountID")
    code: str | None = None


class Invoice(XeroModel):
    invoice_id: str = Field(alias="InvoiceID")
    type: str | None = None
    invoice_number: str | None = None
    reference: str | None = None
    contact: Contact | None = None
    date: XeroDate | None = None
    due_date: XeroDate | None = None
    status: str | None = None
    line_amount_types: str | None = None
    line_items: list[LineItem] = Field(default_factory=list)
    currency_code: str | None = None
    currency_rate: Money | None = None
    sub_total: Money | None = None
    total_tax: Money | None = None
    total: Money | None = None
    total_discount: Money | None = None
    amount_due: Money | None = None
    amount_paid: Money | None = None
    amount_credited: Money | None = None
    fully_paid_on_date: XeroDate | None = None
    sent_to_contact: bool | None = None
    updated_date_utc: XeroDateTime | None = Field(default=None, alias="UpdatedDateUTC")
    has_errors: bool | None = None
    status_attribute_string: str | None = None
    validation_errors: list[ValidationMessage] = Field(default_factory=list)
    warnings: list[ValidationMessage] = Field(default_factory=list)


class Allocation(XeroModel):
    allocation_id: str | None = Field(default=None, alias="AllocationID")
    invoice: InvoiceRef | None = None
    amount: Money | None = None
    date: XeroDate | None = None


class CreditNote(XeroModel):
    credit_note_id: str = Field(alias="CreditNoteID")
    type: str | None = None
    credit_note_number: str | None = None
    reference: str | None = None
    contact: Contact | None = None
    date: XeroDate | None = None
    status: str | None = None
    line_amount_types: str | None = None
    line_items: list[LineItem] = Field(default_factory=list)
    currency_code: str | None = None
    currency_rate: Money | None = None
    sub_total: Money | None = None
    total_tax: Money | None = None
    total: Money | None = None
    remaining_credit: Money | None = None
    allocations: list[Allocation] = Field(default_factory=list)
    updated_date_utc: XeroDateTime | None = Field(default=None, alias="UpdatedDateUTC")


class Payment(XeroModel):
    payment_id: str = Field(alias="PaymentID")
    invoice: InvoiceRef | None = None
    credit_note: CreditNoteRef | None = None
    account: AccountRef | None = None
    date: XeroDate | None = None
    amount: Money | None = None
    bank_amount: Money | None = None
    currency_rate: Money | None = None
    reference: str | None = None
    is_reconciled: bool | None = None
    status: str | None = None
    payment_type: str | None = None
    updated_date_utc: XeroDateTime | None = Field(default=None, alias="UpdatedDateUTC")


# --- settings -------------------------------------------------------------------------------------
class TaxComponent(XeroModel):
    name: str | None = None
    rate: Money | None = None
    is_compound: bool | None = None
    is_non_recoverable: bool | None = None


class TaxRate(XeroModel):
    tax_type: str
    name: str | None = None
    status: str | None = None
    report_tax_type: str | None = None
    tax_components: list[TaxComponent] = Field(default_factory=list)
    display_tax_rate: Money | None = None
    effective_rate: Money | None = None
    can_apply_to_assets: bool | None = None
    can_apply_to_equity: bool | None = None
    can_apply_to_expenses: bool | None = None
    can_apply_to_liabilities: bool | None = None
    can_apply_to_revenue: bool | None = None


class Account(XeroModel):
    account_id: str = Field(alias="AccountID")
    code: str | None = None
    name: str | None = None
    type: str | None = None
    status: str | None = None
    tax_type: str | None = None
    class_: str | None = Field(default=None, alias="Class")
    system_account: str | None = None
    description: str | None = None
    currency_code: str | None = None
    enable_payments_to_account: bool | None = None
    updated_date_utc: XeroDateTime | None = Field(default=None, alias="UpdatedDateUTC")


class ItemDetails(XeroModel):
    unit_price: Money | None = None
    account_code: str | None = None
    tax_type: str | None = None


class Item(XeroModel):
    item_id: str = Field(alias="ItemID")
    code: str | None = None
    name: str | None = None
    description: str | None = None
    is_sold: bool | None = None
    is_purchased: bool | None = None
    is_tracked_as_inventory: bool | None = None
    sales_details: ItemDetails | None = None
    purchase_details: ItemDetails | None = None
    quantity_on_hand: Money | None = None
    updated_date_utc: XeroDateTime | None = Field(default=None, alias="UpdatedDateUTC")


class Currency(XeroModel):
    code: str
    description: str | None = None


class Organisation(XeroModel):
    organisation_id: str | None = Field(default=None, alias="OrganisationID")
    name: str | None = None
    legal_name: str | None = None
    version: str | None = None
    organisation_type: str | None = None
    base_currency: str | None = None
    country_code: str | None = None
    pays_tax: bool | None = None
    tax_number: str | None = None
    sales_tax_basis: str | None = None
    sales_tax_period: str | None = None
    default_sales_tax: str | None = None
    default_purchases_tax: str | None = None
    period_lock_date: XeroDate | None = None
    end_of_year_lock_date: XeroDate | None = None
    financial_year_end_day: int | None = None
    financial_year_end_month: int | None = None
    timezone: str | None = None
    class_: str | None = Field(default=None, alias="Class")
    edition: str | None = None
    created_date_utc: XeroDateTime | None = Field(default=None, alias="CreatedDateUTC")


MODELS: dict[str, type[XeroModel]] = {
    "Organisation": Organisation,
    "Contacts": Contact,
    "Invoices": Invoice,
    "CreditNotes": CreditNote,
    "Payments": Payment,
    "TaxRates": TaxRate,
    "Accounts": Account,
    "Items": Item,
    "Currencies": Currency,
}
"""The model of one record of each Accounting API collection, by resource name."""
