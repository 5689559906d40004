"""The sandbox's own request and response: what every emulator handles, whatever carried it.

The in-process httpx transport and the loopback HTTP server both translate to and from these, so an
emulator never knows (or cares) how it was reached.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl


class Headers:
    """Case-insensitive, single-valued header map (what the emulators need of HTTP headers)."""

    def __init__(self, items: dict[str, str] | list[tuple[str, str]] | None = None) -> None:
        self._items: dict[str, tuple[str, str]] = {}
        pairs = items.items() if isinstance(items, dict) else (items or [])
        for name, value in pairs:
            self[name] = value

    def __setitem__(self, name: str, value: str) -> None:
        self._items[name.lower()] = (name, value)

    def __getitem__(self, name: str) -> str:
        return self._items[name.lower()][1]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._items

    def __delitem__(self, name: str) -> None:
        del self._items[name.lower()]

    def get(self, name: str, default: str | None = None) -> str | None:
        found = self._items.get(name.lower())
        return found[1] if found else default

    def items(self) -> list[tuple[str, str]]:
        return list(self._items.values())

    def __repr__(self) -> str:
        return f"Headers({dict(self.items())!r})"


@dataclass
class Request:
    """One HTTP request as an emulator sees it. `path` excludes the query string."""

    method: str
    path: str
    query: list[tuple[str, str]] = field(default_factory=list)
    headers: Headers = field(default_factory=Headers)
    body: bytes = b""
    host: str = "127.0.0.1"

    @classmethod
    def build(
        cls,
        method: str,
        path: str,
        query_string: str = "",
        headers: dict[str, str] | list[tuple[str, str]] | None = None,
        body: bytes = b"",
        host: str = "127.0.0.1",
    ) -> Request:
        return cls(
            method=method.upper(),
            path=path,
            query=parse_qsl(query_string, keep_blank_values=True),
            headers=Headers(headers),
            body=body,
            host=host,
        )

    def param(self, name: str, default: str | None = None, *, case_insensitive: bool = False) -> str | None:
        """The last value of query parameter `name` (Xero's parameter names are case-insensitive)."""
        wanted = name.lower() if case_insensitive else name
        found = default
        for key, value in self.query:
            if (key.lower() if case_insensitive else key) == wanted:
                found = value
        return found

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8")) if self.body else None

    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.body.decode("utf-8"), keep_blank_values=True))


@dataclass
class Response:
    """One HTTP response from an emulator; `body` is already encoded."""

    status: int
    body: bytes = b""
    headers: Headers = field(default_factory=Headers)
    delay_seconds: float = 0.0  # a slow-response fault: how long the answer takes to arrive

    @classmethod
    def json(cls, status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
        response = cls(status=status, body=json.dumps(payload, separators=(",", ":")).encode("utf-8"))
        response.headers["Content-Type"] = "application/json; charset=utf-8"
        for name, value in (headers or {}).items():
            response.headers[name] = value
        return response

    @classmethod
    def text(cls, status: int, text: str, content_type: str = "text/plain; charset=utf-8") -> Response:
        response = cls(status=status, body=text.encode("utf-8"))
        response.headers["Content-Type"] = content_type
        return response

    @classmethod
    def redirect(cls, location: str) -> Response:
        response = cls(status=302)
        response.headers["Location"] = location
        return response

    def payload(self) -> Any:
        return json.loads(self.body.decode("utf-8"))
