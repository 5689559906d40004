"""The HubSpot emulator: bearer auth (private-app token or OAuth), rate limits and routing in front of
the object, search and directory handlers."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from workbench.sandbox.clock import SandboxClock
from workbench.sandbox.credentials import HUBSPOT_PRIVATE_APP_TOKEN
from workbench.sandbox.demo.dataset import HubSpotPortal
from workbench.sandbox.hubspot import directory, objects, search
from workbench.sandbox.hubspot.context import Call
from workbench.sandbox.hubspot.errors import (
    HubSpotError,
    error_body,
    method_not_allowed,
    not_emulated,
    rate_limited,
    server_error,
    unauthenticated,
    unknown_route,
)
from workbench.sandbox.hubspot.limits import DEFAULT_LIMITS, HubSpotLimits, RateLimiter
from workbench.sandbox.hubspot.oauth import OAuthServer
from workbench.sandbox.hubspot.properties import ALIASES
from workbench.sandbox.hubspot.routes import UNAUTHENTICATED, match
from workbench.sandbox.hubspot.store import PortalStore
from workbench.sandbox.wire import Request, Response

Handler = Callable[[Call], Any]
HANDLERS: dict[str, Handler] = {
    "list_objects": objects.list_objects,
    "get_object": objects.get_object,
    "patch_object": objects.patch_object,
    "batch_read": objects.batch_read,
    "batch_update": objects.batch_update,
    "search": search.search,
    "list_properties": directory.list_properties,
    "get_property": directory.get_property,
    "create_property": directory.create_property,
    "record_associations": directory.record_associations,
    "batch_associations": directory.batch_associations,
    "list_pipelines": directory.list_pipelines,
    "get_pipeline": directory.get_pipeline,
    "list_owners": directory.list_owners,
}


class HubSpotEmulator:
    """HubSpot's CRM v3 objects, search, properties, pipelines and owners, v4 associations, OAuth."""

    system = "hubspot"

    def __init__(
        self, portal: HubSpotPortal, clock: SandboxClock, limits: HubSpotLimits = DEFAULT_LIMITS
    ) -> None:
        self.clock = clock
        self.limits = limits
        self.store = PortalStore(portal)
        self.limiter = RateLimiter(limits, clock)
        self.oauth = OAuthServer()
        self._lock = threading.RLock()

    def expire_tokens(self) -> None:
        with self._lock:
            self.oauth.expire_all(self.clock.now())

    def _authenticate(self, request: Request) -> tuple[str, int, bool]:
        """(burst key, burst limit, whether daily headers are sent) of a valid bearer token, else a 401."""
        scheme, _, token = (request.headers.get("Authorization") or "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise unauthenticated(None)
        if token == HUBSPOT_PRIVATE_APP_TOKEN:
            return "private-app", self.limits.burst_limit, True
        expired = self.oauth.expired_for(token, self.clock.now())
        if expired is None:
            return "oauth", self.limits.oauth_burst_limit, False
        raise unauthenticated(expired if expired >= 0 else None)

    def handle(self, request: Request, path: str) -> Response:
        with self._lock:
            return self._handle(request, path.rstrip("/") or "/")

    def _handle(self, request: Request, path: str) -> Response:
        method = request.method.upper()
        route = match(path)
        handler = route.methods.get(method) if route else None
        if handler == "token":
            return self.oauth.token(request, self.clock.now())
        if handler == "authorize":
            return self.oauth.authorize(request)
        headers: dict[str, str] = {}
        try:
            key, burst_limit, daily = self._authenticate(request)
            admission = self.limiter.admit(key, burst_limit, daily_headers=daily, search=handler == "search")
            headers = admission.headers
            if not admission.allowed:
                raise rate_limited(admission.policy or "TEN_SECONDLY_ROLLING")
            if route is None:
                raise unknown_route(method, path)
            if method not in route.methods:
                raise method_not_allowed(method)
            if handler is None or handler in UNAUTHENTICATED:
                raise not_emulated(method, path)
            object_type = ""
            if "objectType" in route.params and route.template.startswith("/crm/v3/objects"):
                object_type = ALIASES.get(route.params["objectType"], "")
                if not object_type:
                    raise HubSpotError(
                        400,
                        error_body(
                            f"Unable to infer object type from: {route.params['objectType']}",
                            "VALIDATION_ERROR",
                        ),
                    )
            moment = self.clock.now()
            now = moment.replace(microsecond=moment.microsecond // 1000 * 1000)  # the wire has milliseconds
            call = Call(
                self.store, request, route.params, now, "/crm" + path.split("/crm", 1)[-1], object_type
            )
            answer = HANDLERS[handler](call)
            status, body = answer if isinstance(answer, tuple) else (200, answer)
            response = Response.json(status, body)
        except HubSpotError as error:
            response = Response.json(error.status, error.body)
        for name, value in headers.items():
            response.headers[name] = value
        return response

    def fault_response(self, kind: str) -> Response:
        with self._lock:
            if kind == "429":
                headers = self.limiter.headers(
                    "private-app", self.limits.burst_limit, daily=True, exhausted=True
                )
                error = rate_limited("TEN_SECONDLY_ROLLING")
                return Response.json(429, error.body, headers=headers)
            if kind in ("500", "503"):
                error = server_error(int(kind))
                return Response.json(error.status, error.body)
        raise ValueError(f"unknown fault kind {kind!r}; the HubSpot emulator injects 429, 500 or 503")

    def export_state(self) -> dict[str, Any]:
        with self._lock:
            return self.store.export_state()

    def import_state(self, state: dict[str, Any]) -> None:
        with self._lock:
            self.store.import_state(state)
