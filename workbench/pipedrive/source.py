"""Pipedrive as a pull source: which endpoints, how each pages, what its incremental cursor is.

Reference endpoints (users, pipelines, stages, the four field lists) are small and pulled whole every
time. Products, organizations, persons and deals are pulled by `updated_since` (inclusive) from the
largest `update_time` seen, sorted by `update_time` so a record changed while the pull pages past it
comes round again rather than being missed. Deal products follow the deals of the same pull, 100 deals
a call.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import pandas as pd

from workbench.pipedrive.canonicalise import PreviousRows, canonical_batch
from workbench.pipedrive.client import (
    MAX_IDS_PER_CALL,
    PAGE_LIMIT,
    PipedriveClient,
    format_updated_since,
)
from workbench.pipedrive.models import parse_instant
from workbench.pull.runner import minimum_paged_calls
from workbench.pull.source import CanonicalBatch, EndpointPlan, FetchedPage, RawRecord
from workbench.store import Engagement

# endpoint name -> v2 resource, pulled whole every time (v2 /stages and /pipelines refuse updated_since)
REFERENCE_ENDPOINTS = {
    "pipelines": "pipelines",
    "stages": "stages",
    "deal_fields": "dealFields",
    "organization_fields": "organizationFields",
    "person_fields": "personFields",
    "product_fields": "productFields",
}
# endpoint name -> (v2 resource, extra query); pulled incrementally by update_time
CHANGING_ENDPOINTS: dict[str, tuple[str, dict[str, str]]] = {
    "products": ("products", {}),
    "organizations": ("organizations", {}),
    "persons": ("persons", {}),
    # without `status` v2 leaves deleted deals out; `deleted` brings those deleted in the last 30 days.
    # `products_count` spares the deal-products calls for deals without products (most of them, often).
    "deals": ("deals", {"status": "open,won,lost,deleted", "include_fields": "products_count"}),
}
BY_UPDATE_TIME = {"sort_by": "update_time", "sort_direction": "asc"}


def previous_rows(engagement: Engagement, source: str = "pipedrive") -> PreviousRows:
    """The engagement's latest rows of a canonical table from `source`, as plain Python values."""

    def rows(table: str) -> list[dict[str, Any]]:
        frame = engagement.table(table, source=source)
        return [{k: _plain(v) for k, v in record.items()} for record in frame.to_dict("records")]

    return rows


def _plain(value: Any) -> Any:
    """None for pandas' missing markers (NaN, NaT, NA); everything else as it is."""
    if value is None or isinstance(value, list | dict):
        return value
    try:
        return None if bool(pd.isna(value)) else value
    except (TypeError, ValueError):
        return value


class PipedriveSource:
    """One Pipedrive company as a `workbench.pull` source.

    `previous` (see `previous_rows`) lets an incremental pull derive what depends on records it did not
    fetch again (an organisation's email domain from unchanged people, deal lines' product codes).
    """

    name = "pipedrive"

    def __init__(self, client: PipedriveClient, *, previous: PreviousRows | None = None) -> None:
        self.client = client
        self.previous = previous
        self.incremental = False

    @classmethod
    def for_engagement(cls, client: PipedriveClient, engagement: Engagement) -> PipedriveSource:
        return cls(client, previous=previous_rows(engagement))

    def plan(self, cursors: Mapping[str, str], saved: Callable[[str], list[RawRecord]]) -> list[EndpointPlan]:
        self.incremental = any(cursors.get(name) for name in CHANGING_ENDPOINTS)
        plans = [EndpointPlan("users", self._users, minimum_calls=lambda records: 1)]
        plans += [self._reference(name, resource) for name, resource in REFERENCE_ENDPOINTS.items()]
        plans += [
            self._changing(name, resource, params, cursors.get(name))
            for name, (resource, params) in CHANGING_ENDPOINTS.items()
        ]
        plans.append(self._deal_products(saved))
        return plans

    def canonicalise(self, pages: Mapping[str, list[RawRecord]]) -> CanonicalBatch:
        return canonical_batch(pages, incremental=self.incremental, previous=self.previous)

    def budget_left(self) -> dict[str, int | None]:
        snapshot = self.client.session.budget.snapshot
        return {"burst": snapshot.minute_remaining, "daily_tokens": snapshot.day_remaining}

    # endpoints ---------------------------------------------------------------------------------------
    def _users(self, token: str | None) -> FetchedPage:
        return FetchedPage(self.client.users(), None)

    def _reference(self, name: str, resource: str) -> EndpointPlan:
        def fetch(token: str | None) -> FetchedPage:
            records, next_cursor = self.client.list_page(resource, token)
            return FetchedPage(records, next_cursor)

        return EndpointPlan(name, fetch, minimum_calls=minimum_paged_calls(PAGE_LIMIT))

    def _changing(self, name: str, resource: str, params: dict[str, str], since: str | None) -> EndpointPlan:
        query = {**params, **BY_UPDATE_TIME}

        def fetch(token: str | None) -> FetchedPage:
            records, next_cursor = self.client.list_page(resource, token, updated_since=since, params=query)
            return FetchedPage(records, next_cursor, _latest_update(records))

        return EndpointPlan(name, fetch, minimum_calls=minimum_paged_calls(PAGE_LIMIT))

    def _deal_products(self, saved: Callable[[str], list[RawRecord]]) -> EndpointPlan:
        """Lines of the deals saved by this pull that have products (all of them when the count is
        missing); the page token is `<batch index>|<cursor within the batch>`."""
        known: list[list[int]] = []

        def deal_ids() -> list[int]:
            if not known:
                known.append(sorted({int(d["id"]) for d in saved("deals") if _may_have_products(d)}))
            return known[0]

        def fetch(token: str | None) -> FetchedPage:
            ids = deal_ids()
            if not ids:
                return FetchedPage([], None)
            index, cursor = _split_token(token)
            batch = ids[index * MAX_IDS_PER_CALL : (index + 1) * MAX_IDS_PER_CALL]
            records, next_cursor = self.client.deal_products_page(batch, cursor)
            if next_cursor is not None:
                following: str | None = f"{index}|{next_cursor}"
            elif (index + 1) * MAX_IDS_PER_CALL < len(ids):
                following = f"{index + 1}|"
            else:
                following = None
            return FetchedPage(records, following)

        def minimum(records: int) -> int:
            """Per batch of 100 deals, one call per 500 of its lines (at least one)."""
            ids = deal_ids()
            lines = Counter(line.get("deal_id") for line in saved("deal_products"))
            batches = (ids[i : i + MAX_IDS_PER_CALL] for i in range(0, len(ids), MAX_IDS_PER_CALL))
            calls = sum(max(1, math.ceil(sum(lines[d] for d in batch) / PAGE_LIMIT)) for batch in batches)
            return max(1, calls)

        return EndpointPlan("deal_products", fetch, minimum_calls=minimum, depends_on=("deals",))


def _may_have_products(deal: RawRecord) -> bool:
    count = deal.get("products_count")
    return isinstance(deal.get("id"), int) and not (isinstance(count, int) and count == 0)


def _split_token(token: str | None) -> tuple[int, str | None]:
    if not token:
        return 0, None
    index, _, cursor = token.partition("|")
    return int(index), cursor or None


def _latest_update(records: list[RawRecord]) -> str | None:
    """The largest `update_time` of `records`, in the `updated_since` format (the next cursor)."""
    times = [parse_instant(r.get("update_time")) for r in records]
    latest = max((t for t in times if isinstance(t, datetime)), default=None)
    return format_updated_since(latest) if latest is not None else None
