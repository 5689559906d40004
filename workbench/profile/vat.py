"""VAT problems in a client's CRM and Xero data: what will make a synced invoice charge or report the
wrong VAT, each finding naming the records, the amounts and the fix.

The rules read the tenant's own setup (its tax rates, items, accounts and CRM products) rather than
assuming UK codes. What they read: `vat_rates` (each tax rate as a treatment), `vat_lines` (sales lines
with amounts in pence and what the catalogue expects), `vat_customers` (where each customer belongs,
its VAT number, its trade), `vat_billing` (which invoice bills which deal). The rules:
- `vat_codes`: tax codes unknown, retired or not for income; stored tax that is not Xero's rounding;
- `vat_domestic`: zero-rated, exempt or no-VAT sales to UK customers of standard-rated products;
- `vat_customer_rules`: UK VAT charged to overseas businesses or to reverse-charge customers, and
  customers invoiced both tax-exclusive and tax-inclusive;
- `vat_deal_value`: deal values against invoice totals (VAT added twice, removed twice, rounding) and
  currencies;
- `vat_numbers`: VAT numbers that fail their check digits, or differ between linked records.
"""

from __future__ import annotations

import pandas as pd

from workbench.profile.findings import Finding, findings_frame
from workbench.profile.links import invoice_deal_links
from workbench.profile.tables import ProfileTables
from workbench.profile.vat_billing import billing
from workbench.profile.vat_codes import tax_amount_findings, tax_code_findings
from workbench.profile.vat_customer_rules import (
    eu_b2b_findings,
    mixed_line_amount_findings,
    reverse_charge_findings,
)
from workbench.profile.vat_customers import contact_org_links, customers
from workbench.profile.vat_deal_value import deal_value_findings
from workbench.profile.vat_domestic import domestic_sale_findings
from workbench.profile.vat_lines import invoice_sums, item_treatments, live_invoices, sales_lines
from workbench.profile.vat_numbers import vat_number_findings
from workbench.profile.vat_rates import tax_rate_table


def _pays_vat(tables: ProfileTables) -> bool:
    """Whether the Xero organisation is VAT-registered (assumed so when it does not say)."""
    organisation = tables["xero_organisation"]
    if organisation.empty or organisation["pays_tax"].isna().all():
        return True
    return bool(organisation["pays_tax"].dropna().iloc[0])


def find_vat_problems(
    tables: ProfileTables, org_links: pd.DataFrame | None = None, deal_links: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Every VAT finding for the client (a `findings_frame`).

    `org_links` is the CRM organisation <-> Xero contact link table (columns `org_id`, `contact_id`);
    without it the organisations' own stored Xero contact ids are used. `deal_links` is
    `links.invoice_deal_links(tables)` when the caller already has it (a profile reads it once for
    every analysis: at 200,000 invoices it takes a couple of seconds).
    """
    rates = tax_rate_table(tables["tax_rates"])
    invoices = live_invoices(tables)
    deal_links = invoice_deal_links(tables) if deal_links is None else deal_links
    bills = billing(tables["deals"], deal_links, invoices)
    contact_links = contact_org_links(tables, org_links)
    book = customers(tables, rates, contact_links, bills.deal_orgs())
    names = book.profile["name"]
    lines = sales_lines(tables, rates, invoices, book.profile)
    sums = invoice_sums(invoices, lines)

    findings: list[Finding] = []
    findings += tax_code_findings(lines, rates, names)
    findings += tax_amount_findings(lines, invoices, sums, names)
    if _pays_vat(tables) and not rates.empty:
        findings += domestic_sale_findings(lines, book.profile, bills.deal_of_invoice())
        findings += eu_b2b_findings(lines, book)
        items = item_treatments(tables, rates)
        findings += reverse_charge_findings(lines, book, bills.marked_reverse_charge, items, rates)
    findings += mixed_line_amount_findings(invoices, book)
    findings += deal_value_findings(bills, invoices, sums)
    findings += vat_number_findings(tables["organisations"], tables["xero_contacts"], contact_links)
    return findings_frame(findings)
