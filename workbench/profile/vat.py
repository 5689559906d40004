"""VAT problems in a client's CRM and Xero data: what will make a synced invoice charge or report the
wrong VAT, each finding naming the records, the amounts and the fix.

The rules read the tenant's own setup (its tax rates, items, accounts and CRM products) rather than
assuming UK codes; each lives in a `vat_*` module:
- `vat_codes`: tax codes unknown, retired or not for income; stored tax that is not Xero's rounding;
- `vat_domestic`: zero-rated, exempt or no-VAT sales to UK customers of standard-rated products;
- `vat_customer_rules`: VAT charged to overseas businesses or reverse-charge construction customers,
  and customers invoiced both tax-exclusive and tax-inclusive;
- `vat_deal_value`: deal values against invoice totals (VAT added twice, removed twice, rounding) and
  currencies;
- `vat_numbers`: VAT numbers that fail their check digits, or differ between the linked records.
"""

from __future__ import annotations

import re

import pandas as pd

from workbench.profile.findings import Finding, findings_frame
from workbench.profile.links import invoice_deal_links
from workbench.profile.tables import ProfileTables
from workbench.profile.vat_codes import tax_amount_findings, tax_code_findings
from workbench.profile.vat_customer_rules import (
    eu_b2b_findings,
    mixed_line_amount_findings,
    reverse_charge_findings,
)
from workbench.profile.vat_customers import contact_org_links, customers
from workbench.profile.vat_deal_value import deal_value_findings
from workbench.profile.vat_domestic import domestic_sale_findings
from workbench.profile.vat_lines import invoice_sums, sales_ledger
from workbench.profile.vat_numbers import vat_number_findings
from workbench.profile.vat_rates import tax_rate_table
from workbench.profile.vat_text import Distinct, codes, lookup

_VAT_FIELD = re.compile(r"vat|tax", re.IGNORECASE)
_REVERSE_CHARGE = re.compile(r"reverse\s*charge|\bDRC\b|\bCIS\b", re.IGNORECASE)


def _pays_vat(tables: ProfileTables) -> bool:
    """Whether the Xero organisation is VAT-registered (assumed so when it does not say)."""
    organisation = tables["xero_organisation"]
    if organisation.empty or organisation["pays_tax"].isna().all():
        return True
    return bool(organisation["pays_tax"].dropna().iloc[0])


def _marked_reverse_charge(custom_fields: pd.Series) -> list[bool]:
    """Whether a deal's VAT custom field ('VAT treatment': 'Domestic reverse charge') says so."""
    keys: dict[str, bool] = {}
    values: dict[str, bool] = {}
    out = []
    for fields in custom_fields:
        marked = False
        if isinstance(fields, dict):
            for key, value in fields.items():
                if (
                    isinstance(key, str)
                    and isinstance(value, str)
                    and keys.setdefault(key, bool(_VAT_FIELD.search(key)))
                ):
                    marked = marked or values.setdefault(value, bool(_REVERSE_CHARGE.search(value)))
        out.append(marked)
    return out


def _billed_deals(tables: ProfileTables, links: pd.DataFrame) -> pd.DataFrame:
    """One row per invoice that bills a deal the CRM has: deal_id, deal_title, org_id, contact_id and
    the deal's custom_fields."""
    billed = links.loc[links["deal_exists"], ["invoice_id", "source", "deal_id"]].drop_duplicates(
        "invoice_id"
    )
    billed["deal_key"] = billed["source"].astype(str) + "|" + billed["deal_id"].astype(str)
    deals = tables["deals"]
    deals = deals.assign(deal_key=deals["source"].astype(str) + "|" + deals["deal_id"].astype(str))
    deals = deals[deals["deal_key"].isin(billed["deal_key"])].drop_duplicates("deal_key")
    billed = billed.merge(
        deals[["deal_key", "title", "org_id", "custom_fields"]].rename(columns={"title": "deal_title"}),
        on="deal_key",
    )
    invoices = tables["invoices"][["invoice_id", "contact_id"]].drop_duplicates("invoice_id")
    billed = billed.merge(invoices, on="invoice_id", how="left")
    return billed.set_index("invoice_id")[["deal_id", "deal_title", "org_id", "contact_id", "custom_fields"]]


def find_vat_problems(tables: ProfileTables, org_links: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every VAT finding for the client (a `findings_frame`).

    `org_links` is the CRM organisation <-> Xero contact link table (columns `org_id`, `contact_id`);
    without it the organisations' own stored Xero contact ids are used.
    """
    rates = tax_rate_table(tables["tax_rates"])
    invoices, lines = sales_ledger(tables, rates)
    sums = invoice_sums(invoices, lines)
    links = invoice_deal_links(tables)
    billed = _billed_deals(tables, links)
    contact_links = contact_org_links(tables, org_links)
    deal_orgs = billed[["contact_id", "org_id"]].dropna().astype(str).drop_duplicates()
    book = customers(tables, rates, contact_links, deal_orgs)
    names = book.profile["name"]
    contact = Distinct(lines["contact_id"])
    for column in ("location", "vat_number", "vat_prefix"):
        lines[f"customer_{column}"] = contact.lookup(book.profile[column])

    findings: list[Finding] = []
    findings += tax_code_findings(lines, rates, names)
    findings += tax_amount_findings(lines, invoices, sums, names)
    if _pays_vat(tables) and not rates.empty:
        items = tables["items"]
        item_treatments = pd.Series(
            lookup(codes(items["sales_tax_type"]), rates["treatment"]).to_numpy(), index=codes(items["code"])
        )

        def marked_deals(contact_ids: set[str]) -> set[str]:
            mine = billed[billed["contact_id"].isin(contact_ids)]
            return set(mine.loc[_marked_reverse_charge(mine["custom_fields"]), "contact_id"])

        findings += domestic_sale_findings(lines, book.profile, billed[["deal_id", "deal_title"]])
        findings += eu_b2b_findings(lines, book)
        findings += reverse_charge_findings(lines, book, marked_deals, item_treatments, rates)
    findings += mixed_line_amount_findings(lines, book)
    findings += deal_value_findings(tables["deals"], links, invoices, sums)
    findings += vat_number_findings(tables["organisations"], tables["xero_contacts"], contact_links)
    return findings_frame(findings)
