"""The HubSpot calls the workbench makes: CRM v3 object pages, the search API for changes since a
moment (with its 10,000-result cap handled), property definitions, deal pipelines, owners, v4
association batch reads, and the write-back the invoice flow needs (custom deal and company properties,
record updates one at a time or in batches of 100).

Every call goes through an `ApiSession` on an httpx client that already carries `Authorization: Bearer`
(a private-app token or OAuth, see `workbench.auth`); searches go through a second session with the
search API's own per-second budget. Errors become the workbench's exceptions in HubSpot's own words.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
from pydantic import ValidationError

from workbench.errors import (
    ApiError,
    AuthError,
    ConfigurationError,
    MalformedResponse,
    RateLimitExhausted,
    TransientFailure,
)
from workbench.http import ApiSession, Clock, HubSpotBudget, HubSpotSearchBudget, SystemClock
from workbench.hubspot.models import AssociationBatch, ErrorBody, ObjectPage, SearchPage
from workbench.hubspot.search import SEARCH_LIMIT, SearchCursor, SearchStep, epoch_ms, next_cursor
from workbench.pipedrive.client import encode_json

HUBSPOT_API = "https://api.hubapi.com"
PAGE_LIMIT = 100  # object lists: at most 100 a page
BATCH_LIMIT = 100  # batch read / update inputs
ASSOCIATION_BATCH_LIMIT = 1_000  # v4 association batch read inputs
OBJECT_TYPES = ("companies", "contacts", "deals", "line_items", "products")
# the property holding the last-modified instant: contacts keep the older name
MODIFIED_PROPERTY = {
    "companies": "hs_lastmodifieddate",
    "contacts": "lastmodifieddate",
    "deals": "hs_lastmodifieddate",
    "line_items": "hs_lastmodifieddate",
    "products": "hs_lastmodifieddate",
}
# the property group each object type's own properties live in (always there in a portal)
INFORMATION_GROUP = {
    "companies": "companyinformation",
    "contacts": "contactinformation",
    "deals": "dealinformation",
    "line_items": "lineiteminformation",
    "products": "productinformation",
}
_DETAIL_LIMIT = 500
AUTH_HINT = (
    "check the HubSpot private-app token (Settings > Integrations > Private apps) and its scopes, or "
    "reconnect HubSpot with `workbench connect hubspot`"
)


def hubspot_sessions(client: httpx.Client, clock: Clock | None = None) -> tuple[ApiSession, ApiSession]:
    """The sessions for HubSpot over `client` (which carries the auth): CRM calls, and searches."""
    clock = clock or SystemClock()
    budget, search = HubSpotBudget(clock), HubSpotSearchBudget(clock)
    return ApiSession("HubSpot", client, budget, clock=clock), ApiSession(
        "HubSpot", client, search, clock=clock
    )


@dataclass
class BatchResult:
    """What a batch update changed, and the ids HubSpot could not find."""

    updated: list[dict[str, Any]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)  # id -> HubSpot's words for refusing it


class HubSpotClient:
    """HubSpot's CRM API for one portal. `base_url` is `https://api.hubapi.com` or a sandbox's `/hubspot`."""

    def __init__(
        self, session: ApiSession, search_session: ApiSession | None = None, base_url: str = HUBSPOT_API
    ) -> None:
        self.session = session
        self.search_session = search_session or ApiSession(
            "HubSpot", session.client, HubSpotSearchBudget(session.clock), clock=session.clock
        )
        self.base = base_url.rstrip("/")

    # reads -------------------------------------------------------------------------------------------
    def list_page(
        self, object_type: str, after: str | None = None, *, properties: Sequence[str] = ()
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page (up to 100) of an object type, and the next page's `after` (None on the last)."""
        query: dict[str, str] = {"limit": str(PAGE_LIMIT)}
        if properties:
            query["properties"] = ",".join(properties)
        if after:
            query["after"] = after
        endpoint = f"GET /crm/v3/objects/{_object(object_type)}"
        body = self._get(f"/crm/v3/objects/{_object(object_type)}", query, endpoint)
        page = _parse(ObjectPage, body, endpoint)
        following = page.paging.next.after if page.paging and page.paging.next else None
        return body["results"], following

    def search_page(
        self,
        object_type: str,
        cursor: SearchCursor,
        *,
        properties: Sequence[str] = (),
        limit: int = SEARCH_LIMIT,
    ) -> SearchStep:
        """One page of the objects changed at or after `cursor.since_ms`, oldest change first.

        Before asking past the 10,000th result (which HubSpot refuses) the window restarts at the last
        change read; if one instant holds more than 10,000 changes, that instant is read in id order.
        """
        modified = MODIFIED_PROPERTY[_object(object_type)]
        if cursor.last_id is None:
            filters = [{"propertyName": modified, "operator": "GTE", "value": str(cursor.since_ms)}]
            sort = modified
        else:
            filters = [
                {"propertyName": modified, "operator": "EQ", "value": str(cursor.since_ms)},
                {"propertyName": "hs_object_id", "operator": "GT", "value": str(cursor.last_id)},
            ]
            sort = "hs_object_id"
        body = {
            "filterGroups": [{"filters": filters}],
            "sorts": [{"propertyName": sort, "direction": "ASCENDING"}],
            "properties": list(dict.fromkeys([*properties, modified])),
            "limit": limit,
            "after": str(cursor.after),
        }
        endpoint = f"POST /crm/v3/objects/{_object(object_type)}/search"
        response = self.search_session.request(
            "POST",
            f"{self.base}/crm/v3/objects/{_object(object_type)}/search",
            headers={"Content-Type": "application/json"},
            content=encode_json(body),
            retryable=True,
        )
        answer = self._json(response, endpoint)
        page = _parse(SearchPage, answer, endpoint)
        records: list[dict[str, Any]] = answer["results"]
        return SearchStep(records, next_cursor(cursor, page, records, modified), page.total)

    def changed_since(
        self, object_type: str, since: datetime, *, properties: Sequence[str] = ()
    ) -> Iterator[SearchStep]:
        """Every page of the objects changed at or after `since` (a record may come twice at a window
        boundary; the caller keeps the newest by id)."""
        cursor: SearchCursor | None = SearchCursor(epoch_ms(since))
        while cursor is not None:
            step = self.search_page(object_type, cursor, properties=properties)
            yield step
            cursor = step.following

    def property_definitions(self, object_type: str) -> list[dict[str, Any]]:
        endpoint = f"GET /crm/v3/properties/{_object(object_type)}"
        return self._results(self._get(f"/crm/v3/properties/{_object(object_type)}", {}, endpoint), endpoint)

    def pipelines(self, object_type: str = "deals") -> list[dict[str, Any]]:
        endpoint = f"GET /crm/v3/pipelines/{object_type}"
        return self._results(self._get(f"/crm/v3/pipelines/{object_type}", {}, endpoint), endpoint)

    def owners(self, *, archived: bool = False) -> list[dict[str, Any]]:
        """Every owner (user) of the portal, active or archived (owners of old records leave)."""
        owners: list[dict[str, Any]] = []
        after: str | None = None
        while True:
            query = {
                "limit": "500",
                "archived": "true" if archived else "false",
                **({"after": after} if after else {}),
            }
            body = self._get("/crm/v3/owners", query, "GET /crm/v3/owners")
            owners += self._results(body, "GET /crm/v3/owners")
            paging = _parse(
                ObjectPage, {"results": [], "paging": body.get("paging")}, "GET /crm/v3/owners"
            ).paging
            after = paging.next.after if paging is not None and paging.next is not None else None
            if not after:
                return owners

    def associations(
        self, from_type: str, to_type: str, ids: Sequence[str | int]
    ) -> dict[str, list[dict[str, Any]]]:
        """`{from id: [{"id", "types"}]}` for up to 1,000 ids (ids without associations are left out)."""
        wanted = _ids(ids)
        if not wanted or len(wanted) > ASSOCIATION_BATCH_LIMIT:
            raise ConfigurationError(
                f"{len(wanted)} ids in one association batch read; "
                f"HubSpot takes 1 to {ASSOCIATION_BATCH_LIMIT}",
                hint=f"split the ids into batches of {ASSOCIATION_BATCH_LIMIT}",
            )
        path = f"/crm/v4/associations/{_object(from_type)}/{_object(to_type)}/batch/read"
        endpoint = f"POST {path}"
        response = self.session.request(
            "POST",
            f"{self.base}{path}",
            headers={"Content-Type": "application/json"},
            content=encode_json({"inputs": [{"id": i} for i in wanted]}),
            retryable=True,
        )
        batch = _parse(AssociationBatch, self._json(response, endpoint, partial=True), endpoint)
        return {
            r.from_.id: [
                {"id": str(t.to_object_id), "types": [a.type_id for a in t.association_types]} for t in r.to
            ]
            for r in batch.results
        }

    def read_batch(
        self, object_type: str, ids: Sequence[str | int], *, properties: Sequence[str] = ()
    ) -> list[dict[str, Any]]:
        """Up to 100 objects by id (ids HubSpot cannot find are left out)."""
        wanted = _ids(ids)
        if not wanted or len(wanted) > BATCH_LIMIT:
            raise ConfigurationError(
                f"{len(wanted)} ids in one batch read; HubSpot takes 1 to {BATCH_LIMIT}",
                hint=f"split the ids into batches of {BATCH_LIMIT}",
            )
        path = f"/crm/v3/objects/{_object(object_type)}/batch/read"
        response = self.session.request(
            "POST",
            f"{self.base}{path}",
            headers={"Content-Type": "application/json"},
            content=encode_json({"inputs": [{"id": i} for i in wanted], "properties": list(properties)}),
            retryable=True,
        )
        body = self._json(response, f"POST {path}", partial=True)
        return self._results(body, f"POST {path}")

    # writes ------------------------------------------------------------------------------------------
    def create_property(
        self,
        object_type: str,
        name: str,
        label: str,
        *,
        kind: str = "string",
        field_type: str = "text",
        group: str | None = None,
        options: Sequence[str] | None = None,
    ) -> dict[str, Any]:
        """Create a custom property on `object_type` (in `group`, default the object's own information
        group). Not retried on a dropped connection; a second POST of the same name is a 409 naming it."""
        _object(object_type)
        body: dict[str, Any] = {
            "name": name,
            "label": label,
            "type": kind,
            "fieldType": field_type,
            "groupName": group or INFORMATION_GROUP[_object(object_type)],
        }
        if options:
            body["options"] = [{"label": o, "value": o, "displayOrder": n} for n, o in enumerate(options)]
        response = self.session.request(
            "POST",
            f"{self.base}/crm/v3/properties/{object_type}",
            headers={"Content-Type": "application/json"},
            content=encode_json(body),
        )
        return self._json(response, f"POST /crm/v3/properties/{object_type}")

    def create_deal_property(self, name: str, label: str, **options: Any) -> dict[str, Any]:
        """Create a custom deal property (what write-back needs first); see `create_property`."""
        return self.create_property("deals", name, label, **options)

    def create_company_property(self, name: str, label: str, **options: Any) -> dict[str, Any]:
        return self.create_property("companies", name, label, **options)

    def update_object(
        self, object_type: str, object_id: str | int, properties: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Set properties on one record. A PATCH sets absolute values, so it is retried like a GET."""
        if not properties:
            raise ConfigurationError("no properties to write", hint="pass {property name: value}")
        record = _ids([object_id])[0]
        response = self.session.request(
            "PATCH",
            f"{self.base}/crm/v3/objects/{_object(object_type)}/{record}",
            headers={"Content-Type": "application/json"},
            content=encode_json({"properties": _wire_values(properties)}),
            retryable=True,
        )
        return self._json(response, f"PATCH /crm/v3/objects/{object_type}/{{id}}")

    def update_deal(self, deal_id: str | int, properties: Mapping[str, Any]) -> dict[str, Any]:
        return self.update_object("deals", deal_id, properties)

    def update_company(self, company_id: str | int, properties: Mapping[str, Any]) -> dict[str, Any]:
        return self.update_object("companies", company_id, properties)

    def update_objects(self, object_type: str, updates: Mapping[str | int, Mapping[str, Any]]) -> BatchResult:
        """Set properties on many records, 100 a call; the records HubSpot refuses one by one (not
        found) are reported with its words, not raised. A refusal of a whole batch (a 400) is raised."""
        items = [(i, dict(v)) for i, v in zip(_ids(list(updates)), updates.values(), strict=True)]
        endpoint = f"POST /crm/v3/objects/{object_type}/batch/update"
        result = BatchResult()
        for start in range(0, len(items), BATCH_LIMIT):
            chunk = items[start : start + BATCH_LIMIT]
            inputs = [{"id": i, "properties": _wire_values(values)} for i, values in chunk]
            response = self.session.request(
                "POST",
                f"{self.base}/crm/v3/objects/{_object(object_type)}/batch/update",
                headers={"Content-Type": "application/json"},
                content=encode_json({"inputs": inputs}),
                retryable=True,
            )
            body = self._json(response, endpoint, partial=True)
            result.updated += self._results(body, endpoint)
            for error in body.get("errors") or []:
                if not isinstance(error, dict):
                    continue
                ids = [str(i) for i in (error.get("context") or {}).get("ids") or []]
                result.missing += ids
                why = str(error.get("message") or error.get("category") or "refused")
                result.errors.update(dict.fromkeys(ids, why))
        return result

    def update_deals(self, updates: Mapping[str | int, Mapping[str, Any]]) -> BatchResult:
        return self.update_objects("deals", updates)

    def update_companies(self, updates: Mapping[str | int, Mapping[str, Any]]) -> BatchResult:
        return self.update_objects("companies", updates)

    # plumbing ----------------------------------------------------------------------------------------
    def _get(self, path: str, query: dict[str, str], endpoint: str) -> dict[str, Any]:
        response, body = self.session.get_json(f"{self.base}{path}", params=query)
        self._check(response, body, endpoint)
        if not isinstance(body, dict):
            raise _malformed(endpoint, "the body is not a JSON object")
        return body

    def _json(self, response: httpx.Response, endpoint: str, *, partial: bool = False) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError:
            body = None
        if not (partial and response.status_code == 207):
            self._check(response, body, endpoint)
        if not isinstance(body, dict):
            raise _malformed(endpoint, "the body is not a JSON object")
        return body

    @staticmethod
    def _results(body: dict[str, Any], endpoint: str) -> list[dict[str, Any]]:
        results = body.get("results")
        if not isinstance(results, list) or not all(isinstance(r, dict) for r in results):
            raise _malformed(endpoint, "its 'results' is not a list of objects")
        return results

    def _check(self, response: httpx.Response, body: Any, endpoint: str) -> None:
        status = response.status_code
        error = ErrorBody.model_validate(body if isinstance(body, dict) else {})
        detail = _error_text(response, error)
        if status == 401:
            hint = AUTH_HINT
            if error.category == "EXPIRED_AUTHENTICATION":
                hint = "the OAuth access token expired and could not be refreshed; reconnect HubSpot"
            raise AuthError(f"HubSpot refused the credentials on {endpoint}: {detail}", hint=hint)
        if status == 429:
            raise RateLimitExhausted("HubSpot", "daily" if error.policy_name == "DAILY" else "burst", None)
        if status >= 500:
            raise TransientFailure(
                f"HubSpot answered {status} on {endpoint}: {detail}",
                hint="HubSpot is having trouble; run again later, completed work is kept",
            )
        if not 200 <= status < 300:
            raise ApiError(
                "HubSpot", status, endpoint, detail or "unexpected status", hint=_hint(status, error)
            )


def _wire_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """Property values as HubSpot takes them: datetimes as epoch ms, None as "" (which clears)."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        if isinstance(value, datetime):
            out[name] = str(epoch_ms(value))
        elif value is None:
            out[name] = ""
        elif isinstance(value, bool):
            out[name] = "true" if value else "false"
        else:
            out[name] = value
    return out


def _object(object_type: str) -> str:
    if object_type not in OBJECT_TYPES:
        raise ConfigurationError(
            f"{object_type!r} is not a HubSpot object type the workbench reads",
            hint=f"use one of {', '.join(OBJECT_TYPES)}",
        )
    return object_type


def _ids(ids: Sequence[str | int]) -> list[str]:
    out: list[str] = []
    for value in ids:
        text = str(value).strip()
        if not text.isdigit():
            raise ConfigurationError(f"HubSpot record ids are whole numbers, not {value!r}")
        out.append(str(int(text)))
    return list(dict.fromkeys(out))


def _parse(model: Any, body: Any, endpoint: str) -> Any:
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise _malformed(endpoint, f"'{where}' {first.get('msg')}") from None


def _error_text(response: httpx.Response, error: ErrorBody) -> str:
    """HubSpot's own words: the message, its category, and each detail's message."""
    if error.message:
        parts = [error.message] + [d.message for d in error.errors if d.message]
        category = f" ({error.category})" if error.category else ""
        return ("; ".join(parts) + category)[:_DETAIL_LIMIT]
    return response.text[:_DETAIL_LIMIT].strip()


def _hint(status: int, error: ErrorBody) -> str | None:
    if status == 403:
        return (
            "the token lacks a scope this call needs; add it to the private app (or reconnect the OAuth app)"
        )
    if status == 404:
        return "the record or endpoint does not exist in this portal; check the id"
    if status == 409:
        return "it already exists; the message names it (a property of that name, a duplicate unique value)"
    if status == 400:
        return "HubSpot rejected the request; the detail names the property or parameter"
    return None


def _malformed(endpoint: str, why: str) -> MalformedResponse:
    return MalformedResponse.answer("HubSpot", endpoint, why)
