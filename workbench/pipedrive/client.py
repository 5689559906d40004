"""The Pipedrive calls the workbench makes: v2 cursor-paged lists, deal products, v1 users, and the small
writes the invoice flow's write-back needs (a custom field, custom-field values on a deal or organization).

Every call goes through an `ApiSession` (burst and daily-token budgets, retries, 429s) on an httpx client
that already carries the credentials (`x-api-token` or OAuth bearer, see `workbench.auth`). Errors become
the workbench's own exceptions with Pipedrive's own words, never the request's headers or query.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
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
from workbench.http import ApiSession, Clock, PipedriveBudget, SystemClock

PIPEDRIVE_API_V2 = "https://api.pipedrive.com/api/v2"
PIPEDRIVE_API_V1 = "https://api.pipedrive.com/v1"
PAGE_LIMIT = 500  # v2 lists: default 100, maximum 500
MAX_IDS_PER_CALL = 100  # `deal_ids` / `ids` take at most 100 ids
FIELD_ENTITIES = ("deal", "organization", "person", "product")  # each has /api/v2/{entity}Fields
UPDATED_SINCE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"  # v2 answers 400 to fractional seconds or a space separator
_DETAIL_LIMIT = 500
AUTH_HINT = (
    "check the Pipedrive API token (Settings > Personal preferences > API) or reconnect Pipedrive; "
    "a regenerated token invalidates the old one"
)


def format_updated_since(moment: datetime | str) -> str:
    """The `updated_since` value: UTC, whole seconds, `Z` (text is passed through as already formatted)."""
    if isinstance(moment, str):
        return moment
    instant = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return instant.strftime(UPDATED_SINCE_FORMAT)


def pipedrive_session(client: httpx.Client, clock: Clock | None = None) -> ApiSession:
    """An ApiSession for Pipedrive over `client` (which carries the auth), with Pipedrive's budgets."""
    budget = PipedriveBudget(clock or SystemClock())
    return ApiSession("Pipedrive", client, budget, clock=budget.clock)


def encode_json(payload: Any) -> bytes:
    """JSON with `Decimal` written as its exact digits (never through float)."""
    return _dump(payload).encode("utf-8")


