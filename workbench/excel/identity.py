"""The workbook's identity: a very hidden sheet naming the engagement, the plan version exported and a
hash of its content, so a returned file is matched to its plan whatever it has been renamed to, and a
file from another engagement is refused."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from openpyxl import Workbook

from workbench.errors import InputFileError

IDENTITY_SHEET = "_workbench"
WORKBOOK_SCHEMA = "ihc-mapping-plan/1"


class WrongWorkbook(InputFileError):
    """The file is not a mapping workbook, or not one of this engagement's plan versions."""


@dataclass(frozen=True)
class WorkbookIdentity:
    engagement_id: str
    engagement_name: str
    plan_version: int
    content_hash: str
    exported_at: str
    schema: str = WORKBOOK_SCHEMA


def write_identity(wb: Workbook, identity: WorkbookIdentity) -> None:
    ws = wb.create_sheet(IDENTITY_SHEET)
    for row, (key, value) in enumerate(asdict(identity).items(), 1):
        ws.cell(row=row, column=1, value=key)
        ws.cell(row=row, column=2, value=str(value))
    ws.sheet_state = "veryHidden"  # not listed by Excel's Unhide; only the VBA editor shows it
    ws.protection.sheet = True


def read_identity(wb: Workbook, path: Path) -> WorkbookIdentity:
    if IDENTITY_SHEET not in wb.sheetnames:
        raise WrongWorkbook(
            str(path),
            "this is not a mapping workbook exported by the workbench (it has no identity sheet)",
            hint="import the workbook `workbench plan export` produced, edited in place",
        )
    values: dict[str, str] = {}
    for row in wb[IDENTITY_SHEET].iter_rows(min_col=1, max_col=2, values_only=True):
        if row[0] is not None:
            values[str(row[0])] = "" if row[1] is None else str(row[1])
    if values.get("schema") != WORKBOOK_SCHEMA:
        raise WrongWorkbook(
            str(path),
            f"this workbook's layout is '{values.get('schema')}', not '{WORKBOOK_SCHEMA}'",
            hint="export a fresh workbook with `workbench plan export` and copy the edits into it",
        )
    try:
        return WorkbookIdentity(
            engagement_id=values["engagement_id"],
            engagement_name=values["engagement_name"],
            plan_version=int(values["plan_version"]),
            content_hash=values["content_hash"],
            exported_at=values["exported_at"],
        )
    except (KeyError, ValueError) as exc:
        raise WrongWorkbook(
            str(path), f"the workbook's identity sheet is damaged ({exc})", hint="export a fresh workbook"
        ) from exc
