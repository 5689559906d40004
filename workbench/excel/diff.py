"""The client's changes: a plan compared with the version it was exported from, row by row (by ID) and
cell by cell, in the workbook's own words (sheet names and column headers)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any, Literal

from workbench.excel.layout import DEAL_INVOICE_SHEET, SECTION_SHEETS
from workbench.plan.model import DealInvoiceMap, Plan, PlanRow

ChangeKind = Literal["changed", "added", "removed"]
_IGNORED = {"id", "evidence", "in_use", "crm_coverage", "xero_coverage"}  # ours, not the client's


@dataclass(frozen=True)
class PlanChange:
    sheet: str
    row_id: str
    kind: ChangeKind
    column: str = ""
    old: object = None
    new: object = None
    label: str = ""

    def __str__(self) -> str:
        what = f"{self.sheet} {self.row_id}" + (f" ({self.label})" if self.label else "")
        if self.kind == "changed":
            return f"{what}: {self.column} {_shown(self.old)} → {_shown(self.new)}"
        return f"{what}: row {self.kind}"


def _shown(value: Any) -> str:
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, bool):
        value = "Yes" if value else "No"
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return "(blank)" if value in (None, "") else f"'{value}'" if isinstance(value, str) else str(value)


def _label(row: PlanRow) -> str:
    parts = [getattr(row, a, None) for a in ("crm_field", "xero_field", "crm_value", "object", "key", "role")]
    named = [str(getattr(p, "value", p)) for p in parts if p]
    return " → ".join(named[:2])


def _title(model: type[PlanRow] | type[DealInvoiceMap], attr: str) -> str:
    return model.model_fields[attr].title or attr


def diff_plans(old: Plan, new: Plan) -> list[PlanChange]:
    changes: list[PlanChange] = []
    for sheet in SECTION_SHEETS:
        before = {row.id: row for row in old.section(sheet.section)}
        after = {row.id: row for row in new.section(sheet.section)}
        for row_id, row in after.items():
            if row_id not in before:
                changes.append(PlanChange(sheet.name, row_id, "added", label=_label(row)))
                continue
            for attr in type(row).model_fields:
                if attr in _IGNORED:
                    continue
                was, now = getattr(before[row_id], attr), getattr(row, attr)
                if was != now:
                    changes.append(
                        PlanChange(
                            sheet.name, row_id, "changed", _title(sheet.model, attr), was, now, _label(row)
                        )
                    )
        changes.extend(
            PlanChange(sheet.name, row_id, "removed", label=_label(row))
            for row_id, row in before.items()
            if row_id not in after
        )
    for attr in DealInvoiceMap.model_fields:
        if attr == "evidence":
            continue
        was, now = getattr(old.deal_invoice, attr), getattr(new.deal_invoice, attr)
        if was != now:
            changes.append(
                PlanChange(DEAL_INVOICE_SHEET, attr, "changed", _title(DealInvoiceMap, attr), was, now)
            )
    return changes
