"""HubSpot's error bodies, and the exception the handlers raise to produce one.

Every CRM error is `{"status": "error", "message", "correlationId", "category", ...}` (the SDK's `Error`
model: category, correlationId and message required; `subCategory`, `errors`, `context`, `links`
optional). Rate-limit refusals add `errorType: RATE_LIMIT` and the `policyName` that was hit; the OAuth
token endpoint answers `{"status": "BAD_REFRESH_TOKEN", "message", "correlationId"}` instead.
"""

from __future__ import annotations

import hashlib
import itertools
from typing import Any

_counter = itertools.count(1)


def correlation_id() -> str:
    """A UUID-shaped id, different per error and reproducible per process (no uuid4: no global state)."""
    digest = hashlib.sha256(f"hubspot-sandbox-error-{next(_counter)}".encode()).hexdigest()
    return f"{digest[:8]}-{digest[8:12]}-4{digest[13:16]}-a{digest[17:20]}-{digest[20:32]}"


class HubSpotError(Exception):
    """Raised by a handler to answer with `status` and HubSpot's error body instead of data."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(f"{status}: {body.get('message')}")
        self.status = status
        self.body = body


def error_body(message: str, category: str, **extra: Any) -> dict[str, Any]:
    return {
        "status": "error",
        "message": message,
        "correlationId": correlation_id(),
        "category": category,
        **extra,
    }


def validation(message: str, *errors: dict[str, Any]) -> HubSpotError:
    body = error_body(message, "VALIDATION_ERROR")
    if errors:
        body["errors"] = list(errors)
    return HubSpotError(400, body)


def detail(message: str, code: str, name: str | None = None) -> dict[str, Any]:
    """One entry of `errors[]` (the SDK's ErrorDetail: message required; code, in, context optional)."""
    entry: dict[str, Any] = {"message": message, "code": code}
    if name is not None:
        entry["context"] = {"propertyName": [name]}
    return entry


def not_found(object_type: str, object_id: str) -> HubSpotError:
    return HubSpotError(
        404,
        error_body(
            f"resource not found: {object_type} {object_id}", "OBJECT_NOT_FOUND", context={"id": [object_id]}
        ),
    )


def unknown_route(method: str, path: str) -> HubSpotError:
    return HubSpotError(404, error_body(f"Unable to route {method} {path}", "OBJECT_NOT_FOUND"))


def method_not_allowed(method: str) -> HubSpotError:
    return HubSpotError(405, error_body(f"HTTP {method} is not supported by this resource", "MISSING_METHOD"))


def not_emulated(method: str, path: str) -> HubSpotError:
    """An operation HubSpot has that the sandbox does not emulate (never a silent fake)."""
    return HubSpotError(501, error_body(f"{method} {path} is not emulated by the sandbox", "NOT_IMPLEMENTED"))


def unauthenticated(expired_seconds: int | None) -> HubSpotError:
    if expired_seconds is not None:
        return HubSpotError(
            401,
            error_body(
                f"The OAuth token used to make this call expired {expired_seconds} second(s) ago.",
                "EXPIRED_AUTHENTICATION",
                context={"expired_seconds": [str(expired_seconds)]},
            ),
        )
    return HubSpotError(
        401,
        error_body(
            "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can "
            "find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview",
            "INVALID_AUTHENTICATION",
        ),
    )


def rate_limited(policy: str) -> HubSpotError:
    message = {
        "TEN_SECONDLY_ROLLING": "You have reached your ten_secondly_rolling limit.",
        "DAILY": "You have reached your daily limit.",
        "SECONDLY": "You have reached your secondly limit.",
    }[policy]
    return HubSpotError(429, error_body(message, "RATE_LIMITS", errorType="RATE_LIMIT", policyName=policy))


def server_error(status: int) -> HubSpotError:
    message = {500: "internal error", 502: "bad gateway", 503: "service unavailable"}.get(status, "error")
    return HubSpotError(status, error_body(message, "INTERNAL_ERROR"))


def token_error(status: str, message: str) -> HubSpotError:
    return HubSpotError(400, {"status": status, "message": message, "correlationId": correlation_id()})
