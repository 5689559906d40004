"""What the tenant really does on its sales invoices, read from the pull: the accounts and tax types on
sales lines (overall, per item, per deal VAT treatment), payment terms and how CRM amounts carry tax.

Only codes the tenant can still use on a sales line are ever proposed; anything else seen on the lines
is kept as evidence (the VAT findings explain it).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from workbench.plan.tenant import TenantCodes
from workbench.profile.links import invoice_deal_links, live_sales_invoices
from workbench.profile.tables import ProfileTables


@dataclass(frozen=True)
class SalesLines:
    """Live sales-invoice lines with the deal each invoice bills (when its Reference names one)."""

    lines: pd.DataFrame  # invoice_id, item_code, account_code, tax_type, source, deal_id

    @classmethod
    def from_tables(cls, tables: ProfileTables) -> SalesLines:
        invoices = live_sales_invoices(tables)
        lines = tables["invoice_lines"]
        lines = lines[lines["invoice_id"].isin(set(invoices["invoice_id"]))]
        links = invoice_deal_links(tables)[["invoice_id", "source", "deal_id"]]
        frame = lines[["invoice_id", "item_code", "account_code", "tax_type"]].merge(
            links, on="invoice_id", how="left"
        )
        return cls(frame.reset_index(drop=True))

    def combos(self, mask: pd.Series | None = None) -> Counter[tuple[str, str]]:
        """(account code, tax type) -> lines, for the lines `mask` selects (all by default)."""
        frame = self.lines if mask is None else self.lines[mask]
        pairs = zip(frame["account_code"].fillna("?"), frame["tax_type"].fillna("?"), strict=True)
        return Counter((str(a), str(t)) for a, t in pairs)

    def for_item(self, code: str) -> Counter[tuple[str, str]]:
        return self.combos(self.lines["item_code"].astype(object).eq(code))

    def for_deals(self, deal_ids: set[str]) -> Counter[tuple[str, str]]:
        return self.combos(self.lines["deal_id"].astype(object).isin(deal_ids))


def counted(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def most_used(counts: Counter[str], usable: Iterable[str]) -> str | None:
    allowed = set(usable)
    return next((code for code, _ in counts.most_common() if code in allowed), None)


def accounts_of(combos: Counter[tuple[str, str]]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for (account, _), n in combos.items():
        counts[account] += n
    return counts


def tax_types_of(combos: Counter[tuple[str, str]]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for (_, tax), n in combos.items():
        counts[tax] += n
    return counts


def combos_text(combos: Counter[tuple[str, str]], limit: int = 3) -> str:
    """`200/OUTPUT2 ×212, 200/NONE ×9` — what the lines carried, most used first."""
    shown = [f"{a}/{t} ×{n:,}" for (a, t), n in combos.most_common(limit)]
    rest = sum(combos.values()) - sum(n for _, n in combos.most_common(limit))
    return ", ".join(shown) + (f", other {rest:,}" if rest else "")


def tax_types_text(counts: Counter[str], limit: int = 3) -> str:
    shown = [f"{t} ×{n:,}" for t, n in counts.most_common(limit)]
    rest = sum(counts.values()) - sum(n for _, n in counts.most_common(limit))
    return ", ".join(shown) + (f", other {rest:,}" if rest else "")


def rate_for_percent(tenant: TenantCodes, percent: object, report_type: str | None = None) -> str | None:
    """A usable sales tax type with that nominal rate (and report type, if given), plain output rates
    (OUTPUT2, RROUTPUT, ZERORATEDOUTPUT) before special ones (reverse charge, EC)."""
    try:
        wanted = float(str(percent))
    except ValueError:
        return None
    usable = set(tenant.revenue_tax_types)
    candidates = [
        rate
        for code, rate in tenant.tax_rates.items()
        if code in usable
        and rate.display_rate is not None
        and float(rate.display_rate) == wanted
        and (report_type is None or rate.report_tax_type == report_type)
    ]
    plain = ("OUTPUT2", "RROUTPUT", "ZERORATEDOUTPUT")
    candidates.sort(key=lambda rate: (rate.tax_type not in plain, rate.tax_type))
    return candidates[0].tax_type if candidates else None


def due_days(tables: ProfileTables) -> tuple[int | None, int]:
    """Median days from invoice date to due date on live sales invoices, and how many were measured."""
    invoices = live_sales_invoices(tables)
    dated = invoices.dropna(subset=["date", "due_date"])
    if dated.empty:
        return None, 0
    days = (pd.to_datetime(dated["due_date"]) - pd.to_datetime(dated["date"])).dt.days
    return int(days.median()), len(days)


def tax_methods(tables: ProfileTables) -> Counter[str]:
    """How CRM product lines carry tax: exclusive / inclusive / none, per deal line."""
    methods = tables["deal_lines"]["tax_method"].dropna().astype(str).str.lower()
    return Counter(methods.tolist())
