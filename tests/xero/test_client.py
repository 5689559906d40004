"""XeroClient: request shape, paging edges, reference look-ups, creates, and errors mapped to the tree."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.xero.support import XeroSandbox, xero_sandbox
from workbench.errors import (
    ApiError,
    AuthError,
    ConfigurationError,
    MalformedResponse,
    RateLimitExhausted,
    TransientFailure,
)
from workbench.http import ApiSession, SteppedClock, XeroBudget, build_client
from workbench.xero.client import XeroClient, encode_json, if_modified_since

TENANT = "11111111-2222-4333-8444-555555555555"
SECRET_TOKEN = "eyJ-very-secret-access-token"


@pytest.fixture
def sandbox() -> Iterator[XeroSandbox]:
    built = xero_sandbox()
    yield built
    built.close()


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def timestamp(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def scripted(handler: Callable[[httpx.Request], httpx.Response]) -> tuple[XeroClient, list[httpx.Request]]:
    """A client over a MockTransport; its session sleeps on a fake clock (no real waiting)."""
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    fake = FakeClock()
    clock = SteppedClock(now=fake.timestamp, advance=fake.advance)
    client = build_client(httpx.MockTransport(record))
    client.headers["Authorization"] = f"Bearer {SECRET_TOKEN}"
    session = ApiSession("Xero", client, XeroBudget(clock), clock=clock, rng=random.Random(0))
    return XeroClient(session, TENANT), seen


def envelope(collection: str, records: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"Id": "x", "Status": "OK", "DateTimeUTC": "/Date(1552326816230)/", collection: records, **extra}


# --- request shape --------------------------------------------------------------------------------
def test_get_page_sends_page_size_tenant_accept_and_if_modified_since() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        pagination = {"page": 2, "pageSize": 1000, "pageCount": 3, "itemCount": 2500}
        return httpx.Response(200, json=envelope("Contacts", [{"ContactID": "c"}], pagination=pagination))

    client, seen = scripted(handler)
    since = datetime(2026, 3, 1, 13, 45, 30, 999000, tzinfo=timezone(timedelta(hours=1)))
    page = client.get_page("Contacts", 2, modified_since=since)
    assert (page.page, page.page_count, page.item_count, len(page.records)) == (2, 3, 2500, 1)
    request = seen[0]
    assert request.url.path == "/api.xro/2.0/Contacts" and request.url.host == "api.xero.com"
    assert dict(request.url.params) == {"page": "2", "pageSize": "1000", "includeArchived": "true"}
    assert request.headers["xero-tenant-id"] == TENANT
    assert request.headers["accept"] == "application/json"
    assert request.headers["if-modified-since"] == "2026-03-01T12:45:30"  # UTC, whole seconds


def test_unpaged_collections_and_custom_connections_send_no_paging_and_no_tenant() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=envelope("Organisations", [{"Name": "Acme"}]))

    client, seen = scripted(handler)
    client.tenant_id = None
    assert client.get_all("Organisation") == [{"Name": "Acme"}]
    assert not seen[0].url.params and "xero-tenant-id" not in seen[0].headers


def test_a_page_without_a_pagination_object_ends_on_a_short_page() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        count = 1000 if page == 1 else 3
        return httpx.Response(200, json=envelope("Payments", [{"PaymentID": str(n)} for n in range(count)]))

    client, seen = scripted(handler)
    pages = list(client.iter_pages("Payments"))
    assert [len(p.records) for p in pages] == [1000, 3] and len(seen) == 2


def test_an_empty_collection_is_one_call() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        pagination = {"page": 1, "pageSize": 1000, "pageCount": 0, "itemCount": 0}
        return httpx.Response(200, json=envelope("CreditNotes", [], pagination=pagination))

    client, seen = scripted(handler)
    assert [p.records for p in client.iter_pages("CreditNotes")] == [[]] and len(seen) == 1


def test_if_modified_since_format() -> None:
    assert if_modified_since(datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)) == "2026-01-02T03:04:05"
    assert if_modified_since(datetime(2026, 1, 2, 3, 4, 5)) == "2026-01-02T03:04:05"  # naive = UTC


def test_decimals_go_out_as_exact_json_numbers() -> None:
    body = encode_json(
        {
            "Invoices": [
                {
                    "UnitAmount": Decimal("0.10"),
                    "Quantity": Decimal("3"),
                    "Date": date(2026, 1, 31),
                    "Name": 'Acme "UK" Ltd',
                    "Paid": False,
                }
            ]
        }
    )
    assert body == (
        b'{"Invoices":[{"UnitAmount":0.10,"Quantity":3,"Date":"2026-01-31",'
        b'"Name":"Acme \\"UK\\" Ltd","Paid":false}]}'
    )
    assert json.loads(body, parse_float=Decimal)["Invoices"][0]["UnitAmount"] == Decimal("0.10")
    with pytest.raises(ValueError):
        encode_json({"x": Decimal("NaN")})


# --- against the emulator -------------------------------------------------------------------------
def test_invoices_by_reference_in_chunks(sandbox: XeroSandbox) -> None:
    client = sandbox.xero_client()
    found = client.get_invoices_by_reference(["PD-1007", "PD-1010", "PD-1007", "no-such-reference"])
    assert sorted(i["InvoiceNumber"] for i in found) == ["INV-00007", "INV-00010"]
    assert all(i["LineItems"] for i in found)
    sandbox.transport.clear()
    many = [f"PD-{1000 + n}" for n in range(1, 61)]
    assert len(client.get_invoices_by_reference(many)) == 60
    assert len(sandbox.transport.api_calls("Invoices")) == 3  # 25 references a query


def test_create_invoices_returns_every_elements_outcome_and_replays_on_the_same_key(
    sandbox: XeroSandbox,
) -> None:
    client = sandbox.xero_client()
    contact = sandbox.tenant.contacts[0]["ContactID"]
    good = {
        "Type": "ACCREC",
        "Contact": {"ContactID": contact},
        "Reference": "PD-DEAL-1",
        "Date": date(2026, 11, 20),
        "DueDate": date(2026, 12, 20),
        "LineAmountTypes": "Exclusive",
        "LineItems": [
            {
                "Description": "Day rate",
                "Quantity": Decimal(1),
                "UnitAmount": Decimal("850.00"),
                "AccountCode": "200",
                "TaxType": "OUTPUT2",
            }
        ],
    }
    bad = {**good, "Reference": "PD-DEAL-2", "Contact": {"ContactID": "00000000-dead-4000-8000-000000000000"}}
    results = client.create_invoices([good, bad], idempotency_key="batch-1")
    assert [r["StatusAttributeString"] for r in results] == ["OK", "ERROR"]
    assert results[0]["InvoiceID"] and results[0]["Status"] == "DRAFT"
    assert "could not be found" in results[1]["ValidationErrors"][0]["Message"]
    (put,) = sandbox.transport.api_calls("Invoices")
    assert put.method == "PUT" and put.url.params["summarizeErrors"] == "false"
    assert put.headers["idempotency-key"] == "batch-1"
    again = client.create_invoices([good, bad], idempotency_key="batch-1")
    assert again[0]["InvoiceID"] == results[0]["InvoiceID"]
    assert len(client.get_invoices_by_reference(["PD-DEAL-1"])) == 1  # no second invoice


def test_create_invoices_guards_its_batch() -> None:
    client, seen = scripted(lambda request: httpx.Response(500))
    assert client.create_invoices([], idempotency_key="k") == []
    with pytest.raises(ConfigurationError, match="at most 50"):
        client.create_invoices([{"Type": "ACCREC"}] * 51, idempotency_key="k")
    with pytest.raises(ConfigurationError):
        client.create_invoices([{"Type": "ACCREC"}], idempotency_key="k" * 129)
    assert not seen


def test_an_expired_token_is_an_auth_error_with_a_reconnect_hint(sandbox: XeroSandbox) -> None:
    client = sandbox.xero_client()
    sandbox.clock.advance(31 * 60)
    with pytest.raises(AuthError) as raised:
        client.get_all("TaxRates")
    assert "connect Xero again" in str(raised.value) and "TokenExpired" in str(raised.value)
    assert sandbox.token not in str(raised.value)


def test_a_tenant_the_token_cannot_reach_is_an_auth_error_naming_the_tenant(sandbox: XeroSandbox) -> None:
    client = sandbox.xero_client(tenant_id="99999999-0000-4000-8000-000000000000")
    with pytest.raises(AuthError) as raised:
        client.get_page("Invoices", 1)
    message = str(raised.value)
    assert "99999999-0000-4000-8000-000000000000" in message and "AuthenticationUnsuccessful" in message
    assert sandbox.token not in message


def test_a_bad_where_clause_is_an_api_error_with_xeros_message(sandbox: XeroSandbox) -> None:
    with pytest.raises(ApiError) as raised:
        sandbox.xero_client().get_page("Invoices", 1, params={"where": 'Reference=="unclosed'})
    assert raised.value.status == 400 and raised.value.endpoint == "GET /Invoices"
    assert raised.value.detail


# --- scripted failures ----------------------------------------------------------------------------
def test_validation_errors_are_summarised_without_request_headers() -> None:
    body = {
        "ErrorNumber": 10,
        "Type": "ValidationException",
        "Message": "A validation exception occurred",
        "Elements": [{"ValidationErrors": [{"Message": "Email address must be valid."}]}],
    }
    client, _ = scripted(lambda request: httpx.Response(400, json=body))
    with pytest.raises(ApiError) as raised:
        client.get_all("Items")
    message = str(raised.value)
    assert "A validation exception occurred" in message and "Email address must be valid." in message
    assert SECRET_TOKEN not in message and TENANT not in message


def test_not_found_is_an_api_error() -> None:
    client, _ = scripted(lambda request: httpx.Response(404, json={"Title": "Not Found", "Status": 404}))
    with pytest.raises(ApiError) as raised:
        client.get_all("Items")
    assert raised.value.status == 404


def test_server_errors_are_retried_then_a_transient_failure() -> None:
    client, seen = scripted(lambda request: httpx.Response(503, text="The Xero API is currently offline"))
    with pytest.raises(TransientFailure, match="offline"):
        client.get_page("Invoices", 1)
    assert len(seen) == 6  # the session's attempts, slept on the fake clock


def test_the_day_limit_stops_with_rate_limit_exhausted() -> None:
    headers = {"X-Rate-Limit-Problem": "day", "Retry-After": "40000", "X-DayLimit-Remaining": "0"}
    client, seen = scripted(lambda request: httpx.Response(429, headers=headers, json={"Status": 429}))
    with pytest.raises(RateLimitExhausted) as raised:
        client.get_page("Invoices", 1)
    assert raised.value.limit == "day" and len(seen) == 1


def test_a_minute_429_is_waited_out_then_the_call_succeeds() -> None:
    answers = [
        httpx.Response(429, headers={"X-Rate-Limit-Problem": "minute", "Retry-After": "7"}),
        httpx.Response(200, json=envelope("Currencies", [{"Code": "GBP"}])),
    ]
    client, seen = scripted(lambda request: answers.pop(0))
    assert client.get_all("Currencies") == [{"Code": "GBP"}]
    assert len(seen) == 2 and client.session.stats.slept_seconds >= 7


@pytest.mark.parametrize(
    "payload",
    [
        {"Status": "OK"},
        {"Invoices": {"not": "a list"}},
        ["Invoices"],
        {"Invoices": [], "pagination": {"pageCount": "many"}},
    ],
)
def test_a_body_of_the_wrong_shape_is_a_malformed_response(payload: Any) -> None:
    client, _ = scripted(lambda request: httpx.Response(200, json=payload))
    with pytest.raises(MalformedResponse, match="GET /Invoices page 1"):
        client.get_page("Invoices", 1)
