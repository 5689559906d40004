"""Edit a mapping workbook the way a client does in Excel, with openpyxl: by sheet, row ID and header."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from workbench.excel.layout import HEADER_ROW


def open_for_edit(path: Path) -> Workbook:
    return load_workbook(path)


def headers(ws: Worksheet) -> dict[str, int]:
    return {str(c.value): c.column for c in ws[HEADER_ROW] if c.value is not None}


def row_of(ws: Worksheet, row_id: str) -> int:
    for row in range(HEADER_ROW + 1, ws.max_row + 1):
        if ws.cell(row=row, column=1).value == row_id:
            return row
    raise KeyError(f"{ws.title}: no row {row_id}")


def row_where(ws: Worksheet, header: str, value: Any) -> int:
    column = headers(ws)[header]
    for row in range(HEADER_ROW + 1, ws.max_row + 1):
        if ws.cell(row=row, column=column).value == value:
            return row
    raise KeyError(f"{ws.title}: no row with {header} = {value!r}")


def id_where(ws: Worksheet, header: str, value: Any) -> str:
    return str(ws.cell(row=row_where(ws, header, value), column=1).value)


def set_cell(wb: Workbook, sheet: str, row_id: str, header: str, value: Any) -> int:
    ws = wb[sheet]
    row = row_of(ws, row_id)
    # not ws.cell(..., value=None): openpyxl ignores a None value there, and clearing is an edit too
    ws.cell(row=row, column=headers(ws)[header]).value = value
    return row


def cell(wb: Workbook, sheet: str, row_id: str, header: str) -> Any:
    ws = wb[sheet]
    return ws.cell(row=row_of(ws, row_id), column=headers(ws)[header]).value


def delete_row(wb: Workbook, sheet: str, row_id: str) -> None:
    ws = wb[sheet]
    ws.delete_rows(row_of(ws, row_id))


def add_row(wb: Workbook, sheet: str, values: dict[str, Any]) -> int:
    """Fill the first blank row under the data (the yellow spare rows), ID left empty."""
    ws = wb[sheet]
    columns = headers(ws)
    row = HEADER_ROW + 1
    while any(ws.cell(row=row, column=c).value not in (None, "") for c in columns.values() if c > 1):
        row += 1
    for header, value in values.items():
        ws.cell(row=row, column=columns[header]).value = value
    return row
