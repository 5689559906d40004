"""Read a client's edited workbook back into a validated plan.

The file is matched to its engagement and plan version by the hidden identity sheet (so any file name
works, and another engagement's file is refused). Every problem is collected (never the first only)
and named by sheet, row, column and value; every cell that fails, in the workbook or against the
tenant's real codes, keeps its exported value, so `plan` holds exactly the client's valid edits and
`changes` lists them. Nothing is stored here: `workbench.excel.engagement` saves an accepted plan as a
new version.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from workbench.excel.cover import COVER_SHEET
from workbench.excel.diff import PlanChange, diff_plans
from workbench.excel.grid import open_workbook, read_grid
from workbench.excel.identity import WorkbookIdentity, WrongWorkbook, read_identity
from workbench.excel.layout import DEAL_INVOICE_SHEET, SECTION_SHEETS, VALUE_HEADER
from workbench.excel.merge import Located, Merge, merge_section, merge_settings
from workbench.excel.problems import WorkbookProblem
from workbench.plan.checks import DEAL_INVOICE, PlanProblem, check_plan
from workbench.plan.model import Plan, PlanRow
from workbench.plan.tenant import TenantCodes
from workbench.plan.versions import PlanVersion
from workbench.store import Engagement

_SHEETS = {sheet.section: sheet for sheet in SECTION_SHEETS}


@dataclass(frozen=True)
class ReimportResult:
    identity: WorkbookIdentity
    exported: PlanVersion
    plan: Plan  # the exported plan with every valid edit applied
    changes: tuple[PlanChange, ...]
    problems: tuple[WorkbookProblem, ...]

    @property
    def errors(self) -> list[WorkbookProblem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[WorkbookProblem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def accepted(self) -> bool:
        return not self.errors


def check_identity(path: Path, identity: WorkbookIdentity, engagement: Engagement) -> PlanVersion:
    """The plan version the workbook was exported from, or WrongWorkbook if it is not this engagement's."""
    if identity.engagement_id != engagement.engagement_id:
        same_name = identity.engagement_name == engagement.name
        owner = (
            "another engagement of the same name" if same_name else f"engagement '{identity.engagement_name}'"
        )
        raise WrongWorkbook(
            str(path),
            f"this workbook was exported from {owner}, not from '{engagement.name}'",
            hint=f"import it into the engagement it came from (`--engagement {identity.engagement_name}`)",
        )
    record = engagement.plan_version(identity.plan_version)
    if record is None or record.content_hash != identity.content_hash:
        state = "is not stored" if record is None else "has different content"
        raise WrongWorkbook(
            str(path),
            f"plan version {identity.plan_version}, which this workbook was exported from, {state} "
            f"in '{engagement.name}'",
            hint="export the current plan again with `workbench plan export` and send that to the client",
        )
    return PlanVersion.from_record(record)


def _placed(problem: PlanProblem, located: Located, settings_rows: dict[str, int]) -> WorkbookProblem:
    if problem.section == DEAL_INVOICE:
        row = settings_rows.get(problem.field)
        return WorkbookProblem(
            DEAL_INVOICE_SHEET, row, VALUE_HEADER, problem.value, problem.why, problem.severity
        )
    sheet = _SHEETS[problem.section]  # type: ignore[index]
    column = sheet.column_for(problem.field)
    header = sheet.header(column) if column else problem.field
    row = located.rows.get((problem.section, problem.row_id)) if problem.row_id else None
    return WorkbookProblem(sheet.name, row, header, problem.value, problem.why, problem.severity)


def _revert(plan: Plan, exported: Plan, errors: list[PlanProblem], located: Located) -> Plan:
    """`plan` with every cell an error names set back to its exported value (new rows with errors go)."""
    update: dict[str, Any] = {}
    for name, sheet in _SHEETS.items():
        wrong = [e for e in errors if e.section == name and e.row_id is not None]
        if not wrong:
            continue
        base = {row.id: row for row in exported.section(name)}
        rows: list[PlanRow] = list(plan.section(name))
        for error in wrong:
            at = next((i for i, r in enumerate(rows) if r.id == error.row_id), None)
            if at is None:
                continue
            if (name, error.row_id) in located.new_ids:
                rows.pop(at)
            elif error.row_id in base and error.field in sheet.model.model_fields:
                rows[at] = rows[at].model_copy(update={error.field: getattr(base[error.row_id], error.field)})
        update[name] = tuple(rows)
    settings = {e.field: getattr(exported.deal_invoice, e.field) for e in errors if e.section == DEAL_INVOICE}
    if settings:
        update["deal_invoice"] = plan.deal_invoice.model_copy(update=settings)
    return plan.model_copy(update=update) if update else plan


def reconcile(wb: Workbook, exported: Plan, tenant: TenantCodes) -> tuple[Plan, list[WorkbookProblem]]:
    """The exported plan with the workbook's valid edits, and every problem found."""
    merge = Merge()
    sections: dict[str, Any] = {
        sheet.section: tuple(
            merge_section(merge, sheet, read_grid(wb, sheet.name), exported.section(sheet.section))
        )
        for sheet in SECTION_SHEETS
    }
    settings, settings_rows = merge_settings(merge, read_grid(wb, DEAL_INVOICE_SHEET), exported)
    candidate = exported.model_copy(update={**sections, "deal_invoice": settings})
    checked = check_plan(candidate, tenant)
    problems = merge.problems + [_placed(p, merge.located, settings_rows) for p in checked]
    final = _revert(candidate, exported, [p for p in checked if p.severity == "error"], merge.located)
    return final, problems


def reimport_workbook(path: Path, engagement: Engagement, tenant: TenantCodes) -> ReimportResult:
    """Read `path` (any file name) against the engagement's plan version it was exported from."""
    with open_workbook(path) as wb:
        identity = read_identity(wb, path)
        exported = check_identity(path, identity, engagement)
        plan, problems = reconcile(wb, exported.plan, tenant)
    latest = engagement.plan_version()
    if latest is not None and latest.version > exported.version:
        problems.insert(0, WorkbookProblem(
            COVER_SHEET, None, "Plan version", exported.version,
            f"version {latest.version} was stored after this workbook was exported; its changes are not in "
            "this workbook, and importing it stores a version based on the older one",
            "warning",
        ))  # fmt: skip
    plan = Plan.model_validate(plan.model_dump())  # model_copy skips validation; a stored plan must pass it
    return ReimportResult(identity, exported, plan, tuple(diff_plans(exported.plan, plan)), tuple(problems))
