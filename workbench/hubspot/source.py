"""HubSpot as a pull source: which endpoints, how each pages, what its incremental cursor is.

Owners, deal pipelines and the five property lists are small and pulled whole every time. Products,
companies, contacts and deals are listed page by page on a full pull; an incremental pull asks the
search API for what changed since the largest last-modified date seen (inclusive), oldest first, its
10,000-result cap handled by `HubSpotClient.search_page`. Associations (contact to company, deal to
company, contact and line items) come from v4 batch reads for the records of the same pull, then the
deals' line items by id, 100 a call, so a line removed from a changed deal disappears.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping
from datetime import datetime

from workbench.hubspot.canonicalise import PROPERTY_ENDPOINTS, canonical_batch
from workbench.hubspot.client import (
    ASSOCIATION_BATCH_LIMIT,
    BATCH_LIMIT,
    MODIFIED_PROPERTY,
    PAGE_LIMIT,
    HubSpotClient,
)
from workbench.hubspot.models import parse_moment
from workbench.hubspot.search import SEARCH_LIMIT, SearchCursor, epoch_ms
from workbench.pipedrive.canonicalise import PreviousRows
from workbench.pipedrive.source import previous_rows as _rows_of
from workbench.pull.runner import minimum_paged_calls
from workbench.pull.source import CanonicalBatch, EndpointPlan, FetchedPage, RawRecord
from workbench.store import Engagement

# endpoint -> (object type, the properties read besides the portal's custom ones)
CHANGING_ENDPOINTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "products": ("products", ("name", "hs_sku", "price", "description", "hs_cost_of_goods_sold")),
    "companies": (
        "companies",
        (
            "name",
            "domain",
            "website",
            "phone",
            "address",
            "address2",
            "city",
            "state",
            "zip",
            "country",
            "hubspot_owner_id",
        ),
    ),
    "contacts": (
        "contacts",
        (
            "firstname",
            "lastname",
            "email",
            "hs_additional_emails",
            "phone",
            "mobilephone",
            "jobtitle",
            "hubspot_owner_id",
        ),
    ),
    "deals": (
        "deals",
        (
            "dealname",
            "amount",
            "deal_currency_code",
            "pipeline",
            "dealstage",
            "closedate",
            "hs_is_closed_won",
            "hs_is_closed",
            "hubspot_owner_id",
        ),
    ),
}
LINE_ITEM_PROPERTIES = (
    "name",
    "quantity",
    "price",
    "amount",
    "discount",
    "hs_discount_percentage",
    "hs_product_id",
    "hs_sku",
    "hs_line_item_currency_code",
)
# endpoint -> (from endpoint, from type, to type)
ASSOCIATION_ENDPOINTS = {
    "contact_companies": ("contacts", "contacts", "companies"),
    "deal_companies": ("deals", "deals", "companies"),
    "deal_contacts": ("deals", "deals", "contacts"),
    "deal_line_items": ("deals", "deals", "line_items"),
}
PROPERTIES_OF = {object_type: endpoint for endpoint, (object_type, _) in PROPERTY_ENDPOINTS.items()}


def previous_rows(engagement: Engagement) -> PreviousRows:
    """The engagement's latest HubSpot rows of a canonical table, as plain Python values."""
    return _rows_of(engagement, HubSpotSource.name)


