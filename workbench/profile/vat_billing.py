"""Which live sales invoice bills which CRM deal, as row positions both rules and totals can index.

`links.invoice_deal_links` reads the deal from each invoice's Reference; here each link becomes a pair
of positions (the invoice's row in the live sales invoices, the deal's row in the deals), so per-deal
sums are array arithmetic instead of joins on string keys.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

_VAT_FIELD = re.compile(r"vat|tax", re.IGNORECASE)
_REVERSE_CHARGE = re.compile(r"reverse\s*charge|\bDRC\b|\bCIS\b", re.IGNORECASE)


def _keys(source: pd.Series, deal_id: pd.Series) -> pd.Index:
    """A deal's (source, id) as one string (a MultiIndex look-up is three times slower)."""
    return pd.Index(source.astype(str) + "\x1f" + deal_id.astype(str))


def marked_reverse_charge(custom_fields: pd.Series) -> list[bool]:
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


@dataclass(frozen=True)
class Billing:
    """`deals`: the CRM deals (one row each, positions 0..n-1); `links`: one row per live sales invoice
    that bills one of them: invoice_id, invoice_number, instalment, contact_id, `invoice_at` (row in the
    live invoices) and `deal_at` (row in `deals`)."""

    deals: pd.DataFrame
    links: pd.DataFrame

    def deal_of_invoice(self) -> pd.DataFrame:
        """invoice_id -> deal_id, deal_title."""
        at = self.links["deal_at"].to_numpy()
        return pd.DataFrame(
            {
                "deal_id": self.deals["deal_id"].astype(str).to_numpy()[at],
                "deal_title": self.deals["title"].to_numpy()[at],
            },
            index=self.links["invoice_id"].to_numpy(),
        )

    def deal_orgs(self) -> pd.DataFrame:
        """(contact_id, org_id): the organisation of the deal a contact's invoice bills."""
        org = self.deals["org_id"].to_numpy()[self.links["deal_at"].to_numpy()]
        pairs = pd.DataFrame({"contact_id": self.links["contact_id"].to_numpy(), "org_id": org}).dropna()
        return pairs.astype(str).drop_duplicates().reset_index(drop=True)

    def marked_reverse_charge(self, contact_ids: set[str]) -> set[str]:
        """Those of the contacts billed for a deal whose VAT field says domestic reverse charge."""
        mine = self.links[self.links["contact_id"].isin(contact_ids)]
        fields = self.deals["custom_fields"].iloc[mine["deal_at"].to_numpy()]
        return set(mine.loc[marked_reverse_charge(fields), "contact_id"])


def billing(deals: pd.DataFrame, links: pd.DataFrame, invoices: pd.DataFrame) -> Billing:
    """The links of `links.invoice_deal_links` to deals the CRM has, for the live sales `invoices`."""
    deals = deals.drop_duplicates(["source", "deal_id"]).reset_index(drop=True)
    linked = links.loc[
        links["deal_exists"], ["invoice_id", "invoice_number", "source", "deal_id", "instalment"]
    ].drop_duplicates("invoice_id")
    invoice_at = pd.Index(invoices["invoice_id"]).get_indexer(linked["invoice_id"])
    deal_at = _keys(deals["source"], deals["deal_id"]).get_indexer(_keys(linked["source"], linked["deal_id"]))
    keep = (invoice_at >= 0) & (deal_at >= 0)
    linked = linked.loc[keep, ["invoice_id", "invoice_number", "instalment"]].reset_index(drop=True)
    linked["invoice_at"] = invoice_at[keep]
    linked["deal_at"] = deal_at[keep]
    linked["contact_id"] = invoices["contact_id"].to_numpy()[invoice_at[keep]]
    return Billing(deals, linked.astype({"invoice_at": np.int64, "deal_at": np.int64}))
