"""Validate sandbox requests and responses against the official OpenAPI specs in ../shared/specs.

The specs are the arbiter of the sandbox's fidelity: every emulated operation's responses, errors
included, go through `SpecValidator.check`. Undocumented statuses (Xero documents few of its errors)
are checked against the schema the vendor documents for that error body, named by the caller.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import yaml
from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_schema_validator import OAS30Validator
from werkzeug.datastructures import Headers as WzHeaders
from werkzeug.datastructures import ImmutableMultiDict

from workbench.sandbox.wire import Request, Response

SPECS_DIR = Path(
    os.environ.get("WORKBENCH_SPECS_DIR", Path(__file__).resolve().parents[2] / "shared" / "specs")
)
SPEC_FILES = {
    "xero": SPECS_DIR / "xero" / "xero_accounting.yaml",
    "xero-identity": SPECS_DIR / "xero" / "xero-identity.yaml",
    "pipedrive-v2": SPECS_DIR / "pipedrive" / "openapi-v2.crm-subset.yaml",
    "pipedrive-v1": SPECS_DIR / "pipedrive" / "openapi-v1.crm-subset.yaml",
}


@functools.cache
def load_spec_dict(name: str) -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with SPEC_FILES[name].open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=loader)  # a safe loader


# Xero's identity API writes connection timestamps without an offset and with 7 fraction digits
# ("2019-12-07T18:46:19.5165400", the spec's own example), which RFC 3339 `date-time` refuses: for these
# specs `date-time` means any ISO-8601 date and time, offset optional.
NAIVE_DATETIME_SPECS = frozenset({"xero-identity"})
_ISO_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?(Z|[+-]\d{2}:?\d{2})?", re.IGNORECASE
)


def _iso_datetime(value: object) -> bool:
    return not isinstance(value, str) or _ISO_DATETIME.fullmatch(value) is not None


@functools.cache
def load_openapi(name: str) -> OpenAPI:
    # The vendors' specs do not all pass openapi-spec-validator (Xero's has string defaults on
    # booleans); traffic is validated against them as published, so checking the spec itself is off.
    options: dict[str, object] = {"spec_validator_cls": None}
    if name in NAIVE_DATETIME_SPECS:
        options["extra_format_validators"] = {"date-time": _iso_datetime}
    return OpenAPI.from_dict(load_spec_dict(name), config=Config(**options))  # type: ignore[arg-type]


@functools.cache
def _spec_paths(name: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(path.strip("/").split("/")) for path in load_spec_dict(name)["paths"])


def spec_spelling(name: str, path: str) -> str:
    """`path` spelt as the spec spells it: Xero routes case-insensitively (/connections = /Connections).

    Literal segments take the spec's case; parameter values are kept. A path the spec already matches
    case-sensitively is returned unchanged; among case-insensitive matches the most literal one wins.
    """
    segments = path.strip("/").split("/")

    def fits(template: tuple[str, ...], exact: bool) -> bool:
        if len(template) != len(segments):
            return False
        pairs = zip(template, segments, strict=True)
        return all("{" in t or (t == s if exact else t.lower() == s.lower()) for t, s in pairs)

    templates = _spec_paths(name)
    if any(fits(t, True) for t in templates):
        return path
    candidates = [t for t in templates if fits(t, False)]
    if not candidates:
        return path
    best = max(candidates, key=lambda t: sum("{" not in x for x in t))
    return "/" + "/".join(s if "{" in t else t for t, s in zip(best, segments, strict=True))


@dataclass
class _SpecRequest:
    host_url: str
    path: str
    method: str
    parameters: RequestParameters
    content_type: str
    body: bytes | None

    @property
    def full_url_pattern(self) -> str:
        return self.host_url + self.path


@dataclass
class _SpecResponse:
    status_code: int
    content_type: str
    headers: WzHeaders
    data: bytes | None


class SpecValidator:
    """Checks a sandbox exchange against one spec, given the spec path the request maps to."""

    def __init__(self, name: str, mount: str) -> None:
        self.name = name
        self.spec = load_spec_dict(name)
        self.openapi = load_openapi(name)
        server = urlsplit(self.spec["servers"][0]["url"])
        self.host_url = f"{server.scheme}://{server.netloc}"
        self.server_path = server.path.rstrip("/")
        self.mount = mount.rstrip("/")

    def _spec_request(self, request: Request) -> _SpecRequest:
        path = request.path
        if not path.startswith(self.mount):
            raise AssertionError(f"{request.path} is not under {self.mount}")
        path = self.server_path + spec_spelling(self.name, path[len(self.mount) :])
        query = ImmutableMultiDict(request.query)
        headers = WzHeaders(request.headers.items())
        return _SpecRequest(
            host_url=self.host_url,
            path=path,
            method=request.method.lower(),
            parameters=RequestParameters(query=query, header=headers, cookie=ImmutableMultiDict()),
            content_type=(request.headers.get("Content-Type") or "application/json").lower(),
            body=request.body or None,
        )

    def check(self, request: Request, response: Response, *, error_schema: str | None = None) -> None:
        """Raise AssertionError naming every way `response` departs from the spec."""
        spec_request = self._spec_request(request)
        spec_response = _SpecResponse(
            status_code=response.status,
            content_type=(response.headers.get("Content-Type") or "").lower(),
            headers=WzHeaders(response.headers.items()),
            data=response.body,
        )
        if error_schema is not None:
            self.check_schema(response.payload(), error_schema)
            return
        errors = list(self.openapi.iter_response_errors(spec_request, spec_response))
        if errors:
            details = "; ".join(_describe(e)[-1500:] for e in errors)
            raise AssertionError(
                f"{request.method} {request.path} -> {response.status} breaks {self.name}: {details}\n"
                f"body: {response.body[:600]!r}"
            )

    def check_request(self, request: Request) -> None:
        errors = list(self.openapi.iter_request_errors(self._spec_request(request)))
        if errors:
            raise AssertionError(
                f"{request.method} {request.path} request breaks {self.name}: "
                + "; ".join(_describe(e) for e in errors)
            )

    def check_schema(self, payload: Any, schema_name: str) -> None:
        """Validate `payload` against components/schemas/<schema_name> of this spec."""
        schema = {"$ref": f"#/components/schemas/{schema_name}", "components": self.spec["components"]}
        errors = sorted(OAS30Validator(schema).iter_errors(payload), key=lambda e: list(e.path))
        if errors:
            raise AssertionError(
                f"payload breaks {self.name} schema {schema_name}: "
                + "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:10])
            )


def _describe(error: Exception) -> str:
    parts = [f"{type(error).__name__}: {error}"]
    cause = error.__cause__
    while cause is not None:
        schema_errors = getattr(cause, "schema_errors", None)
        if schema_errors:
            parts.extend(f"{list(e.path)}: {e.message}" for e in list(schema_errors)[:10])
        else:
            parts.append(f"{type(cause).__name__}: {cause}")
        cause = cause.__cause__
    return " | ".join(parts)


def query_string(params: dict[str, Any]) -> str:
    return urlencode(params)
