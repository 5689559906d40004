"""The Pipedrive emulator: auth, rate limits and routing in front of the deal and directory handlers."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from workbench.sandbox.clock import SandboxClock
from workbench.sandbox.credentials import PIPEDRIVE_API_TOKEN
from workbench.sandbox.demo.dataset import PipedriveCompany
from workbench.sandbox.pipedrive import deals, directory
from workbench.sandbox.pipedrive.context import Call
from workbench.sandbox.pipedrive.errors import (
    PipedriveError,
    gateway_body,
    method_not_allowed,
    not_emulated,
    not_found,
    over_limit,
    server_error,
    unauthorized,
)
from workbench.sandbox.pipedrive.filters import reject_unknown
from workbench.sandbox.pipedrive.limits import DEFAULT_LIMITS, TOKEN_COSTS, PipedriveLimits, RateLimiter
from workbench.sandbox.pipedrive.routes import match, split_version
from workbench.sandbox.pipedrive.store import CompanyStore
from workbench.sandbox.wire import Request, Response

Handler = Callable[[Call], dict[str, Any]]
HANDLERS: dict[str, Handler] = {
    "list_deals": deals.list_deals,
    "get_deal": deals.get_deal,
    "patch_deal": deals.patch_deal,
    "products_of_deal": deals.products_of_deal,
    "deal_products": deals.deal_products,
    "list_organizations": directory.list_organizations,
    "get_organization": directory.get_organization,
    "patch_organization": directory.patch_organization,
    "list_persons": directory.list_persons,
    "get_person": directory.get_person,
    "list_products": directory.list_products,
    "get_product": directory.get_product,
    "list_stages": directory.list_stages,
    "get_stage": directory.get_stage,
    "list_pipelines": directory.list_pipelines,
    "get_pipeline": directory.get_pipeline,
    "list_users": directory.list_users,
    "me": directory.me,
    "get_user": directory.get_user,
    "list_currencies": directory.list_currencies,
}
for _entity in ("deal", "organization", "person", "product"):
    HANDLERS[f"list_fields:{_entity}"] = functools.partial(directory.list_fields, entity=_entity)
    HANDLERS[f"get_field:{_entity}"] = functools.partial(directory.get_field, entity=_entity)
    HANDLERS[f"create_field:{_entity}"] = functools.partial(directory.create_field, entity=_entity)


class PipedriveEmulator:
    """Pipedrive's API v2 (and the v1 users/currencies endpoints) over one sandbox company."""

    system = "pipedrive"

    def __init__(
        self, company: PipedriveCompany, clock: SandboxClock, limits: PipedriveLimits = DEFAULT_LIMITS
    ) -> None:
        self.clock = clock
        self.limits = limits
        self.store = CompanyStore(company, clock.now())
        self.limiter = RateLimiter(limits, clock)
        self._oauth: dict[str, tuple[datetime, int | None]] = {}
        self._lock = threading.RLock()

    # -- tokens ---------------------------------------------------------------------------------------

    def issue_oauth_token(self, token: str, expires_at: datetime, user_id: int | None = None) -> None:
        """Accept `Authorization: Bearer <token>` until `expires_at` (acting as `user_id`, default owner)."""
        with self._lock:
            self._oauth[token] = (expires_at, user_id)

    def expire_tokens(self) -> None:
        now = self.clock.now()
        with self._lock:
            self._oauth = {t: (min(exp, now), user) for t, (exp, user) in self._oauth.items()}

    def _owner_id(self) -> int:
        users = sorted(self.store.tables["users"].values(), key=lambda u: u["id"])
        creators = [u for u in users if u.get("has_created_company")]
        return int((creators or users or [{"id": 1}])[0]["id"])

    def _authenticate(self, request: Request) -> tuple[str, int, int] | None:
        """(burst key, burst limit, user id) of a valid credential, else None. First credential sent wins."""
        token = request.headers.get("x-api-token") or request.param("api_token")
        if token is not None:
            return (
                ("api", self.limits.burst_limit, self._owner_id()) if token == PIPEDRIVE_API_TOKEN else None
            )
        authorization = request.headers.get("Authorization") or ""
        scheme, _, bearer = authorization.partition(" ")
        if scheme.lower() != "bearer" or bearer not in self._oauth:
            return None
        expires_at, user_id = self._oauth[bearer]
        if self.clock.now() >= expires_at:
            return None
        return f"oauth:{bearer}", self.limits.oauth_burst_limit, user_id or self._owner_id()

    # -- requests -------------------------------------------------------------------------------------

    def handle(self, request: Request, path: str) -> Response:
        with self._lock:
            return self._handle(request, path)

    def _handle(self, request: Request, path: str) -> Response:
        credential = self._authenticate(request)
        if credential is None:
            # Pipedrive's gateway (x-401-by-gw) refuses the call before any per-token rate limiting
            return _error_response(unauthorized())
        key, burst_limit, user_id = credential
        method = request.method.upper()
        version, subpath = split_version(path)
        route = match(version, subpath) if version else None
        handler_name, allowed = (
            (route.methods.get(method) or (None, frozenset())) if route else (None, frozenset())
        )
        cost = TOKEN_COSTS.get((route.version, method, route.template), 0) if route and handler_name else 0
        admission = self.limiter.admit(key, burst_limit, cost)
        if not admission.allowed:
            response = _error_response(over_limit())
        else:
            try:
                if route is None:
                    raise not_found(f"Unknown route {method} {path}")
                if method not in route.methods:
                    raise method_not_allowed()
                if handler_name is None:
                    raise not_emulated(method, path)
                if route.version == "v2":
                    reject_unknown(request, allowed)
                now = self.clock.now().replace(microsecond=0)
                call = Call(self.store, request, route.params, now, user_id, route.version)
                response = Response.json(200, HANDLERS[handler_name](call))
            except PipedriveError as error:
                response = _error_response(error)
        for name, value in admission.headers.items():
            response.headers[name] = value
        return response

    # -- faults and state -----------------------------------------------------------------------------

    def fault_response(self, kind: str) -> Response:
        with self._lock:
            if kind == "429":
                headers = self.limiter.headers("api", self.limits.burst_limit, exhausted=True)
                return Response.json(429, gateway_body(429, "Request over limit"), headers=headers)
            if kind in ("500", "503"):
                return _error_response(server_error(int(kind)))
        raise ValueError(f"unknown fault kind {kind!r}; the Pipedrive emulator injects 429, 500 or 503")

    def export_state(self) -> dict[str, Any]:
        with self._lock:
            return self.store.export_state()

    def import_state(self, state: dict[str, Any]) -> None:
        with self._lock:
            self.store.import_state(state)


def _error_response(error: PipedriveError) -> Response:
    return Response.json(error.status, error.body)
