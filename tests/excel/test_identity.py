"""A returned file is matched to its engagement and plan version by its hidden sheet, not its name."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from tests.plan.factories import tiny_engagement, tiny_tables
from workbench.cli import main
from workbench.excel.engagement import ExportResult, import_plan
from workbench.excel.identity import IDENTITY_SHEET, WrongWorkbook
from workbench.store import Engagement


def test_a_workbook_from_another_engagement_is_refused(
    tmp_path: Path, mapping_workbook: Callable[..., ExportResult]
) -> None:
    exported = mapping_workbook()
    with tiny_engagement(tmp_path / "elsewhere", "beta-2026") as other:
        with pytest.raises(
            WrongWorkbook, match="exported from engagement 'tiny', not from 'beta-2026'"
        ) as caught:
            import_plan(other, exported.path, tables=tiny_tables(other))
        assert "--engagement tiny" in str(caught.value)
        assert other.plan_versions() == []  # nothing stored in the wrong engagement


def test_another_engagement_of_the_same_name_is_refused_too(
    tmp_path: Path, mapping_workbook: Callable[..., ExportResult]
) -> None:
    exported = mapping_workbook()
    with (
        tiny_engagement(tmp_path / "other-home", "tiny") as namesake,
        pytest.raises(WrongWorkbook, match="another engagement of the same name"),
    ):
        import_plan(namesake, exported.path, tables=tiny_tables(namesake))


def test_a_changed_plan_version_or_a_foreign_file_is_refused(
    tmp_path: Path, tiny: Engagement, mapping_workbook: Callable[..., ExportResult]
) -> None:
    exported = mapping_workbook()
    wb = load_workbook(exported.path)
    sheet = wb[IDENTITY_SHEET]
    hash_row = next(
        r for r in range(1, sheet.max_row + 1) if sheet.cell(row=r, column=1).value == "content_hash"
    )
    sheet.cell(row=hash_row, column=2).value = "0" * 64
    wb.save(tmp_path / "tampered.xlsx")
    with pytest.raises(
        WrongWorkbook, match="plan version 1, which this workbook was exported from, has different"
    ):
        import_plan(tiny, tmp_path / "tampered.xlsx", tables=tiny_tables(tiny))

    plain = Workbook()
    plain.save(tmp_path / "someone-elses.xlsx")
    with pytest.raises(WrongWorkbook, match="not a mapping workbook exported by the workbench"):
        import_plan(tiny, tmp_path / "someone-elses.xlsx", tables=tiny_tables(tiny))

    (tmp_path / "notes.xlsx").write_text("not a spreadsheet")
    with pytest.raises(WrongWorkbook, match="cannot be read as an Excel workbook"):
        import_plan(tiny, tmp_path / "notes.xlsx", tables=tiny_tables(tiny))


def test_the_cli_refuses_another_engagements_workbook_with_a_clear_error(
    isolated_environment: Path,
    capsys: pytest.CaptureFixture[str],
    mapping_workbook: Callable[..., ExportResult],
) -> None:
    exported = mapping_workbook()
    tiny_engagement(isolated_environment / "engagements", "beta-2026").close()
    assert main(["plan", "import", str(exported.path), "--engagement", "beta-2026"]) == 1
    error = capsys.readouterr().err
    assert "exported from engagement 'tiny', not from 'beta-2026'" in error
    assert "import it into the engagement it came from (`--engagement tiny`)" in error
