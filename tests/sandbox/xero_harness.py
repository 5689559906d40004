"""Drive the Xero emulator directly (no httpx) and check every answer against the official spec."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from tests.spec_validation import SpecValidator
from workbench.sandbox import credentials
from workbench.sandbox.clock import SandboxClock
from workbench.sandbox.demo.dataset import XeroTenant
from workbench.sandbox.wire import Request, Response
from workbench.sandbox.xero.accounting import XeroEmulator
from workbench.sandbox.xero.limits import XeroLimits

MOUNT = "/xero"
API = "/xero/api.xro/2.0"


class XeroHarness:
    def __init__(self, tenant: XeroTenant, limits: XeroLimits | None = None) -> None:
        self.clock = SandboxClock(datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
        self.tenant = tenant
        self.emulator = XeroEmulator([tenant], self.clock, limits)
        self.spec = SpecValidator("xero", mount=API)
        self.token = self.client_credentials_token()

    def raw(
        self,
        method: str,
        path: str,
        query: dict[str, Any] | None = None,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[Request, Response]:
        data = body if isinstance(body, bytes) else (json.dumps(body).encode() if body is not None else b"")
        all_headers = {
            "Accept": "application/json",
            **({"Content-Type": "application/json"} if data else {}),
            **(headers or {}),
        }
        request = Request.build(method, path, urlencode(query or {}), all_headers, data)
        return request, self.emulator.handle(request, path[len(MOUNT) :])

    def client_credentials_token(self) -> str:
        basic = base64.b64encode(
            f"{credentials.XERO_CLIENT_ID}:{credentials.XERO_CLIENT_SECRET}".encode()
        ).decode()
        request = Request.build(
            "POST",
            "/xero/identity/connect/token",
            "",
            {"Authorization": f"Basic {basic}", "Content-Type": "application/x-www-form-urlencoded"},
            b"grant_type=client_credentials",
        )
        response = self.emulator.handle(request, "/identity/connect/token")
        assert response.status == 200, response.body
        return str(response.payload()["access_token"])

    def get_unchecked(self, resource: str) -> Response:
        """A GET that skips spec validation (for loops of thousands of calls)."""
        return self.raw("GET", f"{API}/{resource}", headers={"Authorization": f"Bearer {self.token}"})[1]

    def call(
        self,
        method: str,
        resource: str,
        query: dict[str, Any] | None = None,
        body: Any = None,
        headers: dict[str, str] | None = None,
        *,
        expect: int = 200,
        error_schema: str | None = None,
    ) -> Response:
        """Call the API as an authorised app, assert the status and validate the answer against the spec."""
        request, response = self.raw(
            method,
            f"{API}/{resource}",
            query,
            body,
            {"Authorization": f"Bearer {self.token}", **(headers or {})},
        )
        assert response.status == expect, (response.status, response.body[:800])
        if expect in (200, 400) or error_schema:
            self.spec.check(request, response, error_schema=error_schema)
        return response