class HubSpotSource:
    """One HubSpot portal as a `workbench.pull` source (`previous`: see `previous_rows`)."""

    name = "hubspot"

    def __init__(self, client: HubSpotClient, *, previous: PreviousRows | None = None) -> None:
        self.client = client
        self.previous = previous
        self.incremental = False

    @classmethod
    def for_engagement(cls, client: HubSpotClient, engagement: Engagement) -> HubSpotSource:
        return cls(client, previous=previous_rows(engagement))

    def plan(self, cursors: Mapping[str, str], saved: Callable[[str], list[RawRecord]]) -> list[EndpointPlan]:
        self.incremental = any(cursors.get(name) for name in CHANGING_ENDPOINTS)
        one_call = minimum_paged_calls(10**9)
        plans = [
            EndpointPlan("owners", self._owners, minimum_calls=lambda records: 2),
            EndpointPlan(
                "pipelines",
                lambda token: FetchedPage(self.client.pipelines("deals"), None),
                minimum_calls=one_call,
            ),
        ]
        for endpoint, (object_type, _) in PROPERTY_ENDPOINTS.items():
            plans.append(EndpointPlan(endpoint, self._definitions(object_type), minimum_calls=one_call))
        for endpoint, (object_type, standard) in CHANGING_ENDPOINTS.items():
            plans.append(self._changing(endpoint, object_type, standard, cursors.get(endpoint), saved))
        for endpoint, (parent, from_type, to_type) in ASSOCIATION_ENDPOINTS.items():
            plans.append(self._associations(endpoint, parent, from_type, to_type, saved))
        plans.append(self._line_items(saved))
        return plans

    def canonicalise(self, pages: Mapping[str, list[RawRecord]]) -> CanonicalBatch:
        return canonical_batch(pages, incremental=self.incremental, previous=self.previous)

    def budget_left(self) -> dict[str, int | None]:
        snapshot = self.client.session.budget.snapshot
        return {"burst": snapshot.minute_remaining, "daily": snapshot.day_remaining}

    # endpoints ---------------------------------------------------------------------------------------
    def _owners(self, token: str | None) -> FetchedPage:
        if token is None:
            return FetchedPage(self.client.owners(), "archived")
        return FetchedPage(self.client.owners(archived=True), None)

    def _definitions(self, object_type: str) -> Callable[[str | None], FetchedPage]:
        return lambda token: FetchedPage(self.client.property_definitions(object_type), None)

    def _changing(
        self,
        endpoint: str,
        object_type: str,
        standard: tuple[str, ...],
        since: str | None,
        saved: Callable[[str], list[RawRecord]],
    ) -> EndpointPlan:
        modified = MODIFIED_PROPERTY[object_type]

        @functools.cache
        def properties() -> list[str]:
            custom = [d["name"] for d in saved(PROPERTIES_OF[object_type]) if not d.get("hubspotDefined")]
            return list(dict.fromkeys([*standard, modified, *custom]))

        if since is None:

            def listing(token: str | None) -> FetchedPage:
                records, following = self.client.list_page(object_type, token, properties=properties())
                return FetchedPage(records, following, _latest(records, modified))

            return EndpointPlan(
                endpoint,
                listing,
                minimum_calls=minimum_paged_calls(PAGE_LIMIT),
                depends_on=(PROPERTIES_OF[object_type],),
            )
        start = parse_moment(since)
        if not isinstance(start, datetime):
            raise ValueError(f"the saved {endpoint} cursor {since!r} is not an instant")

        def searching(token: str | None) -> FetchedPage:
            cursor = SearchCursor.parse(token) if token else SearchCursor(epoch_ms(start))
            step = self.client.search_page(object_type, cursor, properties=properties())
            following = step.following.text() if step.following is not None else None
            return FetchedPage(step.records, following, _latest(step.records, modified) or since)

        return EndpointPlan(
            endpoint,
            searching,
            minimum_calls=minimum_paged_calls(SEARCH_LIMIT),
            depends_on=(PROPERTIES_OF[object_type],),
        )

    def _associations(
        self,
        endpoint: str,
        parent: str,
        from_type: str,
        to_type: str,
        saved: Callable[[str], list[RawRecord]],
    ) -> EndpointPlan:
        """From the ids saved by `parent` in this pull, 1,000 a call; the page token is the batch index."""

        @functools.cache  # the parent's saved pages are read once, not once a batch
        def ids() -> list[str]:
            return sorted({str(r["id"]) for r in saved(parent) if not r.get("archived")}, key=int)

        def fetch(token: str | None) -> FetchedPage:
            wanted, index = ids(), int(token or 0)
            batch = wanted[index * ASSOCIATION_BATCH_LIMIT : (index + 1) * ASSOCIATION_BATCH_LIMIT]
            if not batch:
                return FetchedPage([], None)
            found = self.client.associations(from_type, to_type, batch)
            records = [{"from": i, "to": found[i]} for i in batch if i in found]
            more = (index + 1) * ASSOCIATION_BATCH_LIMIT < len(wanted)
            return FetchedPage(records, str(index + 1) if more else None)

        def minimum(records: int) -> int:
            return max(1, math.ceil(len(ids()) / ASSOCIATION_BATCH_LIMIT))

        return EndpointPlan(endpoint, fetch, minimum_calls=minimum, depends_on=(parent,))

    def _line_items(self, saved: Callable[[str], list[RawRecord]]) -> EndpointPlan:
        """The line items of this pull's deals by id, 100 a batch read."""

        @functools.cache
        def ids() -> list[str]:
            found = {t["id"] for record in saved("deal_line_items") for t in record.get("to") or []}
            return sorted(found, key=int)

        @functools.cache
        def properties() -> list[str]:
            custom = [d["name"] for d in saved("line_item_properties") if not d.get("hubspotDefined")]
            return list(dict.fromkeys([*LINE_ITEM_PROPERTIES, *custom]))

        def fetch(token: str | None) -> FetchedPage:
            wanted, index = ids(), int(token or 0)
            batch = wanted[index * BATCH_LIMIT : (index + 1) * BATCH_LIMIT]
            if not batch:
                return FetchedPage([], None)
            records = self.client.read_batch("line_items", batch, properties=properties())
            more = (index + 1) * BATCH_LIMIT < len(wanted)
            return FetchedPage(records, str(index + 1) if more else None)

        def minimum(records: int) -> int:
            return max(1, math.ceil(len(ids()) / BATCH_LIMIT))

        return EndpointPlan(
            "line_items", fetch, minimum_calls=minimum, depends_on=("deal_line_items", "line_item_properties")
        )


def _latest(records: list[RawRecord], modified: str) -> str | None:
    """The largest last-modified instant of `records` as ISO 8601 (the endpoint's next cursor)."""
    moments = [parse_moment((r.get("properties") or {}).get(modified) or r.get("updatedAt")) for r in records]
    latest = max((m for m in moments if isinstance(m, datetime)), default=None)
    return latest.isoformat().replace("+00:00", "Z") if latest is not None else None


__all__ = ["HubSpotSource", "previous_rows"]
