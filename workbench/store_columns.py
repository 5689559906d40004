"""The columnar copy of a snapshot's table: its rows as Arrow columns (one IPC file, lz4-compressed),
kept in the engagement's database beside the rows it was made from and read instead of them.

SQLite hands a table back row by row, a new tuple of new objects per row; at 100,000 organisations
reading the tables that way takes most of a profile's first 10 seconds. The copy holds whole columns:
text, amounts and JSON as dictionary-encoded strings (each distinct value once, so a status repeated
200,000 times is read once and shared, and an amount is parsed into a `Decimal` once per distinct
text), times already parsed, flags and counts as integers. Decoded, a table is the same typed frame
the rows give (`workbench.store_values.typed_frame`), in a tenth of the time.

The rows stay the record: a copy is made from the rows just written, in the same transaction, and a
table without a readable copy of this `FORMAT` (an engagement written before copies existed, a copy
that does not decode) is read from its rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.ipc as ipc

from workbench.canonical import Table
from workbench.store_values import json_values, objects, parse_times

FORMAT = "arrow-ipc-lz4/1"  # stored beside each copy; a copy of another format is not read
_OPTIONS = ipc.IpcWriteOptions(compression="lz4")


def encode(table: Table, rows: list[tuple[Any, ...]]) -> bytes:
    """The copy of `rows` (SQL values of every column of `table`, in its column order)."""
    values = list(zip(*rows, strict=True)) if rows else [() for _ in table.columns]
    arrays = [_column(list(v), kind) for v, kind in zip(values, table.columns.values(), strict=True)]
    stored = pa.table(arrays, names=list(table.columns))
    sink = pa.BufferOutputStream()
    with ipc.new_file(sink, stored.schema, options=_OPTIONS) as writer:
        writer.write_table(stored)
    return bytes(sink.getvalue().to_pybytes())


def _column(values: list[Any], kind: str) -> pa.Array:
    if kind == "int":
        return pa.array(values, type=pa.int64())
    if kind == "bool":
        return pa.array([None if v is None else bool(v) for v in values], type=pa.bool_())
    if kind in ("datetime", "date"):
        return pa.array(parse_times(pd.Series(values, dtype=object), utc=kind == "datetime"))
    # text, decimal and JSON: the text SQLite holds
    return pa.array(values, type=pa.string()).dictionary_encode()


def decode(table: Table, copy: bytes, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """These columns (default: all the table's) of a copy, typed as the rows would read."""
    names = list(table.columns) if columns is None else list(columns)
    stored = ipc.open_file(pa.py_buffer(copy)).read_all()
    typed = {name: _typed(stored.column(name), table.columns[name]) for name in names}
    return pd.DataFrame(typed, columns=names, index=pd.RangeIndex(stored.num_rows))


def _typed(column: pa.ChunkedArray, kind: str) -> pd.Series:
    if kind == "int":
        return pd.Series(pd.Int64Dtype().__from_arrow__(column))
    if kind == "bool":
        return pd.Series(pd.BooleanDtype().__from_arrow__(column))
    if kind in ("datetime", "date"):
        return column.to_pandas()
    encoded = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    distinct: list[Any] = encoded.dictionary.to_pylist()
    if kind == "decimal":
        distinct = [Decimal(v) for v in distinct]
    # one object per distinct value and None (code -1, last) for NULL
    shared = np.empty(len(distinct) + 1, dtype=object)
    shared[: len(distinct)] = distinct
    cells = pd.Series(shared[encoded.indices.fill_null(-1).to_numpy()])
    if kind == "json":  # each row its own object, as from the rows
        return objects(json_values(cells.tolist()), cells)
    return cells
