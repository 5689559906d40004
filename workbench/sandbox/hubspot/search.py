"""`POST /crm/v3/objects/{type}/search`: filter groups (ORed) of filters (ANDed), one sort, offset paging.

HubSpot's limits, as it enforces them: `limit` up to 200; at most 5 filter groups, 10 filters in a
group and 25 in all; and no result past the 10,000th of a query (asking for `after` >= 10000 is a 400,
although `total` still counts every match), which is why incremental pulls narrow their time window.
Search results never carry associations.
"""

from __future__ import annotations

import json
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from workbench.sandbox.hubspot.context import Call
from workbench.sandbox.hubspot.encode import parse_bool, parse_decimal, parse_instant
from workbench.sandbox.hubspot.errors import validation
from workbench.sandbox.hubspot.objects import all_values, render, wanted_properties
from workbench.sandbox.hubspot.properties import MODIFIED

Record = dict[str, Any]
MAX_SEARCH_LIMIT = 200
DEFAULT_SEARCH_LIMIT = 10
RESULT_CAP = 10_000
MAX_GROUPS, MAX_FILTERS_PER_GROUP, MAX_FILTERS = 5, 10, 25
OPERATORS = (
    "EQ",
    "NEQ",
    "LT",
    "LTE",
    "GT",
    "GTE",
    "BETWEEN",
    "IN",
    "NOT_IN",
    "HAS_PROPERTY",
    "NOT_HAS_PROPERTY",
    "CONTAINS_TOKEN",
    "NOT_CONTAINS_TOKEN",
)
Test = Callable[[Any], bool]  # over anything with .get(property name)


def _comparable(kind: str, value: Any, name: str) -> Any:
    """A filter value in the property's own terms (instants, numbers, booleans; text case-folded)."""
    parsed: Any
    if kind in ("datetime", "date"):
        parsed = parse_instant(value)
    elif kind == "number":
        parsed = parse_decimal(value)
    elif kind == "bool":
        parsed = parse_bool(value)
    else:
        parsed = str(value).casefold() if value is not None else None
    if parsed is None:
        raise validation(f"There was a problem with the request: {value!r} is not a valid value for {name}")
    return parsed


