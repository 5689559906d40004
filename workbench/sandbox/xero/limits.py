"""Xero's rate limits, per tenant: calls a minute, calls a day, calls in flight; and the app-wide minute.

"Requests are counted against a fixed window which will reset at different times for each tenant":
each tenant's minute and day windows start at its first call. Headers on every tenant response:
X-DayLimit-Remaining, X-MinLimit-Remaining, X-AppMinLimit-Remaining; a 429 adds X-Rate-Limit-Problem
and, for the minute and day limits, Retry-After (seconds).
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field
from datetime import datetime

from workbench.sandbox.clock import SandboxClock


@dataclass(frozen=True)
class XeroLimits:
    per_minute: int = 60
    per_day: int = 5000
    concurrent: int = 5
    app_per_minute: int = 10_000


@dataclass
class _Window:
    started: datetime | None = None
    used: int = 0

    def roll(self, now: datetime, seconds: int) -> None:
        if self.started is None or (now - self.started).total_seconds() >= seconds:
            self.started, self.used = now, 0

    def retry_after(self, now: datetime, seconds: int) -> int:
        assert self.started is not None
        return max(1, math.ceil(seconds - (now - self.started).total_seconds()))


@dataclass
class _TenantUsage:
    minute: _Window = field(default_factory=_Window)
    day: _Window = field(default_factory=_Window)
    in_flight: int = 0


@dataclass
class Admission:
    """The outcome of asking for one call: allowed or not, and the headers the response carries."""

    allowed: bool
    headers: dict[str, str]
    problem: str | None = None


class XeroRateLimiter:
    def __init__(self, clock: SandboxClock, limits: XeroLimits | None = None) -> None:
        self.clock = clock
        self.limits = limits or XeroLimits()
        self._tenants: dict[str, _TenantUsage] = {}
        self._app = _Window()
        self._lock = threading.Lock()

    def admit(self, tenant_id: str | None) -> Admission:
        """Count one call for `tenant_id` (None for tenant-less calls) and say whether it may proceed."""
        now = self.clock.now()
        limits = self.limits
        with self._lock:
            self._app.roll(now, 60)
            if self._app.used >= limits.app_per_minute:
                return self._refused(None, now, "appminute", self._app.retry_after(now, 60))
            if tenant_id is None:
                self._app.used += 1
                return Admission(
                    True, {"X-AppMinLimit-Remaining": str(limits.app_per_minute - self._app.used)}
                )
            usage = self._tenants.setdefault(tenant_id, _TenantUsage())
            usage.minute.roll(now, 60)
            usage.day.roll(now, 86_400)
            if usage.day.used >= limits.per_day:
                return self._refused(usage, now, "day", usage.day.retry_after(now, 86_400))
            if usage.minute.used >= limits.per_minute:
                return self._refused(usage, now, "minute", usage.minute.retry_after(now, 60))
            if usage.in_flight >= limits.concurrent:
                return self._refused(usage, now, "concurrent", None)
            self._app.used += 1
            usage.minute.used += 1
            usage.day.used += 1
            usage.in_flight += 1
            return Admission(True, self._headers(usage))

    def release(self, tenant_id: str) -> None:
        with self._lock:
            usage = self._tenants.get(tenant_id)
            if usage and usage.in_flight > 0:
                usage.in_flight -= 1

    def _headers(self, usage: _TenantUsage | None) -> dict[str, str]:
        headers = {"X-AppMinLimit-Remaining": str(max(0, self.limits.app_per_minute - self._app.used))}
        if usage is not None:
            headers["X-MinLimit-Remaining"] = str(max(0, self.limits.per_minute - usage.minute.used))
            headers["X-DayLimit-Remaining"] = str(max(0, self.limits.per_day - usage.day.used))
        return headers

    def _refused(
        self, usage: _TenantUsage | None, now: datetime, problem: str, retry_after: int | None
    ) -> Admission:
        headers = self._headers(usage)
        headers["X-Rate-Limit-Problem"] = problem
        if retry_after is not None:
            headers["Retry-After"] = str(retry_after)
        return Admission(False, headers, problem)
