"""What every handler gets: the portal's store, the request, path parameters and the sandbox's now."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from workbench.sandbox.hubspot.errors import validation
from workbench.sandbox.hubspot.store import PortalStore
from workbench.sandbox.wire import Request


@dataclass(frozen=True)
class Call:
    store: PortalStore
    request: Request
    params: dict[str, str]
    now: datetime
    path: str
    object_type: str = ""

    def list_param(self, name: str) -> list[str]:
        """Every value of a query parameter sent repeated (`a=x&a=y`, as the SDK does) or comma separated."""
        values: list[str] = []
        for key, value in self.request.query:
            if key == name:
                values.extend(v.strip() for v in value.split(",") if v.strip())
        return values

    def link(self, **changes: str) -> str:
        """This request's URL with some query parameters replaced (HubSpot's `paging.next.link`)."""
        query = [(k, v) for k, v in self.request.query if k not in changes] + list(changes.items())
        return f"https://api.hubapi.com{self.path}?{urlencode(query)}"

    def body(self) -> Any:
        """The JSON body, numbers with a fraction as Decimal (money must never pass through float)."""
        try:
            return json.loads(self.request.body.decode("utf-8") or "null", parse_float=Decimal)
        except (UnicodeDecodeError, ValueError):
            raise validation("Invalid input JSON: the body is not valid JSON") from None
