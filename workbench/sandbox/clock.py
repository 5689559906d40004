"""The sandbox clock: what "now" is for every emulator, token expiry and rate-limit window.

Tests advance it instead of sleeping; the served sandbox lets it tick with real time.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta


class SandboxClock:
    """A clock that starts at `start` and moves only when advanced, unless `ticking` is set."""

    def __init__(self, start: datetime, *, ticking: bool = False) -> None:
        if start.tzinfo is None:
            raise ValueError("the sandbox clock needs a timezone-aware start (use UTC)")
        self._start = start.astimezone(UTC)
        self._offset = timedelta()
        self._ticking = ticking
        self._real_origin = time.monotonic()
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            elapsed = (
                timedelta(seconds=time.monotonic() - self._real_origin) if self._ticking else timedelta()
            )
            return self._start + self._offset + elapsed

    def timestamp(self) -> float:
        return self.now().timestamp()

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._offset += timedelta(seconds=seconds)
