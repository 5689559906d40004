"""The Accounting API calls the workbench makes: paged and unpaged reads, reference look-ups, invoice creates.

Every call goes through an `ApiSession` (budgets, retries, 429s) on an httpx client that already carries
the bearer token (`workbench.auth`). Errors become the workbench's own exceptions with Xero's own words
(Detail / Message / validation messages), never the request's headers.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import httpx

from workbench.errors import (
    ApiError,
    AuthError,
    ConfigurationError,
    MalformedResponse,
    RateLimitExhausted,
    TransientFailure,
)
from workbench.http import ApiSession
from workbench.xero.models import parse_xero_datetime

XERO_API = "https://api.xero.com/api.xro/2.0"
PAGE_SIZE = 1000  # Xero's maximum since July 2024 (the default is 100)
PAGED_RESOURCES = ("Contacts", "Invoices", "CreditNotes", "Payments")
MAX_WRITE_BATCH = 50  # "batch elements in bundles of up to 50" (3.5 MB request cap)
REFERENCES_PER_QUERY = 25  # keeps the `where` clause well inside URL-length limits
IDS_PER_QUERY = 50  # `IDs=` / `ContactIDs=` lists: a longer list can answer 404
_COLLECTION = {"Organisation": "Organisations"}
# archived records are part of a health check; 4-dp unit prices keep VAT re-computation exact
_PAGED_DEFAULTS: dict[str, dict[str, str]] = {
    "Contacts": {"includeArchived": "true"},
    "Invoices": {"includeArchived": "true", "unitdp": "4"},
    "CreditNotes": {"unitdp": "4"},
}
_DETAIL_LIMIT = 500


@dataclass
class XeroPage:
    """One page of a paged collection, with Xero's `pagination` object (page_count 0: nothing matched)."""

    records: list[dict[str, Any]]
    page: int
    page_count: int
    item_count: int
    server_time: datetime | None = None  # the envelope's DateTimeUTC: when Xero answered


def if_modified_since(moment: datetime) -> str:
    """The `If-Modified-Since` header: UTC, second precision, `YYYY-MM-DDTHH:MM:SS`."""
    instant = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return instant.strftime("%Y-%m-%dT%H:%M:%S")


