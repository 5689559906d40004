"""The workbook's layout, shared by export and re-import: which sheet holds which plan section, its
columns (headers are the plan model's field titles), which cells the client may edit and which
dropdown feeds them.

Data is found by the header row and the ID column, never by fixed coordinates: clients insert rows,
sort and filter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any

from workbench.plan.model import (
    DealInvoiceMap,
    FieldMapping,
    MatchKeyRule,
    Plan,
    PlanRow,
    SectionName,
    SignOff,
    SyncObjectRule,
    TaxRule,
)

HEADER_ROW = 3  # row 1: title, row 2: how to edit this sheet
FIRST_ROW = HEADER_ROW + 1
ID_HEADER = "ID"


@dataclass(frozen=True)
class Column:
    """One column of a section sheet. `attr` is the model attribute (None for a lookup column)."""

    attr: str | None
    editable: bool = False
    dropdown: str | None = None  # a defined name on the Lists sheet
    cap: int = 30  # widest the column grows; text past it wraps
    text: bool = False  # code columns keep typed values as text
    header_text: str | None = None
    lookup: tuple[str, str] | None = None  # (attr whose code it looks up, defined name of a code/name table)
    whole: tuple[int, int] | None = None  # whole-number bounds
    is_date: bool = False


@dataclass(frozen=True)
class SectionSheet:
    name: str
    section: SectionName
    model: type[PlanRow]
    intro: str
    columns: tuple[Column, ...]
    spare_rows: int = 0  # blank editable rows where the client can add

    def header(self, column: Column) -> str:
        if column.header_text:
            return column.header_text
        if column.attr is None:
            raise ValueError(f"{self.name}: a lookup column needs a header")
        title = self.model.model_fields[column.attr].title
        return title or column.attr

    @property
    def headers(self) -> list[str]:
        return [self.header(c) for c in self.columns]

    def column_for(self, attr: str) -> Column | None:
        return next((c for c in self.columns if c.attr == attr), None)


OBJECTS = SectionSheet(
    "Objects",
    "objects",
    SyncObjectRule,
    "Which way each kind of record flows, and what starts the sync. Change the yellow cells.",
    (
        Column("id", cap=6),
        Column("object", cap=36),
        Column("direction", editable=True, dropdown="Directions", cap=14),
        Column("trigger", editable=True, cap=50),
        Column("notes", editable=True, cap=50),
    ),
)
FIELDS = SectionSheet(
    "Field mapping",
    "fields",
    FieldMapping,
    "One row per field: which CRM field (by its name in the CRM) feeds which Xero field, which way, and "
    "which system wins a conflict. Add rows in the blank yellow rows at the bottom; leave their ID empty.",
    (
        Column("id", cap=6),
        Column("object", editable=True, dropdown="SyncObjects", cap=30),
        Column("crm_record", editable=True, dropdown="CrmRecords", cap=14),
        Column("crm_field", editable=True, dropdown="CrmFields", cap=26),
        Column("xero_field", editable=True, dropdown="XeroFields", cap=40),
        Column("direction", editable=True, dropdown="Directions", cap=14),
        Column("master", editable=True, dropdown="Masters", cap=10),
        Column("transform", editable=True, cap=36),
        Column("required", editable=True, dropdown="YesNo", cap=10),
        Column("in_use", cap=28),
        Column("notes", editable=True, cap=44),
    ),
    spare_rows=20,
)
TAX = SectionSheet(
    "Tax mapping",
    "tax_rules",
    TaxRule,
    "The account and tax type each CRM product is invoiced with, and the tax type each VAT treatment on a "
    "deal forces (blank: the product's applies). Dropdowns list only codes your Xero can use on sales.",
    (
        Column("id", cap=6),
        Column("applies_to", editable=True, dropdown="TaxBases", cap=14),
        Column("crm_value", editable=True, cap=28, text=True),
        Column("description", editable=True, cap=36),
        Column("item_code", editable=True, dropdown="ItemCodes", cap=16, text=True),
        Column("account_code", editable=True, dropdown="RevenueAccounts", cap=12, text=True),
        Column(None, header_text="Account name", lookup=("account_code", "AccountTable"), cap=24),
        Column("tax_type", editable=True, dropdown="RevenueTaxTypes", cap=20, text=True),
        Column(None, header_text="Tax rate name", lookup=("tax_type", "TaxRateTable"), cap=30),
        Column("evidence", cap=50),
        Column("notes", editable=True, cap=40),
    ),
    spare_rows=15,
)
MATCH_KEYS = SectionSheet(
    "Match keys",
    "match_keys",
    MatchKeyRule,
    "How a CRM organisation finds its Xero contact: keys are tried in order; a match either links or goes "
    "to a person for review. Storing the Xero ContactID back on the CRM makes later runs exact.",
    (
        Column("id", cap=6),
        Column("order", editable=True, whole=(1, 99), cap=8),
        Column("key", editable=True, dropdown="MatchKeys", cap=28),
        Column("when_matched", editable=True, dropdown="OnMatch", cap=20),
        Column("crm_coverage", cap=14),
        Column("xero_coverage", cap=20),
        Column("notes", editable=True, cap=50),
    ),
)
SIGN_OFF = SectionSheet(
    "Sign-off",
    "sign_off",
    SignOff,
    "Who agrees this plan. Finance signs off the VAT and tax mapping before anything goes live.",
    (
        Column("id", cap=6),
        Column("role", editable=True, cap=32),
        Column("name", editable=True, cap=28),
        Column("signed_on", editable=True, is_date=True, cap=14),
        Column("comment", editable=True, cap=50),
    ),
    spare_rows=3,
)
SECTION_SHEETS = (OBJECTS, FIELDS, TAX, MATCH_KEYS, SIGN_OFF)


@dataclass(frozen=True)
class Setting:
    """One row of the deal → invoice sheet: a DealInvoiceMap setting, or a fixed row (`attr` None)."""

    key: str  # the row's ID
    xero_field: str
    crm_source: str
    attr: str | None = None
    dropdown: str | None = None
    whole: tuple[int, int] | None = None
    fixed: str = ""
    notes: str = ""
    is_date: bool = False

    @property
    def label(self) -> str:
        if self.attr is None:
            return self.fixed
        return DealInvoiceMap.model_fields[self.attr].title or self.attr


DEAL_INVOICE_SHEET = "Deal to invoice"
DEAL_INVOICE_INTRO = (
    "How a won deal becomes a DRAFT Xero invoice (the seed guide's worked example). Change the yellow "
    "Value cells; the other rows are fixed by the flow."
)
DEAL_INVOICE_HEADERS = ("ID", "Xero invoice field", "Comes from (CRM)", "Setting", "Value", "Why / notes")
VALUE_HEADER = "Value"
SETTINGS = (
    Setting("type", "Type", "(fixed)", fixed="Invoice type", notes="ACCREC: a sales invoice"),
    Setting("contact_id_field", "Contact", "Organisation → linked Xero contact", "contact_id_field",
            "OrgFields", notes="matched by the ContactID stored on the organisation, then the match keys"),
    Setting("when_unmatched", "Contact", "Organisation", "when_unmatched", "WhenUnmatched"),
    Setting("won_after", "(which deals)", "Deal won time", "won_after", is_date=True,
            notes="won deals before this day are left alone: invoiced by hand, or never to be"),
    Setting("invoice_date", "Date", "Deal won time", "invoice_date", "InvoiceDates"),
    Setting("due_date_rule", "DueDate", "Expected close date, or payment terms", "due_date_rule",
            "DueDateRules"),
    Setting("due_days", "DueDate", "(payment terms)", "due_days", whole=(0, 365)),
    Setting("unit_amount_from", "LineItems (Description, Quantity, UnitAmount)",
            "Deal products or deal value", "unit_amount_from", "UnitAmountFrom"),
    Setting("line_amount_types", "LineAmountTypes", "(fixed)", "line_amount_types", "LineAmountTypes",
            notes="set explicitly, never left to Xero's default"),
    Setting("tax_decided_by", "LineItems.TaxType", "Deal's VAT treatment / product", "tax_decided_by",
            "TaxDecidedBy", notes="the Tax mapping sheet holds the codes"),
    Setting("default_account_code", "LineItems.AccountCode", "Product (Tax mapping sheet)",
            "default_account_code", "RevenueAccounts"),
    Setting("default_tax_type", "LineItems.TaxType", "Product (Tax mapping sheet)", "default_tax_type",
            "RevenueTaxTypes"),
    Setting("reference", "Reference", "Deal ID", fixed="Invoice reference",
            notes="how a re-run finds the invoice it already created, so it never bills a deal twice"),
    Setting("currency", "CurrencyCode", "Deal currency", fixed="Invoice currency",
            notes="the deal's currency; Xero applies its own rate"),
    Setting("status", "Status", "(fixed)", "status", "InvoiceStatuses",
            notes="DRAFT: finance reviews before anything is sent"),
)  # fmt: skip


def fixed_values(plan: Plan) -> dict[str, str]:
    """What the deal → invoice sheet's fixed rows show: set by the flow, not by the client."""
    return {"type": "ACCREC", "reference": plan.reference_format, "currency": "Deal currency"}


def cell_value(value: Any) -> Any:
    """A plan value as the workbook shows it."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, Enum):
        return value.value
    if value is None:
        return None
    if isinstance(value, date | int | float):
        return value
    return str(value) if str(value) != "" else None


def same_cell(a: Any, b: Any) -> bool:
    """Two cell values mean the same (blank = None = "", 30 = 30.0, "Yes" = "yes")."""

    def norm(v: Any) -> Any:
        if v is None or (isinstance(v, str) and not v.strip()):
            return None
        if isinstance(v, float) and v.is_integer():
            return int(v)
        if isinstance(v, str):
            return v.strip().casefold()
        if hasattr(v, "date") and callable(v.date):
            return v.date()
        return v

    return bool(norm(a) == norm(b))
