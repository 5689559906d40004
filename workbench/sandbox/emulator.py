"""What the sandbox asks of each emulator (Xero, Pipedrive, later HubSpot)."""

from __future__ import annotations

from typing import Any, Protocol

from workbench.sandbox.wire import Request, Response


class Emulator(Protocol):
    """One emulated service. `path` is the request path below the service's mount point."""

    system: str

    def handle(self, request: Request, path: str) -> Response:
        """Answer one request exactly as the real service would (envelopes, errors, limit headers)."""
        ...

    def fault_response(self, kind: str) -> Response:
        """An injected failure ("429", "500" or "503") in this service's own error shape."""
        ...

    def expire_tokens(self) -> None:
        """Make every access token issued so far expire now (the 'token expires mid-pull' fault)."""
        ...

    def export_state(self) -> dict[str, Any]:
        """Every record created or changed through the API since generation (plain Python values)."""
        ...

    def import_state(self, state: dict[str, Any]) -> None:
        """Re-apply what `export_state` returned, on top of the freshly generated demo client."""
        ...
