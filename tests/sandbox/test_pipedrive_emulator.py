"""Pipedrive emulator: every served operation against the official spec, auth, routing and errors."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.sandbox.pipedrive_support import (
    APPLICATION_KEYS,
    GATEWAY_KEYS,
    VALIDATION_KEYS,
    VAT_FIELD,
    assert_error,
    call,
    check,
    make_emulator,
)
from workbench.sandbox.pipedrive import PipedriveEmulator
from workbench.sandbox.wire import Response

SERVED_READS = [
    ("/api/v2/deals", ""),
    ("/api/v2/deals", "status=won,lost&sort_by=update_time&sort_direction=desc&limit=5"),
    (
        "/api/v2/deals",
        "include_fields=first_won_time,products_count,smart_bcc_email&include_option_labels=true",
    ),
    ("/api/v2/deals/3", ""),
    ("/api/v2/deals/1", "include_fields=first_won_time,products_count,source_lead_id"),
    ("/api/v2/deals/1/products", ""),
    ("/api/v2/deals/products", "deal_ids=1,2,3&sort_by=deal_id"),
    ("/api/v2/organizations", ""),
    ("/api/v2/organizations", "include_fields=open_deals_count,people_count&custom_fields=" + VAT_FIELD),
    ("/api/v2/organizations/1", ""),
    ("/api/v2/organizations/21", ""),
    ("/api/v2/persons", "org_id=3"),
    ("/api/v2/persons/7", "include_fields=won_deals_count"),
    ("/api/v2/products", "sort_by=name"),
    ("/api/v2/products/2", ""),
    ("/api/v2/stages", "pipeline_id=2&sort_by=order_nr"),
    ("/api/v2/stages/4", ""),
    ("/api/v2/pipelines", ""),
    ("/api/v2/pipelines/2", ""),
    ("/api/v2/dealFields", ""),
    ("/api/v2/dealFields", "include_fields=ui_visibility,important_fields,required_fields"),
    ("/api/v2/organizationFields", "include_fields=ui_visibility,required_fields"),
    ("/api/v2/organizationFields/" + VAT_FIELD, ""),
    ("/api/v2/personFields", "include_fields=ui_visibility"),
    ("/api/v2/productFields", "include_fields=ui_visibility"),
    ("/api/v2/dealFields/title", "include_fields=important_fields"),
    ("/v1/users", ""),
    ("/v1/users/me", ""),
    ("/v1/users/2", ""),
    ("/v1/currencies", ""),
    ("/v1/currencies", "term=eur"),
]


@pytest.fixture
def emulator() -> PipedriveEmulator:
    return make_emulator()[0]


@pytest.mark.parametrize(("path", "query"), SERVED_READS)
def test_every_served_read_matches_the_spec(emulator: PipedriveEmulator, path: str, query: str) -> None:
    request, response = call(emulator, "GET", path, query)
    assert response.status == 200, response.body
    body = response.payload()
    assert body["success"] is True
    check(request, response)


def test_the_spec_check_is_not_vacuous(emulator: PipedriveEmulator) -> None:
    request, response = call(emulator, "GET", "/api/v2/deals/3")
    broken = response.payload()
    broken["data"]["value"] = "300.50"
    with pytest.raises(AssertionError, match="value"):
        check(request, Response.json(200, broken))
    listing_request, listing = call(emulator, "GET", "/api/v2/stages")
    broken = listing.payload()
    broken["data"][0]["is_deleted"] = None
    with pytest.raises(AssertionError, match="is_deleted"):
        check(listing_request, Response.json(200, broken))


def test_v2_envelope_and_wire_encoding(emulator: PipedriveEmulator) -> None:
    deal = call(emulator, "GET", "/api/v2/deals/2")[1].payload()["data"]
    assert deal["value"] == 200.5
    assert deal["lost_time"] == "2026-03-08T06:30:00Z"
    assert deal["expected_close_date"] == "2026-04-03"
    assert deal["won_time"] is None and deal["status"] == "lost"
    listing = call(emulator, "GET", "/api/v2/deals", "limit=2")[1].payload()
    assert set(listing) == {"success", "data", "additional_data"}
    assert isinstance(listing["additional_data"]["next_cursor"], str)


def test_v1_users_me_and_currencies(emulator: PipedriveEmulator) -> None:
    me = call(emulator, "GET", "/v1/users/me")[1].payload()["data"]
    assert me["id"] == 1 and me["is_you"] is True
    assert me["company_id"] == 4242 and me["company_domain"] == "acme-sandbox"
    assert me["last_login"] == "2026-03-10 07:30:00"  # v1 keeps "YYYY-MM-DD HH:MM:SS"
    users = call(emulator, "GET", "/v1/users")[1].payload()["data"]
    assert [u["id"] for u in users] == [1, 2, 3]
    assert [u["is_you"] for u in users] == [True, False, False]
    assert call(emulator, "GET", "/api/v1/users/2")[1].payload()["data"]["name"] == "Sam Seller"
    currencies = call(emulator, "GET", "/v1/currencies", "term=pound")[1].payload()["data"]
    assert [c["code"] for c in currencies] == ["GBP"]


def test_missing_or_wrong_token_is_401(emulator: PipedriveEmulator) -> None:
    for token in (None, "not-the-token"):
        _, response = call(emulator, "GET", "/api/v2/deals", token=token)
        body = assert_error(response, 401, GATEWAY_KEYS)
        assert body["error"] == "unauthorized access"
        assert (
            body["error_info"]
            == "Please check developers.pipedrive.com for more information about Pipedrive API."
        )
    # the gateway answers unknown paths the same way when the token is bad
    assert call(emulator, "GET", "/api/v2/nowhere", token="bad")[1].status == 401


def test_v1_documented_401_matches_the_spec(emulator: PipedriveEmulator) -> None:
    request, response = call(emulator, "GET", "/v1/users/me", token="bad")
    assert response.status == 401
    check(request, response)


def test_legacy_api_token_query_parameter_is_accepted(emulator: PipedriveEmulator) -> None:
    from workbench.sandbox.credentials import PIPEDRIVE_API_TOKEN

    request, response = call(
        emulator, "GET", "/api/v2/deals", f"api_token={PIPEDRIVE_API_TOKEN}&limit=1", token=None
    )
    assert response.status == 200
    check(request, response)


def test_oauth_bearer_tokens_work_until_they_expire() -> None:
    emulator, clock = make_emulator()
    emulator.issue_oauth_token("oauth-access-1", clock.now() + timedelta(hours=1), user_id=2)
    emulator.issue_oauth_token("oauth-access-2", clock.now() + timedelta(minutes=5))
    bearer = {"Authorization": "Bearer oauth-access-1"}
    _, response = call(emulator, "GET", "/v1/users/me", token=None, headers=bearer)
    assert response.status == 200
    assert response.payload()["data"]["id"] == 2
    assert response.headers["x-ratelimit-limit"] == "160"  # OAuth apps get the larger burst allowance
    clock.advance(301)
    assert (
        call(
            emulator, "GET", "/api/v2/deals", token=None, headers={"Authorization": "Bearer oauth-access-2"}
        )[1].status
        == 401
    )
    assert call(emulator, "GET", "/api/v2/deals", token=None, headers=bearer)[1].status == 200
    emulator.expire_tokens()
    assert_error(call(emulator, "GET", "/api/v2/deals", token=None, headers=bearer)[1], 401, GATEWAY_KEYS)
    assert (
        call(emulator, "GET", "/api/v2/deals", token=None, headers={"Authorization": "Bearer nope"})[1].status
        == 401
    )
    # the API token never expires
    assert call(emulator, "GET", "/api/v2/deals")[1].status == 200


def test_unknown_ids_are_404_in_pipedrives_shape(emulator: PipedriveEmulator) -> None:
    for path, message in [
        ("/api/v2/deals/9999", "Deal not found"),
        ("/api/v2/deals/9999/products", "Deal not found"),
        ("/api/v2/organizations/9999", "Organization not found"),
        ("/api/v2/persons/9999", "Person not found"),
        ("/api/v2/products/9999", "Product not found"),
        ("/api/v2/stages/9999", "Stage not found"),
        ("/api/v2/pipelines/9999", "Pipeline not found"),
        ("/api/v2/dealFields/" + "0" * 40, "Field not found"),
    ]:
        assert_error(call(emulator, "GET", path)[1], 404, APPLICATION_KEYS, contains=message)


def test_v1_unknown_user_is_the_documented_404(emulator: PipedriveEmulator) -> None:
    request, response = call(emulator, "GET", "/v1/users/77")
    assert response.status == 404
    assert response.payload()["error"] == "User not found or not accessible."
    check(request, response)


def test_unknown_routes_methods_and_unemulated_operations(emulator: PipedriveEmulator) -> None:
    assert_error(call(emulator, "GET", "/api/v2/leads")[1], 404, APPLICATION_KEYS)
    assert_error(call(emulator, "GET", "/api/v3/deals")[1], 404, APPLICATION_KEYS)
    assert_error(call(emulator, "PUT", "/api/v2/deals/1", body={})[1], 405, APPLICATION_KEYS)
    assert_error(call(emulator, "POST", "/api/v2/deals/products", body={})[1], 405, APPLICATION_KEYS)
    # documented by the spec but not emulated: said plainly, never faked
    assert_error(call(emulator, "POST", "/api/v2/deals", body={"title": "x"})[1], 501, APPLICATION_KEYS)
    assert_error(call(emulator, "GET", "/api/v2/deals/archived")[1], 501, APPLICATION_KEYS)
    assert_error(call(emulator, "DELETE", "/api/v2/deals/1")[1], 501, APPLICATION_KEYS)


def test_malformed_ids_and_unknown_parameters_are_400(emulator: PipedriveEmulator) -> None:
    assert_error(call(emulator, "GET", "/api/v2/deals/abc")[1], 400, VALIDATION_KEYS, contains="id:")
    assert_error(call(emulator, "GET", "/v1/users/abc")[1], 400, APPLICATION_KEYS)
    body = assert_error(
        call(emulator, "GET", "/api/v2/stages", "updated_since=2026-01-01T00:00:00Z")[1], 400, VALIDATION_KEYS
    )
    assert body["error"] == (
        "Validation failed: updated_since: Parameter 'updated_since' is not allowed for this request"
    )
    assert_error(
        call(emulator, "GET", "/api/v2/pipelines", "updated_since=2026-01-01T00:00:00Z")[1],
        400,
        VALIDATION_KEYS,
    )
    assert_error(
        call(emulator, "GET", "/api/v2/products", "updated_until=2026-01-01T00:00:00Z")[1],
        400,
        VALIDATION_KEYS,
    )
    assert_error(call(emulator, "GET", "/api/v2/deals", "include_option_labels=yes")[1], 400, VALIDATION_KEYS)
    assert_error(call(emulator, "GET", "/api/v2/deals", "owner_id=one")[1], 400, VALIDATION_KEYS)


def test_products_of_deals_and_their_lines(emulator: PipedriveEmulator) -> None:
    lines = call(emulator, "GET", "/api/v2/deals/products", "deal_ids=2,3")[1].payload()["data"]
    assert {line["deal_id"] for line in lines} == {2, 3}
    assert all(line["currency"] == "GBP" and line["name"].startswith("Service") for line in lines)
    one_deal = call(emulator, "GET", "/api/v2/deals/2/products")[1].payload()["data"]
    assert [line["id"] for line in one_deal] == [1, 6]
    assert one_deal[0]["sum"] == 150.6  # 1 x 125.50 plus 20% tax, exclusive
    missing = call(emulator, "GET", "/api/v2/deals/products")[1]
    assert_error(missing, 400, VALIDATION_KEYS, contains="deal_ids")
    too_many = ",".join(str(n) for n in range(1, 102))
    assert_error(
        call(emulator, "GET", "/api/v2/deals/products", f"deal_ids={too_many}")[1], 400, VALIDATION_KEYS
    )


def test_listing_filters_for_contacts_and_stages(emulator: PipedriveEmulator) -> None:
    orgs = call(emulator, "GET", "/api/v2/organizations", "limit=500")[1].payload()["data"]
    assert 22 not in {o["id"] for o in orgs}  # deleted organizations are not listed
    assert {o["id"] for o in orgs} == set(range(1, 22))
    owned = call(emulator, "GET", "/api/v2/organizations", "owner_id=2")[1].payload()["data"]
    assert owned and all(o["owner_id"] == 2 for o in owned)
    vat = call(emulator, "GET", "/api/v2/organizations/1")[1].payload()["data"]["custom_fields"]
    assert vat == {VAT_FIELD: "GB100000001"}
    persons = call(emulator, "GET", "/api/v2/persons", "deal_id=1")[1].payload()["data"]
    assert [p["id"] for p in persons] == [2]
    stages = call(emulator, "GET", "/api/v2/stages", "pipeline_id=2&sort_by=order_nr&sort_direction=desc")[1]
    assert [s["id"] for s in stages.payload()["data"]] == [6, 5, 4]
    some = call(emulator, "GET", "/api/v2/products", "ids=2,4")[1].payload()["data"]
    assert [p["id"] for p in some] == [2, 4]
    assert some[0]["prices"] == [
        {"product_id": 2, "price": 251, "currency": "GBP", "cost": 40, "direct_cost": None, "notes": ""}
    ]
