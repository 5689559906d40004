"""v2 cursor paging: `limit` (default 100, max 500) and an opaque `cursor`, keyset over the sort order.

The cursor is what Pipedrive's own looks like once decoded (the spec example is base64url of
`{"field":"id","fieldValue":7,"sortDirection":"asc","id":7}`): the sort field, the last item's sort
value and id, so a page boundary survives inserts and updates between calls.
"""

from __future__ import annotations

import base64
import binascii
import json
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from workbench.sandbox.pipedrive.encode import parse_int, parse_rfc3339, to_wire
from workbench.sandbox.pipedrive.errors import validation_failed
from workbench.sandbox.wire import Request

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
TIME_FIELDS = frozenset({"add_time", "update_time"})
SortKey = tuple[bool, Any, int]


@dataclass(frozen=True)
class Page:
    """What one list request asked for: its order, its size and where the previous page ended."""

    sort_by: str
    direction: str
    limit: int
    after: SortKey | None


def read_page(
    request: Request, sort_fields: tuple[str, ...] | None = ("id", "update_time", "add_time")
) -> Page:
    """Validate `limit`, `cursor`, `sort_by` and `sort_direction` (sort_fields None: no sorting offered)."""
    problems: list[str] = []
    limit = DEFAULT_LIMIT
    raw_limit = request.param("limit")
    if raw_limit is not None:
        parsed = parse_int(raw_limit)
        if parsed is None:
            problems.append("limit: Must be an integer")
        elif parsed < 1:
            problems.append("limit: Must be greater than or equal to 1")
        elif parsed > MAX_LIMIT:
            problems.append(f"limit: Must be less than or equal to {MAX_LIMIT}")
        else:
            limit = parsed
    sort_by, direction = "id", "asc"
    if sort_fields is not None:
        sort_by = request.param("sort_by") or "id"
        direction = request.param("sort_direction") or "asc"
        if sort_by not in sort_fields:
            problems.append(f"sort_by: Must be one of {', '.join(sort_fields)}")
        if direction not in ("asc", "desc"):
            problems.append("sort_direction: Must be one of asc, desc")
    if problems:
        raise validation_failed(*problems)
    raw_cursor = request.param("cursor")
    after = _decode_cursor(raw_cursor, sort_by, direction) if raw_cursor else None
    return Page(sort_by=sort_by, direction=direction, limit=limit, after=after)


def sort_key(record: dict[str, Any], field: str) -> SortKey:
    value = record.get(field)
    if value is None:
        return (False, 0, int(record["id"]))
    return (True, value, int(record["id"]))


@dataclass(frozen=True)
class SortedRecords:
    """Records in ascending sort-key order, beside their keys (for bisecting to a cursor)."""

    keys: list[SortKey]
    records: list[dict[str, Any]]


def paginate_sorted(
    index: SortedRecords, page: Page, keep: Callable[[dict[str, Any]], bool]
) -> tuple[list[dict[str, Any]], str | None]:
    """As `paginate` over the records of `index` that `keep` accepts, reading only as far as the page."""
    records = index.records
    if page.direction == "desc":
        end = bisect_left(index.keys, page.after) if page.after is not None else len(records)
        positions: range = range(end - 1, -1, -1)
    else:
        start = bisect_right(index.keys, page.after) if page.after is not None else 0
        positions = range(start, len(records))
    chunk: list[dict[str, Any]] = []
    for position in positions:
        record = records[position]
        if keep(record):
            if len(chunk) == page.limit:
                return chunk, _encode_cursor(chunk[-1], page)
            chunk.append(record)
    return chunk, None


def paginate(records: list[dict[str, Any]], page: Page) -> tuple[list[dict[str, Any]], str | None]:
    """The records of this page, in order, and the cursor of the next page (None on the last)."""
    descending = page.direction == "desc"
    ordered = sorted(records, key=lambda r: sort_key(r, page.sort_by), reverse=descending)
    if page.after is not None:
        after = page.after
        if descending:
            ordered = [r for r in ordered if sort_key(r, page.sort_by) < after]
        else:
            ordered = [r for r in ordered if sort_key(r, page.sort_by) > after]
    chunk = ordered[: page.limit]
    if len(ordered) <= page.limit:
        return chunk, None
    return chunk, _encode_cursor(chunk[-1], page)


def _encode_cursor(last: dict[str, Any], page: Page) -> str:
    marker = {
        "field": page.sort_by,
        "fieldValue": to_wire(last.get(page.sort_by)),
        "sortDirection": page.direction,
        "id": int(last["id"]),
    }
    raw = json.dumps(marker, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _decode_cursor(cursor: str, sort_by: str, direction: str) -> SortKey:
    invalid = validation_failed("cursor: Invalid cursor")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        marker = json.loads(raw.decode("utf-8"))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise invalid from None
    if not isinstance(marker, dict) or set(marker) != {"field", "fieldValue", "sortDirection", "id"}:
        raise invalid
    last_id = marker["id"]
    if not isinstance(last_id, int) or isinstance(last_id, bool):
        raise invalid
    if marker["field"] != sort_by or marker["sortDirection"] != direction:
        raise validation_failed(
            "cursor: The cursor does not match sort_by and sort_direction of this request"
        )
    value = marker["fieldValue"]
    if value is None:
        return (False, 0, last_id)
    if sort_by in TIME_FIELDS:
        moment: datetime | None = parse_rfc3339(value) if isinstance(value, str) else None
        if moment is None:
            raise invalid
        return (True, moment, last_id)
    if sort_by == "name":
        if not isinstance(value, str):
            raise invalid
        return (True, value, last_id)
    if not isinstance(value, int) or isinstance(value, bool):
        raise invalid
    return (True, value, last_id)
