"""A finding's evidence as people read it: its evidence dict in words and money, and the records it
names, fetched from the profile's tables."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import pandas as pd

from workbench.canonical import TABLES
from workbench.profile.findings import money

SHOWN_RECORDS = 25  # per table: a finding naming hundreds of invoices lists the first ones
SHOWN_ITEMS = 12  # of a list inside the evidence
_PENCE = "_pence"
MONEY_KEYS = frozenset({"value", "values", "total", "totals", "amount", "amounts", "subtotal", "owed"})
_WORDS = {"crm": "CRM", "vat": "VAT", "id": "id", "ids": "ids", "xero": "Xero", "gbp": "GBP"}


def id_column(table: str) -> str:
    """The column a finding's record ids refer to: the table's key without `source`."""
    key = [k for k in TABLES[table].key if k != "source"]
    return key[-1]


def label(key: str) -> str:
    """`vat_not_charged_pence` → "VAT not charged"."""
    words = key.removesuffix(_PENCE).split("_")
    text = " ".join(_WORDS.get(w, w) for w in words if w)
    return text[:1].upper() + text[1:]


def value_text(key: str, value: Any, currency: str = "GBP") -> str:
    """One evidence value in words: pence as money, lists joined, booleans as yes/no."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if key.endswith(_PENCE) and isinstance(value, int | Decimal):
        return money(Decimal(value) / 100, currency)
    if isinstance(value, Decimal):
        return money(value, currency) if key in MONEY_KEYS else f"{value:,}"
    if isinstance(value, datetime):
        midnight = (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0)
        return value.date().isoformat() if midnight else value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, float):
        return f"{value:,.4g}"
    if isinstance(value, Sequence) and not isinstance(value, str):
        items = [value_text(key, v, currency) for v in value[:SHOWN_ITEMS]]
        more = f" and {len(value) - SHOWN_ITEMS} more" if len(value) > SHOWN_ITEMS else ""
        return ", ".join(items) + more if items else "none"
    if isinstance(value, Mapping):
        return "; ".join(f"{label(str(k))} {value_text(str(k), v, currency)}" for k, v in value.items())
    return "—" if value is None else str(value)


def evidence_lines(evidence: Mapping[str, Any], depth: int = 0) -> list[str]:
    """Markdown bullet lines of an evidence dict; a list of dicts (a cluster's pairs) nests."""
    if not isinstance(evidence, Mapping):
        return [f"{'  ' * depth}- {value_text('', evidence)}"] if evidence not in (None, "") else []
    currency = str(evidence.get("currency") or "GBP")
    lines: list[str] = []
    indent = "  " * depth
    for key, value in evidence.items():
        name = label(str(key))
        if isinstance(value, Sequence) and value and all(isinstance(v, Mapping) for v in value):
            lines.append(f"{indent}- **{name}**:")
            for number, item in enumerate(value[:SHOWN_ITEMS], start=1):
                lines.append(f"{indent}  - {number}.")
                lines += evidence_lines(item, depth + 2)
            continue
        lines.append(f"{indent}- **{name}**: {value_text(str(key), value, currency)}")
    return lines


def finding_records(
    tables: Mapping[str, pd.DataFrame], records: Mapping[str, Sequence[str]], limit: int = SHOWN_RECORDS
) -> dict[str, pd.DataFrame]:
    """The rows each table's ids name, in the finding's order (ids no longer in the tables are left
    out: a record deleted since the pull)."""
    found: dict[str, pd.DataFrame] = {}
    for table, ids in (records or {}).items():
        if table not in TABLES or not ids:
            continue
        frame = tables[table]
        column = id_column(table)
        wanted = [str(i) for i in list(ids)[:limit]]
        keyed = frame.assign(_id=frame[column].astype(str))
        rows = keyed[keyed["_id"].isin(wanted)]
        order = {i: n for n, i in enumerate(wanted)}
        rows = rows.sort_values("_id", key=lambda c: c.map(order)).drop(columns="_id")
        found[table] = rows.reset_index(drop=True)
    return found


def side_by_side(rows: pd.DataFrame, table: str) -> pd.DataFrame:
    """Records as columns and fields as rows (how a duplicate is compared), fields empty on every
    record left out; values as text so mixed types show alike."""
    if rows.empty:
        return pd.DataFrame()
    column = id_column(table)
    shown = rows.set_index(rows[column].astype(str)).drop(columns=[column])
    shown = shown.loc[:, [c for c in shown.columns if shown[c].notna().any()]]
    text = shown.map(lambda v: "" if _missing(v) else value_text("", v))
    return text.T.rename_axis(index="field", columns=column)


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
