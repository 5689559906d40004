"""HubSpot's rate limits: a burst window per app (10 s rolling), a daily budget per account, and the
search API's own per-second limit.

Private apps see `X-HubSpot-RateLimit-Max` / `-Remaining` / `-Interval-Milliseconds` and the daily
`X-HubSpot-RateLimit-Daily` / `-Daily-Remaining`; OAuth-authorised calls get no daily headers. Search
responses carry none of them. The daily budget resets at midnight (UTC of the sandbox clock).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import UTC, date

from workbench.sandbox.clock import SandboxClock


@dataclass(frozen=True)
class HubSpotLimits:
    """The limits of one sandbox portal; the defaults are a Professional account."""

    burst_limit: int = 190
    oauth_burst_limit: int = 110
    burst_window_seconds: float = 10.0
    daily_limit: int = 625_000
    search_per_second: int = 5


DEFAULT_LIMITS = HubSpotLimits()


@dataclass
class Admission:
    allowed: bool
    policy: str | None  # what refused the call: TEN_SECONDLY_ROLLING, DAILY or SECONDLY
    headers: dict[str, str]


class RateLimiter:
    """Counts calls per app key (burst), per account day (daily) and searches per second."""

    def __init__(self, limits: HubSpotLimits, clock: SandboxClock) -> None:
        self.limits = limits
        self.clock = clock
        self._windows: dict[str, deque[float]] = {}
        self._searches: deque[float] = deque()
        self._day: date = clock.now().astimezone(UTC).date()
        self._spent = 0

    @property
    def daily_remaining(self) -> int:
        self._roll_day()
        return max(0, self.limits.daily_limit - self._spent)

    def admit(self, key: str, burst_limit: int, *, daily_headers: bool, search: bool) -> Admission:
        self._roll_day()
        window = self._window(key, self.limits.burst_window_seconds)
        policy = None
        if self.daily_remaining <= 0:
            policy = "DAILY"
        elif search:
            searches = self._trim(self._searches, 1.0)
            if len(searches) >= self.limits.search_per_second:
                policy = "SECONDLY"
        elif len(window) >= burst_limit:
            policy = "TEN_SECONDLY_ROLLING"
        if policy is None:
            now = self.clock.timestamp()
            (self._searches if search else window).append(now)
            self._spent += 1
        headers = {} if search else self.headers(key, burst_limit, daily=daily_headers)
        return Admission(policy is None, policy, headers)

    def headers(self, key: str, burst_limit: int, *, daily: bool, exhausted: bool = False) -> dict[str, str]:
        window = self._window(key, self.limits.burst_window_seconds)
        remaining = 0 if exhausted else max(0, burst_limit - len(window))
        out = {
            "X-HubSpot-RateLimit-Interval-Milliseconds": str(int(self.limits.burst_window_seconds * 1000)),
            "X-HubSpot-RateLimit-Max": str(burst_limit),
            "X-HubSpot-RateLimit-Remaining": str(remaining),
        }
        if daily:
            out["X-HubSpot-RateLimit-Daily"] = str(self.limits.daily_limit)
            out["X-HubSpot-RateLimit-Daily-Remaining"] = str(self.daily_remaining)
        return out

    def _window(self, key: str, seconds: float) -> deque[float]:
        return self._trim(self._windows.setdefault(key, deque()), seconds)

    def _trim(self, window: deque[float], seconds: float) -> deque[float]:
        now = self.clock.timestamp()
        while window and now - window[0] >= seconds:
            window.popleft()
        return window

    def _roll_day(self) -> None:
        today = self.clock.now().astimezone(UTC).date()
        if today != self._day:
            self._day = today
            self._spent = 0
