from __future__ import annotations

from pathlib import Path

import pytest

from tests.excel.workbook import open_for_edit, set_cell
from tests.plan.factories import tiny_engagement
from workbench.cli import main
from workbench.store import Engagement


@pytest.fixture
def home(isolated_environment: Path) -> Path:
    """The tiny client pulled into the test's WORKBENCH_HOME as engagement 'tiny'."""
    tiny_engagement(isolated_environment / "engagements").close()
    return isolated_environment


def test_export_then_import_through_the_cli(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["plan", "export", "--engagement", "tiny", "--no-profile"]) == 0
    out = capsys.readouterr().out
    path = tmp_path / "reports" / "tiny-mapping-plan-v1.xlsx"  # the default place for exports
    assert (
        f"Plan version 1 (proposed from the pull and stored) exported to {Path('reports') / path.name}" in out
    )
    assert path.exists()
    assert main(["plan", "import", str(path), "--engagement", "tiny"]) == 0
    assert "Nothing to store: the workbook matches version 1." in capsys.readouterr().out

    wb = open_for_edit(path)
    row = set_cell(wb, "Deal to invoice", "line_amount_types", "Value", "Excl")
    wb.save(tmp_path / "back.xlsx")
    assert main(["plan", "import", str(tmp_path / "back.xlsx"), "--engagement", "tiny"]) == 1
    out = capsys.readouterr().out
    assert f"error: Deal to invoice, row {row}, column 'Value': 'Excl': not one of the choices" in out
    assert "Not stored: version 1 stays current" in out

    set_cell(wb, "Deal to invoice", "line_amount_types", "Value", "Inclusive")
    wb.save(tmp_path / "back.xlsx")
    assert main(["plan", "import", str(tmp_path / "back.xlsx"), "--engagement", "tiny"]) == 0
    out = capsys.readouterr().out
    assert "Deal to invoice line_amount_types: CRM amounts are 'Exclusive' → 'Inclusive'" in out
    assert "Stored as plan version 2 (based on version 1)." in out

    assert main(["plan", "versions", "--engagement", "tiny"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[0].startswith("  version 1: proposed,") and listed[1].startswith(
        "  version 2: client workbook, based on 1,"
    )

    assert (
        main(
            ["plan", "export", "--engagement", "tiny", "--no-profile", "--version", "1", "--out", "old.xlsx"]
        )
        == 0
    )
    assert "Plan version 1 exported to old.xlsx" in capsys.readouterr().out


def test_an_engagement_without_a_pull_is_told_what_to_run(
    isolated_environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    Engagement.open("empty").close()
    assert main(["plan", "export", "--engagement", "empty"]) == 1
    assert "run `workbench pull --engagement empty`" in capsys.readouterr().err
    assert main(["plan", "versions", "--engagement", "empty"]) == 0
    assert "No plan versions yet" in capsys.readouterr().out


def test_export_profiles_the_engagement_for_the_cover_and_findings_sheets(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "with-route.xlsx"
    assert main(["plan", "export", "--engagement", "tiny", "--out", str(out)]) == 0
    wb = open_for_edit(out)
    cover = [str(c) for row in wb["Cover"].iter_rows(values_only=True) for c in row if c is not None]
    route = cover[cover.index("Recommended route") + 1]
    assert route.startswith(("native", "middleware", "custom", "hybrid")), route
    assert "Indicative monthly cost per route" in cover and "VAT findings" in cover
    assert {r[1] for r in wb["Gotchas"].iter_rows(min_row=4, values_only=True)} <= {
        "Yes",
        "No",
        "Not assessed",
    }
    assert wb["VAT findings"].max_row > 4  # the tiny client's reverse-charge and zero-rated sales are flagged
