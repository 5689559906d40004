"""Export a plan version as the client's workbook (openpyxl): cover, objects, field mapping, deal →
invoice, tax mapping, match keys, duplicates, VAT findings, gotchas, sign-off, plus a hidden Lists sheet
for the dropdowns and a very hidden identity sheet.

Always a fresh workbook: a client's returned file is read, never modified and sent back (openpyxl
drops what it does not understand on save).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from workbench.excel import lists, styles
from workbench.excel.cover import RouteSummary, write_cover, write_gotchas
from workbench.excel.findings_sheets import write_duplicates, write_vat
from workbench.excel.identity import WorkbookIdentity, write_identity
from workbench.excel.layout import (
    DEAL_INVOICE_HEADERS,
    DEAL_INVOICE_INTRO,
    DEAL_INVOICE_SHEET,
    FIELDS,
    FIRST_ROW,
    HEADER_ROW,
    MATCH_KEYS,
    OBJECTS,
    SETTINGS,
    SIGN_OFF,
    TAX,
    SectionSheet,
    cell_value,
    fixed_values,
)
from workbench.plan.model import Plan
from workbench.plan.tenant import TenantCodes

DEFAULT_TOP_DUPLICATES = 500


def _intro(ws: Worksheet, title: str, intro: str) -> None:
    ws.cell(row=1, column=1, value=title).font = styles.TITLE_FONT
    ws.cell(row=2, column=1, value=intro).font = styles.NOTE_FONT


def _validation(
    column_dropdown: str | None, whole: tuple[int, int] | None, is_date: bool, named: set[str]
) -> DataValidation | None:
    if column_dropdown is not None:
        return lists.dropdown(column_dropdown, "a value") if column_dropdown in named else None
    if whole is not None:
        return lists.whole_number(*whole)
    return lists.a_date() if is_date else None


def write_section(wb: Workbook, sheet: SectionSheet, plan: Plan, named: set[str]) -> Worksheet:
    """One plan section as a table: locked IDs and evidence, unlocked yellow editable cells."""
    ws = wb.create_sheet(sheet.name)
    _intro(ws, sheet.name, sheet.intro)
    styles.style_header(ws, HEADER_ROW, sheet.headers)
    rows = plan.section(sheet.section)
    last = FIRST_ROW + len(rows) + sheet.spare_rows - 1
    letters = {c.attr: get_column_letter(i) for i, c in enumerate(sheet.columns, 1) if c.attr}
    for index, column in enumerate(sheet.columns, 1):
        letter = get_column_letter(index)
        values: list[object] = [sheet.header(column)]
        for offset in range(len(rows) + sheet.spare_rows):
            excel_row = FIRST_ROW + offset
            row = rows[offset] if offset < len(rows) else None
            cell = ws.cell(row=excel_row, column=index)
            if column.lookup is not None:
                source, table = column.lookup
                if table in named:
                    cell.value = f'=IFERROR(VLOOKUP({letters[source]}{excel_row},{table},2,FALSE),"")'
            elif row is not None and column.attr is not None:
                cell.value = cell_value(getattr(row, column.attr))
                values.append(cell.value)
            cell.alignment = styles.WRAP if column.cap >= 30 else styles.TOP
            if column.text:
                cell.number_format = styles.TEXT_FORMAT
            if column.is_date:
                cell.number_format = styles.DATE_FORMAT
            if column.editable:
                cell.protection, cell.fill = styles.UNLOCKED, styles.EDITABLE_FILL
        validation = _validation(column.dropdown, column.whole, column.is_date, named)
        if validation is not None and last >= FIRST_ROW:
            validation.add(f"{letter}{FIRST_ROW}:{letter}{last}")
            ws.add_data_validation(validation)
        styles.set_width(ws, index, values, column.cap)
    ws.freeze_panes = f"B{FIRST_ROW}"
    ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(sheet.columns))}{max(last, FIRST_ROW)}"
    styles.protect(ws)
    return ws


def write_deal_invoice(wb: Workbook, plan: Plan, named: set[str]) -> Worksheet:
    ws = wb.create_sheet(DEAL_INVOICE_SHEET)
    _intro(ws, DEAL_INVOICE_SHEET, DEAL_INVOICE_INTRO)
    styles.style_header(ws, HEADER_ROW, DEAL_INVOICE_HEADERS)
    settings = plan.deal_invoice
    fixed = fixed_values(plan)
    for offset, setting in enumerate(SETTINGS):
        excel_row = FIRST_ROW + offset
        value = cell_value(getattr(settings, setting.attr)) if setting.attr else fixed[setting.key]
        why = "; ".join(filter(None, [setting.notes, settings.evidence.get(setting.attr or "", "")]))
        for column, item in enumerate(
            (setting.key, setting.xero_field, setting.crm_source, setting.label, value, why), 1
        ):
            cell = ws.cell(row=excel_row, column=column, value=item)
            cell.alignment = styles.WRAP
        if setting.attr is not None:
            cell = ws.cell(row=excel_row, column=5)
            cell.protection, cell.fill = styles.UNLOCKED, styles.EDITABLE_FILL
            cell.number_format = (
                styles.DATE_FORMAT
                if setting.is_date
                else styles.TEXT_FORMAT
                if setting.whole is None
                else "0"
            )
            validation = _validation(setting.dropdown, setting.whole, setting.is_date, named)
            if validation is not None:
                validation.add(f"E{excel_row}")
                ws.add_data_validation(validation)
    for letter, width in zip("ABCDEF", (20, 30, 30, 34, 30, 70), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = f"B{FIRST_ROW}"
    ws.auto_filter.ref = f"A{HEADER_ROW}:F{FIRST_ROW + len(SETTINGS) - 1}"
    styles.protect(ws)
    return ws


def export_workbook(
    path: Path,
    plan: Plan,
    identity: WorkbookIdentity,
    tenant: TenantCodes,
    *,
    route: RouteSummary | None = None,
    key_numbers: Sequence[tuple[str, str]] = (),
    duplicates: pd.DataFrame | None = None,
    vat_findings: pd.DataFrame | None = None,
    top_duplicates: int | None = DEFAULT_TOP_DUPLICATES,
) -> Path:
    """Write the client workbook for `plan` (the version `identity` names) to `path`."""
    wb = Workbook()
    exported_on = (
        datetime.fromisoformat(identity.exported_at).date()
        if identity.exported_at
        else datetime.now(UTC).date()
    )
    write_cover(wb, plan, identity, route, key_numbers, exported_on)
    named = lists.write_lists(wb, plan, tenant)
    write_section(wb, OBJECTS, plan, named)
    write_section(wb, FIELDS, plan, named)
    write_deal_invoice(wb, plan, named)
    write_section(wb, TAX, plan, named)
    write_section(wb, MATCH_KEYS, plan, named)
    write_duplicates(wb, duplicates, top_duplicates)
    write_vat(wb, vat_findings)
    write_gotchas(wb, route)
    write_section(wb, SIGN_OFF, plan, named)
    # the Lists sheet was created early for its names; the client should meet it last
    wb.move_sheet(lists.LISTS_SHEET, offset=len(wb.sheetnames) - wb.sheetnames.index(lists.LISTS_SHEET) - 1)
    write_identity(wb, identity)
    wb.properties.title = f"Mapping plan v{identity.plan_version}: {plan.client or identity.engagement_name}"
    wb.properties.creator = "Integration Health Check workbench"
    styles.lock_structure(wb)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
