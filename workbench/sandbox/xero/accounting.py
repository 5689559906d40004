"""Xero's Accounting API 2.0 (JSON): routing, envelopes, limits, idempotency and the resources."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

from workbench.sandbox.clock import SandboxClock
from workbench.sandbox.demo.dataset import Record, XeroTenant
from workbench.sandbox.wire import Request, Response
from workbench.sandbox.xero.contact_writes import ContactWriter
from workbench.sandbox.xero.encode import ms_date, to_wire
from workbench.sandbox.xero.idempotency import IdempotencyStore
from workbench.sandbox.xero.identity import Caller, Tenant, XeroIdentity
from workbench.sandbox.xero.invoice_writes import InvoiceWriter, new_guid
from workbench.sandbox.xero.limits import XeroLimits, XeroRateLimiter
from workbench.sandbox.xero.listing import Lister, ListError
from workbench.sandbox.xero.store import TenantStore
from workbench.sandbox.xero.views import contact_view, credit_note_view, invoice_view, payment_view

API_PREFIX = "/api.xro/2.0"
PROVIDER_NAME = "Workbench Sandbox"
_PAGED = ("Contacts", "Invoices", "CreditNotes", "Payments")
_RESOURCES = {
    name.lower(): name
    for name in (
        "Organisation",
        "Contacts",
        "Invoices",
        "CreditNotes",
        "Payments",
        "TaxRates",
        "Accounts",
        "Items",
        "Currencies",
    )
}


def _problem(status: int, title: str, detail: str) -> Response:
    return Response.json(status, {"Type": None, "Title": title, "Status": status, "Detail": detail})


def _error(number: int, kind: str, message: str, elements: list[dict[str, Any]] | None = None) -> Response:
    body: dict[str, Any] = {"ErrorNumber": number, "Type": kind, "Message": message}
    if elements is not None:
        body["Elements"] = elements
    return Response.json(400, body)


class XeroEmulator:
    """Xero for one or more tenants, behind one identity service and one set of rate limits."""

    system = "xero"

    def __init__(
        self, tenants: list[XeroTenant], clock: SandboxClock, limits: XeroLimits | None = None
    ) -> None:
        self.clock = clock
        self.stores = {t.tenant_id: TenantStore(t) for t in tenants}
        self.identity = XeroIdentity(clock, [Tenant(t.tenant_id, t.tenant_name) for t in tenants])
        self.limiter = XeroRateLimiter(clock, limits)
        self.idempotency = IdempotencyStore()
        self.lister = Lister()

    # the Emulator protocol -------------------------------------------------------------------------
    def handle(self, request: Request, path: str) -> Response:
        lowered = path.lower()
        if lowered.startswith(API_PREFIX):
            return self._api(request, path[len(API_PREFIX) :])
        if lowered.startswith("/connections"):
            admission = self.limiter.admit(None)
            response = self.identity.handle(request, path)
            for name, value in admission.headers.items():
                response.headers[name] = value
            return response
        if lowered.startswith("/identity/"):
            return self.identity.handle(request, path)
        return _problem(404, "Not Found", "The resource you're looking for cannot be found")

    def fault_response(self, kind: str) -> Response:
        if kind == "429":
            response = _problem(429, "Too Many Requests", "Rate limit exceeded")
            response.headers["X-Rate-Limit-Problem"] = "minute"
            response.headers["Retry-After"] = "60"
            return response
        if kind == "503":
            return Response.text(503, "The Xero API is currently offline for maintenance")
        return _problem(
            500,
            "Internal Server Error",
            "An unhandled error with the Xero API. Contact the Xero API team if problems persist.",
        )

    def expire_tokens(self) -> None:
        self.identity.expire_tokens()

    def export_state(self) -> dict[str, Any]:
        return {
            "tenants": {tid: store.export_changes() for tid, store in self.stores.items()},
            "identity": self.identity.export_state(),
        }

    def import_state(self, state: dict[str, Any]) -> None:
        for tenant_id, changes in (state.get("tenants") or {}).items():
            if tenant_id in self.stores:
                self.stores[tenant_id].import_changes(changes)
        if state.get("identity"):
            self.identity.import_state(state["identity"])

    # the API ---------------------------------------------------------------------------------------
    def _api(self, request: Request, path: str) -> Response:
        caller = self.identity.authorise(request)
        if isinstance(caller, Response):
            return caller
        admission = self.limiter.admit(caller.tenant_id)
        if not admission.allowed:
            response = _problem(
                429,
                "Too Many Requests",
                f"The {admission.problem} rate limit for this organisation has been exceeded.",
            )
        else:
            try:
                response = self._idempotent(request, path, caller)
            finally:
                self.limiter.release(caller.tenant_id)
        for name, value in admission.headers.items():
            response.headers[name] = value
        response.headers["Xero-Correlation-Id"] = str(uuid.uuid4())
        return response

    def _idempotent(self, request: Request, path: str, caller: Caller) -> Response:
        key = request.headers.get("Idempotency-Key")
        if not key or request.method not in ("PUT", "POST"):
            return self._route(request, path, caller)
        now = self.clock.now()
        fingerprint = self.idempotency.fingerprint(request, caller.tenant_id)
        found = self.idempotency.lookup(caller.client_id, key, fingerprint, now)
        if isinstance(found, Response):
            return found
        if isinstance(found, str):
            return _error(10, "ValidationException", found)
        response = self._route(request, path, caller)
        self.idempotency.remember(caller.client_id, key, fingerprint, response, now)
        return response

    def _route(self, request: Request, path: str, caller: Caller) -> Response:
        parts = [p for p in path.split("/") if p]
        resource = _RESOURCES.get(parts[0].lower()) if parts else None
        if resource is None or len(parts) > 2:
            return _problem(404, "Not Found", "The resource you're looking for cannot be found")
        store = self.stores[caller.tenant_id]
        key = parts[1] if len(parts) == 2 else None
        with store.lock:
            if request.method == "GET":
                return self._get(store, resource, key, request)
            if request.method in ("PUT", "POST") and resource in ("Invoices", "Contacts"):
                if request.method == "PUT" and key is not None:
                    return _problem(405, "Method Not Allowed", "PUT is not supported on a single record.")
                return self._write(store, resource, key, request, create_only=request.method == "PUT")
        return _problem(
            405, "Method Not Allowed", f"{request.method} is not supported on {resource} by the sandbox."
        )

    # reads -----------------------------------------------------------------------------------------
    def _envelope(
        self, collection: str, items: list[dict[str, Any]], pagination: dict[str, int] | None = None
    ) -> Response:
        body: dict[str, Any] = {
            "Id": str(uuid.uuid4()),
            "Status": "OK",
            "ProviderName": PROVIDER_NAME,
            "DateTimeUTC": ms_date(self.clock.now()).replace("+0000", ""),
        }
        if pagination is not None:
            body["pagination"] = pagination
        body[collection] = items
        return Response.json(200, body)

    def _get(self, store: TenantStore, resource: str, key: str | None, request: Request) -> Response:
        summary_only = (request.param("summaryOnly", case_insensitive=True) or "").lower() == "true"
        if resource == "Organisation":
            organisation = dict(store.organisation)
            return self._envelope("Organisations", [to_wire(organisation)])
        if key is not None:
            record = self._single(store, resource, key)
            if record is None:
                return _problem(404, "Not Found", "The resource you're looking for cannot be found")
            return self._envelope(resource, [self._view(store, resource, record, single=True)])
        try:
            page = self.lister.run(store, resource, request)
        except ListError as exc:
            return _error(16, "QueryParseException", str(exc))
        paged = page.pagination is not None
        items = [
            self._view(store, resource, r, single=False, paged=paged, summary_only=summary_only)
            for r in page.records
        ]
        return self._envelope(resource, items, page.pagination if resource in _PAGED else None)

    def _single(self, store: TenantStore, resource: str, key: str) -> Record | None:
        record = store.get(resource, key)
        if record is not None:
            return record
        alternate: dict[str, Callable[[Record], bool]] = {
            "Invoices": lambda r: str(r.get("InvoiceNumber", "")).lower() == key.lower(),
            "Contacts": lambda r: str(r.get("ContactNumber", "")) == key,
            "Items": lambda r: str(r.get("Code", "")).lower() == key.lower(),
        }
        test = alternate.get(resource)
        return store.find(resource, test) if test else None

    def _view(
        self,
        store: TenantStore,
        resource: str,
        record: Record,
        *,
        single: bool,
        paged: bool = False,
        summary_only: bool = False,
    ) -> dict[str, Any]:
        if resource == "Invoices":
            return invoice_view(store, record, with_lines=single or paged, summary_only=summary_only)
        if resource == "CreditNotes":
            return credit_note_view(store, record, with_lines=single or paged)
        if resource == "Payments":
            return payment_view(store, record)
        if resource == "Contacts":
            today = self.clock.now().date() if single else None
            return contact_view(store, record, today=today, summary_only=summary_only)
        return to_wire(record)

    # writes ----------------------------------------------------------------------------------------
    def _write(
        self, store: TenantStore, resource: str, key: str | None, request: Request, *, create_only: bool
    ) -> Response:
        try:
            payload = request.json()
        except (ValueError, UnicodeDecodeError):
            return _error(17, "PostDataInvalidException", "The request body is not valid JSON.")
        elements = payload.get(resource) if isinstance(payload, dict) and resource in payload else [payload]
        if not isinstance(elements, list) or not elements or payload is None:
            return _error(
                17,
                "PostDataInvalidException",
                f"No data has been processed for this endpoint. This endpoint is expecting {resource} "
                "data to be specifed in the request body.",
            )
        summarize = (request.param("summarizeErrors", case_insensitive=True) or "true").lower() != "false"
        now = self.clock.now()
        writer = (
            InvoiceWriter(store, now, new_guid)
            if resource == "Invoices"
            else ContactWriter(store, now, new_guid)
        )
        results: list[dict[str, Any]] = []
        failures: list[dict[str, Any]] = []
        for element in elements:
            record, errors = writer.apply(element, create_only=create_only, target_id=key)
            if record is not None:
                wire = self._view(store, resource, record, single=True)
                wire["StatusAttributeString"] = "OK"
                results.append(wire)
            else:
                echo = dict(element) if isinstance(element, dict) else {}
                echo.update(
                    {
                        "HasErrors": True,
                        "StatusAttributeString": "ERROR",
                        "ValidationErrors": [{"Message": m} for m in errors],
                    }
                )
                if resource == "Contacts":
                    echo["HasValidationErrors"] = True
                echo = to_wire(echo)  # Xero echoes the element back, without the nulls it was sent
                results.append(echo)
                failures.append(echo)
        if failures and summarize:
            # Xero still keeps the valid elements of a summarised batch: only the errors come back
            return _error(10, "ValidationException", "A validation exception occurred", failures)
        return self._envelope(resource, json.loads(json.dumps(results, default=str)))
