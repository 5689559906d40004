"""The dropdown lists: a hidden Lists sheet with one named range per list, fed by the tenant's real
codes (active sales tax types, revenue accounts, sold items, the CRM's field names) and the plan's
enums. A list longer than 255 characters cannot be written inline, so every list is a named range.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from openpyxl import Workbook
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from workbench.plan.model import (
    CrmRecord,
    Direction,
    DueDateRule,
    InvoiceDate,
    InvoiceStatus,
    LineAmountTypes,
    Master,
    MatchKey,
    OnMatch,
    Plan,
    SyncObject,
    TaxBasis,
    TaxDecidedBy,
    UnitAmountFrom,
    WhenUnmatched,
)
from workbench.plan.tenant import TenantCodes
from workbench.plan.xero_fields import XERO_FIELDS

LISTS_SHEET = "Lists"
ENUM_LISTS: dict[str, type[StrEnum]] = {
    "Directions": Direction,
    "Masters": Master,
    "SyncObjects": SyncObject,
    "CrmRecords": CrmRecord,
    "TaxBases": TaxBasis,
    "MatchKeys": MatchKey,
    "OnMatch": OnMatch,
    "LineAmountTypes": LineAmountTypes,
    "InvoiceStatuses": InvoiceStatus,
    "WhenUnmatched": WhenUnmatched,
    "UnitAmountFrom": UnitAmountFrom,
    "TaxDecidedBy": TaxDecidedBy,
    "InvoiceDates": InvoiceDate,
    "DueDateRules": DueDateRule,
}


def _unique(values: Sequence[str | None]) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        if value:
            seen.setdefault(value, None)
    return list(seen)


def list_values(plan: Plan, tenant: TenantCodes) -> dict[str, list[str]]:
    """Every dropdown's choices. CRM field lists add the plan's own names (fields to be created)."""
    lists = {name: [member.value for member in enum] for name, enum in ENUM_LISTS.items()}
    crm_names = [n for record in CrmRecord for n in tenant.field_names(record)]
    lists.update(
        {
            "YesNo": ["Yes", "No"],
            "RevenueTaxTypes": tenant.revenue_tax_types,
            "RevenueAccounts": tenant.revenue_account_codes,
            "ItemCodes": tenant.sold_item_codes,
            "CrmFields": sorted(_unique([*crm_names, *(f.crm_field for f in plan.fields)]), key=str.casefold),
            "OrgFields": sorted(
                _unique([*tenant.field_names(CrmRecord.ORGANISATION), plan.deal_invoice.contact_id_field]),
                key=str.casefold,
            ),
            "XeroFields": list(XERO_FIELDS),
        }
    )
    return lists


def write_lists(wb: Workbook, plan: Plan, tenant: TenantCodes) -> set[str]:
    """The hidden Lists sheet and its named ranges; returns the names that have at least one value."""
    ws = wb.create_sheet(LISTS_SHEET)
    named: set[str] = set()
    column = 0
    for name, values in list_values(plan, tenant).items():
        column += 1
        ws.cell(row=1, column=column, value=name)
        for row, value in enumerate(values, 2):
            ws.cell(row=row, column=column, value=value)
        if values:
            _define(wb, name, column, column, len(values) + 1)
            named.add(name)
    # code -> name tables the Tax mapping sheet looks names up in
    for name, pairs in (
        ("TaxRateTable", [(t, r.name) for t, r in sorted(tenant.tax_rates.items())]),
        ("AccountTable", [(c, a.name) for c, a in sorted(tenant.accounts.items())]),
    ):
        column += 2
        ws.cell(row=1, column=column, value=name)
        for row, (code, label) in enumerate(pairs, 2):
            ws.cell(row=row, column=column, value=code)
            ws.cell(row=row, column=column + 1, value=label)
        if pairs:
            _define(wb, name, column, column + 1, len(pairs) + 1)
            named.add(name)
    ws.sheet_state = "hidden"
    ws.protection.sheet = True
    return named


def _define(wb: Workbook, name: str, first_column: int, last_column: int, last_row: int) -> None:
    first, last = get_column_letter(first_column), get_column_letter(last_column)
    reference = f"{quote_sheetname(LISTS_SHEET)}!${first}$2:${last}${last_row}"
    wb.defined_names[name] = DefinedName(name, attr_text=reference)


def dropdown(name: str, what: str) -> DataValidation:
    """A list validation that refuses typed values not in the list (re-import checks them anyway)."""
    return DataValidation(
        type="list",
        formula1=f"={name}",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Not in the list",
        error=f"Choose {what} from the list.",
    )


def whole_number(low: int, high: int) -> DataValidation:
    return DataValidation(
        type="whole",
        operator="between",
        formula1=str(low),
        formula2=str(high),
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Whole number",
        error=f"Enter a whole number from {low} to {high}.",
    )


def a_date() -> DataValidation:
    return DataValidation(
        type="date",
        operator="greaterThan",
        formula1="36526",  # 1 Jan 2000, as an Excel serial day
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Date",
        error="Enter a date, e.g. 25/11/2026.",
    )
