"""Local emulators of the Xero and Pipedrive APIs, seeded with a demo UK client with planted problems.

In-process: `httpx.Client(transport=SandboxTransport(Sandbox.demo()))`; over loopback:
`workbench sandbox serve`. The sandbox shares no code with the product's API clients.
"""

from __future__ import annotations

from typing import Any

__all__ = ["FaultPlan", "FaultRule", "Sandbox", "SandboxClock", "SandboxServer", "SandboxTransport"]

_HOMES = {
    "Sandbox": "workbench.sandbox.app",
    "SandboxClock": "workbench.sandbox.clock",
    "FaultPlan": "workbench.sandbox.faults",
    "FaultRule": "workbench.sandbox.faults",
    "SandboxServer": "workbench.sandbox.server",
    "SandboxTransport": "workbench.sandbox.transport",
}


def __getattr__(name: str) -> Any:
    # lazy, so importing one emulator module does not pull in the whole sandbox
    if name in _HOMES:
        import importlib

        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(name)
