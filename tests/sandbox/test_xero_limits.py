"""Xero's limits as Xero enforces them: 60 a minute, 5,000 a day, 5 in flight; all on the sandbox clock."""

from __future__ import annotations

from tests.sandbox.xero_factory import TENANT_ID, small_tenant
from tests.sandbox.xero_harness import XeroHarness
from workbench.sandbox.xero.limits import XeroLimits, XeroRateLimiter


def test_every_response_carries_the_remaining_budgets() -> None:
    xero = XeroHarness(small_tenant(invoices=5))
    headers = xero.call("GET", "Currencies").headers
    assert headers["X-MinLimit-Remaining"] == "59"
    assert headers["X-DayLimit-Remaining"] == "4999"
    assert int(headers["X-AppMinLimit-Remaining"]) == 9999


def test_the_61st_call_in_a_minute_is_refused_until_the_window_resets() -> None:
    xero = XeroHarness(small_tenant(invoices=5))
    for _ in range(60):
        xero.call("GET", "Currencies")
        xero.clock.advance(0.5)
    refused = xero.call("GET", "Currencies", expect=429)
    assert refused.headers["X-Rate-Limit-Problem"] == "minute"
    assert refused.headers["X-MinLimit-Remaining"] == "0"
    retry_after = int(refused.headers["Retry-After"])
    assert 0 < retry_after <= 31  # the window opened 29.5 s of sandbox time ago
    xero.clock.advance(retry_after)
    assert xero.call("GET", "Currencies").headers["X-MinLimit-Remaining"] == "59"


def test_the_day_limit_refuses_with_a_long_retry_after() -> None:
    xero = XeroHarness(small_tenant(invoices=5))
    for call in range(5000):
        assert xero.get_unchecked("Currencies").status == 200
        if call % 60 == 59:
            xero.clock.advance(61)
            xero.token = xero.client_credentials_token()  # access tokens live 30 minutes
    refused = xero.call("GET", "Currencies", expect=429)
    assert refused.headers["X-Rate-Limit-Problem"] == "day"
    assert refused.headers["X-DayLimit-Remaining"] == "0"
    assert int(refused.headers["Retry-After"]) > 3600
    xero.clock.advance(int(refused.headers["Retry-After"]))
    xero.token = xero.client_credentials_token()
    assert xero.call("GET", "Currencies").headers["X-DayLimit-Remaining"] == "4999"


def test_limits_are_configurable_and_per_tenant() -> None:
    xero = XeroHarness(small_tenant(invoices=5), XeroLimits(per_minute=3, per_day=1000))
    for _ in range(3):
        xero.call("GET", "Currencies")
    xero.call("GET", "Currencies", expect=429)
    limiter = xero.emulator.limiter
    assert limiter.admit("another-tenant").allowed  # its own window


def test_a_sixth_concurrent_call_is_refused() -> None:
    from datetime import UTC, datetime

    from workbench.sandbox.clock import SandboxClock

    limiter = XeroRateLimiter(SandboxClock(datetime(2026, 1, 1, tzinfo=UTC)))
    admitted = [limiter.admit(TENANT_ID) for _ in range(5)]
    assert all(a.allowed for a in admitted)
    sixth = limiter.admit(TENANT_ID)
    assert not sixth.allowed and sixth.headers["X-Rate-Limit-Problem"] == "concurrent"
    limiter.release(TENANT_ID)
    assert limiter.admit(TENANT_ID).allowed


def test_an_expired_access_token_is_a_401_after_30_minutes() -> None:
    xero = XeroHarness(small_tenant(invoices=5))
    xero.call("GET", "Organisation")
    xero.clock.advance(30 * 60 + 1)
    refused = xero.call("GET", "Organisation", expect=401)
    assert refused.payload()["Detail"].startswith("TokenExpired")
