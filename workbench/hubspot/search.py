"""Where a changes-since search stands, and how the next page is asked for before HubSpot's cap.

HubSpot's search answers no result past the 10,000th of a query, so a window sorted by last-modified
date restarts at the last change read before it gets there; one instant holding more than 10,000
changes is read in id order instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from workbench.errors import MalformedResponse
from workbench.hubspot.models import SearchPage, parse_moment

SEARCH_LIMIT = 200  # search: at most 200 a page
SEARCH_RESULT_CAP = 10_000  # search refuses `after` at or past this


def epoch_ms(moment: datetime) -> int:
    instant = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return int(instant.timestamp() * 1000)


@dataclass(frozen=True)
class SearchCursor:
    """Where a changes-since search stands: the window's start (inclusive, epoch ms), the offset within
    it, and, when one instant alone holds more than 10,000 changes, the last id read at that instant."""

    since_ms: int
    after: int = 0
    last_id: int | None = None

    def text(self) -> str:
        return f"{self.since_ms}:{self.after}:{'' if self.last_id is None else self.last_id}"

    @classmethod
    def parse(cls, text: str) -> SearchCursor:
        since, after, last = text.split(":")
        return cls(int(since), int(after), int(last) if last else None)


@dataclass
class SearchStep:
    """One page of a changes-since search and the cursor of the next page (None: done)."""

    records: list[dict[str, Any]]
    following: SearchCursor | None
    total: int


def next_cursor(
    cursor: SearchCursor, page: SearchPage, records: list[dict[str, Any]], modified: str
) -> SearchCursor | None:
    """The next search page's cursor: the next offset, or a new window before the 10,000 cap."""
    if page.paging is None or page.paging.next is None or not records:
        if cursor.last_id is not None:  # done with the crowded instant: carry on just after it
            return SearchCursor(cursor.since_ms + 1)
        return None
    after = int(page.paging.next.after)
    if after + SEARCH_LIMIT <= SEARCH_RESULT_CAP:
        return SearchCursor(cursor.since_ms, after, cursor.last_id)
    last = records[-1]
    if cursor.last_id is not None:
        return SearchCursor(cursor.since_ms, 0, int(last["id"]))
    moment = parse_moment((last.get("properties") or {}).get(modified) or last.get("updatedAt"))
    if not isinstance(moment, datetime):
        raise MalformedResponse(
            f"HubSpot's search answer cannot be read: object {last.get('id')} has no readable {modified}",
            hint="run the pull again later; completed pages are kept",
        )
    latest = epoch_ms(moment)
    if latest > cursor.since_ms:
        return SearchCursor(latest)
    return SearchCursor(cursor.since_ms, 0, int(last["id"]))  # 10,000 changes at one instant: go by id
