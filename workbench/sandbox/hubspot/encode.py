"""HubSpot's wire values: every property is a string; instants are ISO 8601 UTC with milliseconds.

Also the reverse for what clients send (a write or a search filter), typed by the property definition:
numbers as `Decimal` (never float), datetimes as epoch milliseconds or ISO text, booleans as true/false.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any


def instant(value: datetime) -> str:
    """`2026-03-10T09:30:00.000Z`."""
    moment = value.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def property_text(value: Any) -> str | None:
    """A stored property value as HubSpot sends it (always a string, or null)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return instant(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return text
    return str(value)


def parse_decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def parse_instant(value: Any) -> datetime | None:
    """Epoch milliseconds (number or digits) or ISO 8601 text (`Z` or an offset) as aware UTC."""
    if isinstance(value, bool) or value is None:
        return None
    text = str(value).strip()
    if text.lstrip("-").isdigit():
        return datetime.fromtimestamp(int(text) / 1000, tz=UTC)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.replace(tzinfo=moment.tzinfo or UTC).astimezone(UTC)


def parse_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    return True if text == "true" else False if text == "false" else None


def typed(kind: str, value: Any) -> Any:
    """A client's value for a property of HubSpot `type` `kind`, stored typed; ValueError if it cannot be.

    An empty string clears the property, as it does in HubSpot.
    """
    if value is None or value == "":
        return None
    if kind == "number":
        number = parse_decimal(value)
        if number is None:
            raise ValueError(f"{value!r} is not a valid number")
        return number
    if kind == "bool":
        flag = parse_bool(value)
        if flag is None:
            raise ValueError(f"{value!r} is not a valid boolean (true or false)")
        return flag
    if kind in ("datetime", "date"):
        moment = parse_instant(value)
        if moment is None:
            raise ValueError(f"{value!r} is not a valid {kind} (epoch milliseconds or ISO 8601)")
        return moment.date() if kind == "date" else moment
    if isinstance(value, dict | list):
        raise ValueError(f"{value!r} is not a valid {kind} value")
    return str(value)
