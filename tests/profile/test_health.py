"""The whole profile on the sandbox demo: every planted problem kind found, per kind, and little else."""

from __future__ import annotations

import dataclasses
import gc
import os
from collections.abc import Callable, Sequence

import pandas as pd
import pytest

from tests.profile.demo import PulledDemo
from workbench.errors import EngagementError
from workbench.profile import health
from workbench.profile.duplicates import INPUT_TABLES, DuplicateResult, find_duplicates
from workbench.profile.evaluation import KindScore, score_findings
from workbench.profile.findings import FINDING_COLUMNS, SEVERITIES
from workbench.profile.health import READING, STEPS, HealthProfile, default_workers, run_profile
from workbench.profile.tables import ProfileTables
from workbench.sandbox.demo.problems import PROBLEM_KINDS
from workbench.store import Engagement

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


def test_progress_is_reported_for_every_step_in_order_when_sequential(demo: PulledDemo) -> None:
    seen: list[tuple[str, int, int]] = []
    health = run_profile(demo.tables, lambda step, done, total: seen.append((step, done, total)), workers=1)
    assert [s for s, _, _ in seen] == [*STEPS, "done"]
    assert [d for _, d, _ in seen] == list(range(len(STEPS) + 1))
    assert set(health.seconds) == set(STEPS) == set(health.cpu_seconds)
    counts = health.counts()
    assert counts["findings"].sum() == len(health.findings)


def test_progress_is_reported_for_every_step_when_parallel(demo: PulledDemo) -> None:
    seen: list[tuple[str, int, int]] = []
    run_profile(demo.tables, lambda step, done, total: seen.append((step, done, total)), workers=2)
    assert sorted(s for s, _, _ in seen[:-1]) == sorted(STEPS)
    assert seen[-1] == ("done", len(STEPS), len(STEPS))
    done = [d for _, d, _ in seen]
    assert done == sorted(done) and done[0] == 0
    # hygiene and volumes read the matcher's links, so they are handed over once matching is done
    names = [s for s, _, _ in seen]
    assert names.index("hygiene") > names.index("matching") < names.index("volumes")


def _assert_same(left: object, right: object, where: str) -> None:
    if isinstance(left, pd.DataFrame):
        assert isinstance(right, pd.DataFrame), where
        pd.testing.assert_frame_equal(left, right, check_exact=True, obj=where)
    elif dataclasses.is_dataclass(left) and not isinstance(left, type):
        for f in dataclasses.fields(left):
            if f.name not in ("tables", "seconds", "cpu_seconds"):
                _assert_same(getattr(left, f.name), getattr(right, f.name), f"{where}.{f.name}")
    else:
        assert left == right, where


@pytest.mark.skipif(default_workers() < 2, reason="needs fork and two cores")
@pytest.mark.parametrize("client", ["demo", "other_demo"])
def test_two_workers_find_exactly_what_one_finds(request: pytest.FixtureRequest, client: str) -> None:
    pulled: PulledDemo = request.getfixturevalue(client)
    sequential, parallel = run_profile(pulled.tables, workers=1), run_profile(pulled.tables, workers=2)
    assert not sequential.findings.empty
    _assert_same(sequential, parallel, "profile")
    pd.testing.assert_frame_equal(sequential.findings, parallel.findings, check_exact=True)


@pytest.mark.parametrize("workers", [1, 2])
def test_tables_read_while_profiling_give_exactly_the_same_profile(demo: PulledDemo, workers: int) -> None:
    with Engagement.open("demo", demo.home, create=False) as engagement:
        lazy = ProfileTables.from_engagement(engagement, demo.tables.as_of, lazy=True)
    assert lazy.unread() == list(lazy)  # nothing read yet; the reader outlives the engagement's connection
    seen: list[str] = []
    profile = run_profile(lazy, lambda step, done, total: seen.append(step), workers=workers)
    assert seen[0] == READING and sorted(seen[1:-1]) == sorted(STEPS)
    assert lazy.unread() == []
    assert gc.get_freeze_count() == 0  # what the profile froze out of the collector is given back
    _assert_same(run_profile(demo.tables, workers=1), profile, "profile")
    kept = lazy.read_all()
    assert kept.loader is None and set(kept.frames) == set(kept)  # every table, no reader held


