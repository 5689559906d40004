"""The one module that imports httpx: client factory, retry/backoff, rate-limit budgets, an injectable clock.

Policy lives in the constants below. Budgets are read from the servers' own headers so the client slows
down *before* a 429; a 429 is honoured (Retry-After / reset), never hammered; Xero's day limit,
Pipedrive's daily token budget and HubSpot's daily limit stop the run with `RateLimitExhausted` instead
of sleeping for hours.
"""

from __future__ import annotations

import random
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

from workbench.errors import MalformedResponse, RateLimitExhausted, TransientFailure

CONNECT_TIMEOUT_SECONDS = 10.0
READ_TIMEOUT_SECONDS = 60.0
MAX_ATTEMPTS = 6
BACKOFF_BASE_SECONDS = 0.5
BACKOFF_CAP_SECONDS = 30.0
RETRYABLE_STATUSES = frozenset({500, 502, 503, 504})
UNKNOWN_429_WAIT_SECONDS = 5.0
XERO_CALLS_PER_MINUTE = 60
XERO_CONCURRENT_CALLS = 5
PIPEDRIVE_BURST_WINDOW_SECONDS = 2.0
PIPEDRIVE_DEFAULT_BURST = 20  # the smallest plan's budget until the server tells us its own
HUBSPOT_DEFAULT_BURST = 100  # Free/Starter per 10 s until X-HubSpot-RateLimit-Max says otherwise
HUBSPOT_BURST_WINDOW_SECONDS = 10.0
HUBSPOT_SEARCHES_PER_SECOND = 4  # the search API's own limit (4-5 a second), with no headers to read
USER_AGENT = "workbench-integration-health-check/0.1"

Transport = httpx.BaseTransport


def build_client(transport: Transport | None = None, *, base_url: str = "") -> httpx.Client:
    """An httpx client with the workbench's timeouts; `transport` is the test or sandbox seam."""
    return httpx.Client(
        base_url=base_url,
        transport=transport,
        timeout=httpx.Timeout(READ_TIMEOUT_SECONDS, connect=CONNECT_TIMEOUT_SECONDS),
        headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
        follow_redirects=False,
    )


