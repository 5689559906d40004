"""Which Xero sales invoice bills which CRM deal, read from the invoice Reference."""

from __future__ import annotations

import pandas as pd

from workbench.profile.tables import ProfileTables
from workbench.references import parse_deal_reference

# Voided and deleted invoices no longer bill anything; re-invoicing after a void is not a duplicate.
LIVE_SALES_STATUSES = frozenset({"DRAFT", "SUBMITTED", "AUTHORISED", "PAID"})
LINK_COLUMNS = [
    "invoice_id",
    "invoice_number",
    "reference",
    "status",
    "source",
    "deal_id",
    "instalment",
    "deal_exists",
]


def live_sales_invoices(tables: ProfileTables) -> pd.DataFrame:
    """ACCREC invoices that are not voided or deleted."""
    invoices = tables["invoices"]
    return invoices[(invoices["type"] == "ACCREC") & invoices["status"].isin(LIVE_SALES_STATUSES)]


def invoice_deal_links(tables: ProfileTables) -> pd.DataFrame:
    """One row per live sales invoice whose Reference names a CRM deal (which may not exist)."""
    invoices = live_sales_invoices(tables)[["invoice_id", "invoice_number", "reference", "status"]]
    # parse each distinct reference once: a tenant has far fewer references than invoices
    distinct = invoices["reference"].dropna().unique()
    parsed = {ref: parse_deal_reference(ref) for ref in distinct}
    named = {ref: p for ref, p in parsed.items() if p is not None}
    links = invoices[invoices["reference"].isin(list(named))].copy()
    links["source"] = links["reference"].map(lambda ref: named[ref].source)
    links["deal_id"] = links["reference"].map(lambda ref: named[ref].deal_id)
    links["instalment"] = links["reference"].map(lambda ref: named[ref].instalment).astype("Int64")
    deals = tables["deals"]
    known = pd.MultiIndex.from_arrays([deals["source"].astype(str), deals["deal_id"].astype(str)])
    links["deal_exists"] = pd.MultiIndex.from_arrays([links["source"], links["deal_id"]]).isin(known)
    return links[LINK_COLUMNS].reset_index(drop=True)
