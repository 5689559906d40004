"""The whole profile on the sandbox demo: every planted problem kind found, per kind, and little else."""

from __future__ import annotations

import pytest

from tests.profile.demo import PulledDemo
from workbench.profile.evaluation import KindScore, score_findings
from workbench.profile.findings import FINDING_COLUMNS, SEVERITIES
from workbench.profile.health import STEPS, HealthProfile, run_profile
from workbench.sandbox.demo.problems import PROBLEM_KINDS

RECALL, PRECISION = 0.98, 0.95


@pytest.fixture(scope="module", params=["demo", "other_demo", "hubspot_demo"])
def profiled(request: pytest.FixtureRequest) -> tuple[PulledDemo, HealthProfile]:
    pulled: PulledDemo = request.getfixturevalue(request.param)
    return pulled, run_profile(pulled.tables)


def _scores(profiled: tuple[PulledDemo, HealthProfile]) -> dict[str, KindScore]:
    pulled, health = profiled
    return {s.kind: s for s in score_findings(health.findings, pulled.problems)}


def test_every_planted_kind_is_scored(profiled: tuple[PulledDemo, HealthProfile]) -> None:
    assert set(_scores(profiled)) == set(PROBLEM_KINDS)


@pytest.mark.parametrize("kind", PROBLEM_KINDS)
def test_each_planted_kind_is_found_with_high_recall_and_precision(
    profiled: tuple[PulledDemo, HealthProfile], kind: str
) -> None:
    score = _scores(profiled)[kind]
    assert score.planted > 0
    assert score.recall >= RECALL, f"{kind}: found {score.true_positives} of {score.planted} planted"
    assert score.precision >= PRECISION, f"{kind}: {score.found - score.true_positives} false alarms"


def test_every_finding_is_complete_and_names_its_records(profiled: tuple[PulledDemo, HealthProfile]) -> None:
    findings = profiled[1].findings
    assert list(findings.columns) == list(FINDING_COLUMNS)
    assert set(findings["severity"]) <= set(SEVERITIES)
    for row in findings.itertuples(index=False):
        assert row.explanation.strip() and row.fix.strip(), row.kind
        assert str(row.subject_id) in row.records[row.subject_table], row.kind


def test_progress_is_reported_for_every_step(demo: PulledDemo) -> None:
    seen: list[tuple[str, int, int]] = []
    health = run_profile(demo.tables, lambda step, done, total: seen.append((step, done, total)))
    assert [s for s, _, _ in seen] == [*STEPS, "done"]
    assert [d for _, d, _ in seen] == list(range(len(STEPS) + 1))
    assert set(health.seconds) == set(STEPS)
    counts = health.counts()
    assert counts["findings"].sum() == len(health.findings)


def test_the_same_client_kept_in_hubspot_gets_the_same_findings(
    demo: PulledDemo, hubspot_demo: PulledDemo
) -> None:
    def found(pulled: PulledDemo) -> set[tuple[str, str, str]]:
        findings = run_profile(pulled.tables).findings
        return set(
            zip(findings["kind"], findings["subject_table"], findings["subject_id"].astype(str), strict=True)
        )

    assert found(hubspot_demo) == found(demo)
