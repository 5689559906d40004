"""Which Xero sales invoice bills which CRM deal, read from the invoice Reference."""

from __future__ import annotations

import numpy as np
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
    named = {ref: p for ref in invoices["reference"].dropna().unique() if (p := parse_deal_reference(ref))}
    position = pd.Index(list(named), dtype=object).get_indexer(invoices["reference"])
    links = invoices[position >= 0].copy()
    parsed = list(named.values())
    picked = position[position >= 0]
    links["source"] = np.array([parsed[k].source for k in picked], dtype=object)
    links["deal_id"] = np.array([parsed[k].deal_id for k in picked], dtype=object)
    links["instalment"] = pd.array([parsed[k].instalment for k in picked], dtype="Int64")
    deals = tables["deals"]
    known = set(zip(deals["source"].astype(str), deals["deal_id"].astype(str), strict=True))
    pairs = zip(links["source"], links["deal_id"], strict=True)
    links["deal_exists"] = np.fromiter((pair in known for pair in pairs), dtype=bool, count=len(links))
    return links[LINK_COLUMNS].reset_index(drop=True)
