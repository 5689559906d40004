"""Pipedrive wire encoding: Python record values to JSON values, and strict parsing of request values.

v2 writes instants as RFC 3339 with a `Z` and whole seconds (`2026-01-02T03:04:05Z`); v1 (users) still
writes `YYYY-MM-DD HH:MM:SS` in UTC. Dates are `YYYY-MM-DD` in both. Money is a JSON number.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

# The real v2 API rejects fractional seconds and space-separated timestamps in `updated_since`.
_RFC3339 = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(Z|[+-]\d{2}:\d{2})$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def v1_datetime(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def number(value: Decimal | int | float) -> int | float:
    """A JSON number for `value`: integral amounts as ints (Pipedrive writes `200`, not `200.0`)."""
    if isinstance(value, bool):
        raise TypeError("a boolean is not a number")
    if isinstance(value, int):
        return value
    decimal = value if isinstance(value, Decimal) else Decimal(str(value))
    if decimal == decimal.to_integral_value():
        return int(decimal)
    return float(decimal)


def to_wire(value: Any, *, v1: bool = False) -> Any:
    """Encode one record value (recursively) the way Pipedrive's v2 (or v1) JSON carries it."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, Decimal | int | float):
        return number(value)
    if isinstance(value, datetime):
        return v1_datetime(value) if v1 else rfc3339(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): to_wire(v, v1=v1) for k, v in value.items() if not str(k).startswith("_")}
    if isinstance(value, list | tuple):
        return [to_wire(v, v1=v1) for v in value]
    raise TypeError(f"cannot encode {type(value).__name__} for the Pipedrive wire")


def parse_rfc3339(text: str) -> datetime | None:
    """Parse a strict RFC 3339 instant (no fractions, `T` separator); None if it is not one."""
    match = _RFC3339.match(text)
    if not match:
        return None
    zone = match.group(7)
    try:
        parsed = datetime.fromisoformat(text[:-1] + "+00:00" if zone == "Z" else text)
    except ValueError:
        return None
    return parsed.astimezone(UTC)


def parse_date(text: str) -> date | None:
    if not _DATE.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def parse_int(text: str) -> int | None:
    """A base-10 integer query value, or None (`1.0`, `1e3` and ` 1` are not integers here)."""
    if not re.fullmatch(r"-?\d+", text):
        return None
    return int(text)


def parse_decimal(value: Any) -> Decimal | None:
    """A JSON number from a request body as Decimal; None for anything else (strings, booleans)."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def is_json_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
