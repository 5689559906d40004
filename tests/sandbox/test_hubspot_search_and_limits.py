"""The HubSpot emulator's search API (filters, one sort, the 10,000-result cap), rate limits and OAuth."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.sandbox.hubspot_support import call, hubspot_portal, make_emulator
from workbench.sandbox.credentials import HUBSPOT_CLIENT_ID, HUBSPOT_CLIENT_SECRET, HUBSPOT_REFRESH_TOKEN
from workbench.sandbox.hubspot import HubSpotEmulator, HubSpotLimits


def _search(emulator: HubSpotEmulator, object_type: str, body: dict[str, Any]) -> tuple[int, Any]:
    response = call(emulator, "POST", f"/crm/v3/objects/{object_type}/search", body=json.dumps(body))
    return response.status, response.payload()


def _window(low: str, high: str, name: str = "hs_lastmodifieddate") -> dict[str, Any]:
    return {
        "filters": [
            {"propertyName": name, "operator": "GTE", "value": low},
            {"propertyName": name, "operator": "LTE", "value": high},
        ]
    }


def test_search_filters_a_time_window_sorted_ascending_with_a_total() -> None:
    emulator, _ = make_emulator(hubspot_portal(companies=30))
    body = {
        "filterGroups": [_window("2026-03-09T09:35:00Z", "1773049500000")],  # 09:45 as epoch ms
        "sorts": [{"propertyName": "hs_lastmodifieddate", "direction": "ASCENDING"}],
        "limit": 4,
        "properties": ["name", "hs_lastmodifieddate"],
    }
    status, page = _search(emulator, "companies", body)
    assert status == 200 and page["total"] == 11
    assert [r["id"] for r in page["results"]] == ["5", "6", "7", "8"]
    assert page["paging"]["next"]["after"] == "4" and "associations" not in page["results"][0]
    status, last = _search(emulator, "companies", {**body, "after": "8"})
    assert [r["id"] for r in last["results"]] == ["13", "14", "15"] and "paging" not in last
    _, descending = _search(emulator, "companies", {**body, "sorts": ["-hs_lastmodifieddate"]})
    assert [r["id"] for r in descending["results"]] == ["15", "14", "13", "12"]


def test_filter_groups_are_ored_and_filters_anded() -> None:
    emulator, _ = make_emulator()
    groups = [
        {
            "filters": [
                {"propertyName": "hs_is_closed_won", "operator": "EQ", "value": "true"},
                {"propertyName": "amount", "operator": "GT", "value": "500"},
            ]
        },
        {"filters": [{"propertyName": "dealname", "operator": "EQ", "value": "deal 1"}]},
    ]
    _, found = _search(emulator, "deals", {"filterGroups": groups, "limit": 100})
    assert sorted(int(r["id"]) for r in found["results"]) == [
        1,
        6,
        8,
    ]  # won and > 500 (6, 8), or named "Deal 1"
    _, missing = _search(
        emulator,
        "deals",
        {"filterGroups": [{"filters": [{"propertyName": "vat_treatment", "operator": "NOT_HAS_PROPERTY"}]}]},
    )
    assert missing["total"] == 4


def test_the_search_limits_hubspot_enforces() -> None:
    emulator, _ = make_emulator()
    assert _search(emulator, "deals", {"limit": 201})[0] == 400
    assert _search(emulator, "deals", {"filterGroups": [{"filters": []}] * 6})[0] == 400
    assert _search(emulator, "deals", {"sorts": ["amount", "dealname"]})[0] == 400
    status, body = _search(
        emulator,
        "deals",
        {"filterGroups": [{"filters": [{"propertyName": "nosuch", "operator": "EQ", "value": "1"}]}]},
    )
    assert status == 400 and body["category"] == "VALIDATION_ERROR"


@pytest.mark.slow
def test_no_result_past_the_ten_thousandth_although_total_counts_them_all() -> None:
    emulator, clock = make_emulator(hubspot_portal(companies=10_050, deals=0))
    body: dict[str, Any] = {
        "sorts": [{"propertyName": "hs_object_id", "direction": "ASCENDING"}],
        "limit": 200,
        "properties": ["name"],
        "after": "9800",
    }
    status, page = _search(emulator, "companies", body)
    assert status == 200 and page["total"] == 10_050 and page["results"][-1]["id"] == "10000"
    assert page["paging"]["next"]["after"] == "10000"
    clock.advance(1)
    status, refused = _search(emulator, "companies", {**body, "after": "10000"})
    assert status == 400 and "10,000" in refused["message"]


def test_burst_limit_answers_429_in_hubspots_shape_with_the_limit_headers() -> None:
    emulator, clock = make_emulator(limits=HubSpotLimits(burst_limit=3))
    answers = [call(emulator, "GET", "/crm/v3/objects/deals") for _ in range(4)]
    assert [a.status for a in answers] == [200, 200, 200, 429]
    assert [a.headers["X-HubSpot-RateLimit-Remaining"] for a in answers] == ["2", "1", "0", "0"]
    assert answers[0].headers["X-HubSpot-RateLimit-Max"] == "3"
    assert answers[0].headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "10000"
    assert answers[0].headers["X-HubSpot-RateLimit-Daily-Remaining"] == "624999"
    refusal = answers[3].payload()
    assert refusal["policyName"] == "TEN_SECONDLY_ROLLING" and refusal["errorType"] == "RATE_LIMIT"
    assert refusal["category"] == "RATE_LIMITS" and refusal["correlationId"]
    clock.advance(10)
    assert call(emulator, "GET", "/crm/v3/objects/deals").status == 200


def test_daily_limit_and_the_search_apis_own_secondly_limit() -> None:
    emulator, clock = make_emulator(limits=HubSpotLimits(daily_limit=7, search_per_second=2))
    searches = [_search(emulator, "deals", {})[0] for _ in range(3)]
    assert searches == [200, 200, 429]
    response = call(emulator, "POST", "/crm/v3/objects/deals/search", body="{}")
    assert (
        response.payload()["policyName"] == "SECONDLY" and "X-HubSpot-RateLimit-Max" not in response.headers
    )
    clock.advance(1)
    statuses = [call(emulator, "GET", "/crm/v3/objects/deals").status for _ in range(6)]
    assert statuses == [200, 200, 200, 200, 200, 429]
    assert call(emulator, "GET", "/crm/v3/objects/deals").payload()["policyName"] == "DAILY"
    clock.advance(24 * 3600)
    assert call(emulator, "GET", "/crm/v3/objects/deals").status == 200


def _token(emulator: HubSpotEmulator, **form: str) -> tuple[int, Any]:
    body = "&".join(f"{k}={v}" for k, v in form.items())
    response = call(
        emulator,
        "POST",
        "/oauth/v1/token",
        body=body,
        token=None,
        content_type="application/x-www-form-urlencoded",
    )
    return response.status, response.payload()


def test_oauth_refresh_gives_thirty_minute_tokens_that_then_expire() -> None:
    emulator, clock = make_emulator()
    credentials = {"client_id": HUBSPOT_CLIENT_ID, "client_secret": HUBSPOT_CLIENT_SECRET}
    status, token = _token(
        emulator, grant_type="refresh_token", refresh_token=HUBSPOT_REFRESH_TOKEN, **credentials
    )
    assert status == 200 and token["expires_in"] == 1800 and token["refresh_token"] == HUBSPOT_REFRESH_TOKEN
    answer = call(emulator, "GET", "/crm/v3/objects/deals", token=token["access_token"])
    assert answer.status == 200 and "X-HubSpot-RateLimit-Daily" not in answer.headers  # not sent for OAuth
    assert answer.headers["X-HubSpot-RateLimit-Max"] == "110"
    clock.advance(1805)
    expired = call(emulator, "GET", "/crm/v3/objects/deals", token=token["access_token"])
    assert expired.status == 401 and expired.payload()["category"] == "EXPIRED_AUTHENTICATION"
    assert "expired 5 second(s) ago" in expired.payload()["message"]
    status, bad = _token(emulator, grant_type="refresh_token", refresh_token="nope", **credentials)
    assert status == 400 and bad["status"] == "BAD_REFRESH_TOKEN"
    assert (
        _token(
            emulator,
            grant_type="refresh_token",
            refresh_token=HUBSPOT_REFRESH_TOKEN,
            client_id=HUBSPOT_CLIENT_ID,
            client_secret="wrong",
        )[1]["status"]
        == "BAD_CLIENT_ID"
    )


def test_authorization_code_grant_and_unknown_tokens() -> None:
    emulator, _ = make_emulator()
    redirect = "http://127.0.0.1:8765/callback"
    sent = call(
        emulator,
        "GET",
        "/oauth/authorize",
        f"client_id={HUBSPOT_CLIENT_ID}&redirect_uri={redirect}&state=s1",
        token=None,
    )
    assert sent.status == 302
    location = sent.headers["Location"]
    assert location.startswith(redirect + "?code=") and location.endswith("&state=s1")
    code = location.split("code=")[1].split("&")[0]
    status, token = _token(
        emulator,
        grant_type="authorization_code",
        code=code,
        redirect_uri=redirect,
        client_id=HUBSPOT_CLIENT_ID,
        client_secret=HUBSPOT_CLIENT_SECRET,
    )
    assert status == 200 and token["refresh_token"] != HUBSPOT_REFRESH_TOKEN
    assert (
        _token(
            emulator,
            grant_type="authorization_code",
            code=code,
            redirect_uri=redirect,
            client_id=HUBSPOT_CLIENT_ID,
            client_secret=HUBSPOT_CLIENT_SECRET,
        )[0]
        == 400
    )
    unknown = call(emulator, "GET", "/crm/v3/objects/deals", token="made-up")
    assert unknown.status == 401 and unknown.payload()["category"] == "INVALID_AUTHENTICATION"
    assert call(emulator, "GET", "/crm/v3/objects/deals", token=None).status == 401
