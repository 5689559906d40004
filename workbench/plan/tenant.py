"""The codes a plan may use, read from the tenant's own tables: tax rates, accounts, items, CRM fields.

Xero tax types are never assumed (a tenant renames, archives and adds rates), so dropdowns and checks
both come from here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pandas as pd

from workbench.plan.model import CrmRecord

# crm_fields.entity spellings (Pipedrive, HubSpot) -> the record a plan names
CRM_ENTITIES = {
    "organization": CrmRecord.ORGANISATION,
    "org": CrmRecord.ORGANISATION,
    "company": CrmRecord.ORGANISATION,
    "companies": CrmRecord.ORGANISATION,
    "person": CrmRecord.PERSON,
    "contact": CrmRecord.PERSON,
    "contacts": CrmRecord.PERSON,
    "deal": CrmRecord.DEAL,
    "deals": CrmRecord.DEAL,
    "product": CrmRecord.PRODUCT,
    "products": CrmRecord.PRODUCT,
}
# Account classes/types that take sales: Xero's REVENUE class covers REVENUE, SALES and OTHERINCOME.
REVENUE_ACCOUNT_TYPES = frozenset({"REVENUE", "SALES", "OTHERINCOME"})


@dataclass(frozen=True)
class TaxRateInfo:
    tax_type: str
    name: str
    status: str
    revenue: bool
    display_rate: Decimal | None
    report_tax_type: str | None = None
    effective_rate: Decimal | None = None  # what Xero computes tax at (0 on a reverse-charge rate)


@dataclass(frozen=True)
class AccountInfo:
    code: str
    name: str
    type: str
    status: str
    revenue: bool


@dataclass(frozen=True)
class ItemInfo:
    code: str
    name: str
    is_sold: bool
    sales_account_code: str | None
    sales_tax_type: str | None


@dataclass(frozen=True)
class TenantCodes:
    """What exists in this engagement's Xero tenant and CRM, keyed the way a plan names it."""

    tax_rates: dict[str, TaxRateInfo] = field(default_factory=dict)
    accounts: dict[str, AccountInfo] = field(default_factory=dict)
    items: dict[str, ItemInfo] = field(default_factory=dict)
    crm_fields: dict[CrmRecord, tuple[str, ...]] = field(default_factory=dict)
    crm_field_options: dict[tuple[CrmRecord, str], tuple[str, ...]] = field(default_factory=dict)
    products: dict[str, str] = field(default_factory=dict)  # CRM product code -> name
    organisation_name: str | None = None
    pays_tax: bool | None = None
    base_currency: str | None = None
    currencies: tuple[str, ...] = ()  # the currencies the tenant is subscribed to

    @classmethod
    def from_tables(cls, tables: Mapping[str, pd.DataFrame]) -> TenantCodes:
        return cls(
            tax_rates=_tax_rates(_frame(tables, "tax_rates")),
            accounts=_accounts(_frame(tables, "accounts")),
            items=_items(_frame(tables, "items")),
            crm_fields=_crm_fields(_frame(tables, "crm_fields")),
            crm_field_options=_field_options(_frame(tables, "crm_fields")),
            products=_products(_frame(tables, "products")),
            organisation_name=_first(_frame(tables, "xero_organisation"), "name"),
            pays_tax=_first(_frame(tables, "xero_organisation"), "pays_tax"),
            base_currency=_first(_frame(tables, "xero_organisation"), "base_currency"),
            currencies=tuple(sorted({str(c) for c in _frame(tables, "currencies").get("code", []) if c})),
        )

    @property
    def revenue_tax_types(self) -> list[str]:
        """Active tax types that can go on a sales line: the only ones a plan may propose."""
        return sorted(t for t, r in self.tax_rates.items() if r.status == "ACTIVE" and r.revenue)

    @property
    def revenue_account_codes(self) -> list[str]:
        return sorted(c for c, a in self.accounts.items() if a.status == "ACTIVE" and a.revenue)

    @property
    def sold_item_codes(self) -> list[str]:
        return sorted(c for c, i in self.items.items() if i.is_sold)

    def field_names(self, record: CrmRecord) -> tuple[str, ...]:
        return self.crm_fields.get(record, ())

    def has_field(self, record: CrmRecord, name: str) -> bool:
        wanted = name.casefold()
        return any(n.casefold() == wanted for n in self.field_names(record))

    def usable_tax_type(self, tax_type: object) -> bool:
        return isinstance(tax_type, str) and tax_type in self.revenue_tax_types

    def usable_account(self, code: object) -> bool:
        return isinstance(code, str) and code in self.revenue_account_codes