def _dump(value: Any) -> str:
    if value is None or isinstance(value, bool | str | float):
        return json.dumps(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ConfigurationError(f"cannot send {value} to Pipedrive: not a finite number")
        return format(value, "f")
    if isinstance(value, Mapping):
        return "{" + ",".join(f"{json.dumps(str(k))}:{_dump(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_dump(v) for v in value) + "]"
    raise ConfigurationError(f"cannot send a {type(value).__name__} to Pipedrive as JSON")


class PipedriveClient:
    """Pipedrive API v2 (and v1 for users) for one company.

    `base_url` is the company host (`https://{company}.pipedrive.com`) or an OAuth token's `api_domain`;
    `/api/v2` and `/v1` are built from it. Without it the global `api.pipedrive.com` servers are used.
    """

    def __init__(self, session: ApiSession, base_url: str | None = None) -> None:
        self.session = session
        if base_url is None:
            self.v2, self.v1 = PIPEDRIVE_API_V2, PIPEDRIVE_API_V1
        else:
            root = base_url.rstrip("/").removesuffix("/api/v2").removesuffix("/v1")
            self.v2, self.v1 = f"{root}/api/v2", f"{root}/v1"

    # reads -------------------------------------------------------------------------------------------
    def list_page(
        self,
        resource: str,
        cursor: str | None = None,
        *,
        updated_since: datetime | str | None = None,
        params: Mapping[str, str] | None = None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page (up to 500) of a v2 list such as `deals` or `dealFields`, and the next page's cursor
        (None on the last page). `updated_since` is inclusive; `params` adds filters such as `status`."""
        query: dict[str, str] = {**(params or {}), "limit": str(PAGE_LIMIT)}
        if cursor:
            query["cursor"] = cursor
        if updated_since is not None:
            query["updated_since"] = format_updated_since(updated_since)
        body = self._get(f"{self.v2}/{resource}", query, f"GET /api/v2/{resource}")
        return self._records(body, f"GET /api/v2/{resource}"), self._next_cursor(body, resource)

    def list_all(
        self,
        resource: str,
        *,
        updated_since: datetime | str | None = None,
        params: Mapping[str, str] | None = None,
    ) -> list[dict[str, Any]]:
        """Every record of a v2 list, following cursors."""
        records: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            page, cursor = self.list_page(resource, cursor, updated_since=updated_since, params=params)
            records.extend(page)
            if cursor is None:
                return records

    def users(self) -> list[dict[str, Any]]:
        """Every user of the company (v1 `/users`: not paged, still v1 only)."""
        body = self._get(f"{self.v1}/users", {}, "GET /v1/users")
        return self._records(body, "GET /v1/users")

    def deal_products_page(
        self, deal_ids: Sequence[int | str], cursor: str | None = None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of the products attached to up to 100 deals, and the next page's cursor."""
        ids = _id_list(deal_ids)
        if not ids or len(ids) > MAX_IDS_PER_CALL:
            raise ConfigurationError(
                f"{len(ids)} deal ids in one deal-products call; Pipedrive takes 1 to {MAX_IDS_PER_CALL}",
                hint="split the deal ids into batches of 100",
            )
        query = {"deal_ids": ",".join(ids), "limit": str(PAGE_LIMIT)}
        if cursor:
            query["cursor"] = cursor
        body = self._get(f"{self.v2}/deals/products", query, "GET /api/v2/deals/products")
        return self._records(body, "GET /api/v2/deals/products"), self._next_cursor(body, "deals/products")

    def deal_products(self, deal_ids: Sequence[int | str]) -> list[dict[str, Any]]:
        """Every product attached to `deal_ids`, 100 deals a call, following cursors."""
        ids = _id_list(deal_ids)
        lines: list[dict[str, Any]] = []
        for start in range(0, len(ids), MAX_IDS_PER_CALL):
            batch = ids[start : start + MAX_IDS_PER_CALL]
            cursor: str | None = None
            while True:
                page, cursor = self.deal_products_page(batch, cursor)
                lines.extend(page)
                if cursor is None:
                    break
        return lines

    # writes ------------------------------------------------------------------------------------------
    def update_deal_custom_fields(self, deal_id: int | str, values: Mapping[str, Any]) -> dict[str, Any]:
        """Set custom fields on a deal: `values` maps field hashes to values (None clears a field).

        v2 accepts hashes only inside `custom_fields`; at the top level they are a 400. The PATCH sets
        absolute values, so sending it again is harmless and it is retried like a GET.
        """
        return self._patch_custom_fields("deals", deal_id, values)

    def update_organization_custom_fields(
        self, org_id: int | str, values: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Set custom fields on an organization (`PATCH /api/v2/organizations/{id}`), as for deals."""
        return self._patch_custom_fields("organizations", org_id, values)

    def create_deal_field(
        self, name: str, field_type: str = "varchar", *, options: Sequence[str] | None = None
    ) -> dict[str, Any]:
        """Create a deal custom field; the answer's `field_code` is the hash to write values under."""
        return self.create_field("deal", name, field_type, options=options)

    def create_field(
        self, entity: str, name: str, field_type: str = "varchar", *, options: Sequence[str] | None = None
    ) -> dict[str, Any]:
        """Create a custom field on `entity` (deal, organization, person, product): `POST /{entity}Fields`.

        Not retried on a dropped connection: a second POST would create a second field.
        """
        if entity not in FIELD_ENTITIES:
            raise ConfigurationError(
                f"Pipedrive has no {entity!r} fields", hint=f"use one of: {', '.join(FIELD_ENTITIES)}"
            )
        body: dict[str, Any] = {"field_name": name, "field_type": field_type}
        if options:
            body["options"] = [{"label": label} for label in options]
        response = self.session.request(
            "POST",
            f"{self.v2}/{entity}Fields",
            headers={"Content-Type": "application/json"},
            content=encode_json(body),
        )
        return self._data_object(response, f"POST /api/v2/{entity}Fields")

    def _patch_custom_fields(
        self, resource: str, record_id: int | str, values: Mapping[str, Any]
    ) -> dict[str, Any]:
        if not values:
            raise ConfigurationError("no custom-field values to write", hint="pass {field hash: value}")
        response = self.session.request(
            "PATCH",
            f"{self.v2}/{resource}/{int(record_id)}",
            headers={"Content-Type": "application/json"},
            content=encode_json({"custom_fields": dict(values)}),
            retryable=True,
        )
        return self._data_object(response, f"PATCH /api/v2/{resource}/{{id}}")

    # plumbing ----------------------------------------------------------------------------------------
    def _get(self, url: str, query: dict[str, str], endpoint: str) -> dict[str, Any]:
        response, body = self.session.get_json(url, params=query)
        self._check(response, body, endpoint)
        if not isinstance(body, dict):
            raise _malformed(endpoint, "the body is not a JSON object")
        return body

    def _data_object(self, response: httpx.Response, endpoint: str) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError:
            body = None
        self._check(response, body, endpoint)
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, dict):
            raise _malformed(endpoint, "it has no 'data' object")
        return data

    @staticmethod
    def _records(body: dict[str, Any], endpoint: str) -> list[dict[str, Any]]:
        data = body.get("data")
        if data is None:
            return []  # v1 answers `data: null` for an empty collection
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise _malformed(endpoint, "its 'data' is not a list of objects")
        return data

    @staticmethod
    def _next_cursor(body: dict[str, Any], resource: str) -> str | None:
        extra = body.get("additional_data")
        cursor = extra.get("next_cursor") if isinstance(extra, dict) else None
        if cursor is not None and not isinstance(cursor, str):
            raise _malformed(f"GET /api/v2/{resource}", "its next_cursor is not a string")
        return cursor or None

    def _check(self, response: httpx.Response, body: Any, endpoint: str) -> None:
        status = response.status_code
        detail = _error_text(response, body)
        if status == 401:
            raise AuthError(f"Pipedrive refused the credentials on {endpoint}: {detail}", hint=AUTH_HINT)
        if status == 429:
            daily = response.headers.get("x-daily-ratelimit-token-remaining")
            limit = "daily token" if daily is not None and daily.strip() == "0" else "burst"
            raise RateLimitExhausted("Pipedrive", limit, None)
        if status >= 500:
            raise TransientFailure(
                f"Pipedrive answered {status} on {endpoint}: {detail}",
                hint="Pipedrive is having trouble; run again later, completed work is kept",
            )
        if status >= 400:
            raise ApiError("Pipedrive", status, endpoint, detail, hint=_hint(status, response))
        if not 200 <= status < 300:
            raise ApiError("Pipedrive", status, endpoint, detail or "unexpected status")
        if isinstance(body, dict) and body.get("success") is False:
            raise ApiError("Pipedrive", status, endpoint, detail or "success: false")


def _id_list(ids: Sequence[int | str]) -> list[str]:
    out: list[str] = []
    for value in ids:
        text = str(value).strip()
        if not text.isdigit():
            raise ConfigurationError(f"Pipedrive ids are whole numbers, not {value!r}")
        out.append(str(int(text)))
    return list(dict.fromkeys(out))


def _error_text(response: httpx.Response, body: Any) -> str:
    """Pipedrive's own words: `error` (+ `error_info`), or the start of a non-JSON page."""
    if isinstance(body, dict):
        parts = [str(body[key]) for key in ("error", "error_info") if body.get(key)]
        code = body.get("code")
        text = " — ".join(parts) + (f" ({code})" if code else "")
        return text[:_DETAIL_LIMIT]
    content_type = response.headers.get("content-type", "")
    if "html" in content_type:
        return "an HTML page instead of JSON (Cloudflare blocks clients that keep calling after a 429)"
    return response.text[:_DETAIL_LIMIT].strip()


def _hint(status: int, response: httpx.Response) -> str | None:
    if status == 402:
        return "the Pipedrive company account is not open (billing); ask the client to check their plan"
    if status == 403:
        if "html" in response.headers.get("content-type", ""):
            return "wait before trying again: Pipedrive blocked the client after repeated 429s"
        return "the user behind the token lacks the permission or plan feature for this call"
    if status == 404:
        return "the record or endpoint does not exist in this company; check the id and the company domain"
    if status == 410:
        return "Pipedrive removed this endpoint; the workbench needs updating"
    if status == 400:
        return "Pipedrive rejected the request's parameters or body; the detail names the field"
    return None


def _malformed(endpoint: str, why: str) -> MalformedResponse:
    return MalformedResponse.answer("Pipedrive", endpoint, why)
