"""Factories for the Pipedrive client tests: the product's client wired to the sandbox emulator.

`pipedrive_harness()` puts the emulator behind an `httpx.MockTransport` (the demo generator is someone
else's, so these tests build their own small company with `tests.sandbox.pipedrive_support`), records
every exchange, and drives the client's budget with the sandbox clock so nothing ever sleeps.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.sandbox.pipedrive_support import make_emulator, pipedrive_company
from workbench.http import ApiSession, Budget, PipedriveBudget, SteppedClock, build_client
from workbench.pipedrive.client import PipedriveClient
from workbench.sandbox.clock import SandboxClock
from workbench.sandbox.credentials import PIPEDRIVE_API_TOKEN
from workbench.sandbox.demo.dataset import PipedriveCompany
from workbench.sandbox.pipedrive import PipedriveEmulator, PipedriveLimits
from workbench.sandbox.wire import Request

COMPANY_HOST = "https://acme-sandbox.pipedrive.com"
# request path -> endpoint name of PipedriveSource
ENDPOINT_OF_PATH = {
    "/v1/users": "users",
    "/api/v2/pipelines": "pipelines",
    "/api/v2/stages": "stages",
    "/api/v2/dealFields": "deal_fields",
    "/api/v2/organizationFields": "organization_fields",
    "/api/v2/personFields": "person_fields",
    "/api/v2/productFields": "product_fields",
    "/api/v2/products": "products",
    "/api/v2/organizations": "organizations",
    "/api/v2/persons": "persons",
    "/api/v2/deals": "deals",
    "/api/v2/deals/products": "deal_products",
}


@dataclass
class Exchange:
    method: str
    path: str
    query: dict[str, str]
    status: int


@dataclass
class PipedriveHarness:
    emulator: PipedriveEmulator
    clock: SandboxClock
    session: ApiSession
    client: PipedriveClient
    exchanges: list[Exchange] = field(default_factory=list)

    def calls_by_endpoint(self, since: int = 0) -> Counter[str]:
        return Counter(ENDPOINT_OF_PATH.get(e.path, e.path) for e in self.exchanges[since:])

    def statuses(self, since: int = 0) -> Counter[int]:
        return Counter(e.status for e in self.exchanges[since:])


def emulator_transport(emulator: PipedriveEmulator, log: list[Exchange]) -> httpx.MockTransport:
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
        log.append(Exchange(request.method, request.url.path, dict(request.url.params), answer.status))
        return httpx.Response(answer.status, headers=answer.headers.items(), content=answer.body)

    return httpx.MockTransport(handle)


def pipedrive_harness(
    company: PipedriveCompany | None = None,
    *,
    limits: PipedriveLimits | None = None,
    budget: type[Budget] = PipedriveBudget,
    token: str | None = PIPEDRIVE_API_TOKEN,
) -> PipedriveHarness:
    """The product's client on a sandbox company (default: `pipedrive_company()`), auth header set."""
    emulator, clock = make_emulator(company if company is not None else pipedrive_company(), limits)
    log: list[Exchange] = []
    http_client = build_client(emulator_transport(emulator, log))
    if token is not None:
        http_client.headers["x-api-token"] = token
    stepped = SteppedClock(now=clock.timestamp, advance=clock.advance)
    session = ApiSession("Pipedrive", http_client, budget(stepped), clock=stepped)
    return PipedriveHarness(emulator, clock, session, PipedriveClient(session, COMPANY_HOST), log)


def served_counts(company: PipedriveCompany) -> dict[str, Any]:
    """What the v2 API serves of `company`: records that are not deleted (no deal is deleted here)."""
    return {
        "organisations": sum(1 for o in company.organizations if not o.get("is_deleted")),
        "people": sum(1 for p in company.persons if not p.get("is_deleted")),
        "products": sum(1 for p in company.products if not p.get("is_deleted")),
        "deals": sum(1 for d in company.deals if not d.get("is_deleted") and not d.get("is_archived")),
        "deal_lines": len(company.deal_products),
        "crm_users": len(company.users),
        "stages": len(company.stages),
    }
