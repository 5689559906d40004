"""Read-only sheets of profile findings: the top duplicate clusters and the VAT findings.

They take findings DataFrames (`workbench.profile.findings.FINDING_COLUMNS`) as they are; the client
reads them next to the plan, nothing on them is imported back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from workbench.excel import styles
from workbench.excel.layout import HEADER_ROW

DUPLICATES_SHEET = "Duplicates"
VAT_SHEET = "VAT findings"
HEADERS = (
    "Severity",
    "Finding",
    "Where",
    "Record",
    "Records",
    "Records involved",
    "What we found",
    "Suggested fix",
)
CAPS = (10, 26, 18, 16, 9, 40, 70, 70)
WRAPPED = {6, 7, 8}
_SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}
_TABLES = {
    "organisations": "CRM organisations",
    "people": "CRM people",
    "deals": "CRM deals",
    "xero_contacts": "Xero contacts",
    "invoices": "Xero invoices",
    "invoice_lines": "Xero invoice lines",
}
_LISTED_IDS = 12
_WIDTH_SAMPLE = 300  # widths come from the first rows: a 10,000-row sheet need not be measured whole


def _records(records: Any) -> tuple[int, str]:
    if not isinstance(records, Mapping):
        return 0, ""
    parts = []
    for table, ids in records.items():
        shown = ", ".join(str(i) for i in list(ids)[:_LISTED_IDS])
        more = f" +{len(ids) - _LISTED_IDS}" if len(ids) > _LISTED_IDS else ""
        parts.append(f"{_TABLES.get(str(table), str(table))}: {shown}{more}")
    return _size(records), "; ".join(parts)


def _size(records: Any) -> int:
    return sum(len(ids) for ids in records.values()) if isinstance(records, Mapping) else 0


def _ordered(frame: pd.DataFrame, limit: int | None) -> pd.DataFrame:
    size = frame["records"].map(_size)
    order = frame["severity"].map(_SEVERITY_ORDER).fillna(3)
    ranked = frame.assign(_order=order, _size=size).sort_values(["_order", "_size"], ascending=[True, False])
    return ranked.head(limit) if limit is not None else ranked


def findings_rows(frame: pd.DataFrame | None, limit: int | None = None) -> list[tuple[Any, ...]]:
    if frame is None or frame.empty:
        return []
    rows = []
    for finding in _ordered(frame, limit).itertuples(index=False):
        count, involved = _records(finding.records)
        rows.append(
            (
                finding.severity,
                str(finding.kind).replace("_", " "),
                _TABLES.get(str(finding.subject_table), str(finding.subject_table)),
                str(finding.subject_id),
                count,
                involved,
                finding.explanation,
                finding.fix,
            )
        )
    return rows


def write_findings_sheet(
    wb: Workbook, name: str, title: str, intro: str, rows: Sequence[tuple[Any, ...]], total: int
) -> Worksheet:
    ws = wb.create_sheet(name)
    ws.cell(row=1, column=1, value=title).font = styles.TITLE_FONT
    shown = f" Showing the top {len(rows):,} of {total:,}." if total > len(rows) else ""
    ws.cell(row=2, column=1, value=intro + shown).font = styles.NOTE_FONT
    styles.style_header(ws, HEADER_ROW, HEADERS)
    if not rows:
        ws.cell(row=HEADER_ROW + 1, column=1, value="none found").font = styles.NOTE_FONT
    for values in rows:
        ws.append(list(values))
    for column in WRAPPED:
        for (cell,) in ws.iter_rows(min_row=HEADER_ROW + 1, min_col=column, max_col=column):
            cell.alignment = styles.WRAP
    for column, cap in enumerate(CAPS, 1):
        sample = [row[column - 1] for row in rows[:_WIDTH_SAMPLE]]
        styles.set_width(ws, column, [HEADERS[column - 1], *sample], cap)
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    last = HEADER_ROW + max(len(rows), 1)
    ws.auto_filter.ref = f"A{HEADER_ROW}:H{last}"
    styles.protect(ws)
    return ws


def write_duplicates(wb: Workbook, duplicates: pd.DataFrame | None, limit: int | None) -> Worksheet:
    clusters = duplicates
    if duplicates is not None and not duplicates.empty:
        clusters = duplicates[duplicates["kind"].astype(str).str.startswith("duplicate_")]
    rows = findings_rows(clusters, limit)
    return write_findings_sheet(
        wb,
        DUPLICATES_SHEET,
        "Top duplicate clusters",
        "Records that look like one business or person: merge them before the first sync, or the sync "
        "copies the mess into Xero. Nothing has been merged.",
        rows,
        0 if clusters is None else len(clusters),
    )


def write_vat(wb: Workbook, vat: pd.DataFrame | None) -> Worksheet:
    rows = findings_rows(vat)
    return write_findings_sheet(
        wb,
        VAT_SHEET,
        "VAT findings",
        "Invoices and customers whose tax looks wrong or risky today. The tax mapping decides what the "
        "flow will do; these are what finance should check in the existing books.",
        rows,
        len(rows),
    )