@pytest.mark.skipif(default_workers() < 2, reason="needs fork and two cores")
@pytest.mark.parametrize("still_busy", [False, True])
def test_the_second_worker_is_forked_only_once_the_first_is_let_go(
    demo: PulledDemo, monkeypatch: pytest.MonkeyPatch, still_busy: bool
) -> None:
    alive: list[object] = []
    most = [0]
    real = health._Worker

    class Counted(real):  # type: ignore[misc, valid-type]
        def __init__(self, *args: object) -> None:
            super().__init__(*args)
            alive.append(self)
            most[0] = max(most[0], len(alive))

        def close(self, *, wait: bool = True) -> None:
            if self in alive:
                alive.remove(self)
            super().close(wait=wait)

    seen: list[str] = []
    monkeypatch.setattr(health, "_Worker", Counted)
    monkeypatch.setattr(real, "done", lambda self, name, within=0.0: not still_busy)
    with Engagement.open("demo", demo.home, create=False) as engagement:
        lazy = ProfileTables.from_engagement(engagement, demo.tables.as_of, lazy=True)
    profile = run_profile(lazy, lambda step, done, total: seen.append(step), workers=2)
    assert most[0] == 1  # never three processes holding tables
    # duplicates still running once matching is done: VAT first, then hygiene here beside volumes
    assert (seen.index("vat") < seen.index("hygiene")) == still_busy
    _assert_same(run_profile(demo.tables, workers=1), profile, "profile")


def test_duplicates_reads_no_table_but_the_ones_it_declares(demo: PulledDemo) -> None:
    # a worker forked for duplicates holds these tables only: reading another would mean reading it twice
    def refuse(name: str, columns: Sequence[str] | None = None) -> pd.DataFrame:
        raise AssertionError(f"find_duplicates read {name}, which INPUT_TABLES does not list")

    only_inputs = ProfileTables({n: demo.tables[n] for n in INPUT_TABLES}, demo.tables.as_of, refuse)
    assert not find_duplicates(only_inputs).findings.empty


def _fails_in_worker(parent: int) -> Callable[[ProfileTables], DuplicateResult]:
    def find_duplicates(tables: ProfileTables) -> DuplicateResult:
        if os.getpid() != parent:
            raise EngagementError("organisations table unreadable", hint="pull again")
        raise AssertionError("duplicates ran in the calling process")

    return find_duplicates


@pytest.mark.skipif(default_workers() < 2, reason="needs fork and two cores")
def test_an_error_in_the_worker_is_raised_as_the_same_error(
    demo: PulledDemo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(health, "find_duplicates", _fails_in_worker(os.getpid()))
    with pytest.raises(EngagementError, match="organisations table unreadable") as raised:
        run_profile(demo.tables, workers=2)
    assert raised.value.hint == "pull again"


@pytest.mark.skipif(default_workers() < 2, reason="needs fork and two cores")
def test_a_step_whose_worker_died_runs_in_the_calling_process(
    demo: PulledDemo, monkeypatch: pytest.MonkeyPatch
) -> None:
    parent, real = os.getpid(), health.find_duplicates

    def dies_in_worker(tables: ProfileTables) -> DuplicateResult:
        if os.getpid() != parent:
            os._exit(1)  # as the kernel's out-of-memory killer would end it
        return real(tables)

    monkeypatch.setattr(health, "find_duplicates", dies_in_worker)
    profile = run_profile(demo.tables, workers=2)
    _assert_same(run_profile(demo.tables, workers=1).duplicates, profile.duplicates, "duplicates")


def test_workers_must_be_at_least_one(demo: PulledDemo) -> None:
    with pytest.raises(ValueError, match="workers must be 1 or more"):
        run_profile(demo.tables, workers=0)


def test_the_same_client_kept_in_hubspot_gets_the_same_findings(
    demo: PulledDemo, hubspot_demo: PulledDemo
) -> None:
    def found(pulled: PulledDemo) -> set[tuple[str, str, str]]:
        findings = run_profile(pulled.tables).findings
        return set(
            zip(findings["kind"], findings["subject_table"], findings["subject_id"].astype(str), strict=True)
        )

    assert found(hubspot_demo) == found(demo)


@pytest.mark.skipif(default_workers() < 2, reason="needs fork and two cores")
def test_tables_a_dead_worker_was_to_read_are_read_in_the_calling_process(demo: PulledDemo) -> None:
    parent, read_here = os.getpid(), []
    with Engagement.open("demo", demo.home, create=False) as engagement:
        reader = engagement.reader()

    def dies_in_worker(name: str, columns: Sequence[str] | None = None) -> pd.DataFrame:
        if os.getpid() != parent:
            os._exit(1)  # as the kernel's out-of-memory killer would end it
        read_here.append(name in INPUT_TABLES)
        return reader(name, columns)

    lazy = ProfileTables({}, demo.tables.as_of, dies_in_worker)
    profile = run_profile(lazy, workers=2)
    assert lazy.unread() == [] and any(read_here)  # the worker's tables were read here after all
    _assert_same(run_profile(demo.tables, workers=1), profile, "profile")
