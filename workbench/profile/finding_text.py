"""Wording shared by findings: a list of deals and money totals per currency, as a bookkeeper reads them."""

from __future__ import annotations

from typing import Any

import pandas as pd

from workbench.profile.findings import money


def deal_list(deals: list[dict[str, Any]], limit: int = 5) -> str:
    """`"1172 'Trent - Survey' (£900.00), ..."` for the first `limit` deals."""
    shown = [f"{d['deal_id']} '{d['title']}' ({money(d['value'], d['currency'])})" for d in deals[:limit]]
    more = len(deals) - limit
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def totals_by_currency(rows: list[dict[str, Any]], column: str) -> str:
    """`"£1,200.00 + €80.00"`: amounts summed per currency (Decimal), never converted."""
    totals: dict[str, Any] = {}
    for row in rows:
        value = row[column]
        if value is None or pd.isna(value):
            continue
        code = row["currency"] if isinstance(row["currency"], str) and row["currency"] else "GBP"
        totals[code] = totals.get(code, 0) + value
    return " + ".join(money(v, c) for c, v in sorted(totals.items())) or "no value"
