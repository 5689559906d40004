"""Xero's JSON wire encoding: `/Date(ms+0000)/` dates, numbers for money, and reading request values back."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

_MS_DATE = re.compile(r"^/Date\((-?\d+)([+-]\d{4})?\)/$")
_ISO_DATE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$"
)


@lru_cache(maxsize=1 << 16)
def ms_date(value: date | datetime) -> str:
    """A date (org-local calendar day as midnight UTC) or instant as Xero's `/Date(ms+0000)/`."""
    instant = value if isinstance(value, datetime) else datetime.combine(value, time(), tzinfo=UTC)
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    millis = int(instant.timestamp() * 1000)
    return f"/Date({millis}+0000)/"


def iso_string(value: date | datetime) -> str:
    """The `*String` twin Xero adds beside some dates (e.g. DateString "2026-01-02T00:00:00")."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return value.strftime("%Y-%m-%dT00:00:00")


_PLAIN = frozenset({str, int, bool, float})


def to_wire(value: Any) -> Any:
    """Recursively turn stored Python values into Xero JSON values."""
    # Dispatch on the exact type first: this runs for every value of every record served.
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is dict:
        return {
            key: item if type(item) in _PLAIN else to_wire(item)
            for key, item in value.items()
            if item is not None
        }
    if kind is list:
        return [item if type(item) in _PLAIN else to_wire(item) for item in value]
    if isinstance(value, dict):
        return {key: to_wire(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [to_wire(item) for item in value]
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime | date):
        return ms_date(value)
    return value


class BadValue(ValueError):
    """A request value Xero would reject; the message is what Xero says."""


def parse_request_date(raw: Any, field: str) -> date:
    """Xero accepts `YYYY-MM-DD`, ISO datetimes and `/Date(ms)/` in requests; the calendar day is kept."""
    if isinstance(raw, str):
        text = raw.strip()
        found = _MS_DATE.match(text)
        if found:
            return datetime.fromtimestamp(int(found.group(1)) / 1000, tz=UTC).date()
        iso = _ISO_DATE.match(text)
        if iso:
            try:
                return date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
            except ValueError:
                pass
    raise BadValue(f"The {field} '{raw}' is not a valid date. Use the format YYYY-MM-DD.")


def parse_if_modified_since(raw: str) -> datetime | None:
    """The `If-Modified-Since` header: ISO-8601 (what the SDKs send) or an HTTP date."""
    text = raw.strip()
    iso = _ISO_DATE.match(text)
    if iso:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    try:
        from email.utils import parsedate_to_datetime

        return parsedate_to_datetime(text).astimezone(UTC)
    except (TypeError, ValueError):
        return None


def parse_decimal(raw: Any, field: str) -> Decimal:
    if isinstance(raw, bool):
        raise BadValue(f"{field} must be a number.")
    try:
        return Decimal(repr(raw)) if isinstance(raw, float) else Decimal(str(raw))
    except (InvalidOperation, ValueError) as exc:
        raise BadValue(f"{field} must be a number.") from exc
