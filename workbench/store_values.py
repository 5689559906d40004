"""Typed values in and out of SQLite: how each canonical column kind is written as a SQL value and read
back into a typed pandas column (decimals as `Decimal`, times as datetime64, JSON decoded, flags and
counts as nullable columns)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from workbench.canonical import Table


def to_sql(value: Any, kind: str) -> Any:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if kind == "decimal":
        return str(value if isinstance(value, Decimal) else Decimal(str(value)))
    if kind == "datetime":
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime, got {value!r}")
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC).isoformat()
    if kind == "date":
        return (value.date() if isinstance(value, datetime) else value).isoformat()
    if kind == "bool":
        return int(bool(value))
    if kind == "int":
        return int(value)
    if kind == "json":
        return json.dumps(value, sort_keys=True, default=str)
    return str(value)


def column_sql_type(kind: str) -> str:
    return {"int": "INTEGER", "bool": "INTEGER"}.get(kind, "TEXT")


def typed_frame(
    table: Table, rows: list[tuple[Any, ...]], columns: Sequence[str] | None = None
) -> pd.DataFrame:
    """`rows` of `columns` (default: all the table's) as a typed DataFrame."""
    columns = list(table.columns) if columns is None else list(columns)
    # dtype=object: pandas 3 would infer `str` for text columns and turn SQL NULLs into NaN
    raw = pd.DataFrame(rows, columns=columns, dtype=object)
    # typed column by column, then put together once (one block per dtype, not one per column)
    return pd.DataFrame(
        {name: typed_column(raw[name], table.columns[name]) for name in columns}, columns=columns
    )


_SAMPLE = 1000


def typed_column(series: pd.Series, kind: str) -> pd.Series:
    if kind == "decimal":
        # one Decimal per distinct text (they are immutable): amounts and rates repeat a lot
        decimals = {v: Decimal(v) for v in set(series.tolist()) if v is not None}
        return objects(map(decimals.get, series.tolist()), series)
    if kind == "datetime":
        return parse_times(series, utc=True)
    if kind == "date":
        return parse_times(series, utc=False)
    if kind == "bool":
        return series.astype("boolean")
    if kind == "int":
        return series.astype("Int64")
    if kind == "json":
        return objects(json_values(series.tolist()), series)
    # a column of ids, names or addresses repeats little: judged on a sample, it is left as it is
    sample = series.iloc[:_SAMPLE].tolist()
    if len(set(sample)) * 2 > len(sample):
        return series
    # SQLite hands back a new str per cell: a status or currency repeated 200,000 times becomes one
    # object shared by every row (a fraction of the memory, and fewer pages a forked profile copies)
    codes, distinct = pd.factorize(series)  # a SQL NULL is code -1: the None appended last
    shared = np.empty(len(distinct) + 1, dtype=object)
    shared[: len(distinct)] = np.asarray(distinct, dtype=object)
    return pd.Series(shared[codes], index=series.index)


_UTC_SUFFIX = "+00:00"  # `to_sql` writes every datetime as UTC isoformat


def parse_times(series: pd.Series, *, utc: bool) -> pd.Series:
    """Stored ISO text as datetime64[ns] (UTC for datetimes), NULL as NaT."""
    values = series.tolist()
    cut = len(_UTC_SUFFIX) if utc else 0
    # what the store wrote, numpy parses without the offset three times as fast as pandas' ISO reader
    ends = {v[len(v) - cut :] if isinstance(v, str) else v for v in values}
    if ends <= {None, _UTC_SUFFIX if utc else ""}:
        try:
            naive = np.array(
                [v[: len(v) - cut] if v is not None else "NaT" for v in values], "datetime64[ns]"
            )
        except ValueError:  # text numpy does not read (a time zone name, a week date): pandas reads it
            pass
        else:
            times = pd.DatetimeIndex(naive)
            return pd.Series(times.tz_localize(UTC) if utc else times, index=series.index)
    return pd.to_datetime(series, utc=utc, format="ISO8601")


def json_values(texts: list[str | None]) -> list[Any]:
    """Each JSON text decoded (its own object per row), None for NULL: one parse of the whole column."""
    present = [t for t in texts if t is not None]
    values = json.loads(f"[{','.join(present)}]") if present else []
    if len(values) != len(present):  # a text holding more than one value: each on its own, to say which
        values = [json.loads(t) for t in present]
    decoded = iter(values)
    return [next(decoded) if t is not None else None for t in texts]


def objects(values: Iterable[Any], like: pd.Series) -> pd.Series:
    """Values as an object column beside `like` (fromiter: never read a list value as a row of cells)."""
    return pd.Series(np.fromiter(values, dtype=object, count=len(like)), index=like.index)
