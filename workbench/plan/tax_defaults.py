"""Proposed deal → invoice settings and tax mapping, learnt from the tenant's own sales lines.

A product gets its Xero item's account and tax type when the item has usable ones, else what its sales
lines used most, else a rate matching the CRM product's tax percent. A VAT treatment gets the tax type
the invoices of deals with that treatment used most; a standard-rate treatment is left blank so each
product's own rate applies (a zero-rated manual stays zero-rated on a standard deal).
"""

from __future__ import annotations

import re
from collections import Counter

import pandas as pd

from workbench.plan.model import (
    CrmRecord,
    DealInvoiceMap,
    LineAmountTypes,
    TaxBasis,
    TaxDecidedBy,
    TaxRule,
    UnitAmountFrom,
)
from workbench.plan.tenant import TenantCodes
from workbench.plan.usage import (
    SalesLines,
    accounts_of,
    combos_text,
    counted,
    due_days,
    most_used,
    rate_for_percent,
    tax_methods,
    tax_types_of,
    tax_types_text,
)
from workbench.profile.tables import ProfileTables
from workbench.profile.volumes import products_in_use

_STANDARD = re.compile(r"\bstandard\b", re.I)
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*%")
# A treatment nobody has invoiced yet: its name, the report type its rate should have, the nominal rate.
_GUESSES = (
    (re.compile(r"reverse", re.I), "DRCHARGE", 20),
    (re.compile(r"reduced", re.I), "OUTPUT", 5),
    (re.compile(r"\bzero", re.I), "ZERORATEDOUTPUT", 0),
    (re.compile(r"exempt", re.I), "EXEMPTOUTPUT", 0),
    (re.compile(r"outside|out of scope|non-uk|export", re.I), "NONE", 0),
)
_XERO_DEFAULTS = {"tax exclusive": LineAmountTypes.EXCLUSIVE, "tax inclusive": LineAmountTypes.INCLUSIVE}


def _tax_name(tenant: TenantCodes, code: str | None) -> str:
    rate = tenant.tax_rates.get(code or "")
    return f"{code} ({rate.name})" if rate else str(code)


def _line_amount_types(tables: ProfileTables) -> tuple[LineAmountTypes, str]:
    methods = tax_methods(tables)
    organisation = tables["xero_organisation"]
    xero_default = str(organisation["default_sales_tax"].iloc[0]) if len(organisation) else ""
    said = f"; Xero's default for sales is '{xero_default}'" if xero_default else ""
    if methods["inclusive"] or methods["exclusive"]:
        chosen = (
            LineAmountTypes.INCLUSIVE
            if methods["inclusive"] > methods["exclusive"]
            else LineAmountTypes.EXCLUSIVE
        )
        counts = f"{methods['exclusive']:,} exclusive, {methods['inclusive']:,} inclusive"
        return chosen, f"CRM product lines carry tax {counts}{said}. Confirm whether deal values include VAT"
    chosen = _XERO_DEFAULTS.get(xero_default.lower(), LineAmountTypes.EXCLUSIVE)
    return chosen, f"no CRM product lines say{said}. Confirm whether deal values include VAT"


def propose_deal_invoice(
    tables: ProfileTables, tenant: TenantCodes, contact_id_field: str | None, treatment_field: str | None
) -> DealInvoiceMap:
    sales = SalesLines.from_tables(tables)
    combos = sales.combos()
    total = sum(combos.values())
    accounts, taxes = accounts_of(combos), tax_types_of(combos)
    account = most_used(accounts, tenant.revenue_account_codes) or next(
        iter(tenant.revenue_account_codes), None
    )
    tax = most_used(taxes, tenant.revenue_tax_types) or rate_for_percent(tenant, 20)
    deals = tables["deals"]
    won = deals[deals["is_won"].fillna(False).astype(bool)]
    with_lines = won["deal_id"].astype(str).isin(set(tables["deal_lines"]["deal_id"].astype(str)))
    days, invoices = due_days(tables)
    amounts, amounts_why = _line_amount_types(tables)
    stored = int(tables["organisations"]["xero_contact_id"].notna().sum())
    evidence = {
        "contact_id_field": f"'{contact_id_field}' holds a ContactID on {stored:,} of "
        f"{len(tables['organisations']):,} organisations"
        if contact_id_field
        else "the CRM has no field for the Xero ContactID; create one",
        "when_unmatched": "create if missing (seed guide); the match keys keep duplicates out",
        "unit_amount_from": f"{int(with_lines.sum()):,} of {len(won):,} won deals carry products",
        "line_amount_types": amounts_why,
        "tax_decided_by": f"deals carry a '{treatment_field}' field"
        if treatment_field
        else "no VAT field on deals",
        "default_account_code": f"account {account} is on {accounts[account or '']:,} of {total:,} "
        "sales lines",
        "default_tax_type": f"{_tax_name(tenant, tax)} is on {taxes[tax or '']:,} of {total:,} sales lines",
        "invoice_date": "the day the deal was won",
        "due_days": f"the tenant's sales invoices fall due a median {days} days after their date "
        f"({counted(invoices, 'invoice')})"
        if days is not None
        else "no sales invoices with due dates; 30 days is the usual UK term",
        "status": "DRAFT so finance reviews before anything is sent (seed guide)",
    }
    return DealInvoiceMap(
        contact_id_field=contact_id_field,
        unit_amount_from=UnitAmountFrom.PRODUCTS if with_lines.mean() >= 0.5 else UnitAmountFrom.VALUE,
        line_amount_types=amounts,
        tax_decided_by=TaxDecidedBy.TREATMENT_FIRST if treatment_field else TaxDecidedBy.PRODUCT_ONLY,
        default_account_code=account,
        default_tax_type=tax,
        due_days=days if days is not None and 0 <= days <= 365 else 30,
        evidence=evidence,
    )


