"""Xero's Idempotency-Key: the first response to a key is replayed for six minutes, per app.

Replays still count against the rate limits (the caller admits the call before asking here). The
same key with a different request is refused, as Xero does.
"""

from __future__ import annotations

import copy
import hashlib
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from workbench.sandbox.wire import Request, Response

REPLAY_WINDOW = timedelta(minutes=6)
MAX_KEY_LENGTH = 128


@dataclass
class _Stored:
    fingerprint: str
    response: Response
    stored_at: datetime


class IdempotencyStore:
    def __init__(self) -> None:
        self._entries: dict[tuple[str, str], _Stored] = {}
        self._lock = threading.Lock()

    @staticmethod
    def fingerprint(request: Request, tenant_id: str) -> str:
        digest = hashlib.sha256()
        for part in (request.method, request.path.lower(), repr(sorted(request.query)), tenant_id):
            digest.update(part.encode("utf-8") + b"\0")
        digest.update(request.body)
        return digest.hexdigest()

    def lookup(self, app: str, key: str, fingerprint: str, now: datetime) -> Response | str | None:
        """The stored response to replay, an error message if the key is misused, or None to proceed."""
        if len(key) > MAX_KEY_LENGTH:
            return f"The Idempotency-Key must be {MAX_KEY_LENGTH} characters or fewer."
        with self._lock:
            stored = self._entries.get((app, key))
            if stored is None or now - stored.stored_at > REPLAY_WINDOW:
                return None
            if stored.fingerprint != fingerprint:
                return f"Idempotency Key {key} is used with a different request."
            return copy.deepcopy(stored.response)

    def remember(self, app: str, key: str, fingerprint: str, response: Response, now: datetime) -> None:
        with self._lock:
            self._entries[(app, key)] = _Stored(fingerprint, copy.deepcopy(response), now)
            expired = [k for k, v in self._entries.items() if now - v.stored_at > REPLAY_WINDOW]
            for stale in expired:
                del self._entries[stale]
