"""Factories for the HubSpot client tests: the product's client wired to the sandbox emulator.

`hubspot_harness()` puts the emulator behind an `httpx.MockTransport` over a small portal of the tests'
own (`tests.sandbox.hubspot_support`), records every exchange, and drives both budgets with the sandbox
clock so nothing ever sleeps.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import httpx

from tests.sandbox.hubspot_support import hubspot_portal, make_emulator
from workbench.auth import HubSpotAccessToken
from workbench.http import SteppedClock, build_client
from workbench.hubspot.client import HubSpotClient, hubspot_sessions
from workbench.sandbox.clock import SandboxClock
from workbench.sandbox.credentials import HUBSPOT_PRIVATE_APP_TOKEN
from workbench.sandbox.demo.dataset import HubSpotPortal
from workbench.sandbox.hubspot import HubSpotEmulator, HubSpotLimits
from workbench.sandbox.wire import Request

BASE = "https://api.hubapi.com"


@dataclass
class Exchange:
    method: str
    path: str
    status: int


@dataclass
class HubSpotHarness:
    emulator: HubSpotEmulator
    clock: SandboxClock
    stepped: SteppedClock
    client: HubSpotClient
    exchanges: list[Exchange] = field(default_factory=list)

    def calls(self, since: int = 0) -> Counter[str]:
        return Counter(f"{e.method} {e.path}" for e in self.exchanges[since:])

    def statuses(self, since: int = 0) -> Counter[int]:
        return Counter(e.status for e in self.exchanges[since:])


def emulator_transport(emulator: HubSpotEmulator, log: list[Exchange]) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        sandbox_request = Request.build(
            request.method,
            request.url.path,
            request.url.query.decode("ascii"),
            list(request.headers.multi_items()),
            request.read(),
            host=request.url.host,
        )
        answer = emulator.handle(sandbox_request, request.url.path)
        log.append(Exchange(request.method, request.url.path, answer.status))
        return httpx.Response(answer.status, headers=answer.headers.items(), content=answer.body)

    return httpx.MockTransport(handle)


def hubspot_harness(
    portal: HubSpotPortal | None = None,
    *,
    limits: HubSpotLimits | None = None,
    token: str | None = HUBSPOT_PRIVATE_APP_TOKEN,
    auth: httpx.Auth | None = None,
) -> HubSpotHarness:
    """The product's client on a sandbox portal (default: `hubspot_portal()`), authorised."""
    emulator, clock = make_emulator(portal or hubspot_portal(), limits)
    log: list[Exchange] = []
    http_client = build_client(emulator_transport(emulator, log))
    if auth is not None:
        http_client.auth = auth
    elif token is not None:
        http_client.auth = HubSpotAccessToken(token)
    stepped = SteppedClock(now=clock.timestamp, advance=clock.advance)
    session, search = hubspot_sessions(http_client, stepped)
    return HubSpotHarness(emulator, clock, stepped, HubSpotClient(session, search, BASE), log)
