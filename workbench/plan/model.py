"""The client's mapping plan: what syncs which way, field by field; how a won deal becomes a draft
invoice; which account and tax type each product (or VAT treatment) gets; how contacts are matched;
and who signed it off.

Every choice a client makes in Excel is an enum whose values are the words the workbook shows, and each
field's `title` is the workbook's column header, so a cell reads back into the plan with no translation
table. Whether account 200 exists or OUTPUT2 is active is not decided here but in
`workbench.plan.checks`, against the tenant's own tables.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from workbench.references import DEAL_REFERENCE_PREFIXES

SCHEMA_VERSION: Literal[1] = 1


class Direction(StrEnum):
    CRM_TO_XERO = "CRM → Xero"
    XERO_TO_CRM = "Xero → CRM"
    TWO_WAY = "Two-way"
    NOT_SYNCED = "Not synced"


class Master(StrEnum):
    CRM = "CRM"
    XERO = "Xero"


class SyncObject(StrEnum):
    """The objects of the seed guide's "Which data should you actually sync?" table."""

    CONTACTS = "Contacts / companies"
    DEAL_INVOICE = "Won deal → draft invoice"
    INVOICES = "Invoices (status + total)"
    PAYMENTS = "Payments / paid status"
    BALANCE = "Outstanding balance / credit status"


class CrmRecord(StrEnum):
    ORGANISATION = "Organisation"
    PERSON = "Person"
    DEAL = "Deal"
    PRODUCT = "Product"


class LineAmountTypes(StrEnum):
    EXCLUSIVE = "Exclusive"
    INCLUSIVE = "Inclusive"
    NO_TAX = "NoTax"


class InvoiceStatus(StrEnum):
    DRAFT = "DRAFT"
    SUBMITTED = "SUBMITTED"
    AUTHORISED = "AUTHORISED"


class WhenUnmatched(StrEnum):
    CREATE = "Create the Xero contact"
    HOLD = "Hold the deal for review"


class UnitAmountFrom(StrEnum):
    PRODUCTS = "Deal products (one line each)"
    VALUE = "Deal value (one line)"


class TaxDecidedBy(StrEnum):
    TREATMENT_FIRST = "VAT treatment, then product"
    PRODUCT_ONLY = "Product only"


class InvoiceDate(StrEnum):
    WON = "Date the deal was won"
    RUN = "Date the flow runs"


class DueDateRule(StrEnum):
    DAYS = "Days after the invoice date"
    EXPECTED_CLOSE = "Deal's expected close date"


class TaxBasis(StrEnum):
    PRODUCT = "Product"
    VAT_TREATMENT = "VAT treatment"


class MatchKey(StrEnum):
    STORED_ID = "Stored Xero ContactID"
    VAT_NUMBER = "VAT number"
    COMPANY_NUMBER = "Company number"
    EMAIL = "Email address"
    DOMAIN = "Email / web domain"
    NAME = "Name (legal form ignored)"
    SIMILAR_NAME = "Similar name"


class OnMatch(StrEnum):
    LINK = "Link automatically"
    REVIEW = "Send for review"


# --- cell values -----------------------------------------------------------------------------------
_HASH_KEY = re.compile(r"^[0-9a-f]{40}$")
_UK_DATE = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$")


def _text(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(int(value)) if float(value).is_integer() else str(value)
    return value.strip() if isinstance(value, str) else value


def _optional_text(value: Any) -> Any:
    value = _text(value)
    return None if value == "" else value


def _tax_code(value: Any) -> Any:
    value = _optional_text(value)
    return value.upper() if isinstance(value, str) else value


def _crm_field_name(value: Any) -> Any:
    value = _optional_text(value)
    if isinstance(value, str) and _HASH_KEY.match(value):
        raise ValueError(
            "name the CRM field as the CRM shows it (e.g. 'VAT number'), not its 40-character key"
        )
    return value


def _blank_none(value: Any) -> Any:
    return None if value is None or (isinstance(value, str) and not value.strip()) else value


def _yes_no(value: Any) -> Any:
    return False if _blank_none(value) is None else value


def _day(value: Any) -> Any:
    """Dates as clients type them: a date cell, ISO text, or UK day/month/year."""
    value = _blank_none(value)
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str) and (match := _UK_DATE.match(value)):
        day, month, year = (int(part) for part in match.groups())
        try:
            return date(year, month, day)
        except ValueError:
            raise ValueError(f"there is no day {value.strip()}; enter a date, e.g. 25/11/2026") from None
    return value


Text = Annotated[str, BeforeValidator(_text)]
OptionalText = Annotated[str | None, BeforeValidator(_optional_text)]
AccountCode = Annotated[str | None, BeforeValidator(_optional_text)]
TaxCode = Annotated[str | None, BeforeValidator(_tax_code)]
CrmFieldName = Annotated[str | None, BeforeValidator(_crm_field_name)]
YesNo = Annotated[bool, BeforeValidator(_yes_no)]
Day = Annotated[date | None, BeforeValidator(_day)]
OptionalMaster = Annotated[Master | None, BeforeValidator(_blank_none)]


