"""The mapping workbook through the browser: exported to bytes for a download, and a returned upload
read back, each through a private temporary folder (the Excel code reads and writes paths)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd

from workbench.app_support.uploads import rejected
from workbench.errors import InputFileError
from workbench.excel.cover import RouteSummary
from workbench.excel.engagement import ExportResult, ImportOutcome, export_plan, import_plan
from workbench.profile.tables import ProfileTables
from workbench.store import Engagement


def workbook_download(
    engagement: Engagement,
    tables: ProfileTables,
    *,
    version: int | None = None,
    route: RouteSummary | None = None,
    duplicates: pd.DataFrame | None = None,
    vat_findings: pd.DataFrame | None = None,
) -> tuple[str, bytes, ExportResult]:
    """The workbook for `version` (default: the latest, proposed from the pull if none) as
    (file name, content, export result)."""
    with tempfile.TemporaryDirectory(prefix="workbench-plan-") as folder:
        result = export_plan(
            engagement,
            Path(folder) / "plan.xlsx",
            tables=tables,
            version=version,
            route=route,
            duplicates=duplicates,
            vat_findings=vat_findings,
        )
        content = result.path.read_bytes()
    name = f"{engagement.name}-mapping-plan-v{result.version.version}.xlsx"
    return name, content, result


def import_upload(engagement: Engagement, name: str, content: bytes, tables: ProfileTables) -> ImportOutcome:
    """Read a returned workbook upload; stored as a new version when it has changes and no errors."""
    with tempfile.TemporaryDirectory(prefix="workbench-plan-") as folder:
        path = Path(folder) / Path(name).name
        path.write_bytes(content)
        try:
            return import_plan(engagement, path, tables=tables)
        except InputFileError as exc:  # not a workbook, or another engagement's
            raise rejected(exc, folder) from None
