"""The mapping plan as the app edits it: each workbook sheet as a table with the workbook's own columns
and dropdowns (the tenant's real codes), and the edited tables read back through the workbook's own
re-import, so an edit in the app is checked exactly as the client's edit in Excel is.

The edited tables are laid out as the sheets of an in-memory workbook and reconciled against the
exported plan version (`workbench.excel.reimport.reconcile`); problems keep the sheet and column names,
and their rows are numbered as the app's tables number them (1 = the first row).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Literal

import pandas as pd
from openpyxl import Workbook

from workbench.excel import lists
from workbench.excel.diff import PlanChange, diff_plans
from workbench.excel.layout import (
    DEAL_INVOICE_HEADERS,
    DEAL_INVOICE_SHEET,
    HEADER_ROW,
    ID_HEADER,
    SECTION_SHEETS,
    SETTINGS,
    VALUE_HEADER,
    SectionSheet,
    Setting,
    cell_value,
    fixed_values,
)
from workbench.excel.problems import WorkbookProblem
from workbench.excel.reimport import reconcile
from workbench.plan.model import Plan
from workbench.plan.tenant import TenantCodes

ColumnKind = Literal["select", "text", "number"]


@dataclass(frozen=True)
class EditorColumn:
    header: str
    kind: ColumnKind
    editable: bool
    options: tuple[str, ...] = ()
    bounds: tuple[int, int] | None = None


@dataclass(frozen=True)
class EditResult:
    plan: Plan  # the exported plan with every valid edit (invalid cells keep their exported value)
    problems: tuple[WorkbookProblem, ...]
    changes: tuple[PlanChange, ...]

    @property
    def errors(self) -> list[WorkbookProblem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[WorkbookProblem]:
        return [p for p in self.problems if p.severity == "warning"]


def choices(plan: Plan, tenant: TenantCodes) -> dict[str, list[str]]:
    """Every dropdown's choices, as the workbook's Lists sheet has them."""
    return lists.list_values(plan, tenant)


def editor_columns(sheet: SectionSheet, dropdowns: Mapping[str, list[str]]) -> list[EditorColumn]:
    """The sheet's plan columns (lookup columns left out: they only echo a code's name)."""
    out = []
    for column in sheet.columns:
        if column.attr is None:
            continue
        kind: ColumnKind = "text"
        if column.dropdown is not None:
            kind = "select"
        elif column.whole is not None:
            kind = "number"
        options = tuple(dropdowns.get(column.dropdown, ())) if column.dropdown else ()
        editable = column.editable and column.attr != "id"
        out.append(EditorColumn(sheet.header(column), kind, editable, options, column.whole))
    return out


def section_frame(plan: Plan, sheet: SectionSheet) -> pd.DataFrame:
    """The section's rows under the workbook's headers, values as the workbook shows them; whole
    numbers as a nullable integer column, dates as ISO text (a table cell edits text most reliably,
    and the plan reads 2026-11-25 or 25/11/2026 alike)."""
    columns = [c for c in sheet.columns if c.attr is not None]
    rows = [
        {sheet.header(c): cell_value(getattr(row, str(c.attr))) for c in columns}
        for row in plan.section(sheet.section)
    ]
    frame = pd.DataFrame(rows, columns=[sheet.header(c) for c in columns], dtype=object)
    for column in columns:
        header = sheet.header(column)
        if column.whole is not None:
            frame[header] = pd.array(frame[header].tolist(), dtype="Int64")
        elif column.is_date:
            frame[header] = frame[header].map(lambda d: d.isoformat() if isinstance(d, date) else d)
    return frame


def settings(plan: Plan) -> list[tuple[Setting, Any]]:
    """The deal → invoice settings a person may change, with their current value as shown."""
    return [(s, cell_value(getattr(plan.deal_invoice, s.attr))) for s in SETTINGS if s.attr is not None]


def apply_edits(
    exported: Plan,
    frames: Mapping[str, pd.DataFrame],
    values: Mapping[str, Any],
    tenant: TenantCodes,
) -> EditResult:
    """Check the edited tables (sheet name → frame) and settings (attribute → value) against the
    exported plan and the tenant; a sheet not given keeps its exported rows."""
    wb = Workbook()
    wb.remove(wb.active)
    for sheet in SECTION_SHEETS:
        frame = frames.get(sheet.name)
        if frame is None:
            frame = section_frame(exported, sheet)
        _write_sheet(wb, sheet.name, [str(c) for c in frame.columns], _rows(frame))
    setting_rows = []
    fixed = fixed_values(exported)
    shown = {s.key: v for s, v in settings(exported)}
    for setting in SETTINGS:
        value = fixed[setting.key] if setting.attr is None else values.get(setting.attr, shown[setting.key])
        setting_rows.append([setting.key, setting.xero_field, setting.crm_source, setting.label, value, ""])
    _write_sheet(wb, DEAL_INVOICE_SHEET, list(DEAL_INVOICE_HEADERS), setting_rows)
    plan, problems = reconcile(wb, exported, tenant)
    plan = Plan.model_validate(plan.model_dump())  # a stored plan must pass validation as a whole
    table_rows = tuple(_table_row(p) for p in problems)
    return EditResult(plan, table_rows, tuple(diff_plans(exported, plan)))


def problems_frame(problems: tuple[WorkbookProblem, ...] | list[WorkbookProblem]) -> pd.DataFrame:
    rows = [
        {
            "severity": p.severity,
            "sheet": p.sheet,
            "row": p.row,
            "column": p.column,
            "value": "" if p.value is None else str(p.value),
            "why": p.why,
        }
        for p in problems
    ]
    frame = pd.DataFrame(rows, columns=["severity", "sheet", "row", "column", "value", "why"])
    return frame.astype({"row": "Int64"})


def deal_invoice_values(plan: Plan) -> dict[str, Any]:
    """The settings as a person edits them (attribute → value shown)."""
    return {str(s.attr): v for s, v in settings(plan)}


# --- the in-memory workbook -------------------------------------------------------------------------
def _clean(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value


def _rows(frame: pd.DataFrame | None) -> list[list[Any]]:
    if frame is None:
        return []
    return [[_clean(v) for v in row] for row in frame.itertuples(index=False, name=None)]


def _write_sheet(wb: Workbook, name: str, headers: list[str], rows: list[list[Any]]) -> None:
    """A sheet as the workbook lays it out: a title, the header row (starting "ID"), the rows."""
    ws = wb.create_sheet(name)
    ws.cell(row=1, column=1, value=name)
    for index, header in enumerate(headers or [ID_HEADER], start=1):
        ws.cell(row=HEADER_ROW, column=index, value=header)
    for offset, row in enumerate(rows, start=1):
        for index, value in enumerate(row, start=1):
            ws.cell(row=HEADER_ROW + offset, column=index, value=value)


def _table_row(problem: WorkbookProblem) -> WorkbookProblem:
    """The problem with its row numbered as the app's table numbers it."""
    if problem.row is None:
        return problem
    position = problem.row - HEADER_ROW
    if problem.sheet == DEAL_INVOICE_SHEET:  # one row per setting: name the setting instead
        label = SETTINGS[position - 1].label if 0 < position <= len(SETTINGS) else VALUE_HEADER
        return replace(problem, row=None, column=label)
    return replace(problem, row=position)
