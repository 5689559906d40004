"""The sandbox as an httpx transport: in-process, no ports, for tests, notebooks and the app's default."""

from __future__ import annotations

import httpx

from workbench.sandbox.app import Sandbox
from workbench.sandbox.faults import DroppedConnection
from workbench.sandbox.wire import Request


class SandboxTransport(httpx.BaseTransport):
    """Hands each httpx request to the sandbox; faults become the exceptions a network would raise.

    A slow response moves the sandbox clock instead of sleeping; if it is slower than the request's
    read timeout, the clock moves by the timeout and httpx.ReadTimeout is raised, as on a real socket.
    """

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        sandbox_request = Request.build(
            request.method,
            request.url.path,
            request.url.query.decode("ascii"),
            list(request.headers.multi_items()),
            body,
            host=request.url.host,
        )
        try:
            response = self.sandbox.handle(sandbox_request)
        except DroppedConnection as exc:
            raise httpx.RemoteProtocolError(str(exc), request=request) from exc
        if response.delay_seconds:
            timeout = (request.extensions.get("timeout") or {}).get("read")
            if timeout is not None and response.delay_seconds > timeout:
                self.sandbox.clock.advance(timeout)
                raise httpx.ReadTimeout(f"sandbox answered after {response.delay_seconds}s", request=request)
            self.sandbox.clock.advance(response.delay_seconds)
        return httpx.Response(
            response.status,
            headers=[(k, v) for k, v in response.headers.items() if k.lower() != "content-length"],
            content=response.body,
            request=request,
        )
