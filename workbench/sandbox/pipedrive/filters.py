"""Strict reading of v2 query parameters: a malformed value is a 400, never silently ignored."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from workbench.sandbox.pipedrive.encode import parse_int, parse_rfc3339
from workbench.sandbox.pipedrive.errors import not_allowed_parameter, validation_failed
from workbench.sandbox.wire import Request

MAX_IDS = 100
MAX_CUSTOM_FIELD_KEYS = 15
# Query parameters every route accepts: the legacy token parameter is read by the gateway, not the API.
GATEWAY_PARAMS = frozenset({"api_token"})


def reject_unknown(request: Request, allowed: frozenset[str]) -> None:
    """v2 validates the query against the operation's schema (e.g. `updated_since` on /stages is a 400)."""
    unknown = sorted({name for name, _ in request.query} - allowed - GATEWAY_PARAMS)
    if unknown:
        raise validation_failed(*(not_allowed_parameter(name) for name in unknown))


def int_param(request: Request, name: str) -> int | None:
    raw = request.param(name)
    if raw is None:
        return None
    value = parse_int(raw)
    if value is None:
        raise validation_failed(f"{name}: Must be an integer")
    return value


def id_list(request: Request, name: str, *, required: bool = False) -> list[int] | None:
    """A comma-separated list of at most 100 integer ids."""
    raw = request.param(name)
    if raw is None or raw == "":
        if required:
            raise validation_failed(f"{name}: Required parameter is missing")
        return None
    ids = [parse_int(part.strip()) for part in raw.split(",")]
    if any(i is None for i in ids):
        raise validation_failed(f"{name}: Must be a comma-separated list of integers")
    if len(ids) > MAX_IDS:
        raise validation_failed(f"{name}: A maximum of {MAX_IDS} ids is allowed")
    return [i for i in ids if i is not None]


def time_param(request: Request, name: str) -> datetime | None:
    """An RFC 3339 instant such as 2025-01-01T10:20:00Z (fractional seconds and spaces are a 400)."""
    raw = request.param(name)
    if raw is None:
        return None
    value = parse_rfc3339(raw)
    if value is None:
        raise validation_failed(f"{name}: Must be an RFC3339 date-time without fractional seconds, "
                                "e.g. 2025-01-01T10:20:00Z")  # fmt: skip
    return value


def bool_param(request: Request, name: str) -> bool:
    raw = request.param(name)
    if raw is None:
        return False
    if raw not in ("true", "false"):
        raise validation_failed(f"{name}: Must be true or false")
    return raw == "true"


def choice_list(request: Request, name: str, allowed: Iterable[str]) -> list[str] | None:
    """A comma-separated list whose items must each be one of `allowed`."""
    raw = request.param(name)
    if raw is None:
        return None
    choices = tuple(allowed)
    items = [part.strip() for part in raw.split(",") if part.strip()]
    bad = [item for item in items if item not in choices]
    if bad or not items:
        raise validation_failed(f"{name}: Must be a comma-separated list of {', '.join(choices)}")
    return items


def custom_field_keys(request: Request) -> set[str] | None:
    raw = request.param("custom_fields")
    if raw is None:
        return None
    keys = {part.strip() for part in raw.split(",") if part.strip()}
    if len(keys) > MAX_CUSTOM_FIELD_KEYS:
        raise validation_failed(f"custom_fields: A maximum of {MAX_CUSTOM_FIELD_KEYS} keys is allowed")
    return keys


def in_window(record: dict[str, Any], since: datetime | None, until: datetime | None) -> bool:
    """`updated_since` is inclusive, `updated_until` exclusive (the spec's "earlier than")."""
    updated = record.get("update_time")
    if since is not None and (updated is None or updated < since):
        return False
    return not (until is not None and (updated is None or updated >= until))


def matches(record: dict[str, Any], **wanted: Any) -> bool:
    return all(value is None or record.get(key) == value for key, value in wanted.items())
