"""The client's edits to one sheet, merged onto the exported rows of its plan section.

Rows are matched by ID. An editable cell that does not validate is reported and keeps its exported
value, so one bad cell never discards the rest of a row; a row whose ID is gone is removed, unless it
is required, when it is kept and reported. Rows added in the blank rows get new ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from workbench.excel.grid import Grid
from workbench.excel.layout import (
    DEAL_INVOICE_SHEET,
    ID_HEADER,
    SETTINGS,
    VALUE_HEADER,
    SectionSheet,
    cell_value,
    fixed_values,
    same_cell,
)
from workbench.excel.problems import Severity, WorkbookProblem, explain
from workbench.plan.model import DealInvoiceMap, Plan, PlanRow, next_id


@dataclass
class Located:
    """Where each merged row sits in the workbook, so later checks can point at the cell."""

    rows: dict[tuple[str, str], int] = field(default_factory=dict)  # (section, id) -> Excel row
    new_ids: set[tuple[str, str]] = field(default_factory=set)  # rows the client added


@dataclass
class Merge:
    problems: list[WorkbookProblem] = field(default_factory=list)
    located: Located = field(default_factory=Located)

    def add(
        self, sheet: str, row: int | None, column: str, value: object, why: str, severity: Severity = "error"
    ) -> None:
        self.problems.append(WorkbookProblem(sheet, row, column, value, why, severity))

    def missing_sheet(self, sheet: str, grid: Grid | None) -> bool:
        if grid is None:
            self.add(
                sheet, None, "", None, "this sheet is missing from the workbook; its exported rows are kept"
            )
            return True
        if grid.header_row is None:
            self.add(
                sheet,
                None,
                ID_HEADER,
                None,
                "the header row (starting 'ID') is gone; the exported rows are kept",
            )
            return True
        return False


def _required(sheet: SectionSheet, row: PlanRow) -> bool:
    """Rows a client cannot delete: required field mappings, and the fixed set of sync objects."""
    return sheet.section == "objects" or bool(getattr(row, "required", False))


def _label(row: PlanRow) -> str:
    parts = [getattr(row, a, None) for a in ("object", "crm_field", "xero_field", "crm_value", "key", "role")]
    return " / ".join(str(getattr(p, "value", p)) for p in parts if p)


def _validated(
    model: type[BaseModel], data: dict[str, Any], base: dict[str, Any] | None, on_error: Any
) -> BaseModel | None:
    """The row validated; each failing cell reported via `on_error(attr, error)` and set back to its
    exported value (a new row that still fails is dropped)."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            attr = str(error["loc"][0]) if error["loc"] else ""
            on_error(attr, error)
            if base is not None and attr in base:
                data[attr] = base[attr]
            elif attr in data:
                data.pop(attr)
    try:
        return model.model_validate(data)
    except ValidationError:
        return None


