"""A returned workbook's sheets as header → value rows, found by the header row (the one starting "ID").

Opened read-only: only the sheets the plan lives on are parsed, so thousands of finding rows on the
read-only sheets cost next to nothing. Cells keep the types Excel stored (numbers, dates, text).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from workbench.excel.identity import WrongWorkbook
from workbench.excel.layout import ID_HEADER

_HEADER_SEARCH_ROWS = 10


@dataclass(frozen=True)
class Grid:
    """One sheet: its header row number, the header → column index map, and the data rows."""

    sheet: str
    header_row: int | None
    columns: dict[str, int] = field(default_factory=dict)
    rows: list[tuple[int, tuple[Any, ...]]] = field(default_factory=list)

    def value(self, cells: tuple[Any, ...], header: str) -> Any:
        index = self.columns.get(header)
        if index is None or index >= len(cells):
            return None
        value = cells[index]
        return value.strip() if isinstance(value, str) else value


@contextmanager
def open_workbook(path: Path) -> Iterator[Workbook]:
    try:
        wb = load_workbook(path, read_only=True, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise WrongWorkbook(
            str(path),
            f"this file cannot be read as an Excel workbook ({exc})",
            hint="send back the .xlsx file",
        ) from exc
    try:
        yield wb
    finally:
        wb.close()


def read_grid(wb: Workbook, sheet: str) -> Grid | None:
    """The sheet's rows after its header; None if the sheet is gone; a Grid without header_row if the
    header row cannot be found."""
    if sheet not in wb.sheetnames:
        return None
    rows = wb[sheet].iter_rows(values_only=True)
    header_row = None
    columns: dict[str, int] = {}
    data: list[tuple[int, tuple[Any, ...]]] = []
    for number, cells in enumerate(rows, 1):
        if header_row is None:
            if number > _HEADER_SEARCH_ROWS:
                break
            if cells and isinstance(cells[0], str) and cells[0].strip() == ID_HEADER:
                header_row = number
                columns = {str(c).strip(): i for i, c in enumerate(cells) if c is not None}
            continue
        if any(c is not None and not (isinstance(c, str) and not c.strip()) for c in cells):
            data.append((number, tuple(cells)))
    return Grid(sheet, header_row, columns, data)
