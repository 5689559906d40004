"""`workbench profile`: the findings of an engagement printed, and written as CSV."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from workbench.cli import main
from workbench.store import Engagement


def test_profile_prints_the_findings_and_writes_them_as_csv(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["pull", "--engagement", "demo"]) == 0
    capsys.readouterr()
    target = tmp_path / "out" / "findings.csv"
    assert main(["profile", "--engagement", "demo", "--csv", str(target), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "Health profile of 'demo' as of 2026-11-20" in out  # Xero's clock at the pull, not the machine's
    written = pd.read_csv(target)
    assert f"{len(written):,} findings:" in out
    assert "duplicate_organization" in set(written["kind"]) and "won_deal_not_invoiced" in out
    first = json.loads(written.loc[0, "records"])
    assert written.loc[0, "subject_id"] in first[written.loc[0, "subject_table"]]


def test_profile_of_an_engagement_with_nothing_pulled_says_what_to_do(
    capsys: pytest.CaptureFixture[str],
) -> None:
    Engagement.open("empty").close()
    assert main(["profile", "--engagement", "empty"]) == 1
    assert "run `workbench pull --engagement empty`" in capsys.readouterr().err
