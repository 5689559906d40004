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
    invoices = live_sales_invoices(tables)
    deals = tables["deals"]
    known = set(zip(deals["source"].astype(str), deals["deal_id"].astype(str), strict=True))
    rows = []
    for invoice in invoices[["invoice_id", "invoice_number", "reference", "status"]].itertuples(index=False):
        parsed = parse_deal_reference(invoice.reference)
        if parsed is None:
            continue
        rows.append(
            (
                invoice.invoice_id,
                invoice.invoice_number,
                invoice.reference,
                invoice.status,
                parsed.source,
                parsed.deal_id,
                parsed.instalment,
                (parsed.source, parsed.deal_id) in known,
            )
        )
    links = pd.DataFrame(rows, columns=LINK_COLUMNS)
    links["instalment"] = links["instalment"].astype("Int64")
    return links
