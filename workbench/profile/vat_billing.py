"""Which live sales invoice bills which CRM deal, as row positions, and what each deal's invoices add up to.

`links.invoice_deal_links` reads the deal from each invoice's Reference; here each link becomes a pair
of positions (the invoice's row in the live sales invoices, the deal's row in the deals), so per-deal
sums are array arithmetic instead of joins on string keys.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.profile.vat_text import codes

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


def _per_deal(deal_at: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    out = np.zeros(size, dtype=np.int64)
    np.add.at(out, deal_at, values)
    return out


def deal_totals(bills: Billing, invoices: pd.DataFrame, sums: pd.DataFrame) -> pd.DataFrame:
    """One row per deal with live invoices (`deal_at`: its row in `bills.deals`): its value (pence),
    currency, title and status, and over its invoices (`vat_lines.invoice_sums` of `invoices`) the
    subtotal, tax and total (pence), line count, lowest and highest VAT rate charged, VAT on each
    invoice's net per rate, and how many invoices there are, are instalments, are in another currency
    or are not tax-exclusive."""
    deals, links = bills.deals, bills.links
    size = len(deals)
    deal_at, invoice_at = links["deal_at"].to_numpy(), links["invoice_at"].to_numpy()
    per_invoice = {
        name: sums[name].to_numpy(dtype=np.int64)[invoice_at]
        for name in ("subtotal", "tax", "lines", "vat_on_total")
    }
    deal_currency = codes(deals["currency"]).to_numpy()
    invoice_currency = codes(invoices["currency"]).to_numpy()[invoice_at]
    other = np.array(
        [
            d is not None and i is not None and i != d
            for d, i in zip(deal_currency[deal_at], invoice_currency, strict=True)
        ],
        dtype=bool,
    )
    kinds = invoices["line_amount_types"].to_numpy()[invoice_at]
    low = sums["low_rate"].to_numpy(dtype=np.int64)[invoice_at]
    high = sums["high_rate"].to_numpy(dtype=np.int64)[invoice_at]
    taxed = high > 0
    low_rate = np.full(size, np.iinfo(np.int64).max)
    np.minimum.at(low_rate, deal_at[taxed], low[taxed])
    high_rate = np.zeros(size, dtype=np.int64)
    np.maximum.at(high_rate, deal_at[taxed], high[taxed])
    frame = pd.DataFrame(
        {
            "subtotal": _per_deal(deal_at, per_invoice["subtotal"], size),
            "tax": _per_deal(deal_at, per_invoice["tax"], size),
            "lines": _per_deal(deal_at, per_invoice["lines"], size),
            "vat_on_total": _per_deal(deal_at, per_invoice["vat_on_total"], size),
            "low_rate": np.where(high_rate > 0, low_rate, 0),
            "high_rate": high_rate,
            "invoice_count": _per_deal(deal_at, np.ones(len(deal_at), dtype=np.int64), size),
            "instalments": _per_deal(deal_at, links["instalment"].notna().to_numpy(dtype=np.int64), size),
            "other_currency": _per_deal(deal_at, other.astype(np.int64), size),
            "not_exclusive": _per_deal(deal_at, (kinds != "Exclusive").astype(np.int64), size),
        }
    )
    frame["total"] = frame["subtotal"] + frame["tax"]
    for name in ("source", "deal_id", "title", "status", "value"):
        frame[name] = deals[name].to_numpy()
    frame["currency"] = deal_currency
    frame["deal_at"] = np.arange(size)
    return frame[frame["invoice_count"] > 0]
