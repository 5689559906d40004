"""The sandbox over loopback HTTP (`workbench sandbox serve`), so any HTTP client or SDK can use it."""

from __future__ import annotations

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from workbench.sandbox.app import Sandbox
from workbench.sandbox.faults import DroppedConnection
from workbench.sandbox.wire import Request

LOOPBACK = "127.0.0.1"
MAX_REAL_DELAY = 10.0


def _handler_for(sandbox: Sandbox) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "WorkbenchSandbox/1.0"

        def log_message(self, format: str, *args: object) -> None:
            if getattr(self.server, "verbose", False):
                super().log_message(format, *args)

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            target = urlsplit(self.path)
            request = Request.build(
                self.command, target.path, target.query, list(self.headers.items()), body, host=LOOPBACK
            )
            try:
                response = sandbox.handle(request)
            except DroppedConnection:
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            if response.delay_seconds:
                time.sleep(min(response.delay_seconds, MAX_REAL_DELAY))
            self.send_response(response.status)
            for name, value in response.headers.items():
                if name.lower() not in ("content-length", "connection"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(response.body)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve

    return Handler


class SandboxServer:
    """A threaded loopback server for a sandbox; `with SandboxServer(sb) as server: server.base_url`."""

    def __init__(self, sandbox: Sandbox, port: int = 0, *, verbose: bool = False) -> None:
        self.sandbox = sandbox
        self.httpd = ThreadingHTTPServer((LOOPBACK, port), _handler_for(sandbox))
        self.httpd.daemon_threads = True
        self.httpd.verbose = verbose  # type: ignore[attr-defined]
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def urls(self) -> dict[str, str]:
        base = self.base_url
        return {
            "xero_api": f"{base}/xero/api.xro/2.0",
            "xero_token": f"{base}/xero/identity/connect/token",
            "xero_authorize": f"{base}/xero/identity/connect/authorize",
            "xero_revocation": f"{base}/xero/identity/connect/revocation",
            "xero_connections": f"{base}/xero/connections",
            "pipedrive_v2": f"{base}/pipedrive/api/v2",
            "pipedrive_v1": f"{base}/pipedrive/v1",
            "hubspot": f"{base}/hubspot",
            "hubspot_token": f"{base}/hubspot/oauth/v1/token",
        }

    def start(self) -> SandboxServer:
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="sandbox-server", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self.httpd.serve_forever()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
