from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.plan.factories import tiny_engagement, tiny_tables
from workbench.excel.engagement import ExportResult, export_plan
from workbench.store import Engagement


@pytest.fixture
def tiny(tmp_path: Path) -> Iterator[Engagement]:
    engagement = tiny_engagement(tmp_path / "engagements")
    yield engagement
    engagement.close()


@pytest.fixture
def mapping_workbook(tmp_path: Path, tiny: Engagement) -> Callable[..., ExportResult]:
    """Export the tiny engagement's plan (proposing version 1 on first use) into tmp_path."""

    def export(name: str = "plan.xlsx", **options: object) -> ExportResult:
        return export_plan(tiny, tmp_path / name, tables=tiny_tables(tiny), **options)  # type: ignore[arg-type]

    return export
