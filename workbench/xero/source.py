"""Xero as a pull `Source`: reference data in one call each, then the paged collections at 1,000 a page.

A full pull of N records on a paged endpoint costs max(1, ceil(N / 1000)) calls: the next page is asked
for only while `page < pagination.pageCount`. An incremental pull sends `If-Modified-Since` from each
paged endpoint's cursor, so an unchanged endpoint costs one call.

Records that change while a pull pages through them must not be lost. Pages are ordered by the record
id, which never changes, so an edit cannot move a record across a page boundary (ordering by
UpdatedDateUTC, Xero's default, would). The cursor is the server's time when the endpoint's first page
was served, not the newest record seen: whatever changed after that is fetched again next time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from workbench.errors import ConfigurationError
from workbench.http import ApiSession
from workbench.pull.runner import minimum_paged_calls
from workbench.pull.source import CanonicalBatch, EndpointPlan, FetchedPage, RawRecord
from workbench.xero.canonicalise import canonicalise
from workbench.xero.client import PAGE_SIZE, XERO_API, XeroClient
from workbench.xero.models import parse_xero_datetime


@dataclass(frozen=True)
class Endpoint:
    name: str
    resource: str
    paged: bool
    id_field: str = ""


ENDPOINTS = (
    Endpoint("organisation", "Organisation", False),
    Endpoint("currencies", "Currencies", False),
    Endpoint("tax_rates", "TaxRates", False),
    Endpoint("accounts", "Accounts", False),
    Endpoint("items", "Items", False),
    Endpoint("contacts", "Contacts", True, "ContactID"),
    Endpoint("invoices", "Invoices", True, "InvoiceID"),
    Endpoint("credit_notes", "CreditNotes", True, "CreditNoteID"),
    Endpoint("payments", "Payments", True, "PaymentID"),
)


def cursor_text(moment: datetime) -> str:
    """A cursor as stored in the engagement: fixed-width ISO-8601 UTC, so text order is time order."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def parse_cursor(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ConfigurationError(
            f"the saved Xero cursor {text!r} is not an ISO timestamp",
            hint="run a full pull (mode='full') to start the cursors again",
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def parse_xero_datetime_or_none(records: list[RawRecord]) -> datetime | None:
    """The newest `UpdatedDateUTC` of `records`, when the envelope carried no server time."""
    text = latest_update(records)
    return parse_cursor(text) if text else None


def latest_update(records: list[RawRecord]) -> str | None:
    """The largest `UpdatedDateUTC` of `records`, as a cursor (None when no record has one)."""
    seen = [parse_xero_datetime(r.get("UpdatedDateUTC")) for r in records if r.get("UpdatedDateUTC")]
    moments = [m for m in seen if isinstance(m, datetime)]
    return cursor_text(max(moments)) if moments else None


class XeroSource:
    """The connected Xero organisation as a pull source (see `workbench.pull.runner.pull`)."""

    name = "xero"

    def __init__(self, client: XeroClient) -> None:
        self.client = client

    def plan(self, cursors: Mapping[str, str], saved: Callable[[str], list[RawRecord]]) -> list[EndpointPlan]:
        plans = []
        for endpoint in ENDPOINTS:
            if endpoint.paged:
                since = parse_cursor(cursors[endpoint.name]) if cursors.get(endpoint.name) else None
                plans.append(
                    EndpointPlan(
                        endpoint.name,
                        self._paged_fetch(endpoint, since),
                        minimum_calls=minimum_paged_calls(PAGE_SIZE),
                        context={"resource": endpoint.resource, "modified_since": since},
                    )
                )
            else:
                plans.append(
                    EndpointPlan(
                        endpoint.name,
                        self._unpaged_fetch(endpoint.resource),
                        minimum_calls=lambda _records: 1,
                        context={"resource": endpoint.resource},
                    )
                )
        return plans

    def _paged_fetch(self, endpoint: Endpoint, since: datetime | None) -> Callable[[str | None], FetchedPage]:
        order = {"order": f"{endpoint.id_field} ASC"}

        def fetch(token: str | None) -> FetchedPage:
            page = int(token) if token else 1
            result = self.client.get_page(endpoint.resource, page, modified_since=since, params=order)
            next_token = str(page + 1) if page < result.page_count else None
            # only the first page's server time is a safe cursor (see the module docstring)
            cursor = None
            if page == 1:
                served = result.server_time or (parse_xero_datetime_or_none(result.records))
                cursor = cursor_text(served) if served else None
            return FetchedPage(result.records, next_token, cursor)

        return fetch

    def _unpaged_fetch(self, resource: str) -> Callable[[str | None], FetchedPage]:
        def fetch(token: str | None) -> FetchedPage:
            return FetchedPage(self.client.get_all(resource), None)

        return fetch

    def canonicalise(self, pages: Mapping[str, list[RawRecord]]) -> CanonicalBatch:
        return canonicalise(pages, tenant_id=self.client.tenant_id)

    def budget_left(self) -> dict[str, int | None]:
        snapshot = self.client.session.budget.snapshot
        return {"minute": snapshot.minute_remaining, "day": snapshot.day_remaining}


def xero_source(session: ApiSession, tenant_id: str | None, base_url: str = XERO_API) -> XeroSource:
    """A `XeroSource` over `session` (whose httpx client already carries the bearer token)."""
    return XeroSource(XeroClient(session, tenant_id, base_url))
