"""The whole health profile in one call: every analysis over one set of canonical tables.

With two workers the analyses run in two lanes at once: duplicates, hygiene and volumes in a forked
worker process, matching and VAT in the calling process (hygiene, VAT and volumes start from the
matcher's links, so hygiene and volumes are handed to the worker once matching is done; the split
keeps the lanes about equally long: at 100,000 organisations duplicates and matching take a third of
the CPU time each). The worker is forked after the tables are loaded, so it reads them through
copy-on-write memory instead of a pickled copy (pickling 100,000 organisations' tables costs more than
the step it would move). Where fork is unavailable (Windows, macOS' default) the steps run in turn.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from workbench.profile.duplicates import DuplicateResult, find_duplicates
from workbench.profile.findings import concat_findings
from workbench.profile.hygiene import find_hygiene_problems
from workbench.profile.links import invoice_deal_links
from workbench.profile.matching import MatchResult, match_crm_to_xero
from workbench.profile.tables import ProfileTables
from workbench.profile.vat import find_vat_problems
from workbench.profile.volumes import Volumes, measure_volumes

# step name, shown to the user while it runs
STEPS = ("duplicates", "matching", "vat", "hygiene", "volumes")
# the steps a second worker takes off the calling process, in the order it runs them: duplicates
# first (it needs nothing), the rest once matching has linked organisations to contacts
WORKER_STEPS = ("duplicates", "hygiene", "volumes")
Progress = Callable[[str, int, int], None]  # (step, steps done, steps in all)


@dataclass(frozen=True)
class HealthProfile:
    """What the profile found, analysis by analysis, and how long each took: `seconds` wall clock,
    `cpu_seconds` the CPU time of the process that ran the step."""

    tables: ProfileTables
    duplicates: DuplicateResult
    matching: MatchResult
    vat: pd.DataFrame
    hygiene: pd.DataFrame
    volumes: Volumes
    seconds: dict[str, float] = field(default_factory=dict)
    cpu_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def findings(self) -> pd.DataFrame:
        """Every finding of every analysis, one table."""
        return concat_findings([self.duplicates.findings, self.matching.findings, self.vat, self.hygiene])

    def counts(self) -> pd.DataFrame:
        """Findings per kind and severity."""
        findings = self.findings
        if findings.empty:
            return pd.DataFrame(columns=["kind", "severity", "findings"])
        return (
            findings.groupby(["kind", "severity"], sort=False)
            .size()
            .rename("findings")
            .reset_index()
            .sort_values("findings", ascending=False, ignore_index=True)
        )


def default_workers() -> int:
    """Two lanes when the machine has two cores and can fork, else one."""
    can_fork = sys.platform == "linux" and "fork" in multiprocessing.get_all_start_methods()
    return min(2, os.cpu_count() or 1) if can_fork else 1


def _analysis(name: str, tables: ProfileTables, links: dict[str, pd.DataFrame]) -> Any:
    """Run one step. `links` holds the deal links ("deals") and, after matching, its links ("orgs")."""
    if name == "duplicates":
        return find_duplicates(tables)
    if name == "matching":
        links["deals"] = invoice_deal_links(tables)
        return match_crm_to_xero(tables, links["deals"])
    if name == "vat":
        return find_vat_problems(tables, links["orgs"], links["deals"])
    if name == "hygiene":
        return find_hygiene_problems(tables, links["orgs"], links["deals"])
    if name == "volumes":
        return measure_volumes(tables, links["orgs"])
    raise ValueError(f"there is no profile step {name!r}; the steps are {', '.join(STEPS)}")


def _timed(name: str, tables: ProfileTables, links: dict[str, pd.DataFrame]) -> tuple[Any, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = _analysis(name, tables, links)
    return result, time.perf_counter() - wall, time.process_time() - cpu


# --- the worker process -----------------------------------------------------------------------------
_inherited: ProfileTables | None = None  # set in the worker only: the tables it was forked with


def _inherit(tables: ProfileTables) -> None:
    global _inherited
    _inherited = tables


def _in_worker(name: str, links: dict[str, pd.DataFrame]) -> tuple[Any, float, float]:
    assert _inherited is not None, "the profile worker was started without its tables"
    return _timed(name, _inherited, links)


def run_profile(
    tables: ProfileTables, progress: Progress | None = None, workers: int | None = None
) -> HealthProfile:
    """Run every analysis; `progress(step, done, total)` is called as each step starts and at the end.

    `workers` is 1 (every step in this process, in `STEPS` order) or 2 (see the module docstring);
    it defaults to `default_workers()`. Both give the same findings. An error in the worker is raised
    here as the same exception.
    """
    workers = default_workers() if workers is None else workers
    if workers < 1:
        raise ValueError(f"workers must be 1 or more, not {workers}")
    seconds: dict[str, float] = {}
    cpu: dict[str, float] = {}
    results: dict[str, Any] = {}
    links: dict[str, pd.DataFrame] = {}

    def started(name: str) -> None:
        if progress is not None:
            progress(name, len(results), len(STEPS))

    def finished(name: str, outcome: tuple[Any, float, float]) -> None:
        results[name], seconds[name], cpu[name] = outcome
        if name == "matching":
            links["orgs"] = results[name].links

    if workers == 1 or default_workers() == 1:
        for name in STEPS:
            started(name)
            finished(name, _timed(name, tables, links))
    else:
        _two_lanes(tables, links, started, finished)
    if progress is not None:
        progress("done", len(STEPS), len(STEPS))
    return HealthProfile(
        tables=tables, seconds={s: seconds[s] for s in STEPS}, cpu_seconds={s: cpu[s] for s in STEPS},
        **{s: results[s] for s in STEPS},
    )  # fmt: skip


def _two_lanes(
    tables: ProfileTables,
    links: dict[str, pd.DataFrame],
    started: Callable[[str], None],
    finished: Callable[[str, tuple[Any, float, float]], None],
) -> None:
    """`WORKER_STEPS` in a forked worker, the other steps here; a step whose worker died runs here."""
    # with fork the initializer's arguments are inherited memory, never pickled
    executor = ProcessPoolExecutor(
        1, mp_context=multiprocessing.get_context("fork"), initializer=_inherit, initargs=(tables,)
    )
    handed: dict[str, Future[tuple[Any, float, float]] | None] = {}

    def hand_over(name: str) -> None:
        started(name)
        try:
            # what the worker has not inherited: the links read since it was forked (pickled over)
            handed[name] = executor.submit(_in_worker, name, dict(links))
        except BrokenProcessPool:
            handed[name] = None

    def collect(name: str) -> None:
        future = handed[name]
        try:
            if future is None:
                raise BrokenProcessPool(f"the profile worker died before {name} was handed to it")
            outcome = future.result()
        except BrokenProcessPool:
            # the worker was killed (out of memory, a signal): this process still has everything
            outcome = _timed(name, tables, links)
        finished(name, outcome)

    try:
        hand_over("duplicates")
        for name in (s for s in STEPS if s not in WORKER_STEPS):
            started(name)
            finished(name, _timed(name, tables, links))
            if name == "matching":
                for after in WORKER_STEPS[1:]:
                    hand_over(after)
        for name in WORKER_STEPS:
            collect(name)
    except BaseException:
        # do not wait for a worker step nobody will read
        executor.shutdown(wait=False, cancel_futures=True)
        raise
    executor.shutdown()
