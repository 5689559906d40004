"""The sandbox: the Xero, Pipedrive and HubSpot emulators behind one front door, with faults and a
state file.

Requests are routed by host when a client uses the real services' URLs (api.xero.com,
identity.xero.com, login.xero.com, *.pipedrive.com, api.hubapi.com) and by path prefix on the sandbox's
own address: `/xero/api.xro/2.0`, `/xero/identity/connect/...`, `/xero/connections`, `/pipedrive/api/v2`,
`/pipedrive/v1`, `/hubspot/crm/v3/...`, `/hubspot/oauth/v1/token`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

from workbench.sandbox import jsonstate
from workbench.sandbox.clock import SandboxClock
from workbench.sandbox.demo import DemoSize, generate_demo_client
from workbench.sandbox.demo.dataset import DemoClient
from workbench.sandbox.demo.hubspot_side import as_hubspot_client, hubspot_portal
from workbench.sandbox.emulator import Emulator
from workbench.sandbox.faults import DroppedConnection, FaultPlan
from workbench.sandbox.hubspot import HubSpotEmulator, HubSpotLimits
from workbench.sandbox.pipedrive import PipedriveEmulator, PipedriveLimits
from workbench.sandbox.wire import Request, Response
from workbench.sandbox.xero.accounting import XeroEmulator
from workbench.sandbox.xero.limits import XeroLimits

SANDBOX_HOST = "sandbox.workbench.local"
MAX_SIMULATED_DELAY = 120.0


@dataclass
class Routed:
    emulator: Emulator
    path: str


class Sandbox:
    """The emulators over one generated demo client, one clock and one fault plan.

    HubSpot serves the same CRM data as Pipedrive (see `demo.hubspot_side`); it is built on first use.
    """

    def __init__(
        self,
        client: DemoClient,
        *,
        clock: SandboxClock | None = None,
        faults: FaultPlan | None = None,
        xero_limits: XeroLimits | None = None,
        pipedrive_limits: PipedriveLimits | None = None,
        hubspot_limits: HubSpotLimits | None = None,
        state_file: Path | None = None,
    ) -> None:
        self.client = client
        self.clock = clock or SandboxClock(datetime.combine(client.manifest.as_of, time(9), tzinfo=UTC))
        self.faults = faults or FaultPlan()
        self.xero = XeroEmulator([client.xero], self.clock, xero_limits)
        self.pipedrive = PipedriveEmulator(
            client.pipedrive, self.clock, pipedrive_limits or PipedriveLimits()
        )
        self._hubspot_limits = hubspot_limits or HubSpotLimits()
        self._hubspot: HubSpotEmulator | None = None
        self._hubspot_state: dict[str, Any] = {}
        self.state_file = state_file
        self._state_lock = threading.Lock()
        if state_file is not None and state_file.exists():
            self.load_state(state_file)

    @classmethod
    def demo(
        cls, seed: int = 7, size: DemoSize | None = None, *, crm: str = "pipedrive", **options: Any
    ) -> Sandbox:
        """The default sandbox: the demo client for `seed`, at the default size unless told otherwise;
        `crm="hubspot"` makes it a HubSpot client (its Xero invoices reference `HS-<deal id>`)."""
        client = generate_demo_client(seed, size or DemoSize())
        if crm == "hubspot":
            client = as_hubspot_client(client)
        elif crm != "pipedrive":
            raise ValueError(f"the sandbox demo client's CRM is pipedrive or hubspot, not {crm!r}")
        return cls(client, **options)

    @property
    def hubspot(self) -> HubSpotEmulator:
        if self._hubspot is None:
            portal = self.client.hubspot or hubspot_portal(self.client.pipedrive)
            self.client.hubspot = portal
            self._hubspot = HubSpotEmulator(portal, self.clock, self._hubspot_limits)
            self._hubspot.import_state(self._hubspot_state)
        return self._hubspot

    # routing ---------------------------------------------------------------------------------------
    def route(self, request: Request) -> Routed | None:
        host = request.host.split(":")[0].lower()
        path = request.path
        if host == "api.xero.com" or host == "identity.xero.com":
            prefix = "/identity" if host == "identity.xero.com" else ""
            return Routed(self.xero, prefix + path)
        if host == "login.xero.com":
            return Routed(self.xero, path)
        if host.endswith("pipedrive.com"):
            return Routed(self.pipedrive, path)
        if host == "api.hubapi.com":
            return Routed(self.hubspot, path)
        for mount in ("/xero", "/pipedrive", "/hubspot"):
            if path.lower() == mount or path.lower().startswith(mount + "/"):
                emulator: Emulator = (
                    self.xero
                    if mount == "/xero"
                    else self.pipedrive
                    if mount == "/pipedrive"
                    else self.hubspot
                )
                return Routed(emulator, path[len(mount) :] or "/")
        return None

    def handle(self, request: Request) -> Response:
        """Answer one request; may raise DroppedConnection when a fault says so."""
        routed = self.route(request)
        if routed is None:
            return self.index()
        fault = self.faults.next_fault(routed.emulator.system, routed.path)
        if fault is not None:
            if fault.kind == "drop":
                raise DroppedConnection(f"sandbox dropped the connection to {request.path} (fault injection)")
            if fault.kind in ("429", "500", "503"):
                return routed.emulator.fault_response(fault.kind)
            if fault.kind == "expire_token":
                routed.emulator.expire_tokens()
        response = routed.emulator.handle(request, routed.path)
        if fault is not None and fault.kind == "slow":
            response.delay_seconds = min(fault.delay_seconds, MAX_SIMULATED_DELAY)
        if fault is not None and fault.kind == "malformed" and response.status == 200:
            response.body = response.body[: max(1, len(response.body) // 2)]
        if self.state_file is not None and request.method != "GET" and response.status < 300:
            self.save_state(self.state_file)
        return response

    def index(self) -> Response:
        return Response.json(
            404,
            {
                "sandbox": "Integration Health Check workbench sandbox",
                "services": {
                    "xero_api": "/xero/api.xro/2.0",
                    "xero_token": "/xero/identity/connect/token",
                    "xero_authorize": "/xero/identity/connect/authorize",
                    "xero_connections": "/xero/connections",
                    "pipedrive_v2": "/pipedrive/api/v2",
                    "pipedrive_v1": "/pipedrive/v1",
                    "hubspot_crm": "/hubspot/crm/v3",
                    "hubspot_token": "/hubspot/oauth/v1/token",
                },
            },
        )

    # state -----------------------------------------------------------------------------------------
    def save_state(self, path: Path) -> None:
        with self._state_lock:
            jsonstate.write_atomically(
                path,
                {
                    "seed": self.client.manifest.seed,
                    "params": self.client.manifest.params,
                    "xero": self.xero.export_state(),
                    "pipedrive": self.pipedrive.export_state(),
                    "hubspot": self._hubspot.export_state() if self._hubspot else self._hubspot_state,
                },
            )

    def load_state(self, path: Path) -> None:
        state = jsonstate.loads(path.read_text(encoding="utf-8"))
        if (
            state.get("seed") != self.client.manifest.seed
            or state.get("params") != self.client.manifest.params
        ):
            raise ValueError(
                f"The state file {path} belongs to a sandbox with seed {state.get('seed')} and size "
                f"{state.get('params')}; start the sandbox with those, or give a new state file."
            )
        self.xero.import_state(state.get("xero") or {})
        self.pipedrive.import_state(state.get("pipedrive") or {})
        self._hubspot_state = state.get("hubspot") or {}
        if self._hubspot is not None:
            self._hubspot.import_state(self._hubspot_state)