class Clock(Protocol):
    """Monotonic seconds and sleeping; tests hand in one that moves the sandbox clock instead."""

    def monotonic(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


class SteppedClock:
    """A clock driven by callables, e.g. the sandbox clock: sleeping advances it, nobody waits."""

    def __init__(self, now: Callable[[], float], advance: Callable[[float], None]) -> None:
        self._now = now
        self._advance = advance
        self.slept = 0.0

    def monotonic(self) -> float:
        return self._now()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self.slept += seconds
            self._advance(seconds)


class SlidingWindow:
    """At most `limit` calls in any `window` seconds. Stricter than a fixed window of the same size,
    so it never trips a server's fixed window wherever that window starts."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._calls: deque[float] = deque()

    def wait_time(self, now: float) -> float:
        while self._calls and now - self._calls[0] >= self.window:
            self._calls.popleft()
        if len(self._calls) < self.limit:
            return 0.0
        return self._calls[0] + self.window - now

    def record(self, now: float) -> None:
        self._calls.append(now)

    def block_until(self, moment: float) -> None:
        """Treat the window as full until `moment` (the server said the budget is spent)."""
        self._calls = deque([moment - self.window] * self.limit)


@dataclass
class BudgetSnapshot:
    """What is left of a service's budgets, as last reported by its headers (None: not reported)."""

    service: str
    minute_remaining: int | None = None
    day_remaining: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class Budget:
    """A service's rate-limit policy: wait before a call, learn from each response, judge a 429."""

    service = "service"

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.snapshot = BudgetSnapshot(self.service)
        self._lock = threading.Lock()

    def before_call(self) -> None:
        raise NotImplementedError

    def after_call(self, response: httpx.Response) -> None:
        raise NotImplementedError

    def wait_after_429(self, response: httpx.Response) -> float:
        """Seconds to wait before retrying; raises RateLimitExhausted for budgets that won't return soon."""
        raise NotImplementedError

    def release(self) -> None:
        """A call finished (success or not)."""


def _int_header(headers: Mapping[str, str], name: str) -> int | None:
    value = headers.get(name)
    try:
        return int(float(value)) if value is not None else None
    except ValueError:
        return None


class XeroBudget(Budget):
    """Per tenant: 60 calls a minute (sliding), 5 in flight, stop when the day budget is spent."""

    service = "Xero"

    def __init__(
        self, clock: Clock, per_minute: int = XERO_CALLS_PER_MINUTE, concurrent: int = XERO_CONCURRENT_CALLS
    ) -> None:
        super().__init__(clock)
        self.minute = SlidingWindow(per_minute, 60.0)
        self._in_flight = threading.BoundedSemaphore(concurrent)

    def before_call(self) -> None:
        if self.snapshot.day_remaining == 0:
            raise RateLimitExhausted("Xero", "day", self.snapshot.extra.get("day_retry_after"))
        self._in_flight.acquire()
        with self._lock:
            while (wait := self.minute.wait_time(self.clock.monotonic())) > 0:
                self.clock.sleep(wait)
            self.minute.record(self.clock.monotonic())

    def release(self) -> None:
        self._in_flight.release()

    def after_call(self, response: httpx.Response) -> None:
        minute = _int_header(response.headers, "X-MinLimit-Remaining")
        day = _int_header(response.headers, "X-DayLimit-Remaining")
        with self._lock:
            if minute is not None:
                self.snapshot.minute_remaining = minute
                if minute == 0 and response.status_code != 429:
                    # someone else shares this tenant's budget: rest until a minute has passed
                    self.minute.block_until(self.clock.monotonic() + 60.0)
            if day is not None:
                self.snapshot.day_remaining = day

    def wait_after_429(self, response: httpx.Response) -> float:
        problem = (response.headers.get("X-Rate-Limit-Problem") or "").lower()
        retry_after = _int_header(response.headers, "Retry-After")
        if problem in ("day", "daily"):
            self.snapshot.day_remaining = 0
            self.snapshot.extra["day_retry_after"] = retry_after
            raise RateLimitExhausted("Xero", "day", retry_after)
        wait = float(retry_after) if retry_after is not None else UNKNOWN_429_WAIT_SECONDS
        with self._lock:
            self.minute.block_until(self.clock.monotonic() + wait)
        return wait


class PipedriveBudget(Budget):
    """Burst budget per rolling 2 s (learned from x-ratelimit-limit) and the daily token budget."""

    service = "Pipedrive"

    def __init__(self, clock: Clock, burst: int = PIPEDRIVE_DEFAULT_BURST) -> None:
        super().__init__(clock)
        self.burst = SlidingWindow(burst, PIPEDRIVE_BURST_WINDOW_SECONDS)

    def before_call(self) -> None:
        if self.snapshot.day_remaining == 0:
            raise RateLimitExhausted("Pipedrive", "daily token", None)
        with self._lock:
            while (wait := self.burst.wait_time(self.clock.monotonic())) > 0:
                self.clock.sleep(wait)
            self.burst.record(self.clock.monotonic())

    def after_call(self, response: httpx.Response) -> None:
        limit = _int_header(response.headers, "x-ratelimit-limit")
        remaining = _int_header(response.headers, "x-ratelimit-remaining")
        reset = _int_header(response.headers, "x-ratelimit-reset")
        daily = _int_header(response.headers, "x-daily-ratelimit-token-remaining")
        with self._lock:
            if limit is not None and limit > 0:
                self.burst.limit = limit
            self.snapshot.minute_remaining = remaining
            if daily is not None:
                self.snapshot.day_remaining = daily
            if remaining == 0 and response.status_code != 429:
                self.burst.block_until(self.clock.monotonic() + max(reset or 0, 1))

    def wait_after_429(self, response: httpx.Response) -> float:
        if _int_header(response.headers, "x-daily-ratelimit-token-remaining") == 0:
            self.snapshot.day_remaining = 0
            raise RateLimitExhausted("Pipedrive", "daily token", None)
        reset = _int_header(response.headers, "x-ratelimit-reset")
        wait = float(reset) if reset else PIPEDRIVE_BURST_WINDOW_SECONDS
        with self._lock:
            self.burst.block_until(self.clock.monotonic() + wait)
        return wait


class HubSpotBudget(Budget):
    """HubSpot's burst window (limit and length learned from X-HubSpot-RateLimit-Max and
    -Interval-Milliseconds) and the daily limit (-Daily-Remaining; OAuth calls do not report it)."""

    service = "HubSpot"

    def __init__(self, clock: Clock, burst: int = HUBSPOT_DEFAULT_BURST) -> None:
        super().__init__(clock)
        self.burst = SlidingWindow(burst, HUBSPOT_BURST_WINDOW_SECONDS)

    def before_call(self) -> None:
        if self.snapshot.day_remaining == 0:
            raise RateLimitExhausted("HubSpot", "daily", None)
        with self._lock:
            while (wait := self.burst.wait_time(self.clock.monotonic())) > 0:
                self.clock.sleep(wait)
            self.burst.record(self.clock.monotonic())

    def after_call(self, response: httpx.Response) -> None:
        limit = _int_header(response.headers, "X-HubSpot-RateLimit-Max")
        remaining = _int_header(response.headers, "X-HubSpot-RateLimit-Remaining")
        interval = _int_header(response.headers, "X-HubSpot-RateLimit-Interval-Milliseconds")
        daily = _int_header(response.headers, "X-HubSpot-RateLimit-Daily-Remaining")
        with self._lock:
            if limit is not None and limit > 0:
                self.burst.limit = limit
            if interval is not None and interval > 0:
                self.burst.window = interval / 1000
            if remaining is not None:
                self.snapshot.minute_remaining = remaining
            if daily is not None:
                self.snapshot.day_remaining = daily
            if remaining == 0 and response.status_code != 429:
                # another app on the account shares the window: rest until it has passed
                self.burst.block_until(self.clock.monotonic() + self.burst.window)

    def wait_after_429(self, response: httpx.Response) -> float:
        policy = _policy(response)
        if policy == "DAILY":
            self.snapshot.day_remaining = 0
            raise RateLimitExhausted("HubSpot", "daily", None)
        retry_after = _int_header(response.headers, "Retry-After")
        default = 1.0 if policy == "SECONDLY" else self.burst.window
        wait = float(retry_after) if retry_after is not None else default
        with self._lock:
            self.burst.block_until(self.clock.monotonic() + wait)
        return wait


class HubSpotSearchBudget(HubSpotBudget):
    """The search API: its own per-second limit, and none of the rate-limit headers on its answers."""

    def __init__(self, clock: Clock, per_second: int = HUBSPOT_SEARCHES_PER_SECOND) -> None:
        super().__init__(clock, per_second)
        self.burst.window = 1.0

    def after_call(self, response: httpx.Response) -> None:
        daily = _int_header(response.headers, "X-HubSpot-RateLimit-Daily-Remaining")
        if daily is not None:
            with self._lock:
                self.snapshot.day_remaining = daily


def _policy(response: httpx.Response) -> str:
    """HubSpot's `policyName` of a 429 (TEN_SECONDLY_ROLLING, SECONDLY or DAILY), "" if unreadable."""
    try:
        body = response.json()
    except ValueError:
        return ""
    policy = body.get("policyName") if isinstance(body, dict) else None
    return policy.upper() if isinstance(policy, str) else ""


class UnlimitedBudget(Budget):
    """For services without a budget worth modelling (identity endpoints, file servers)."""

    def before_call(self) -> None:
        return None

    def after_call(self, response: httpx.Response) -> None:
        return None

    def wait_after_429(self, response: httpx.Response) -> float:
        retry_after = _int_header(response.headers, "Retry-After")
        return float(retry_after) if retry_after is not None else UNKNOWN_429_WAIT_SECONDS


@dataclass
class RetryPolicy:
    max_attempts: int = MAX_ATTEMPTS
    base_seconds: float = BACKOFF_BASE_SECONDS
    cap_seconds: float = BACKOFF_CAP_SECONDS

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Capped exponential backoff with full jitter's gentler cousin: between half and all of the step."""
        step = min(self.cap_seconds, self.base_seconds * (2**attempt))
        return step * (0.5 + rng.random() / 2)


@dataclass
class CallStats:
    calls: int = 0
    retries: int = 0
    rate_limited: int = 0
    slept_seconds: float = 0.0


class ApiSession:
    """Sends requests for one service through its budget, retrying what is safe to retry.

    GETs (and writes that carry an Idempotency-Key) are retried on 5xx, timeouts and dropped
    connections with capped exponential backoff and jitter. A 429 is waited out as the budget says,
    for any method: the server did not act on it. Every other answer is returned to the caller.
    """

    def __init__(
        self,
        service: str,
        client: httpx.Client,
        budget: Budget,
        *,
        clock: Clock | None = None,
        retry: RetryPolicy | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.service = service
        self.client = client
        self.budget = budget
        self.clock = clock or budget.clock
        self.retry = retry or RetryPolicy()
        self.rng = rng or random.Random()
        self.stats = CallStats()

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Any = None,
        headers: Mapping[str, str] | None = None,
        json: Any = None,
        data: Any = None,
        content: bytes | None = None,
        retryable: bool | None = None,
    ) -> httpx.Response:
        safe_to_retry = (
            retryable
            if retryable is not None
            else (method.upper() == "GET" or bool(headers and "Idempotency-Key" in headers))
        )
        attempt = 0
        while True:
            self.budget.before_call()
            try:
                self.stats.calls += 1
                response = self.client.request(
                    method, url, params=params, headers=headers, json=json, data=data, content=content
                )
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                self.budget.release()
                if not safe_to_retry or attempt + 1 >= self.retry.max_attempts:
                    raise TransientFailure(
                        f"{self.service} {method} {_path(url)} failed after {attempt + 1} attempt(s): "
                        f"{type(exc).__name__}",
                        hint="check the connection and run again; completed work is kept",
                    ) from None
                self._pause(self.retry.backoff(attempt, self.rng))
                attempt += 1
                continue
            self.budget.release()
            self.budget.after_call(response)
            if response.status_code == 429:
                self.stats.rate_limited += 1
                if attempt + 1 >= self.retry.max_attempts:
                    return response
                self._pause(self.budget.wait_after_429(response))
                attempt += 1
                continue
            if (
                response.status_code in RETRYABLE_STATUSES
                and safe_to_retry
                and attempt + 1 < self.retry.max_attempts
            ):
                self._pause(self.retry.backoff(attempt, self.rng))
                attempt += 1
                continue
            return response

    def get_json(
        self, url: str, *, params: Any = None, headers: Mapping[str, str] | None = None
    ) -> tuple[httpx.Response, Any]:
        """GET and decode JSON; a truncated or garbled body is fetched again, like a dropped connection.

        Non-2xx answers are returned with their decoded body (or None) for the caller to judge.
        """
        for attempt in range(self.retry.max_attempts):
            response = self.request("GET", url, params=params, headers=headers)
            try:
                return response, response.json()
            except ValueError:
                if response.status_code >= 400:
                    return response, None
                if attempt + 1 >= self.retry.max_attempts:
                    break
                self._pause(self.retry.backoff(attempt, self.rng))
        raise MalformedResponse(
            f"{self.service} sent an unreadable body for {_path(url)} {dict(params or {})} "
            f"{self.retry.max_attempts} times",
            hint="run the pull again later; completed pages are kept",
        )

    def _pause(self, seconds: float) -> None:
        self.stats.retries += 1
        self.stats.slept_seconds += seconds
        self.clock.sleep(seconds)


def _path(url: str) -> str:
    """The path of a URL, for messages (no query string: it may hold an api_token)."""
    return httpx.URL(url).path