def _frame(tables: Mapping[str, pd.DataFrame], name: str) -> pd.DataFrame:
    frame = tables.get(name)
    return frame if frame is not None else pd.DataFrame()


def _value(row: Mapping[str, Any], column: str) -> Any:
    value = row.get(column)
    try:
        return None if value is None or bool(pd.isna(value)) else value
    except (TypeError, ValueError):
        return value


def _first(frame: pd.DataFrame, column: str) -> Any:
    if frame.empty or column not in frame:
        return None
    return _value(frame.iloc[0].to_dict(), column)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [] if frame.empty else frame.to_dict("records")


def _tax_rates(frame: pd.DataFrame) -> dict[str, TaxRateInfo]:
    rates = {}
    for row in _records(frame):
        tax_type = _value(row, "tax_type")
        if tax_type is None:
            continue
        rate = _value(row, "display_rate")
        effective = _value(row, "effective_rate")
        rates[str(tax_type)] = TaxRateInfo(
            tax_type=str(tax_type),
            name=str(_value(row, "name") or tax_type),
            status=str(_value(row, "status") or "").upper(),
            revenue=bool(_value(row, "can_apply_to_revenue")),
            display_rate=Decimal(str(rate)) if rate is not None else None,
            report_tax_type=str(_value(row, "report_tax_type") or "") or None,
            effective_rate=Decimal(str(effective)) if effective is not None else None,
        )
    return rates


def _accounts(frame: pd.DataFrame) -> dict[str, AccountInfo]:
    accounts = {}
    for row in _records(frame):
        code = _value(row, "code")
        if code is None:
            continue
        kind = str(_value(row, "type") or "").upper()
        klass = str(_value(row, "account_class") or "").upper()
        accounts[str(code)] = AccountInfo(
            code=str(code),
            name=str(_value(row, "name") or code),
            type=kind,
            status=str(_value(row, "status") or "").upper(),
            revenue=klass == "REVENUE" or kind in REVENUE_ACCOUNT_TYPES,
        )
    return accounts


def _items(frame: pd.DataFrame) -> dict[str, ItemInfo]:
    items = {}
    for row in _records(frame):
        code = _value(row, "code")
        if code is None:
            continue
        account = _value(row, "sales_account_code")
        tax = _value(row, "sales_tax_type")
        items[str(code)] = ItemInfo(
            code=str(code),
            name=str(_value(row, "name") or code),
            is_sold=bool(_value(row, "is_sold")),
            sales_account_code=str(account) if account is not None else None,
            sales_tax_type=str(tax) if tax is not None else None,
        )
    return items


def _crm_fields(frame: pd.DataFrame) -> dict[CrmRecord, tuple[str, ...]]:
    names: dict[CrmRecord, list[str]] = {}
    for row in _records(frame):
        record = CRM_ENTITIES.get(str(_value(row, "entity") or "").lower())
        name = _value(row, "name") or _value(row, "field_key")
        if record is not None and name is not None and str(name) not in names.setdefault(record, []):
            names[record].append(str(name))
    return {record: tuple(values) for record, values in names.items()}


def _field_options(frame: pd.DataFrame) -> dict[tuple[CrmRecord, str], tuple[str, ...]]:
    """Option labels of enum/set fields, e.g. the deal's "VAT treatment" choices."""
    options = {}
    for row in _records(frame):
        record = CRM_ENTITIES.get(str(_value(row, "entity") or "").lower())
        values = _value(row, "options")
        if record is None or not isinstance(values, list) or not values:
            continue
        labels = [str(o.get("label")) for o in values if isinstance(o, dict) and o.get("label") is not None]
        options[(record, str(_value(row, "name") or _value(row, "field_key")))] = tuple(labels)
    return options


def _products(frame: pd.DataFrame) -> dict[str, str]:
    products = {}
    for row in _records(frame):
        if _value(row, "is_deleted"):
            continue
        code = _value(row, "code") or _value(row, "product_id")
        if code is not None:
            products[str(code)] = str(_value(row, "name") or code)
    return products
