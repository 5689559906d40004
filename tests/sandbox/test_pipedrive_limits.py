"""Rate limits (daily token budget, per-token burst window), fault responses, and the hard-coded
tables (routes, accepted parameters, token costs) checked against the official specs."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.sandbox.pipedrive_support import (
    APPLICATION_KEYS,
    GATEWAY_KEYS,
    VALIDATION_KEYS,
    assert_error,
    call,
    make_emulator,
)
from tests.spec_validation import load_spec_dict
from workbench.sandbox.pipedrive import PipedriveEmulator, PipedriveLimits
from workbench.sandbox.pipedrive.limits import TOKEN_COSTS
from workbench.sandbox.pipedrive.routes import ROUTES
from workbench.sandbox.wire import Response

LIMIT_HEADERS = (
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
    "x-daily-ratelimit-token-limit",
    "x-daily-ratelimit-token-remaining",
)
SPECS = {"v2": "pipedrive-v2", "v1": "pipedrive-v1"}


def _spec_operation(version: str, template: str, method: str) -> dict[str, object]:
    return load_spec_dict(SPECS[version])["paths"][template][method.lower()]


def test_token_costs_match_the_spec() -> None:
    for (version, method, template), cost in TOKEN_COSTS.items():
        assert _spec_operation(version, template, method)["x-token-cost"] == cost, (version, method, template)


def test_every_served_operation_has_a_cost_and_every_cost_a_served_operation() -> None:
    served = {
        (version, method, template)
        for (version, template), methods in ROUTES.items()
        for method, (handler, _) in methods.items()
        if handler is not None
    }
    assert served == set(TOKEN_COSTS)


def test_route_methods_are_exactly_the_specs() -> None:
    for (version, template), methods in ROUTES.items():
        documented = load_spec_dict(SPECS[version])["paths"][template]
        spec_methods = {
            m.upper() for m, op in documented.items() if isinstance(op, dict) and "responses" in op
        }
        assert set(methods) == spec_methods, (version, template)


def test_accepted_query_parameters_are_exactly_the_specs() -> None:
    for (version, template), methods in ROUTES.items():
        path_item = load_spec_dict(SPECS[version])["paths"][template]
        for method, (handler, accepted) in methods.items():
            if handler is None:
                continue
            operation = path_item[method.lower()]
            parameters = [*operation.get("parameters", []), *path_item.get("parameters", [])]
            in_query = {p["name"] for p in parameters if p["in"] == "query"}
            assert accepted == in_query, (version, method, template, accepted ^ in_query)


def _headers(response: Response) -> dict[str, int]:
    return {name: int(response.headers[name]) for name in LIMIT_HEADERS}


def test_limit_headers_on_every_answer_but_the_gateways_401() -> None:
    emulator, _ = make_emulator()
    for method, path, query, status in [
        ("GET", "/api/v2/deals", "", 200),
        ("GET", "/api/v2/deals", "limit=501", 400),
        ("GET", "/api/v2/deals/999", "", 404),
        ("PUT", "/api/v2/deals/1", "", 405),
        ("GET", "/v1/users/me", "", 200),
        ("GET", "/api/v2/nowhere", "", 404),
    ]:
        response = call(emulator, method, path, query)[1]
        assert response.status == status
        headers = _headers(response)
        assert headers["x-ratelimit-limit"] == 40
        assert headers["x-daily-ratelimit-token-limit"] == 30_000 * 2 * 5
    unauthorized = call(emulator, "GET", "/api/v2/deals", token="wrong")[1]
    assert not any(name in unauthorized.headers for name in LIMIT_HEADERS)


def test_daily_budget_decreases_by_each_operations_cost() -> None:
    emulator, _ = make_emulator(limits=PipedriveLimits(burst_limit=1000))
    remaining = call(emulator, "GET", "/v1/currencies")[1]
    left = _headers(remaining)["x-daily-ratelimit-token-remaining"]
    assert left == 300_000 - 20
    for method, path, query, body, cost in [
        ("GET", "/api/v2/deals", "", None, 10),
        ("GET", "/api/v2/deals/1", "", None, 1),
        ("PATCH", "/api/v2/deals/1", "", {"title": "Changed"}, 5),
        ("GET", "/api/v2/deals/1/products", "", None, 10),
        ("GET", "/api/v2/deals/products", "deal_ids=1", None, 10),
        ("GET", "/api/v2/organizations/1", "", None, 1),
        ("GET", "/api/v2/persons", "", None, 10),
        ("GET", "/api/v2/stages", "", None, 5),
        ("GET", "/api/v2/pipelines/1", "", None, 1),
        ("GET", "/api/v2/dealFields", "", None, 10),
        ("POST", "/api/v2/personFields", "", {"field_name": "Nickname", "field_type": "varchar"}, 5),
        ("GET", "/v1/users", "", None, 20),
        ("GET", "/v1/users/me", "", None, 2),
        ("GET", "/api/v2/deals/999", "", None, 1),  # a 404 still costs the operation's tokens
        ("GET", "/api/v2/nowhere", "", None, 0),
        ("POST", "/api/v2/deals", "", {"title": "x"}, 0),  # not emulated: free
    ]:
        response = call(emulator, method, path, query, body)[1]
        now_left = _headers(response)["x-daily-ratelimit-token-remaining"]
        assert left - now_left == cost, (method, path)
        left = now_left


def test_burst_limit_429_after_40_calls_in_2_seconds_and_recovery() -> None:
    emulator, clock = make_emulator()
    for n in range(40):
        response = call(emulator, "GET", "/api/v2/deals/1")[1]
        assert response.status == 200
        assert _headers(response)["x-ratelimit-remaining"] == 39 - n
    assert _headers(response)["x-ratelimit-reset"] == 2
    budget = _headers(response)["x-daily-ratelimit-token-remaining"]
    refused = call(emulator, "GET", "/api/v2/deals/1")[1]
    body = assert_error(refused, 429, GATEWAY_KEYS)
    assert body["error"] == "Request over limit"
    headers = _headers(refused)
    assert headers["x-ratelimit-remaining"] == 0 and headers["x-ratelimit-reset"] == 2
    assert headers["x-daily-ratelimit-token-remaining"] == budget  # a refused call costs nothing
    clock.advance(1.5)
    assert call(emulator, "GET", "/api/v2/deals/1")[1].status == 429
    assert _headers(call(emulator, "GET", "/api/v2/deals/1")[1])["x-ratelimit-reset"] == 1
    clock.advance(0.5)
    recovered = call(emulator, "GET", "/api/v2/deals/1")[1]
    assert recovered.status == 200
    assert _headers(recovered)["x-ratelimit-remaining"] == 39


def test_the_burst_window_rolls() -> None:
    emulator, clock = make_emulator()
    for _ in range(20):
        assert call(emulator, "GET", "/api/v2/stages")[1].status == 200
    clock.advance(1)
    for _ in range(20):
        assert call(emulator, "GET", "/api/v2/stages")[1].status == 200
    assert call(emulator, "GET", "/api/v2/stages")[1].status == 429
    clock.advance(1)  # the first 20 leave the window, the last 20 are still in it
    response = call(emulator, "GET", "/api/v2/stages")[1]
    assert response.status == 200 and _headers(response)["x-ratelimit-remaining"] == 19


def test_the_burst_window_is_per_token() -> None:
    emulator, clock = make_emulator(limits=PipedriveLimits(burst_limit=3, oauth_burst_limit=5))
    emulator.issue_oauth_token("tok-a", clock.now() + timedelta(hours=1))
    for _ in range(3):
        call(emulator, "GET", "/api/v2/pipelines")
    assert call(emulator, "GET", "/api/v2/pipelines")[1].status == 429
    bearer = {"Authorization": "Bearer tok-a"}
    for n in range(5):
        response = call(emulator, "GET", "/api/v2/pipelines", token=None, headers=bearer)[1]
        assert response.status == 200 and _headers(response)["x-ratelimit-remaining"] == 4 - n
    assert call(emulator, "GET", "/api/v2/pipelines", token=None, headers=bearer)[1].status == 429


def test_daily_budget_exhausted_until_midnight_utc() -> None:
    emulator, clock = make_emulator(limits=PipedriveLimits(daily_base_tokens=25, plan_multiplier=1, seats=1))
    for left in (15, 5, 0):
        response = call(emulator, "GET", "/api/v2/deals")[1]
        assert response.status == 200
        assert _headers(response)["x-daily-ratelimit-token-remaining"] == left
    clock.advance(3)
    refused = call(emulator, "GET", "/api/v2/deals/1")[1]
    assert_error(refused, 429, GATEWAY_KEYS)
    assert _headers(refused)["x-daily-ratelimit-token-remaining"] == 0
    assert _headers(refused)["x-ratelimit-remaining"] == 40  # the burst window is not what refused it
    clock.advance(14 * 3600 + 29 * 60 + 56)  # 23:59:59 sandbox UTC
    assert call(emulator, "GET", "/api/v2/deals/1")[1].status == 429
    clock.advance(1)
    after = call(emulator, "GET", "/api/v2/deals/1")[1]
    assert after.status == 200
    assert _headers(after)["x-daily-ratelimit-token-remaining"] == 24


def test_limits_are_configurable() -> None:
    limits = PipedriveLimits(
        daily_base_tokens=30_000, plan_multiplier=5, seats=3, top_up_tokens=1000, burst_limit=100
    )
    assert limits.daily_token_budget == 451_000
    emulator, _ = make_emulator(limits=limits)
    headers = _headers(call(emulator, "GET", "/api/v2/deals/1")[1])
    assert headers["x-daily-ratelimit-token-limit"] == 451_000 and headers["x-ratelimit-limit"] == 100


def test_fault_responses_in_pipedrives_shape() -> None:
    emulator, _ = make_emulator()
    too_many = emulator.fault_response("429")
    assert_error(too_many, 429, GATEWAY_KEYS, contains="Request over limit")
    headers = _headers(too_many)
    assert headers["x-ratelimit-remaining"] == 0 and headers["x-ratelimit-reset"] == 2
    assert headers["x-daily-ratelimit-token-remaining"] == 300_000
    assert_error(emulator.fault_response("500"), 500, GATEWAY_KEYS)
    assert_error(emulator.fault_response("503"), 503, GATEWAY_KEYS)
    with pytest.raises(ValueError, match="429, 500 or 503"):
        emulator.fault_response("slow")


def test_error_shapes_are_distinct_per_kind() -> None:
    emulator: PipedriveEmulator = make_emulator()[0]
    assert_error(call(emulator, "GET", "/api/v2/deals", "limit=900")[1], 400, VALIDATION_KEYS)
    assert_error(call(emulator, "GET", "/api/v2/deals/900")[1], 404, APPLICATION_KEYS)
