"""Run a pull: page by page into the engagement, resumable, then one snapshot of canonical tables."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from workbench.errors import PullFailed, WorkbenchError
from workbench.pull.source import EndpointPlan, Source
from workbench.store import Engagement, SnapshotInfo

Mode = Literal["auto", "full", "incremental"]


@dataclass
class Progress:
    """Where a pull is, for a progress bar: the endpoint, its pages and records so far, budgets left."""

    source: str
    endpoint: str
    endpoint_index: int
    endpoint_count: int
    pages: int
    records: int
    total_records: int
    budget: dict[str, int | None] = field(default_factory=dict)
    finished: bool = False


ProgressCallback = Callable[[Progress], None]


@dataclass
class EndpointReport:
    name: str
    pages_fetched: int  # in this run (a resumed pull does not fetch completed pages again)
    records: int  # in the whole pull
    minimum_calls: int | None


@dataclass
class PullResult:
    source: str
    mode: str
    resumed: bool
    snapshot: SnapshotInfo
    endpoints: list[EndpointReport]

    @property
    def pages_fetched(self) -> int:
        return sum(e.pages_fetched for e in self.endpoints)


def minimum_paged_calls(page_size: int) -> Callable[[int], int]:
    """Calls a full pull of N records needs on an endpoint paged at `page_size`: one for an empty set."""
    return lambda records: max(1, math.ceil(records / page_size))


def pull(
    engagement: Engagement, source: Source, *, mode: Mode = "auto", progress: ProgressCallback | None = None
) -> PullResult:
    """Pull `source` into `engagement`. An unfinished pull of the same source is resumed first.

    `auto` pulls incrementally from the last snapshot's cursors when there is one, fully otherwise.
    """
    pull_id = engagement.unfinished_pull(source.name)
    resumed = pull_id is not None
    if pull_id is not None:
        info = engagement.pull_info(pull_id)
        cursors, base_id, mode_used = info["cursors"], info["base_snapshot_id"], info["mode"]
        engagement.audit("pull resumed", source=source.name, pull_id=pull_id)
    else:
        base = engagement.latest_snapshot(source.name) if mode != "full" else None
        if mode == "incremental" and base is None:
            mode_used = "full"
        else:
            mode_used = "incremental" if base is not None else "full"
        cursors = dict(base.cursors) if base is not None else {}
        base_id = base.snapshot_id if base is not None else None
        pull_id = engagement.start_pull(source.name, mode_used, base_id, cursors)
    plans = source.plan(cursors, lambda endpoint: engagement.saved_records(pull_id, endpoint))
    reports = [
        _run_endpoint(engagement, source, pull_id, plan, index, len(plans), progress)
        for index, plan in enumerate(plans)
    ]
    pages = {plan.name: engagement.saved_records(pull_id, plan.name) for plan in plans}
    try:
        batch = source.canonicalise(pages)
    except WorkbenchError as exc:
        engagement.mark_pull(pull_id, "failed", str(exc))
        raise
    new_cursors = dict(cursors)
    for plan in plans:
        state = engagement.endpoint_state(pull_id, plan.name)
        if state and state["cursor"]:
            new_cursors[plan.name] = state["cursor"]
    snapshot = engagement.write_snapshot(
        source.name,
        batch.rows,
        cursors=new_cursors,
        pull_id=pull_id,
        base_snapshot_id=base_id,
        replace=batch.replace,
        complete=batch.complete,
    )
    engagement.mark_pull(pull_id, "complete")
    engagement.drop_pull_pages(pull_id)
    if progress is not None:
        total = sum(r.records for r in reports)
        progress(Progress(source.name, "", len(plans), len(plans), 0, 0, total, source.budget_left(), True))
    return PullResult(source.name, mode_used, resumed, snapshot, reports)


def _run_endpoint(
    engagement: Engagement,
    source: Source,
    pull_id: int,
    plan: EndpointPlan,
    index: int,
    count: int,
    progress: ProgressCallback | None,
) -> EndpointReport:
    state = engagement.endpoint_state(pull_id, plan.name)
    records = state["records"] if state else 0
    pages = state["pages"] if state else 0
    fetched_now = 0
    if state is not None and state["status"] == "complete":
        return EndpointReport(
            plan.name, 0, records, plan.minimum_calls(records) if plan.minimum_calls else None
        )
    token = state["next_token"] if state else None
    while True:
        try:
            page = plan.fetch(token)
        except WorkbenchError as exc:
            engagement.mark_pull(pull_id, "failed", f"{plan.name} page {pages + 1}: {exc}")
            raise PullFailed(source.name, plan.name, pages + 1, exc) from exc
        pages = engagement.save_page(pull_id, plan.name, token, page.records, page.next_token, page.cursor)
        fetched_now += 1
        records += len(page.records)
        if progress is not None:
            progress(
                Progress(source.name, plan.name, index, count, pages, records, records, source.budget_left())
            )
        if page.next_token is None:
            break
        token = page.next_token
    return EndpointReport(
        plan.name, fetched_now, records, plan.minimum_calls(records) if plan.minimum_calls else None
    )
