"""Pipedrive's error bodies, and the exception the handlers raise to produce one.

Three shapes are seen in the wild:
- gateway errors (401, 429, 5xx): `{"success": false, "error": ..., "errorCode": n, "error_info": ...}`;
- v2 schema validation (400): `{"success": false, "error": "Validation failed: ...", "code":
  "ERR_SCHEMA_VALIDATION_FAILED"}` (pipedrive/client-nodejs#651);
- application errors (404 and friends): `{"success": false, "error": ..., "error_info": ..., "data": null,
  "additional_data": null}`.
"""

from __future__ import annotations

from typing import Any

ERROR_INFO = "Please check developers.pipedrive.com for more information about Pipedrive API."
SCHEMA_VALIDATION_FAILED = "ERR_SCHEMA_VALIDATION_FAILED"


class PipedriveError(Exception):
    """Raised by a handler to answer with `status` and `body` instead of data."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(f"{status}: {body.get('error')}")
        self.status = status
        self.body = body


def gateway_body(status: int, message: str) -> dict[str, Any]:
    return {"success": False, "error": message, "errorCode": status, "error_info": ERROR_INFO}


def application_body(message: str) -> dict[str, Any]:
    return {
        "success": False,
        "error": message,
        "error_info": ERROR_INFO,
        "data": None,
        "additional_data": None,
    }


def unauthorized() -> PipedriveError:
    return PipedriveError(401, gateway_body(401, "unauthorized access"))


def over_limit() -> PipedriveError:
    return PipedriveError(429, gateway_body(429, "Request over limit"))


def server_error(status: int) -> PipedriveError:
    message = {500: "Internal server error", 503: "Service unavailable"}.get(status, "Server error")
    return PipedriveError(status, gateway_body(status, message))


def validation_failed(*problems: str) -> PipedriveError:
    """A v2 400: each problem reads `<name>: <what is wrong>`."""
    return PipedriveError(
        400,
        {
            "success": False,
            "error": "Validation failed: " + "; ".join(problems),
            "code": SCHEMA_VALIDATION_FAILED,
        },
    )


def not_allowed_parameter(name: str) -> str:
    return f"{name}: Parameter '{name}' is not allowed for this request"


def bad_request(message: str) -> PipedriveError:
    return PipedriveError(400, application_body(message))


def not_found(message: str) -> PipedriveError:
    return PipedriveError(404, application_body(message))


def method_not_allowed() -> PipedriveError:
    return PipedriveError(405, application_body("Method not allowed"))


def not_emulated(method: str, path: str) -> PipedriveError:
    """An operation the spec documents that the sandbox does not emulate (never a silent fake)."""
    return PipedriveError(501, application_body(f"{method} {path} is not emulated by the sandbox"))