class XeroClient:
    """Xero Accounting API for one tenant (`tenant_id` None: a custom connection, no header needed)."""

    def __init__(self, session: ApiSession, tenant_id: str | None, base_url: str = XERO_API) -> None:
        self.session = session
        self.tenant_id = tenant_id
        self.base_url = base_url.rstrip("/")

    # reads -------------------------------------------------------------------------------------------
    def get_page(
        self,
        resource: str,
        page: int,
        *,
        modified_since: datetime | None = None,
        params: Mapping[str, str] | None = None,
    ) -> XeroPage:
        """Page `page` (1-based) of a paged collection at 1,000 records a page; with lines on invoices.

        Contacts and invoices include archived records; invoices and credit notes carry 4-dp unit amounts.
        """
        query = {**_PAGED_DEFAULTS.get(resource, {}), **(params or {})}
        query.update(page=str(page), pageSize=str(PAGE_SIZE))
        body = self._get(resource, query, modified_since, page=page)
        records = self._records(resource, body, page=page)
        pagination = body.get("pagination")
        if isinstance(pagination, dict) and "pageCount" in pagination:
            try:
                page_count = int(pagination["pageCount"])
                item_count = int(pagination.get("itemCount", len(records)))
            except (TypeError, ValueError):
                raise self._malformed(resource, page, "its pagination object is not numeric") from None
        else:
            # older answers had no pagination object: a short page is the last one
            full = len(records) >= PAGE_SIZE
            page_count = page + 1 if full else (page if records or page > 1 else 0)
            item_count = (page - 1) * PAGE_SIZE + len(records)
        server_time = parse_xero_datetime(body.get("DateTimeUTC")) if body.get("DateTimeUTC") else None
        return XeroPage(records, page, page_count, item_count, server_time)

    def get_all(
        self,
        resource: str,
        *,
        modified_since: datetime | None = None,
        params: Mapping[str, str] | None = None,
    ) -> list[dict[str, Any]]:
        """Every record of an unpaged collection (Organisation, Currencies, TaxRates, Accounts, Items)."""
        return self._records(resource, self._get(resource, dict(params or {}), modified_since), page=None)

    def iter_pages(
        self,
        resource: str,
        *,
        modified_since: datetime | None = None,
        params: Mapping[str, str] | None = None,
    ) -> Iterator[XeroPage]:
        """Every page of a paged query, stopping at `pageCount` (no empty trailing page is asked for)."""
        page = 1
        while True:
            result = self.get_page(resource, page, modified_since=modified_since, params=params)
            yield result
            if page >= result.page_count:
                return
            page += 1

    def get_invoices_by_reference(self, references: Sequence[str]) -> list[dict[str, Any]]:
        """Invoices (any status, with lines) whose `Reference` is one of `references`: the flow's
        crash-recovery question "which deals already have an invoice?"."""
        wanted = list(dict.fromkeys(r for r in references if r))
        found: list[dict[str, Any]] = []
        for start in range(0, len(wanted), REFERENCES_PER_QUERY):
            chunk = wanted[start : start + REFERENCES_PER_QUERY]
            where = " OR ".join(f'Reference=="{_quote(reference)}"' for reference in chunk)
            for page in self.iter_pages("Invoices", params={"where": where}):
                found.extend(page.records)
        return found

    def get_invoices_by_ids(self, invoice_ids: Sequence[str]) -> list[dict[str, Any]]:
        """Invoices (any status, with lines) by InvoiceID, 50 ids a query: the flow's status refresh."""
        return self._invoices_where("IDs", invoice_ids)

    def get_invoices_of_contacts(
        self, contact_ids: Sequence[str], *, statuses: Sequence[str] = ()
    ) -> list[dict[str, Any]]:
        """Every invoice and bill of `contact_ids` (optionally only `statuses`), 50 contacts a query."""
        extra = {"Statuses": ",".join(statuses)} if statuses else {}
        return self._invoices_where("ContactIDs", contact_ids, extra)

    def _invoices_where(
        self, parameter: str, values: Sequence[str], extra: Mapping[str, str] | None = None
    ) -> list[dict[str, Any]]:
        wanted = list(dict.fromkeys(v for v in values if v))
        found: list[dict[str, Any]] = []
        for start in range(0, len(wanted), IDS_PER_QUERY):
            params = {**(extra or {}), parameter: ",".join(wanted[start : start + IDS_PER_QUERY])}
            for page in self.iter_pages("Invoices", params=params):
                found.extend(page.records)
        return found

    # writes ------------------------------------------------------------------------------------------
    def create_invoices(
        self, invoices: Sequence[Mapping[str, Any]], *, idempotency_key: str
    ) -> list[dict[str, Any]]:
        """PUT (create only) up to 50 invoices; one result per element, in order.

        `summarizeErrors=false` makes Xero answer 200 with each element's `StatusAttributeString`
        (OK / WARNING / ERROR) and `ValidationErrors`, instead of a 400 that hides the ids of the
        elements it did create. Money may be `Decimal`: it is written as an exact JSON number.
        """
        if not invoices:
            return []
        if len(invoices) > MAX_WRITE_BATCH:
            raise ConfigurationError(
                f"{len(invoices)} invoices in one batch; Xero takes at most {MAX_WRITE_BATCH}",
                hint="split the batch and give each part its own idempotency key",
            )
        if not idempotency_key or len(idempotency_key) > 128:
            raise ConfigurationError("an Idempotency-Key must be 1 to 128 characters")
        headers = {**self._headers(), "Content-Type": "application/json", "Idempotency-Key": idempotency_key}
        response = self.session.request(
            "PUT",
            self._url("Invoices"),
            params={"summarizeErrors": "false"},
            headers=headers,
            content=encode_json({"Invoices": list(invoices)}),
        )
        try:
            body = response.json()
        except ValueError:
            body = None
        self._check(response, body, "PUT /Invoices")
        if not isinstance(body, dict) or not isinstance(body.get("Invoices"), list):
            raise MalformedResponse(
                "Xero answered PUT /Invoices without an Invoices list",
                hint="check in Xero which invoices exist (by Reference) before sending the batch again",
            )
        results: list[dict[str, Any]] = body["Invoices"]
        return results

    # plumbing ----------------------------------------------------------------------------------------
    def _url(self, resource: str) -> str:
        return f"{self.base_url}/{resource}"

    def _headers(self, modified_since: datetime | None = None) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        if self.tenant_id:
            headers["xero-tenant-id"] = self.tenant_id
        if modified_since is not None:
            headers["If-Modified-Since"] = if_modified_since(modified_since)
        return headers

    def _get(
        self,
        resource: str,
        query: dict[str, str],
        modified_since: datetime | None,
        *,
        page: int | None = None,
    ) -> dict[str, Any]:
        response, body = self.session.get_json(
            self._url(resource), params=query, headers=self._headers(modified_since)
        )
        self._check(response, body, f"GET /{resource}")
        if not isinstance(body, dict):
            raise self._malformed(resource, page, "the body is not a JSON object")
        return body

    def _records(self, resource: str, body: dict[str, Any], *, page: int | None) -> list[dict[str, Any]]:
        collection = _COLLECTION.get(resource, resource)
        records = body.get(collection)
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            raise self._malformed(resource, page, f"it has no '{collection}' list")
        return records

    @staticmethod
    def _malformed(resource: str, page: int | None, why: str) -> MalformedResponse:
        where = f" page {page}" if page is not None else ""
        return MalformedResponse.answer("Xero", f"GET /{resource}{where}", why)

    def _check(self, response: httpx.Response, body: Any, endpoint: str) -> None:
        status = response.status_code
        if status < 300:
            return
        detail = error_detail(body, response)
        if status == 401:
            raise AuthError(
                f"Xero refused the access token on {endpoint} ({detail})",
                hint="the token expired or the app was disconnected: connect Xero again",
            )
        if status == 403:
            tenant = f"tenant {self.tenant_id}" if self.tenant_id else "the custom connection's tenant"
            raise AuthError(
                f"Xero refused access to {tenant} on {endpoint} ({detail})",
                hint="the organisation may be disconnected, reset (demo companies get a new tenant id) or "
                "not granted this scope: connect Xero again and choose the organisation",
            )
        if status == 429:
            raise RateLimitExhausted(
                "Xero",
                (response.headers.get("X-Rate-Limit-Problem") or "minute").lower(),
                _seconds(response.headers.get("Retry-After")),
            )
        if status >= 500:
            raise TransientFailure(
                f"Xero answered {status} on {endpoint} after retries: {detail}",
                hint="Xero may be offline for maintenance; run again later (completed work is kept)",
            )
        raise ApiError("Xero", status, endpoint, detail, hint=_hint_for(status))


