"""The whole health profile in one call: every analysis over one set of canonical tables.

With two workers the analyses run in two lanes at once. Duplicates runs in a worker process forked
first (with lazily read tables, it reads the records it compares while this process reads them all); matching
then VAT run in the calling process; hygiene and volumes, which start from the matcher's links as VAT
does, run in a second worker forked once matching is done. At 100,000 organisations duplicates and
matching take a third of the CPU time each, so the lanes come out about equally long. Workers are
forked, so they read the tables through copy-on-write memory instead of a pickled copy (pickling
100,000 organisations' tables costs more than the step it would move). Where fork is unavailable
(Windows, macOS' default) the steps run in turn.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from workbench.profile.duplicates import DuplicateResult, find_duplicates
from workbench.profile.findings import concat_findings
from workbench.profile.hygiene import find_hygiene_problems
from workbench.profile.links import invoice_deal_links
from workbench.profile.matching import MatchResult, match_crm_to_xero
from workbench.profile.tables import READING, ProfileTables
from workbench.profile.vat import find_vat_problems
from workbench.profile.volumes import Volumes, measure_volumes

# step name, shown to the user while it runs
STEPS = ("duplicates", "matching", "vat", "hygiene", "volumes")
# with two lanes: how long to wait for duplicates once matching is done before doing without the
# second worker for VAT's time (VAT takes about 10 s at 100,000 organisations, hygiene and volumes 9)
DUPLICATES_GRACE_SECONDS = 3.0
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


# --- worker processes ------------------------------------------------------------------------------
# set in a worker only: the tables and links it was forked with
_inherited: tuple[ProfileTables, dict[str, pd.DataFrame]] | None = None


def _inherit(tables: ProfileTables, links: dict[str, pd.DataFrame]) -> None:
    global _inherited
    _inherited = (tables, links)


def _in_worker(name: str) -> tuple[Any, float, float]:
    assert _inherited is not None, "the profile worker was started without its tables"
    return _timed(name, *_inherited)


class _Worker:
    """One forked process running the steps handed to it on what this process held when it was forked
    (at the first hand-over): copy-on-write memory, never a pickled copy. A step whose worker died
    (out of memory, a signal) runs in this process instead."""

    def __init__(self, tables: ProfileTables, links: dict[str, pd.DataFrame]) -> None:
        self.tables, self.links = tables, links
        self.executor = ProcessPoolExecutor(
            1, mp_context=multiprocessing.get_context("fork"), initializer=_inherit, initargs=(tables, links)
        )
        self.handed: dict[str, Future[tuple[Any, float, float]] | None] = {}

    def hand_over(self, name: str) -> None:
        try:
            self.handed[name] = self.executor.submit(_in_worker, name)
        except BrokenProcessPool:
            self.handed[name] = None

    def collect(self, name: str) -> tuple[Any, float, float]:
        future = self.handed[name]
        try:
            if future is None:
                raise BrokenProcessPool(f"the profile worker died before {name} was handed to it")
            return future.result()
        except BrokenProcessPool:
            return _timed(name, self.tables, self.links)

    def done(self, name: str, within: float = 0.0) -> bool:
        """Whether the step handed over has finished (or cannot: its worker died), waiting `within`
        seconds at most."""
        future = self.handed[name]
        if future is not None:
            wait([future], timeout=within)
        return future is None or future.done()

    def close(self, *, wait: bool = True) -> None:
        # on an error, do not wait for a step nobody will read
        self.executor.shutdown(wait=wait, cancel_futures=not wait)


def run_profile(
    tables: ProfileTables, progress: Progress | None = None, workers: int | None = None
) -> HealthProfile:
    """Run every analysis; `progress(step, done, total)` is called as each step starts (and with
    `READING` first when tables are still to be read) and with "done" at the end.

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

    if progress is not None and tables.unread():
        progress(READING, 0, len(STEPS))
    # the tables are millions of objects that live through the profile: frozen, the collector's full
    # passes skip them (seconds at 100,000 organisations), and a forked worker's collections leave
    # the pages it shares with this process unwritten (so uncopied)
    gc.freeze()
    try:
        if workers == 1 or default_workers() == 1:
            for name in STEPS:
                started(name)
                finished(name, _timed(name, tables, links))
        else:
            _two_lanes(tables, links, started, finished)
    finally:
        gc.unfreeze()
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
    """Duplicates in a worker forked first, matching then VAT here, hygiene and volumes in a second
    worker forked once matching and duplicates are done (it inherits every table and the links).

    Tables still to be read are read on both cores: the first worker, forked before this process
    reads anything, reads the records duplicates compares (and one column of deals and of invoices)
    for itself while this process reads every table; a table is read from its columnar copy in a
    fraction of the time sending it from one process to the other would take. No more than two
    processes hold tables at once: the first worker is let go before the second is forked. When
    duplicates is still running after matching (and a short grace), VAT runs here first, then
    hygiene here beside volumes in the second worker."""
    workers: list[_Worker] = []

    def run_here(name: str) -> None:
        started(name)
        finished(name, _timed(name, tables, links))

    def second_worker(names: tuple[str, ...]) -> _Worker:
        finished("duplicates", first.collect("duplicates"))
        first.close()
        workers.append(_Worker(tables, links))
        for name in names:
            started(name)
            workers[-1].hand_over(name)
        return workers[-1]

    try:
        first = _Worker(tables, links)
        workers.append(first)
        started("duplicates")
        first.hand_over("duplicates")  # forks the worker, before this process reads anything
        tables.load()
        gc.freeze()  # what was just read, too
        run_here("matching")
        handed: tuple[str, ...]
        if first.done("duplicates", within=DUPLICATES_GRACE_SECONDS):
            handed = ("hygiene", "volumes")
            second = second_worker(handed)
            run_here("vat")
        else:
            run_here("vat")
            handed = ("volumes",)
            second = second_worker(handed)
            run_here("hygiene")
        for name in handed:
            finished(name, second.collect(name))
    except BaseException:
        for worker in workers:
            worker.close(wait=False)
        raise
    for worker in workers:
        worker.close()
