"""Column helpers the VAT rules share: work done once per distinct value, and flagged rows grouped as
plain records.

Text columns of a ledger repeat (a handful of tax codes, accounts and countries over 400,000 lines), so
normalising and looking up each distinct value once is what keeps the VAT pass at seconds; plain
records keep the per-finding work (names, amounts, lists of invoices) out of pandas' per-group overhead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd


class Distinct:
    """A column's distinct values and which one each row holds: work done once per distinct value
    (normalising, looking up) and spread back over the rows."""

    def __init__(self, values: pd.Series, normalise: Callable[[Any], object] | None = None) -> None:
        self.index = values.index
        self.codes, uniques = pd.factorize(values, use_na_sentinel=True)
        self.values = list(uniques) if normalise is None else [normalise(u) for u in uniques]

    def spread(self, per_value: Iterable[object]) -> pd.Series:
        """One result per distinct value (in `values` order) as a column over the rows; missing -> None."""
        done = np.empty(len(self.values) + 1, dtype=object)
        done[: len(self.values)] = list(per_value)
        done[-1] = None
        return pd.Series(done[self.codes], index=self.index, dtype=object)

    def column(self) -> pd.Series:
        return self.spread(self.values)

    def apply(self, transform: Callable[[Any], object]) -> pd.Series:
        return self.spread(transform(v) if v is not None else None for v in self.values)

    def lookup(self, table: pd.Series) -> pd.Series:
        """`table[value]` per row (None where the value is missing or not in the table)."""
        return self.spread(table_values(table, self.values))

    def lookup_int(self, table: pd.Series) -> pd.Series:
        """`table[value]` per row for a table of small whole numbers (rates), as nullable Int64 (<NA>
        where missing); the last slot stands for rows whose value is missing (code -1)."""
        found: list[Any] = table_values(table, self.values)
        per_value = np.array([np.nan if v is None else float(v) for v in [*found, None]], dtype=float)
        spread = per_value[self.codes]
        missing = np.isnan(spread)
        array = pd.arrays.IntegerArray(np.where(missing, 0, spread).astype(np.int64), missing)
        return pd.Series(array, index=self.index)


def table_values(table: pd.Series, keys: Sequence[object]) -> list[object]:
    """`table[key]` for each key, None where missing (keys may repeat or be None)."""
    table = table[~table.index.duplicated(keep="first")]
    found = table.reindex(pd.Index(list(keys), dtype=object)).astype(object)
    return [None if v is None or v is pd.NA or v != v else v for v in found]


def per_unique(values: pd.Series, transform: Callable[[Any], object]) -> pd.Series:
    """`transform` applied once per distinct non-missing value; missing stays None (object dtype)."""
    return Distinct(values).apply(transform)


def normal_code(value: object) -> str | None:
    """A code as compared: stripped, upper case, blank -> None."""
    text = str(value).strip().upper()
    return text or None


def normal_text(value: object) -> str | None:
    """Free text as compared: stripped, case-folded, blank -> None."""
    text = str(value).strip().casefold()
    return text or None


def _blank(value: object) -> str | None:
    text = str(value).strip()
    return text or None


def codes(values: pd.Series) -> pd.Series:
    """Codes compared as codes: stripped, upper case, blank -> None."""
    return per_unique(values, normal_code)


def folded(values: pd.Series) -> pd.Series:
    """Free text compared as text: stripped, case-folded, blank -> None."""
    return per_unique(values, normal_text)


def stripped(values: pd.Series) -> pd.Series:
    """Text as typed, stripped; blank -> None."""
    return per_unique(values, _blank)


def lookup(keys: pd.Series, table: pd.Series) -> pd.Series:
    """`table[key]` for every key (None where the key is missing or not in the table), object dtype."""
    return Distinct(keys).lookup(table)


def flag(values: pd.Series) -> pd.Series:
    """A nullable or object column of truth values as plain bool, missing -> False."""
    if values.dtype == bool:
        return values
    return values.astype("boolean").fillna(False).astype(bool)


def grouped(frame: pd.DataFrame, key: str | list[str]) -> dict[Any, list[dict[str, Any]]]:
    """The rows of `frame` as plain dicts, grouped by `key` (a column or columns), in row order."""
    columns = [key] if isinstance(key, str) else key
    out: dict[Any, list[dict[str, Any]]] = {}
    for row in frame.to_dict("records"):
        group = row[columns[0]] if len(columns) == 1 else tuple(row[c] for c in columns)
        out.setdefault(group, []).append(row)
    return out


def unique_in_order(values: Iterable[object]) -> list[str]:
    return [str(v) for v in dict.fromkeys(v for v in values if v is not None and v is not pd.NA)]


def listing(values: list[str], shown: int = 6) -> str:
    """'a, b, c and 4 more'."""
    text = ", ".join(values[:shown])
    return text + (f" and {len(values) - shown} more" if len(values) > shown else "")
