"""Xero sign-ins started in the app, waiting for Xero's redirect back to it.

The redirect reloads the app in a new browser session, so what the sign-in has to remember (the PKCE
verifier, where to trade the code, the non-secret settings to restore) cannot live in the session's
state. It is kept here, in the app process's memory only, under the sign-in's unguessable `state`;
taken once, and forgotten after PENDING_SECONDS. A restarted app has forgotten it: sign in again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx

from workbench.auth import (
    XERO_AUTHORIZE_URL,
    XERO_CONNECTIONS_URL,
    XERO_TOKEN_URL,
    PkceStart,
    start_xero_authorization,
)
from workbench.connect import complete_xero_sign_in
from workbench.errors import AuthError
from workbench.tokens import StoredToken, TokenStore

PENDING_SECONDS = 15 * 60  # Xero's consent pages time out well before this


@dataclass(frozen=True)
class XeroEndpoints:
    """Where a sign-in goes: Xero's identity service, or a served sandbox's."""

    authorize_url: str = XERO_AUTHORIZE_URL
    token_url: str = XERO_TOKEN_URL
    connections_url: str = XERO_CONNECTIONS_URL
    api_base: str | None = None  # kept with the token only when not Xero's own

    @classmethod
    def served_sandbox(cls, base_url: str) -> XeroEndpoints:
        """The endpoints of `workbench sandbox serve` at `base_url`."""
        base = base_url.strip().rstrip("/")
        return cls(
            authorize_url=f"{base}/xero/identity/connect/authorize",
            token_url=f"{base}/xero/identity/connect/token",
            connections_url=f"{base}/xero/connections",
            api_base=f"{base}/xero/api.xro/2.0",
        )


@dataclass(frozen=True)
class PendingSignIn:
    start: PkceStart = field(repr=False)
    client_id: str
    redirect_uri: str
    name: str
    tenant: str | None
    endpoints: XeroEndpoints
    restore: Mapping[str, Any]  # non-secret session settings to put back after the redirect
    created: float

    @property
    def url(self) -> str:
        """Where to send the user to sign in."""
        return self.start.url


class PendingSignIns:
    """State → pending sign-in, thread-safe (every browser session of the app shares one process)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, ttl: float = PENDING_SECONDS) -> None:
        self._clock, self._ttl = clock, ttl
        self._pending: dict[str, PendingSignIn] = {}
        self._lock = threading.Lock()

    def now(self) -> float:
        return self._clock()

    def add(self, pending: PendingSignIn) -> None:
        with self._lock:
            self._forget_expired()
            self._pending[pending.start.state] = pending

    def take(self, state: str) -> PendingSignIn:
        """The sign-in `state` belongs to, removed (a code is single-use, so is its sign-in)."""
        with self._lock:
            self._forget_expired()
            pending = self._pending.pop(state, None)
        if pending is None:
            raise AuthError(
                "this Xero sign-in is not one the app is waiting for (it expired, was already used, "
                "or the app restarted since it began)",
                hint="start the sign-in again on the Connect page and finish it within 15 minutes",
            )
        return pending

    def __len__(self) -> int:
        with self._lock:
            return len(self._pending)

    def _forget_expired(self) -> None:
        cutoff = self._clock() - self._ttl
        for state in [s for s, p in self._pending.items() if p.created < cutoff]:
            del self._pending[state]


PENDING = PendingSignIns()


def begin_xero_sign_in(
    *,
    client_id: str,
    redirect_uri: str,
    name: str = "xero",
    tenant: str | None = None,
    endpoints: XeroEndpoints | None = None,
    restore: Mapping[str, Any] | None = None,
    registry: PendingSignIns = PENDING,
) -> PendingSignIn:
    """Start a PKCE sign-in and remember it until the redirect comes back; open `.url` next."""
    client_id = client_id.strip()
    if not client_id:
        raise AuthError(
            "the Xero sign-in needs your Xero app's client id",
            hint="copy it from your app's page at developer.xero.com (PKCE apps have no secret)",
        )
    endpoints = endpoints or XeroEndpoints()
    start = start_xero_authorization(client_id, redirect_uri, authorize_url=endpoints.authorize_url)
    pending = PendingSignIn(
        start=start,
        client_id=client_id,
        redirect_uri=redirect_uri,
        name=name,
        tenant=(tenant or "").strip() or None,
        endpoints=endpoints,
        restore=dict(restore or {}),
        created=registry.now(),
    )
    registry.add(pending)
    return pending


def is_sign_in_return(query: Mapping[str, str]) -> bool:
    """Whether the app was opened by a sign-in redirect (Xero's answer carries a state and a code or
    an error)."""
    return "state" in query and ("code" in query or "error" in query)


def finish_xero_sign_in(
    query: Mapping[str, str],
    *,
    store: TokenStore,
    token_client: httpx.Client,
    registry: PendingSignIns = PENDING,
) -> tuple[StoredToken, PendingSignIn]:
    """Complete the sign-in the redirect's `query` answers: the token is saved under the pending
    sign-in's name; returns it with the pending sign-in (for its settings to restore)."""
    pending = registry.take(str(query.get("state", "")))
    redirected_to = f"{pending.redirect_uri}?{urlencode(dict(query))}"
    token = complete_xero_sign_in(
        start=pending.start,
        redirected_to=redirected_to,
        client_id=pending.client_id,
        store=store,
        name=pending.name,
        redirect_uri=pending.redirect_uri,
        token_client=token_client,
        tenant=pending.tenant,
        token_url=pending.endpoints.token_url,
        connections_url=pending.endpoints.connections_url,
        api_base=pending.endpoints.api_base,
    )
    return token, pending