def _stored(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind in ("datetime", "date"):
        if isinstance(value, datetime):
            return value
        return (
            datetime.combine(value, time(), tzinfo=UTC) if isinstance(value, date) else parse_instant(value)
        )
    if kind == "number":
        return value if isinstance(value, Decimal) else parse_decimal(value)
    if kind == "bool":
        return value if isinstance(value, bool) else parse_bool(value)
    return str(value).casefold()


def _filter(call: Call, raw: Any, kinds: dict[str, str]) -> tuple[str, str, Any, Test]:
    if not isinstance(raw, dict) or not isinstance(raw.get("propertyName"), str):
        raise validation("Invalid input JSON: each filter needs a propertyName and an operator")
    name, operator = raw["propertyName"], str(raw.get("operator") or "EQ")
    if operator not in OPERATORS:
        raise validation(f"Invalid operator {operator!r}; use one of {', '.join(OPERATORS)}")
    if name not in kinds:
        raise validation(
            f"There was a problem with the request: {name} is not a property of {call.object_type}"
        )
    kind = kinds[name]

    def value(key: str = "value") -> Any:
        if key not in raw:
            raise validation(f"The {operator} filter on {name} needs '{key}'")
        return _comparable(kind, raw[key], name)

    if operator == "HAS_PROPERTY":
        return name, operator, None, lambda v: v.get(name) is not None
    if operator == "NOT_HAS_PROPERTY":
        return name, operator, None, lambda v: v.get(name) is None
    if operator in ("IN", "NOT_IN"):
        wanted = {_comparable(kind, x, name) for x in raw.get("values") or []}
        inside = operator == "IN"
        return name, operator, None, lambda v: (_stored(kind, v.get(name)) in wanted) == inside
    if operator == "BETWEEN":
        low, high = value(), value("highValue")
        return (
            name,
            operator,
            low,
            lambda v: (s := _stored(kind, v.get(name))) is not None and low <= s <= high,
        )
    if operator in ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"):
        token = str(raw.get("value") or "").casefold().strip("*")
        contains = operator == "CONTAINS_TOKEN"
        return name, operator, None, lambda v: (token in str(v.get(name) or "").casefold()) == contains
    bound = value()
    compare: dict[str, Callable[[Any], bool]] = {
        "EQ": lambda s: s == bound,
        "NEQ": lambda s: s != bound,
        "LT": lambda s: s < bound,
        "LTE": lambda s: s <= bound,
        "GT": lambda s: s > bound,
        "GTE": lambda s: s >= bound,
    }
    check = compare[operator]
    if operator == "NEQ":
        return name, operator, bound, lambda v: check(_stored(kind, v.get(name)))
    return name, operator, bound, lambda v: (s := _stored(kind, v.get(name))) is not None and check(s)


def _sort(raw: Any, kinds: dict[str, str]) -> tuple[str, bool]:
    """(property, descending) of the one sort allowed: `{"propertyName", "direction"}` or `"-name"`."""
    if not raw:
        return "hs_object_id", False
    if not isinstance(raw, list) or len(raw) != 1:
        raise validation("Only one sort is supported")
    sort = raw[0]
    if isinstance(sort, str):
        name, descending = sort.lstrip("-"), sort.startswith("-")
    elif isinstance(sort, dict) and isinstance(sort.get("propertyName"), str):
        name, descending = (
            sort["propertyName"],
            str(sort.get("direction") or "ASCENDING").upper() == "DESCENDING",
        )
    else:
        raise validation('Invalid input JSON: a sort is {"propertyName", "direction"}')
    if name not in kinds:
        raise validation(f"There was a problem with the request: cannot sort on unknown property {name}")
    return name, descending


def search(call: Call) -> Record:
    object_type = call.object_type
    body = call.body()
    if not isinstance(body, dict):
        raise validation("Invalid input JSON: the search body must be an object")
    kinds = {d["name"]: d["type"] for d in call.store.definitions[object_type]}
    limit = body.get("limit", DEFAULT_SEARCH_LIMIT)
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_SEARCH_LIMIT:
        raise validation(f"limit must be between 1 and {MAX_SEARCH_LIMIT}, not {limit!r}")
    after_text = str(body.get("after") or "0")
    if not after_text.isdigit():
        raise validation(f"after must be the paging cursor of an earlier page, not {after_text!r}")
    after = int(after_text)
    if after >= RESULT_CAP:
        raise validation(
            f"The search API returns at most {RESULT_CAP:,} results per query; "
            f"after={after} is past them. Narrow the query."
        )
    groups = body.get("filterGroups") or []
    if not isinstance(groups, list) or len(groups) > MAX_GROUPS:
        raise validation(f"A search takes at most {MAX_GROUPS} filterGroups")
    tests: list[list[Test]] = []
    parsed: list[list[tuple[str, str, Any, Test]]] = []
    for group in groups:
        filters = group.get("filters") if isinstance(group, dict) else None
        if not isinstance(filters, list) or len(filters) > MAX_FILTERS_PER_GROUP:
            raise validation(f"Each filterGroup takes 1 to {MAX_FILTERS_PER_GROUP} filters")
        parsed.append([_filter(call, f, kinds) for f in filters])
        tests.append([f[3] for f in parsed[-1]])
    if sum(len(t) for t in tests) > MAX_FILTERS:
        raise validation(f"A search takes at most {MAX_FILTERS} filters in all")
    sort_name, descending = _sort(body.get("sorts"), kinds)
    query = json.dumps(
        [object_type, groups, body.get("sorts"), body.get("query")], default=str, sort_keys=True
    )
    matched = call.store.search_matches(query)
    if matched is None:
        records = _candidates(call, sort_name, _modified_window(call, parsed))
        matched = [r for r in records if _matches(call, r, tests)]
        if descending:
            matched.reverse()
        call.store.keep_search(query, matched)
    page = matched[after : after + limit]
    names = wanted_properties(call, object_type, body.get("properties") or None)
    out: Record = {"total": len(matched), "results": [render(call, object_type, r, names) for r in page]}
    if after + limit < len(matched):
        out["paging"] = {"next": {"after": str(after + limit)}}
    return out


def _candidates(call: Call, sort_name: str, window: tuple[datetime, datetime | None] | None) -> list[Record]:
    """Live records in ascending (sort value, id) order (records without the value first); only those
    last modified inside `window` when every filter group bounds the last-modified date."""
    field = _index_field(call, sort_name)
    if window is None:
        return call.store.ordered(call.object_type, field)[1]
    keys, records = call.store.ordered(call.object_type, "updatedAt")
    low, high = window
    start = bisect_left(keys, (low, -1))
    end = len(keys) if high is None else bisect_right(keys, (high, 1 << 62))
    chosen = records[start:end]
    if field == "updatedAt":
        return chosen
    return sorted(chosen, key=lambda r: _key_of(r, field))


def _key_of(record: Record, field: str) -> tuple[Any, ...]:
    if field == "id":
        return (int(record["id"]),)
    if field == "createdAt":
        return (record["createdAt"], int(record["id"]))
    value = record["properties"].get(field)
    return (value is not None, value if value is not None else 0, int(record["id"]))


def _modified_window(
    call: Call, groups: list[list[tuple[str, str, Any, Test]]]
) -> tuple[datetime, datetime | None] | None:
    """The span of last-modified dates the filters allow, when every group bounds it from below."""
    modified = MODIFIED[call.object_type]
    lows: list[datetime] = []
    highs: list[datetime | None] = []
    for group in groups:
        low = max(
            (b for n, op, b, _ in group if n == modified and op in ("GTE", "GT", "EQ", "BETWEEN")),
            default=None,
        )
        high = min((b for n, op, b, _ in group if n == modified and op in ("LTE", "LT", "EQ")), default=None)
        if low is None:
            return None
        lows.append(low)
        highs.append(high)
    if not lows:
        return None
    return min(lows), None if any(h is None for h in highs) else max(h for h in highs if h is not None)


def _index_field(call: Call, sort_name: str) -> str:
    if sort_name == "hs_object_id":
        return "id"
    if sort_name == MODIFIED[call.object_type]:
        return "updatedAt"
    if sort_name == "createdate":
        return "createdAt"
    return sort_name


class _Values:
    """A record's property values for the filters, derived ones computed only when a filter asks."""

    def __init__(self, call: Call, record: Record) -> None:
        self.call, self.record = call, record
        self.derived: dict[str, Any] | None = None

    def get(self, name: str) -> Any:
        record = self.record
        if name == "hs_object_id":
            return int(record["id"])
        if name == MODIFIED[self.call.object_type]:
            return record["updatedAt"]
        if name == "createdate":
            return record["createdAt"]
        if name in record["properties"]:
            return record["properties"][name]
        if self.derived is None:
            self.derived = all_values(self.call, self.call.object_type, record)
        return self.derived.get(name)


def _matches(call: Call, record: Record, tests: list[list[Test]]) -> bool:
    if not tests:
        return True
    values = _Values(call, record)
    return any(all(test(values) for test in group) for group in tests)
