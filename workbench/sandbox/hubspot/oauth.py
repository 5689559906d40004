"""HubSpot's OAuth 2: the authorize redirect, and `POST /oauth/v1/token` for the authorization-code and
refresh-token grants (client id and secret in the form body). Access tokens live 30 minutes; refresh
tokens do not expire and are not rotated.
"""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlencode

from workbench.sandbox.credentials import HUBSPOT_CLIENT_ID, HUBSPOT_CLIENT_SECRET, HUBSPOT_REFRESH_TOKEN
from workbench.sandbox.hubspot.errors import HubSpotError, token_error
from workbench.sandbox.wire import Request, Response

ACCESS_TOKEN_SECONDS = 1800


@dataclass
class OAuthServer:
    """Issued access tokens (token -> expiry), refresh tokens and unused authorization codes."""

    access: dict[str, datetime] = field(default_factory=dict)
    refresh_tokens: set[str] = field(default_factory=lambda: {HUBSPOT_REFRESH_TOKEN})
    codes: dict[str, str] = field(default_factory=dict)  # code -> redirect_uri
    _serial: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def _new(self, kind: str) -> str:
        digest = hashlib.sha256(f"hubspot-sandbox-{kind}-{next(self._serial)}".encode()).hexdigest()
        return f"eu1-{digest[:4]}-{digest[4:8]}-{digest[8:12]}-{digest[12:24]}"

    def authorize(self, request: Request) -> Response:
        """`GET /oauth/authorize`: approve at once and send the browser back with a code."""
        redirect_uri = request.param("redirect_uri") or ""
        if request.param("client_id") != HUBSPOT_CLIENT_ID or not redirect_uri:
            return Response.text(
                400, "Authorization failed because the client_id or redirect_uri is invalid."
            )
        code = self._new("code")
        self.codes[code] = redirect_uri
        query = {"code": code, **({"state": request.param("state") or ""} if request.param("state") else {})}
        return Response.redirect(f"{redirect_uri}{'&' if '?' in redirect_uri else '?'}{urlencode(query)}")

    def token(self, request: Request, now: datetime) -> Response:
        form = request.form()
        try:
            if (
                form.get("client_id") != HUBSPOT_CLIENT_ID
                or form.get("client_secret") != HUBSPOT_CLIENT_SECRET
            ):
                raise token_error("BAD_CLIENT_ID", "missing or unknown client id")
            grant = form.get("grant_type")
            if grant == "refresh_token":
                refresh = form.get("refresh_token") or ""
                if refresh not in self.refresh_tokens:
                    raise token_error("BAD_REFRESH_TOKEN", "missing or unknown refresh token")
            elif grant == "authorization_code":
                code = form.get("code") or ""
                if self.codes.get(code) is None or self.codes[code] != form.get("redirect_uri"):
                    raise token_error("BAD_AUTH_CODE", "missing or unknown auth code")
                del self.codes[code]
                refresh = self._new("refresh")
                self.refresh_tokens.add(refresh)
            else:
                raise token_error("BAD_GRANT_TYPE", "grant_type must be authorization_code or refresh_token")
        except HubSpotError as error:
            return Response.json(error.status, error.body)
        access = self._new("access")
        self.access[access] = now + timedelta(seconds=ACCESS_TOKEN_SECONDS)
        body = {
            "token_type": "bearer",
            "refresh_token": refresh,
            "access_token": access,
            "expires_in": ACCESS_TOKEN_SECONDS,
        }
        return Response.json(200, body)

    def expired_for(self, token: str, now: datetime) -> int | None:
        """None when `token` is a valid access token, else seconds since it expired (-1: never issued)."""
        expires_at = self.access.get(token)
        if expires_at is None:
            return -1
        if now < expires_at:
            return None
        return int((now - expires_at).total_seconds())

    def expire_all(self, now: datetime) -> None:
        self.access = {t: min(at, now) for t, at in self.access.items()}
