"""The pull runner with a scripted source: paging, resume after a failure, incremental cursors, progress."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from workbench.errors import PullFailed, TransientFailure
from workbench.pull.runner import Progress, minimum_paged_calls, pull
from workbench.pull.source import CanonicalBatch, EndpointPlan, FetchedPage, RawRecord
from workbench.store import Engagement


class ScriptedSource:
    """Two endpoints of invoices paged by 2; fails on the fetches listed in `fail_on`."""

    name = "xero"

    def __init__(self, invoices: int = 5, fail_on: set[int] | None = None) -> None:
        self.invoices = [{"id": str(n), "updated": f"2026-01-{n:02d}"} for n in range(1, invoices + 1)]
        self.fail_on = fail_on or set()
        self.fetches: list[tuple[str, str | None]] = []
        self.seen_cursors: Mapping[str, str] = {}

    def plan(self, cursors: Mapping[str, str], saved: Callable[[str], list[RawRecord]]) -> list[EndpointPlan]:
        self.seen_cursors = cursors

        def invoices(token: str | None) -> FetchedPage:
            self.fetches.append(("invoices", token))
            if len(self.fetches) in self.fail_on:
                raise TransientFailure("Xero GET /Invoices failed after 6 attempt(s): ReadTimeout")
            since = cursors.get("invoices", "")
            fresh = [r for r in self.invoices if r["updated"] > since]
            start = int(token or 0)
            page = fresh[start : start + 2]
            more = start + 2 < len(fresh)
            return FetchedPage(
                page, str(start + 2) if more else None, max((r["updated"] for r in page), default=None)
            )

        def lines(token: str | None) -> FetchedPage:
            self.fetches.append(("lines", token))
            return FetchedPage(
                [{"invoice_id": r["id"], "line_id": "L" + r["id"]} for r in saved("invoices")], None
            )

        return [
            EndpointPlan("invoices", invoices, minimum_paged_calls(2)),
            EndpointPlan("lines", lines, depends_on=("invoices",)),
        ]

    def canonicalise(self, pages: Mapping[str, list[RawRecord]]) -> CanonicalBatch:
        return CanonicalBatch(
            rows={
                "invoices": [{"invoice_id": r["id"], "status": "AUTHORISED"} for r in pages["invoices"]],
                "invoice_lines": [
                    {"invoice_id": r["invoice_id"], "line_id": r["line_id"]} for r in pages["lines"]
                ],
            },
            replace={"invoice_lines": ("invoice_id", {r["id"] for r in pages["invoices"]})},
        )

    def budget_left(self) -> dict[str, int | None]:
        return {"minute": 50}


def test_full_pull_pages_everything_once_and_reports_progress(tmp_path: Path) -> None:
    seen: list[Progress] = []
    source = ScriptedSource(invoices=5)
    with Engagement.open("full", tmp_path) as engagement:
        result = pull(engagement, source, progress=seen.append)
        assert result.mode == "full" and not result.resumed
        assert [(e.name, e.pages_fetched, e.records, e.minimum_calls) for e in result.endpoints] == [
            ("invoices", 3, 5, 3),
            ("lines", 1, 5, None),
        ]
        assert len(engagement.table("invoices")) == 5 and len(engagement.table("invoice_lines")) == 5
    assert seen[-1].finished and seen[0].endpoint == "invoices" and seen[0].budget == {"minute": 50}


def test_failed_pull_keeps_pages_and_a_rerun_resumes_without_refetching(tmp_path: Path) -> None:
    with Engagement.open("resume", tmp_path) as engagement:
        failing = ScriptedSource(invoices=5, fail_on={2})
        with pytest.raises(PullFailed) as raised:
            pull(engagement, failing)
        assert raised.value.endpoint == "invoices" and raised.value.page == 2
        assert "run the same pull again" in str(raised.value)
        retry = ScriptedSource(invoices=5)
        result = pull(engagement, retry)
        assert result.resumed
        assert retry.fetches == [
            ("invoices", "2"),
            ("invoices", "4"),
            ("lines", None),
        ]  # page 1 not fetched again
        assert len(engagement.table("invoices")) == 5
        assert engagement.unfinished_pull("xero") is None


def test_incremental_pull_uses_cursors_and_keeps_unchanged_rows(tmp_path: Path) -> None:
    with Engagement.open("incremental", tmp_path) as engagement:
        pull(engagement, ScriptedSource(invoices=3))
        source = ScriptedSource(invoices=4)
        result = pull(engagement, source)
        assert result.mode == "incremental" and source.seen_cursors == {"invoices": "2026-01-03"}
        assert result.endpoints[0].pages_fetched == 1 and result.endpoints[0].records == 1
        assert sorted(engagement.table("invoices")["invoice_id"]) == ["1", "2", "3", "4"]
        nothing = ScriptedSource(invoices=4)
        quiet = pull(engagement, nothing)
        assert quiet.pages_fetched == 2  # one call per endpoint when nothing changed
        assert len(engagement.table("invoices")) == 4
        forced = pull(engagement, ScriptedSource(invoices=4), mode="full")
        assert forced.mode == "full" and forced.endpoints[0].pages_fetched == 2