def _first_usable(candidates: list[str | None], usable: list[str]) -> str | None:
    return next((c for c in candidates if c is not None and c in usable), None)


def _product_rule(
    rule_id: str, code: str, name: str, percent: object, tenant: TenantCodes, sales: SalesLines, deals: int,
    fallback: DealInvoiceMap,
) -> TaxRule:  # fmt: skip
    item = tenant.items.get(code)
    combos = sales.for_item(code)
    by_use = [a for a, _ in accounts_of(combos).most_common()]
    taxes = [t for t, _ in tax_types_of(combos).most_common()]
    account = _first_usable(
        [item.sales_account_code if item else None, *by_use], tenant.revenue_account_codes
    )
    tax = _first_usable(
        [item.sales_tax_type if item else None, *taxes, rate_for_percent(tenant, percent)],
        tenant.revenue_tax_types,
    )
    evidence = []
    if item is not None:
        evidence.append(f"Xero item {code}: {item.sales_account_code or '-'}/{item.sales_tax_type or '-'}")
    if combos:
        evidence.append(f"sales lines {combos_text(combos)}")
    if percent is not None and not pd.isna(percent):
        evidence.append(f"CRM tax {percent}%")
    evidence.append(f"on {counted(deals, 'deal')}")
    other = sum(n for (_, t), n in combos.items() if t != (tax or fallback.default_tax_type))
    notes = [f"{counted(other, 'sales line')} used another tax type: see the VAT findings"] if other else []
    if item is None:
        notes.append("no Xero item has this code, so its lines carry no ItemCode")
    return TaxRule(
        id=rule_id,
        applies_to=TaxBasis.PRODUCT,
        crm_value=code,
        description=name,
        item_code=code if item is not None and item.is_sold else None,
        account_code=account or fallback.default_account_code,
        tax_type=tax or fallback.default_tax_type,
        evidence="; ".join(evidence),
        notes="; ".join(notes),
    )


def _guess(tenant: TenantCodes, label: str) -> str | None:
    for pattern, report_type, percent in _GUESSES:
        if pattern.search(label):
            stated = _PERCENT.search(label)
            return rate_for_percent(tenant, stated.group(1) if stated else percent, report_type)
    return None


def _treatment_rule(
    rule_id: str, label: str, deal_ids: set[str], tenant: TenantCodes, sales: SalesLines
) -> TaxRule:
    taxes: Counter[str] = tax_types_of(sales.for_deals(deal_ids)) if deal_ids else Counter()
    seen = f"{counted(len(deal_ids), 'won deal')}; their sales lines {tax_types_text(taxes)}" if taxes else ""
    if _STANDARD.search(label):
        tax, notes = None, "blank: each product's own tax type applies"
    elif (tax := most_used(taxes, tenant.revenue_tax_types)) is not None:
        notes = ""
    else:
        tax, notes = _guess(tenant, label), "proposed from the name: no invoices to learn from yet"
    return TaxRule(
        id=rule_id,
        applies_to=TaxBasis.VAT_TREATMENT,
        crm_value=label,
        description=f"deals whose VAT treatment is '{label}'",
        tax_type=tax,
        evidence=seen or "no invoiced deals with this treatment yet",
        notes=notes,
    )


def propose_tax_rules(
    tables: ProfileTables, tenant: TenantCodes, treatment_field: str | None, fallback: DealInvoiceMap
) -> tuple[TaxRule, ...]:
    sales = SalesLines.from_tables(tables)
    products = products_in_use(tables)
    products = products[products["crm_product"]]
    percents = tables["products"].set_index(tables["products"]["code"].astype(str))["tax_percent"].to_dict()
    rules = [
        _product_rule(
            f"T{i:02d}",
            str(p.code),
            str(p.name),
            percents.get(str(p.code)),
            tenant,
            sales,
            int(p.deals),
            fallback,
        )
        for i, p in enumerate(products.itertuples(index=False), 1)
    ]
    if treatment_field is None:
        return tuple(rules)
    deals = tables["deals"]
    won = deals[deals["is_won"].fillna(False).astype(bool)]
    values = won["custom_fields"].map(lambda f: f.get(treatment_field) if isinstance(f, dict) else None)
    labels = list(tenant.crm_field_options.get((CrmRecord.DEAL, treatment_field), ()))
    labels += sorted({str(v) for v in values.dropna()} - set(labels))
    for label in labels:
        deal_ids = set(won.loc[values.eq(label), "deal_id"].astype(str))
        rules.append(_treatment_rule(f"T{len(rules) + 1:02d}", label, deal_ids, tenant, sales))
    return tuple(rules)
