"""Pipedrive's token-based rate limits: a daily company budget and a per-token rolling burst window.

Budget per company per day = 30,000 x plan multiplier x seats (+ top-ups); each operation costs its
`x-token-cost` from the spec. The budget resets at midnight (UTC of the sandbox clock). The burst limit
counts requests per token over a rolling 2-second window; `x-ratelimit-reset` is relative seconds.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from datetime import UTC, date

from workbench.sandbox.clock import SandboxClock

# x-token-cost of every operation the emulator serves, read off the official specs
# (openapi-v2.crm-subset.yaml / openapi-v1.crm-subset.yaml); a test keeps this in step with them.
TOKEN_COSTS: dict[tuple[str, str, str], int] = {
    ("v2", "GET", "/deals"): 10,
    ("v2", "GET", "/deals/{id}"): 1,
    ("v2", "PATCH", "/deals/{id}"): 5,
    ("v2", "GET", "/deals/{id}/products"): 10,
    ("v2", "GET", "/deals/products"): 10,
    ("v2", "GET", "/organizations"): 10,
    ("v2", "GET", "/organizations/{id}"): 1,
    ("v2", "PATCH", "/organizations/{id}"): 5,
    ("v2", "GET", "/persons"): 10,
    ("v2", "GET", "/persons/{id}"): 1,
    ("v2", "GET", "/products"): 10,
    ("v2", "GET", "/products/{id}"): 1,
    ("v2", "GET", "/stages"): 5,
    ("v2", "GET", "/stages/{id}"): 1,
    ("v2", "GET", "/pipelines"): 5,
    ("v2", "GET", "/pipelines/{id}"): 1,
    ("v2", "GET", "/dealFields"): 10,
    ("v2", "POST", "/dealFields"): 5,
    ("v2", "GET", "/dealFields/{field_code}"): 1,
    ("v2", "GET", "/organizationFields"): 10,
    ("v2", "POST", "/organizationFields"): 5,
    ("v2", "GET", "/organizationFields/{field_code}"): 1,
    ("v2", "GET", "/personFields"): 10,
    ("v2", "POST", "/personFields"): 5,
    ("v2", "GET", "/personFields/{field_code}"): 1,
    ("v2", "GET", "/productFields"): 10,
    ("v2", "POST", "/productFields"): 5,
    ("v2", "GET", "/productFields/{field_code}"): 1,
    ("v1", "GET", "/users"): 20,
    ("v1", "GET", "/users/me"): 2,
    ("v1", "GET", "/users/{id}"): 2,
    ("v1", "GET", "/currencies"): 20,
}


@dataclass(frozen=True)
class PipedriveLimits:
    """The limits of one sandbox company; the defaults are a Growth plan (multiplier 2) with 5 seats."""

    daily_base_tokens: int = 30_000
    plan_multiplier: int = 2
    seats: int = 5
    top_up_tokens: int = 0
    burst_limit: int = 40
    oauth_burst_limit: int = 160
    burst_window_seconds: float = 2.0

    @property
    def daily_token_budget(self) -> int:
        return self.daily_base_tokens * self.plan_multiplier * self.seats + self.top_up_tokens


DEFAULT_LIMITS = PipedriveLimits()


@dataclass
class Admission:
    """The limiter's verdict on one request and the limit headers its response carries."""

    allowed: bool
    headers: dict[str, str]


class RateLimiter:
    """Counts requests per token (burst) and tokens per sandbox day (budget), by the sandbox clock only."""

    def __init__(self, limits: PipedriveLimits, clock: SandboxClock) -> None:
        self.limits = limits
        self.clock = clock
        self._windows: dict[str, deque[float]] = {}
        self._day: date = clock.now().astimezone(UTC).date()
        self._spent = 0

    @property
    def daily_remaining(self) -> int:
        self._roll_day()
        return max(0, self.limits.daily_token_budget - self._spent)

    def admit(self, key: str, burst_limit: int, cost: int) -> Admission:
        """Let the request through (and count it) unless the burst window or the daily budget is spent.

        Once the budget reaches 0 every request is refused until midnight; the last admitted request may
        cost more than was left (the remaining count never goes below 0).
        """
        self._roll_day()
        window = self._window(key)
        if len(window) >= burst_limit or self.daily_remaining <= 0:
            return Admission(False, self.headers(key, burst_limit))
        window.append(self.clock.timestamp())
        self._spent += cost
        return Admission(True, self.headers(key, burst_limit))

    def headers(self, key: str, burst_limit: int, *, exhausted: bool = False) -> dict[str, str]:
        window = self._window(key)
        remaining = 0 if exhausted else max(0, burst_limit - len(window))
        if window:
            reset = math.ceil(window[0] + self.limits.burst_window_seconds - self.clock.timestamp())
        else:
            reset = math.ceil(self.limits.burst_window_seconds) if exhausted else 0
        return {
            "x-ratelimit-limit": str(burst_limit),
            "x-ratelimit-remaining": str(remaining),
            "x-ratelimit-reset": str(max(reset, 0)),
            "x-daily-ratelimit-token-limit": str(self.limits.daily_token_budget),
            "x-daily-ratelimit-token-remaining": str(self.daily_remaining),
        }

    def _window(self, key: str) -> deque[float]:
        window = self._windows.setdefault(key, deque())
        now = self.clock.timestamp()
        while window and now - window[0] >= self.limits.burst_window_seconds:
            window.popleft()
        return window

    def _roll_day(self) -> None:
        today = self.clock.now().astimezone(UTC).date()
        if today != self._day:
            self._day = today
            self._spent = 0
