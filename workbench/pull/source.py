"""What a pull asks of a source (Xero, Pipedrive, HubSpot, a file): endpoints to page through, and
how their raw records become canonical rows.

A source is two halves kept apart on purpose: fetching (network, budgets, retries) happens page by page
and every page is saved before the next is asked for, so a failed pull resumes where it stopped;
canonicalising runs once every endpoint is complete, over the saved pages only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from workbench.canonical import Row

RawRecord = dict[str, Any]


@dataclass
class FetchedPage:
    """One page of an endpoint: its records, the token of the next page (None: this was the last), and
    the largest change marker seen (e.g. UpdatedDateUTC), which becomes the endpoint's next cursor."""

    records: list[RawRecord]
    next_token: str | None
    cursor: str | None = None


@dataclass
class EndpointPlan:
    """One endpoint to pull. `fetch(token)` gets the page `token` names (None: the first page)."""

    name: str
    fetch: Callable[[str | None], FetchedPage]
    minimum_calls: Callable[[int], int] | None = None  # calls a full pull of N records needs, for audits
    depends_on: tuple[str, ...] = ()  # endpoints whose saved records `fetch` needs (e.g. deal ids)
    context: dict[str, Any] = field(default_factory=dict)


@dataclass
class CanonicalBatch:
    """Rows per canonical table from one pull. For an incremental pull, rows are upserted by key onto the
    previous snapshot; `replace[table] = (column, values)` first drops the previous rows whose `column`
    is in `values` (e.g. the lines of every invoice that changed, so a removed line disappears); a table
    named in `complete` was fetched whole, so its rows replace the previous snapshot's outright (a tax
    rate or an item deleted at the source disappears)."""

    rows: dict[str, list[Row]] = field(default_factory=dict)
    replace: dict[str, tuple[str, set[str]]] = field(default_factory=dict)
    complete: set[str] = field(default_factory=set)


class Source(Protocol):
    """A system to pull. `name` keys its snapshots and cursors in the engagement ("xero", "pipedrive")."""

    name: str

    def plan(self, cursors: Mapping[str, str], saved: Callable[[str], list[RawRecord]]) -> list[EndpointPlan]:
        """The endpoints of this pull, in order. `cursors` holds each endpoint's cursor from the last
        complete pull (empty for a full pull); `saved(endpoint)` returns the records already saved for an
        earlier endpoint of this pull (for endpoints that depend on another's ids)."""
        ...

    def canonicalise(self, pages: Mapping[str, list[RawRecord]]) -> CanonicalBatch:
        """Canonical rows per table from every saved record of each endpoint of this pull."""
        ...

    def budget_left(self) -> dict[str, int | None]:
        """What the service says is left of its budgets (for progress display)."""
        ...