class PlanRow(BaseModel):
    """One row of a plan section; `id` ties the row to its workbook row across an edit."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(title="ID", min_length=1)


class SyncObjectRule(PlanRow):
    object: SyncObject = Field(title="Object")
    direction: Direction = Field(title="Direction")
    trigger: Text = Field(default="", title="Trigger")
    notes: Text = Field(default="", title="Why / notes")


class FieldMapping(PlanRow):
    object: SyncObject = Field(title="Object")
    crm_record: CrmRecord = Field(title="CRM record")
    crm_field: CrmFieldName = Field(default=None, title="CRM field")
    xero_field: OptionalText = Field(default=None, title="Xero field")
    direction: Direction = Field(title="Direction")
    master: OptionalMaster = Field(default=None, title="Master")
    transform: Text = Field(default="", title="Transform")
    required: YesNo = Field(default=False, title="Required")
    in_use: Text = Field(default="", title="In use")
    notes: Text = Field(default="", title="Notes")


class TaxRule(PlanRow):
    """Account and tax type for one CRM product, or tax type for one value of the deal's VAT treatment.

    A blank tax type on a VAT-treatment rule means "the product's tax type applies".
    """

    applies_to: TaxBasis = Field(title="Applies to")
    crm_value: Text = Field(title="CRM value", min_length=1)
    description: Text = Field(default="", title="Description")
    item_code: OptionalText = Field(default=None, title="Xero item code")
    account_code: AccountCode = Field(default=None, title="Account code")
    tax_type: TaxCode = Field(default=None, title="Tax type")
    evidence: Text = Field(default="", title="Evidence")
    notes: Text = Field(default="", title="Notes")


class MatchKeyRule(PlanRow):
    order: int = Field(title="Order", ge=1, le=99)
    key: MatchKey = Field(title="Match key")
    when_matched: OnMatch = Field(title="When it matches")
    crm_coverage: Text = Field(default="", title="CRM coverage")
    xero_coverage: Text = Field(default="", title="Xero coverage")
    notes: Text = Field(default="", title="Notes")


class SignOff(PlanRow):
    role: Text = Field(title="Role", min_length=1)
    name: OptionalText = Field(default=None, title="Name")
    signed_on: Day = Field(default=None, title="Date")
    comment: Text = Field(default="", title="Comment")


class DealInvoiceMap(BaseModel):
    """The seed's worked example, deal → draft invoice, as settings the flow reads."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    contact_id_field: CrmFieldName = Field(
        default=None, title="CRM organisation field holding the Xero ContactID"
    )
    when_unmatched: WhenUnmatched = Field(default=WhenUnmatched.CREATE, title="When no Xero contact matches")
    unit_amount_from: UnitAmountFrom = Field(default=UnitAmountFrom.PRODUCTS, title="Invoice lines come from")
    line_amount_types: LineAmountTypes = Field(default=LineAmountTypes.EXCLUSIVE, title="CRM amounts are")
    tax_decided_by: TaxDecidedBy = Field(default=TaxDecidedBy.TREATMENT_FIRST, title="Tax type decided by")
    default_account_code: AccountCode = Field(default=None, title="Account for unmapped products")
    default_tax_type: TaxCode = Field(default=None, title="Tax type for unmapped products")
    invoice_date: InvoiceDate = Field(default=InvoiceDate.WON, title="Invoice date")
    due_date_rule: DueDateRule = Field(default=DueDateRule.DAYS, title="Due date")
    due_days: int = Field(default=30, title="Days until due", ge=0, le=365)
    status: InvoiceStatus = Field(default=InvoiceStatus.DRAFT, title="Invoice status")
    # the flow's cut-off: older won deals were invoiced by hand (or never will be), not by the flow
    won_after: Day = Field(default=None, title="Deals won on or after")
    evidence: dict[str, str] = Field(default_factory=dict, title="Why each setting was proposed")


SectionName = Literal["objects", "fields", "tax_rules", "match_keys", "sign_off"]
SECTION_ROWS: dict[SectionName, type[PlanRow]] = {
    "objects": SyncObjectRule,
    "fields": FieldMapping,
    "tax_rules": TaxRule,
    "match_keys": MatchKeyRule,
    "sign_off": SignOff,
}
# New rows a client adds get the next id with their section's prefix.
ID_PREFIXES: dict[SectionName, str] = {
    "objects": "O",
    "fields": "F",
    "tax_rules": "T",
    "match_keys": "K",
    "sign_off": "S",
}


class Plan(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    schema_version: Literal[1] = SCHEMA_VERSION
    crm: str = Field(default="pipedrive", title="CRM")
    client: str = Field(default="", title="Client")
    objects: tuple[SyncObjectRule, ...]
    fields: tuple[FieldMapping, ...]
    deal_invoice: DealInvoiceMap
    tax_rules: tuple[TaxRule, ...]
    match_keys: tuple[MatchKeyRule, ...]
    sign_off: tuple[SignOff, ...]

    @model_validator(mode="after")
    def _ids_unique(self) -> Plan:
        for name in SECTION_ROWS:
            ids = [row.id for row in self.section(name)]
            repeated = sorted({i for i in ids if ids.count(i) > 1})
            if repeated:
                raise ValueError(f"{name}: ids {repeated} appear more than once")
        return self

    def section(self, name: SectionName) -> Sequence[PlanRow]:
        rows: Sequence[PlanRow] = getattr(self, name)
        return rows

    @property
    def reference_format(self) -> str:
        """How the flow writes the invoice Reference (the deal id is the idempotency key)."""
        return f"{DEAL_REFERENCE_PREFIXES.get(self.crm, 'PD-')}<deal id>"

    @property
    def signed_off(self) -> bool:
        return any(row.name and row.signed_on for row in self.sign_off)


def next_id(section: SectionName, taken: Sequence[str]) -> str:
    """The next free id in a section: F12 after F11 (ids not in the prefix-number form are skipped)."""
    prefix = ID_PREFIXES[section]
    numbers = [int(i[len(prefix) :]) for i in taken if i.startswith(prefix) and i[len(prefix) :].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:02d}"


def plan_json(plan: Plan) -> str:
    """The plan as canonical JSON (sorted keys): what versions store and what the hash covers."""
    return json.dumps(plan.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)


def content_hash(plan: Plan) -> str:
    return hashlib.sha256(plan_json(plan).encode()).hexdigest()
