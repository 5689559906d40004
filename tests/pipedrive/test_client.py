"""The client's calls against the emulator, and Pipedrive's errors mapped onto the workbench's own."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest

from tests.pipedrive.harness import pipedrive_harness
from tests.sandbox.pipedrive_support import INVOICE_FIELD, PRIORITY_FIELD
from workbench.errors import (
    ApiError,
    AuthError,
    ConfigurationError,
    MalformedResponse,
    RateLimitExhausted,
    TransientFailure,
)
from workbench.http import ApiSession, RetryPolicy, SteppedClock, build_client
from workbench.pipedrive.client import (
    PIPEDRIVE_API_V1,
    PIPEDRIVE_API_V2,
    PipedriveClient,
    encode_json,
    format_updated_since,
    pipedrive_session,
)
from workbench.sandbox.credentials import PIPEDRIVE_API_TOKEN


def scripted(handler: Callable[[httpx.Request], httpx.Response]) -> tuple[PipedriveClient, ApiSession]:
    clock_now = [0.0]

    def advance(seconds: float) -> None:
        clock_now[0] += seconds

    http_client = build_client(httpx.MockTransport(handler))
    http_client.headers["x-api-token"] = PIPEDRIVE_API_TOKEN
    session = pipedrive_session(http_client, SteppedClock(now=lambda: clock_now[0], advance=advance))
    session.retry = RetryPolicy(max_attempts=3)
    return PipedriveClient(session, "https://acme.pipedrive.com"), session


def test_base_urls_from_the_company_host_or_the_global_servers() -> None:
    client, _ = scripted(lambda request: httpx.Response(200))
    assert (client.v2, client.v1) == ("https://acme.pipedrive.com/api/v2", "https://acme.pipedrive.com/v1")
    default = PipedriveClient(client.session)
    assert (default.v2, default.v1) == (PIPEDRIVE_API_V2, PIPEDRIVE_API_V1)
    assert (
        PipedriveClient(client.session, "https://x.pipedrive.com/api/v2/").v1 == "https://x.pipedrive.com/v1"
    )


def test_list_page_asks_for_500_with_cursor_and_whole_second_updated_since() -> None:
    harness = pipedrive_harness()
    since = datetime(2026, 3, 1, 10, 20, 30, 123456, tzinfo=UTC)
    records, cursor = harness.client.list_page("deals", None, updated_since=since, params={"status": "won"})
    sent = harness.exchanges[-1].query
    assert sent == {"status": "won", "limit": "500", "updated_since": "2026-03-01T10:20:30Z"}
    assert cursor is None and records and all(r["status"] == "won" for r in records)
    assert format_updated_since(datetime(2026, 1, 2, 3, 4, 5)) == "2026-01-02T03:04:05Z"


def test_list_all_follows_cursors_and_users_come_from_v1() -> None:
    harness = pipedrive_harness()
    deals = harness.client.list_all("deals", params={"limit": "7"})  # the client's own limit wins
    assert len(deals) == 40 and harness.exchanges[-1].query["limit"] == "500"
    users = harness.client.users()
    assert [u["name"] for u in users] == ["Olivia Owner", "Sam Seller", "Ria Rep"]
    assert harness.exchanges[-1].path == "/v1/users"


def test_deal_products_go_100_deals_a_call() -> None:
    harness = pipedrive_harness()
    lines = harness.client.deal_products(list(range(1, 251)))
    assert sorted(line["id"] for line in lines) == list(range(1, 9))
    batches = [
        e.query["deal_ids"].split(",") for e in harness.exchanges if e.path == "/api/v2/deals/products"
    ]
    assert [len(b) for b in batches] == [100, 100, 50]
    with pytest.raises(ConfigurationError, match="1 to 100"):
        harness.client.deal_products_page(list(range(1, 102)))


def test_custom_fields_are_written_inside_custom_fields_and_read_back() -> None:
    harness = pipedrive_harness()
    deal = harness.client.update_deal_custom_fields(3, {INVOICE_FIELD: "INV-0042", PRIORITY_FIELD: 2})
    assert deal["custom_fields"][INVOICE_FIELD] == "INV-0042" and deal["custom_fields"][PRIORITY_FIELD] == 2
    stored = harness.emulator.store.tables["deals"][3]["custom_fields"]
    assert stored[INVOICE_FIELD] == "INV-0042"
    with pytest.raises(ApiError, match="Unknown custom field") as raised:
        harness.client.update_deal_custom_fields(3, {"0" * 40: "x"})
    assert raised.value.status == 400


def test_create_deal_field_returns_the_hash_to_write_under() -> None:
    harness = pipedrive_harness()
    created = harness.client.create_deal_field("Xero invoice status", "varchar")
    code = created["field_code"]
    assert len(code) == 40 and created["field_name"] == "Xero invoice status"
    assert harness.client.update_deal_custom_fields(1, {code: "DRAFT"})["custom_fields"][code] == "DRAFT"
    status = harness.client.create_deal_field("Invoice state", "enum", options=["Draft", "Sent"])
    assert [o["label"] for o in status["options"]] == ["Draft", "Sent"]


def test_decimals_are_sent_as_exact_numbers() -> None:
    body = encode_json({"custom_fields": {"a": Decimal("0.10"), "b": [Decimal("1E+2"), 3, "x", None, True]}})
    assert body == b'{"custom_fields":{"a":0.10,"b":[100,3,"x",null,true]}}'
    assert json.loads(body)["custom_fields"]["a"] == 0.1
    with pytest.raises(ConfigurationError):
        encode_json({"a": Decimal("NaN")})


def test_401_is_an_auth_error_that_says_to_check_the_token() -> None:
    harness = pipedrive_harness(token="not-the-token")
    with pytest.raises(AuthError) as raised:
        harness.client.list_page("deals")
    assert "unauthorized access" in str(raised.value) and "API token" in str(raised.value)
    assert "not-the-token" not in str(raised.value)


def test_validation_errors_carry_pipedrives_own_words() -> None:
    harness = pipedrive_harness()
    with pytest.raises(ApiError) as raised:
        harness.client.list_page("stages", updated_since="2026-01-01T00:00:00Z")
    error = raised.value
    assert error.status == 400 and error.endpoint == "GET /api/v2/stages"
    assert "Parameter 'updated_since' is not allowed" in error.detail
    assert "ERR_SCHEMA_VALIDATION_FAILED" in error.detail
    assert PIPEDRIVE_API_TOKEN not in str(error)


def test_404_names_the_endpoint() -> None:
    harness = pipedrive_harness()
    with pytest.raises(ApiError, match="Deal not found") as raised:
        harness.client.update_deal_custom_fields(9999, {INVOICE_FIELD: "INV-1"})
    assert raised.value.status == 404 and raised.value.hint


def test_success_false_on_a_200_is_an_error() -> None:
    client, _ = scripted(lambda request: httpx.Response(200, json={"success": False, "error": "Odd failure"}))
    with pytest.raises(ApiError, match="Odd failure"):
        client.list_page("deals")


def test_cloudflare_html_403_says_to_back_off() -> None:
    page = "<html><body>Attention Required! | Cloudflare</body></html>"
    client, _ = scripted(lambda r: httpx.Response(403, text=page, headers={"content-type": "text/html"}))
    with pytest.raises(ApiError, match="HTML page") as raised:
        client.list_page("deals")
    assert "repeated 429s" in str(raised.value)


def test_server_errors_are_retried_then_transient() -> None:
    seen: list[int] = []

    def flaky(request: httpx.Request) -> httpx.Response:
        seen.append(1)
        return httpx.Response(503, json={"success": False, "error": "Service unavailable", "errorCode": 503})

    client, session = scripted(flaky)
    with pytest.raises(TransientFailure, match="Service unavailable"):
        client.list_page("deals")
    assert len(seen) == 3 and session.stats.retries == 2


def test_429s_are_waited_out_and_a_spent_daily_budget_stops_the_run() -> None:
    over = {"x-ratelimit-reset": "2", "x-ratelimit-remaining": "0"}
    page = {"success": True, "data": [{"id": 1}], "additional_data": {"next_cursor": None}}
    answers = [
        httpx.Response(429, json={"success": False, "error": "Request over limit"}, headers=over),
        httpx.Response(200, json=page),
    ]
    client, session = scripted(lambda request: answers.pop(0))
    assert client.list_page("deals") == ([{"id": 1}], None)
    assert session.stats.rate_limited == 1 and session.stats.slept_seconds >= 2
    spent = {"x-daily-ratelimit-token-remaining": "0", "x-ratelimit-remaining": "5"}
    client, _ = scripted(
        lambda r: httpx.Response(429, json={"success": False, "error": "over"}, headers=spent)
    )
    with pytest.raises(RateLimitExhausted, match="daily token"):
        client.list_page("deals")


def test_unreadable_bodies_are_malformed_responses() -> None:
    client, _ = scripted(lambda request: httpx.Response(200, json={"success": True, "data": {"id": 1}}))
    with pytest.raises(MalformedResponse, match="not a list"):
        client.list_page("deals")
    client, _ = scripted(lambda request: httpx.Response(200, json=[1, 2]))
    with pytest.raises(MalformedResponse, match="not a JSON object"):
        client.list_page("deals")
