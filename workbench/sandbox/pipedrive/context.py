"""What every handler gets (the call) and the envelopes it answers with."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from workbench.sandbox.pipedrive.encode import parse_int
from workbench.sandbox.pipedrive.errors import bad_request, validation_failed
from workbench.sandbox.pipedrive.store import CompanyStore
from workbench.sandbox.wire import Request


@dataclass(frozen=True)
class Call:
    """One routed request: the store it reads, path parameters, the sandbox's now and the caller."""

    store: CompanyStore
    request: Request
    params: dict[str, str]
    now: datetime
    user_id: int
    version: str = "v2"

    def path_id(self) -> int:
        value = parse_int(self.params["id"])
        if value is None or value < 1:
            if self.version == "v1":
                raise bad_request("id must be a positive integer")
            raise validation_failed("id: Must be a positive integer")
        return value

    def body(self) -> Any:
        """The JSON body, numbers with a fraction as Decimal (money must never pass through float)."""
        try:
            return json.loads(self.request.body.decode("utf-8") or "null", parse_float=Decimal)
        except (UnicodeDecodeError, ValueError):
            raise validation_failed("body: Must be valid JSON") from None


def one(data: Any) -> dict[str, Any]:
    return {"success": True, "data": data}


def page(data: list[Any], next_cursor: str | None) -> dict[str, Any]:
    return {"success": True, "data": data, "additional_data": {"next_cursor": next_cursor}}