def _hint_for(status: int) -> str:
    if status == 404:
        return "check the id or number asked for; a long IDs list can also give 404 (send at most 50)"
    if status == 400:
        return "fix the request as Xero's message says; nothing was retried"
    return "see Xero's message; nothing was retried"


def error_detail(body: Any, response: httpx.Response) -> str:
    """Xero's own explanation: Detail / Message, plus the first validation messages of the elements."""
    if isinstance(body, dict):
        parts = [str(body[key]) for key in ("Title", "Detail", "Message") if body.get(key)]
        messages: list[str] = []
        for element in body.get("Elements") or []:
            for error in (element or {}).get("ValidationErrors") or []:
                message = (error or {}).get("Message")
                if message and message not in messages:
                    messages.append(str(message))
        if messages:
            parts.append(
                "; ".join(messages[:5]) + (f" (+{len(messages) - 5} more)" if len(messages) > 5 else "")
            )
        if body.get("error"):
            parts.append(str(body["error"]))
        if parts:
            return ": ".join(parts)[:_DETAIL_LIMIT]
    text = response.text.strip() if response.content else ""
    return (text[:_DETAIL_LIMIT] or response.reason_phrase or f"HTTP {response.status_code}").replace(
        "\n", " "
    )


def _seconds(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _quote(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def encode_json(value: Any) -> bytes:
    """JSON for a request body: `Decimal` as an exact number (never via float), dates as `YYYY-MM-DD`."""
    return _encode(value).encode("utf-8")


def _encode(value: Any) -> str:
    if isinstance(value, Mapping):
        return "{" + ",".join(f"{json.dumps(str(k))}:{_encode(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_encode(v) for v in value) + "]"
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value} cannot be sent to Xero")
        return format(value, "f")
    if isinstance(value, datetime):
        return json.dumps(value.isoformat())
    if isinstance(value, date):
        return json.dumps(value.isoformat())
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{value} cannot be sent to Xero")
    return json.dumps(value)
