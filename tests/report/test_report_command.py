"""`workbench report` and `workbench demo`: the report's files written from the command line."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.report.conftest import xlsx_text
from workbench.cli import main
from workbench.plan.versions import list_versions
from workbench.sandbox import credentials
from workbench.store import Engagement


def test_report_writes_the_files_and_says_where(
    demo_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "client-pack"
    assert main(["report", "--engagement", "demo", "--out", str(out), "--redact"]) == 0
    captured = capsys.readouterr()
    for name in ("health-check.html", "mapping-plan.xlsx", "findings.csv"):
        assert (out / name).is_file() and str(out / name) in captured.out
    assert "Health check of 'demo' as of 20 Nov 2026" in captured.out
    assert "mapping plan version 1 (proposed from the pull and stored)" in captured.out
    assert "names and email addresses are withheld" in captured.out
    # progress on stderr, not in the output: the tables are read as the profile starts on them
    assert captured.err.index("reading the pulled tables...") < captured.err.index("profiling duplicates...")
    findings = len(pd.read_csv(out / "findings.csv", encoding="utf-8-sig"))
    assert f"{findings:,} findings" in captured.out


def test_report_defaults_to_the_engagements_reports_folder(
    demo_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["report", "--engagement", "demo", "--quiet"]) == 0
    assert (tmp_path / "reports" / "demo" / "health-check.html").is_file()
    assert capsys.readouterr().err == ""


def test_report_of_an_engagement_with_nothing_pulled_says_what_to_do(
    capsys: pytest.CaptureFixture[str],
) -> None:
    Engagement.open("empty").close()
    assert main(["report", "--engagement", "empty"]) == 1
    assert "run `workbench pull --engagement empty`" in capsys.readouterr().err


@pytest.mark.slow
def test_demo_runs_the_whole_check_headless_and_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "demo-report"
    assert main(["demo", "--organisations", "20", "--seed", "3", "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "pulled xero:" in captured.out and "pulled pipedrive:" in captured.out
    assert "route: " in captured.out and str(out / "health-check.html") in captured.out
    assert "xero: done" in captured.err and "profiling volumes..." in captured.err
    page = (out / "health-check.html").read_text()
    assert 'id="next-steps"' in page
    written = (
        page + (out / "findings.csv").read_text(encoding="utf-8-sig") + xlsx_text(out / "mapping-plan.xlsx")
    )
    for secret in (credentials.XERO_CLIENT_SECRET, credentials.PIPEDRIVE_API_TOKEN):
        assert secret not in written  # the pull's credentials never reach a report
    # a second run pulls the same client afresh and reuses the stored plan
    assert main(["demo", "--organisations", "20", "--seed", "3", "--out", str(out), "--quiet"]) == 0
    assert "mapping plan version 1\n" in capsys.readouterr().out
    with Engagement.open("demo", create=False) as engagement:
        assert [v.version for v in list_versions(engagement)] == [1]
        organisations = engagement.table("organisations")
    assert len(organisations) == 20
