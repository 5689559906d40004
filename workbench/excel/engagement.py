"""The workbook round trip for one engagement: export its current plan version (proposing version 1
from the pull when there is none), and import a returned workbook as a new version when it has no
errors. Earlier versions are never changed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from workbench.excel.cover import RouteSummary, key_numbers
from workbench.excel.export import DEFAULT_TOP_DUPLICATES, export_workbook
from workbench.excel.identity import WorkbookIdentity
from workbench.excel.reimport import ReimportResult, reimport_workbook
from workbench.plan.defaults import propose_plan
from workbench.plan.tenant import TenantCodes
from workbench.plan.versions import PlanVersion, latest_version, load_version, save_version
from workbench.profile.tables import ProfileTables
from workbench.store import Engagement, utc_now

REPORTS_FOLDER = Path("reports")


@dataclass(frozen=True)
class ExportResult:
    path: Path
    version: PlanVersion
    proposed: bool  # True when this export proposed and stored the version


@dataclass(frozen=True)
class ImportOutcome:
    result: ReimportResult
    saved: PlanVersion | None  # the new version; None when the workbook had errors or no changes


def current_or_proposed(engagement: Engagement, tables: ProfileTables) -> tuple[PlanVersion, bool]:
    version = latest_version(engagement)
    if version is not None:
        return version, False
    return save_version(
        engagement, propose_plan(tables), origin="proposed", note="proposed from the pull"
    ), True


def default_path(engagement: Engagement, version: int) -> Path:
    return REPORTS_FOLDER / f"{engagement.name}-mapping-plan-v{version}.xlsx"


def export_plan(
    engagement: Engagement,
    path: Path | None = None,
    *,
    tables: ProfileTables | None = None,
    version: int | None = None,
    route: RouteSummary | None = None,
    duplicates: pd.DataFrame | None = None,
    vat_findings: pd.DataFrame | None = None,
    top_duplicates: int | None = DEFAULT_TOP_DUPLICATES,
) -> ExportResult:
    """Write the workbook for `version` (default: the latest, proposed from the pull if none)."""
    tables = tables if tables is not None else ProfileTables.from_engagement(engagement)
    if version is None:
        chosen, proposed = current_or_proposed(engagement, tables)
    else:
        chosen, proposed = load_version(engagement, version), False
    identity = WorkbookIdentity(
        engagement_id=engagement.engagement_id,
        engagement_name=engagement.name,
        plan_version=chosen.version,
        content_hash=chosen.content_hash,
        exported_at=utc_now().isoformat(),
    )
    target = path if path is not None else default_path(engagement, chosen.version)
    export_workbook(
        target,
        chosen.plan,
        identity,
        TenantCodes.from_tables(tables),
        route=route,
        key_numbers=key_numbers(tables, duplicates, vat_findings),
        duplicates=duplicates,
        vat_findings=vat_findings,
        top_duplicates=top_duplicates,
    )
    engagement.audit("plan exported", version=chosen.version, file=str(target))
    return ExportResult(target, chosen, proposed)


def import_plan(engagement: Engagement, path: Path, *, tables: ProfileTables | None = None) -> ImportOutcome:
    """Read a returned workbook; store it as a new version if it has changes and no errors."""
    tables = tables if tables is not None else ProfileTables.from_engagement(engagement)
    result = reimport_workbook(path, engagement, TenantCodes.from_tables(tables))
    if not result.accepted:
        engagement.audit("plan import rejected", file=path.name, errors=len(result.errors))
        return ImportOutcome(result, None)
    if not result.changes:
        engagement.audit("plan import unchanged", file=path.name, version=result.exported.version)
        return ImportOutcome(result, None)
    saved = save_version(
        engagement,
        result.plan,
        origin="client workbook",
        based_on=result.exported.version,
        note=f"{path.name}: {len(result.changes)} changes",
    )
    return ImportOutcome(result, saved)
