"""The columnar copy of a snapshot's table: its rows as Arrow columns (one IPC file, lz4-compressed),
kept in the engagement's database beside the rows it was made from and read instead of them.

SQLite hands a table back row by row, a new tuple of new objects per row; at 100,000 organisations
reading the tables that way takes most of a profile's first 10 seconds. The copy holds whole columns:
text, amounts and JSON as dictionary-encoded strings (each distinct value once, so a status repeated
200,000 times is read once and shared, and an amount is parsed into a `Decimal` once per distinct
text), times already parsed, flags and counts as integers. Decoded, a table is the same typed frame
the rows give (`workbench.store_values.typed_frame`), in a tenth of the time.

The rows stay the record: a copy is made from the rows just written, in the same transaction (an
incremental snapshot's from its base's copy, `patch`, exactly as the store derives its rows from the
base's, and checked against their number), and a table without a readable copy of this `FORMAT` (an
engagement written before copies existed, a copy that does not decode) is read from its rows.
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
    return _file(_arrow(table, rows))


def patch(
    table: Table,
    copy: bytes,
    keys: set[tuple[str, ...]],
    replace: tuple[str, set[str]] | None,
    added: list[tuple[Any, ...]],
) -> tuple[bytes, int] | None:
    """The copy of an incremental snapshot's table made from its base's copy, as the store makes its
    rows (`Engagement.write_snapshot`): the base's rows in their order without those whose `replace`
    column holds one of its values or whose key is in `keys` (texts, as the store compares them), then
    the `added` rows (SQL values). With the number of rows; None when a key or the replace column is
    not text (the text SQLite compares could not be had from the copy)."""
    compared = [*table.key, *([replace[0]] if replace else [])]
    if any(table.columns[name] != "text" for name in compared):
        return None
    base = ipc.open_file(pa.py_buffer(copy)).read_all()
    texts = {name: base.column(name).cast(pa.string()).to_pylist() for name in compared}
    # as SQLite compares them: a key with a NULL part is NULL and matches nothing
    parts = zip(*(texts[k] for k in table.key), strict=True)
    joined = [None if None in part else "\x1f".join(part) for part in parts]
    wanted = {"\x1f".join(k) for k in keys}
    dropped = [k in wanted for k in joined]
    if replace:
        values = {str(v) for v in replace[1]}
        dropped = [d or v in values for d, v in zip(dropped, texts[replace[0]], strict=True)]
    keep = pa.array([not d for d in dropped], type=pa.bool_())
    merged = pa.concat_tables([base.filter(keep), _arrow(table, added)])
    return _file(_single_chunks(merged)), merged.num_rows


def _single_chunks(stored: pa.Table) -> pa.Table:
    """Each column one array, a dictionary column with one dictionary of the values it holds."""
    columns = []
    for column in stored.columns:
        if pa.types.is_dictionary(column.type):
            strings = pa.chunked_array([c.cast(pa.string()) for c in column.chunks], type=pa.string())
            columns.append(strings.combine_chunks().dictionary_encode())
        else:
            columns.append(column.combine_chunks())
    return pa.table(columns, names=stored.column_names)


def _arrow(table: Table, rows: list[tuple[Any, ...]]) -> pa.Table:
    values = list(zip(*rows, strict=True)) if rows else [() for _ in table.columns]
    arrays = [_column(list(v), kind) for v, kind in zip(values, table.columns.values(), strict=True)]
    return pa.table(arrays, names=list(table.columns))


def _file(stored: pa.Table) -> bytes:
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