def _cells(
    merge: Merge,
    sheet: SectionSheet,
    grid: Grid,
    cells: tuple[Any, ...],
    excel_row: int,
    base: PlanRow | None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The row's editable cells by attribute (and every cell as typed, for problems); an edit to a
    locked column of an exported row is reported and ignored."""
    data: dict[str, Any] = {}
    raw: dict[str, Any] = {}
    for column in sheet.columns:
        header = sheet.header(column)
        if column.attr is None or column.attr == "id" or header not in grid.columns:
            continue
        value = grid.value(cells, header)
        raw[column.attr] = value
        if column.editable:
            data[column.attr] = value
        elif base is not None and not same_cell(value, cell_value(getattr(base, column.attr))):
            why = "this column is not editable; the change was ignored"
            merge.add(sheet.name, excel_row, header, value, why, "warning")
    return data, raw


def merge_section(
    merge: Merge, sheet: SectionSheet, grid: Grid | None, exported: Sequence[PlanRow]
) -> list[PlanRow]:
    if merge.missing_sheet(sheet.name, grid):
        return list(exported)
    assert grid is not None
    by_id = {row.id: row for row in exported}
    for column in sheet.columns:
        if column.attr and column.editable and sheet.header(column) not in grid.columns:
            merge.add(
                sheet.name,
                grid.header_row,
                sheet.header(column),
                None,
                "this column is missing; its exported values are kept",
            )
    seen: dict[str, int] = {}
    merged: list[PlanRow] = []
    taken = list(by_id)
    editable = [c for c in sheet.columns if c.attr and c.editable]
    for excel_row, cells in grid.rows:
        raw_id = grid.value(cells, ID_HEADER)
        row_id = str(raw_id).strip() if raw_id not in (None, "") else None
        if all(grid.value(cells, sheet.header(c)) in (None, "") for c in editable):
            continue  # a blank spare row, or a row the client emptied (treated as deleted)
        if row_id is not None and row_id not in by_id:
            merge.add(
                sheet.name,
                excel_row,
                ID_HEADER,
                row_id,
                "this ID is not in the exported plan; clear the ID to add the row as new",
            )
            continue
        if row_id is not None and row_id in seen:
            merge.add(
                sheet.name,
                excel_row,
                ID_HEADER,
                row_id,
                f"this row repeats row {seen[row_id]}; keep one of them",
            )
            continue
        base = by_id.get(row_id) if row_id else None
        if row_id is None:
            row_id = next_id(sheet.section, taken)
            taken.append(row_id)
            merge.located.new_ids.add((sheet.section, row_id))
        seen[row_id] = excel_row
        base_data = base.model_dump() if base is not None else None
        data, raw = _cells(merge, sheet, grid, cells, excel_row, base)
        data = {**(base_data or {}), "id": row_id, **data}

        def on_error(attr: str, error: Any, excel_row: int = excel_row, raw: dict[str, Any] = raw) -> None:
            column = sheet.column_for(attr)
            header = sheet.header(column) if column else attr
            merge.add(sheet.name, excel_row, header, raw.get(attr), explain(error, raw.get(attr)))

        row = _validated(sheet.model, data, base_data, on_error)
        if isinstance(row, PlanRow):
            merged.append(row)
            merge.located.rows[(sheet.section, row.id)] = excel_row
    for index, row in enumerate(exported):
        if row.id in seen:
            continue
        if _required(sheet, row):
            merge.add(
                sheet.name,
                None,
                ID_HEADER,
                row.id,
                f"required row {row.id} ({_label(row)}) was deleted; it is kept",
            )
            merged.insert(min(index, len(merged)), row)
    return merged


def merge_settings(merge: Merge, grid: Grid | None, plan: Plan) -> tuple[DealInvoiceMap, dict[str, int]]:
    """The exported plan's deal → invoice settings with the sheet's edits, and each setting's Excel row."""
    exported = plan.deal_invoice
    if merge.missing_sheet(DEAL_INVOICE_SHEET, grid):
        return exported, {}
    assert grid is not None
    rows = {str(grid.value(cells, ID_HEADER)): (n, grid.value(cells, VALUE_HEADER)) for n, cells in grid.rows}
    base = exported.model_dump()
    data = dict(base)
    located: dict[str, int] = {}
    raw: dict[str, Any] = {}
    fixed = fixed_values(plan)
    for setting in SETTINGS:
        if setting.attr is None:
            if setting.key in rows and not same_cell(rows[setting.key][1], fixed[setting.key]):
                excel_row, value = rows[setting.key]
                why = f"'{setting.label}' is fixed by the flow; the change was ignored"
                merge.add(DEAL_INVOICE_SHEET, excel_row, VALUE_HEADER, value, why, "warning")
            continue
        if setting.key not in rows:
            merge.add(
                DEAL_INVOICE_SHEET,
                None,
                ID_HEADER,
                setting.key,
                f"the row '{setting.label}' was deleted; its exported value is kept",
            )
            continue
        excel_row, value = rows[setting.key]
        located[setting.attr] = excel_row
        raw[setting.attr] = value
        data[setting.attr] = value

    def on_error(attr: str, error: Any) -> None:
        merge.add(
            DEAL_INVOICE_SHEET, located.get(attr), VALUE_HEADER, raw.get(attr), explain(error, raw.get(attr))
        )

    settings = _validated(DealInvoiceMap, data, base, on_error)
    return (settings if isinstance(settings, DealInvoiceMap) else exported), located
