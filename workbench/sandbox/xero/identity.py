"""Emulator of Xero's identity service: OAuth 2.0 token/authorize/revocation endpoints and /connections.

Behaviour follows developer.xero.com (access token 30 min, refresh token rotated on every use with a
30-minute grace for the previous one, unused refresh tokens expire after 60 days, PKCE for public apps,
client_credentials for custom connections) and the OpenID Connect server behind identity.xero.com
(error codes as its token endpoint returns them: 400 `{"error": ...}`, codes consumed on first
presentation). Accounting calls ask `authorise` who the caller is. Time is the SandboxClock's only.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote

from workbench.sandbox.clock import SandboxClock
from workbench.sandbox.credentials import (
    XERO_CLIENT_ID,
    XERO_CLIENT_SECRET,
    XERO_PKCE_CLIENT_ID,
    XERO_REDIRECT_URIS,
)
from workbench.sandbox.wire import Request, Response
from workbench.sandbox.xero.tokens import (
    BROAD_SCOPES,
    CUSTOM_CONNECTION_SCOPES,
    ISSUER,
    KNOWN_SCOPES,
    NO_STORE,
    RESOURCE_AUDIENCE,
    AuthCode,
    Connection,
    Grant,
    RefreshRecord,
    decode_jwt,
    encode_jwt,
    error_page,
    expired_detail,
    export_records,
    forbidden,
    import_records,
    method_not_allowed,
    oauth_error,
    pkce_matches,
    unauthorised,
    with_query,
    xero_datetime,
)

CODE_LIFETIME = timedelta(minutes=5)
ID_TOKEN_SECONDS = 300
FORM_TYPE = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class Tenant:
    tenant_id: str
    tenant_name: str
    tenant_type: str = "ORGANISATION"


@dataclass
class Caller:
    """Who made an authorised Accounting API call (the tenant is the one the call may touch)."""

    tenant_id: str
    client_id: str
    access_token: str
    scopes: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Client:
    client_id: str
    secret: str | None  # None: a public (PKCE) client
    grant_types: frozenset[str]
    redirect_uris: tuple[str, ...] = ()


CLIENTS = {
    XERO_CLIENT_ID: _Client(XERO_CLIENT_ID, XERO_CLIENT_SECRET, frozenset({"client_credentials"})),
    XERO_PKCE_CLIENT_ID: _Client(
        XERO_PKCE_CLIENT_ID, None, frozenset({"authorization_code", "refresh_token"}), XERO_REDIRECT_URIS
    ),
}


class XeroIdentity:
    """identity.xero.com + api.xero.com/connections for the sandbox's one user and its tenants."""

    def __init__(
        self,
        clock: SandboxClock,
        tenants: list[Tenant],
        *,
        access_token_seconds: int = 1800,
        refresh_grace_seconds: int = 1800,
        refresh_token_days: int = 60,
    ) -> None:
        if not tenants:
            raise ValueError("the identity service needs at least one tenant (the custom connection's)")
        self._clock = clock
        self._tenants = {t.tenant_id.lower(): t for t in tenants}
        self._custom_tenant = tenants[0]
        self._access_seconds = access_token_seconds
        self._grace = timedelta(seconds=refresh_grace_seconds)
        self._refresh_lifetime = timedelta(days=refresh_token_days)
        self._lock = threading.RLock()
        self._reset()

    def _reset(self) -> None:
        now = self._clock.now()
        self._secret = secrets.token_bytes(32)
        self._user_id = str(uuid.uuid4())
        self._session_id = uuid.uuid4().hex
        self._serial = 0
        self._expiries: list[dict[str, Any]] = []  # expire_tokens calls: {"serial": last token, "at": when}
        self._codes: dict[str, AuthCode] = {}
        self._refresh: dict[str, RefreshRecord] = {}
        self._connections: dict[str, Connection] = {}
        event = str(uuid.uuid4())
        custom = Grant(str(uuid.uuid4()), XERO_CLIENT_ID, event, list(CUSTOM_CONNECTION_SCOPES), now)
        self._grants: dict[str, Grant] = {custom.grant_id: custom}
        self._custom_grant_id = custom.grant_id
        self._connect(XERO_CLIENT_ID, self._custom_tenant, event, now)

    # --- public API -------------------------------------------------------------------------------------

    def handle(self, request: Request, path: str) -> Response:
        key = path.rstrip("/").lower()
        key = key.removeprefix("/identity")
        with self._lock:
            if key in ("/connect/token", "/connect/revocation"):
                if request.method != "POST":
                    return method_not_allowed("POST")
                return self._token(request) if key == "/connect/token" else self._revoke(request)
            if key == "/connect/authorize":
                return self._authorize(request) if request.method == "GET" else method_not_allowed("GET")
            if key == "/connections":
                if request.method != "GET":
                    return method_not_allowed("GET")
                return self._list_connections(request)
            if key.startswith("/connections/") and key.count("/") == 2:
                if request.method != "DELETE":
                    return method_not_allowed("DELETE")
                return self._delete_connection(request, key.rsplit("/", 1)[1])
            return Response(status=404)

    def authorise(self, request: Request) -> Caller | Response:
        """The caller of an Accounting API request, or the 401/403 Xero would answer instead."""
        with self._lock:
            found = self._bearer(request)
            if isinstance(found, Response):
                return found
            token, claims, grant = found
            header = (request.headers.get("xero-tenant-id") or "").strip().lower()
            if grant.client_id == XERO_CLIENT_ID:  # custom connection: the header is optional
                header = header or self._custom_tenant.tenant_id.lower()
            connection = self._active_connection(grant.client_id, header) if header else None
            if connection is None:
                return forbidden()
            return Caller(connection.tenant_id, grant.client_id, token, tuple(claims["scope"]))

    def expire_tokens(self) -> None:
        with self._lock:
            self._expiries.append({"serial": self._serial, "at": self._clock.now()})

    def export_state(self) -> dict[str, Any]:
        with self._lock:
            return {
                "secret": self._secret.hex(),
                "user_id": self._user_id,
                "session_id": self._session_id,
                "serial": self._serial,
                "expiries": [dict(e) for e in self._expiries],
                "custom_grant_id": self._custom_grant_id,
                "codes": export_records(self._codes),
                "grants": export_records(self._grants),
                "refresh_tokens": export_records(self._refresh),
                "connections": export_records(self._connections),
            }

    def import_state(self, state: dict[str, Any]) -> None:
        if not state:
            return
        with self._lock:
            self._secret = bytes.fromhex(state["secret"])
            self._user_id = state["user_id"]
            self._session_id = state["session_id"]
            self._serial = int(state["serial"])
            self._expiries = [dict(e) for e in state["expiries"]]
            self._custom_grant_id = state["custom_grant_id"]
            self._codes = import_records(AuthCode, state["codes"], "code")
            self._grants = import_records(Grant, state["grants"], "grant_id")
            self._refresh = import_records(RefreshRecord, state["refresh_tokens"], "token")
            connections = import_records(Connection, state["connections"], "id")
            self._connections = {k: c for k, c in connections.items() if c.tenant_id.lower() in self._tenants}

    # --- token endpoint ---------------------------------------------------------------------------------

    def _token(self, request: Request) -> Response:
        if not (request.headers.get("Content-Type") or "").lower().startswith(FORM_TYPE):
            return oauth_error("invalid_request")
        form = request.form()
        client = self._client_auth(request, form)
        if client is None:
            return oauth_error("invalid_client")
        grant_type = form.get("grant_type", "")
        if grant_type not in ("client_credentials", "authorization_code", "refresh_token"):
            return oauth_error("unsupported_grant_type")
        if grant_type not in client.grant_types:
            return oauth_error("unauthorized_client")
        if grant_type == "client_credentials":
            return self._client_credentials(form)
        if grant_type == "authorization_code":
            return self._exchange_code(client, form)
        return self._refresh_grant(client, form)

    def _client_auth(self, request: Request, form: dict[str, str]) -> _Client | None:
        header = request.headers.get("Authorization") or ""
        if header[:6].lower() == "basic ":
            try:
                decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                return None
            if ":" not in decoded:
                return None
            client_id, _, secret = (unquote(part) for part in decoded.partition(":"))
        else:
            client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        client = CLIENTS.get(client_id)
        if client is None:
            return None
        if client.secret is not None and not hmac.compare_digest(secret.encode(), client.secret.encode()):
            return None
        return client

    def _client_credentials(self, form: dict[str, str]) -> Response:
        grant = self._grants[self._custom_grant_id]
        requested = form.get("scope", "").split()
        if any(scope not in grant.scopes for scope in requested):
            return oauth_error("invalid_scope")
        return self._token_response(grant, requested or grant.scopes, refresh=False)

    def _exchange_code(self, client: _Client, form: dict[str, str]) -> Response:
        now = self._clock.now()
        record = self._codes.get(form.get("code", ""))
        if record is None or record.client_id != client.client_id:
            return oauth_error("invalid_grant")
        del self._codes[record.code]  # one-time: consumed whatever happens next
        if now >= record.issued_at + CODE_LIFETIME:
            return oauth_error("invalid_grant")
        if form.get("redirect_uri", "") != record.redirect_uri:
            return oauth_error("unauthorized_client")
        if not pkce_matches(form.get("code_verifier", ""), record.challenge, record.challenge_method):
            return oauth_error("invalid_grant")
        grant = Grant(str(uuid.uuid4()), client.client_id, record.auth_event_id, record.scopes, now)
        self._grants[grant.grant_id] = grant
        return self._token_response(
            grant, grant.scopes, refresh="offline_access" in grant.scopes, nonce=record.nonce
        )

    def _refresh_grant(self, client: _Client, form: dict[str, str]) -> Response:
        token = form.get("refresh_token", "")
        if not token:
            return oauth_error("invalid_request")
        now = self._clock.now()
        record = self._refresh.get(token)
        grant = self._grants.get(record.grant_id) if record else None
        if record is None or grant is None or grant.revoked or grant.client_id != client.client_id:
            return oauth_error("invalid_grant")
        if now >= record.issued_at + self._refresh_lifetime:
            return oauth_error("invalid_grant")  # unused for 60 days
        if record.rotated_at is not None and now >= record.rotated_at + self._grace:
            return oauth_error("invalid_grant")  # rotated and past its grace period
        if any(scope not in grant.scopes for scope in form.get("scope", "").split()):
            return oauth_error("invalid_scope")
        if record.rotated_at is None:
            record.rotated_at = now
        self._prune(now)
        return self._token_response(grant, grant.scopes, refresh=True)

    def _token_response(
        self, grant: Grant, scopes: list[str], *, refresh: bool, nonce: str | None = None
    ) -> Response:
        now = self._clock.now()
        body: dict[str, Any] = {}
        if "openid" in scopes:
            body["id_token"] = self._id_token(grant, scopes, now, nonce)
        body.update(
            access_token=self._mint_access(grant, scopes, now),
            expires_in=self._access_seconds,
            token_type="Bearer",
        )
        if refresh:
            record = RefreshRecord(secrets.token_hex(32), grant.grant_id, now)
            self._refresh[record.token] = record
            body["refresh_token"] = record.token
        body["scope"] = " ".join(scopes)
        return Response.json(200, body, headers=NO_STORE)

    def _base_claims(self, now: datetime) -> dict[str, Any]:
        issued = int(now.timestamp())
        return {
            "nbf": issued,
            "iss": ISSUER,
            "iat": issued,
            "sub": self._user_id,
            "auth_time": issued,
            "xero_userid": self._user_id,
            "global_session_id": self._session_id,
            "sid": self._session_id[:16],
        }

    def _mint_access(self, grant: Grant, scopes: list[str], now: datetime) -> str:
        self._serial += 1
        claims = self._base_claims(now)
        claims.update(
            exp=claims["iat"] + self._access_seconds,
            aud=RESOURCE_AUDIENCE,
            client_id=grant.client_id,
            jti=uuid.uuid4().hex,
            authentication_event_id=grant.auth_event_id,
            scope=list(scopes),
            amr=["pwd"],
            sandbox_grant_id=grant.grant_id,
            sandbox_serial=self._serial,
        )
        return encode_jwt(claims, self._secret)

    def _id_token(self, grant: Grant, scopes: list[str], now: datetime, nonce: str | None) -> str:
        claims = self._base_claims(now)
        claims.update(exp=claims["iat"] + ID_TOKEN_SECONDS, aud=grant.client_id)
        if nonce:
            claims["nonce"] = nonce
        if "email" in scopes:
            claims["email"] = "sandbox.user@example.com"
        if "profile" in scopes:
            claims.update(
                preferred_username="sandbox.user@example.com", given_name="Sandbox", family_name="User"
            )
        return encode_jwt(claims, self._secret)

    def _prune(self, now: datetime) -> None:
        """Forget refresh tokens and codes nobody can use any more (the served sandbox runs for weeks)."""
        self._refresh = {
            token: r
            for token, r in self._refresh.items()
            if now < r.issued_at + self._refresh_lifetime
            and (r.rotated_at is None or now < r.rotated_at + self._grace)
        }
        self._codes = {code: c for code, c in self._codes.items() if now < c.issued_at + CODE_LIFETIME}

    # --- authorize / revocation -------------------------------------------------------------------------

    def _authorize(self, request: Request) -> Response:
        client = CLIENTS.get(request.param("client_id") or "")
        if client is None or "authorization_code" not in client.grant_types:
            return error_page("unauthorized_client", "Unknown client or client not enabled")
        redirect_uri = request.param("redirect_uri") or ""
        if redirect_uri not in client.redirect_uris:
            return error_page("invalid_request", "Invalid redirect_uri")
        state = request.param("state")

        def back(params: dict[str, str]) -> Response:
            return Response.redirect(with_query(redirect_uri, params | ({"state": state} if state else {})))

        if request.param("response_type") != "code":
            return back({"error": "unsupported_response_type"})
        scopes = (request.param("scope") or "").split()
        if not scopes:
            return back({"error": "invalid_request", "error_description": "scope is missing"})
        if any(scope not in KNOWN_SCOPES or scope in BROAD_SCOPES for scope in scopes):
            return back({"error": "invalid_scope"})
        challenge = request.param("code_challenge") or ""
        method = request.param("code_challenge_method") or "plain"
        if not challenge:
            return back({"error": "invalid_request", "error_description": "code challenge required"})
        if method not in ("S256", "plain"):
            return back({"error": "invalid_request", "error_description": "transform not supported"})
        if not 43 <= len(challenge) <= 128:
            return back({"error": "invalid_request", "error_description": "invalid code_challenge"})
        now = self._clock.now()
        self._prune(now)
        event = str(uuid.uuid4())  # the sandbox's user consents at once, to every tenant
        for tenant in self._tenants.values():
            self._connect(client.client_id, tenant, event, now)
        code = AuthCode(
            secrets.token_hex(32),
            client.client_id,
            redirect_uri,
            scopes,
            challenge,
            method,
            event,
            now,
            request.param("nonce"),
        )
        self._codes[code.code] = code
        return back({"code": code.code, "scope": " ".join(scopes), "session_state": self._session_id})

    def _revoke(self, request: Request) -> Response:
        if not (request.headers.get("Content-Type") or "").lower().startswith(FORM_TYPE):
            return oauth_error("invalid_request")
        form = request.form()
        client = self._client_auth(request, form)
        if client is None:
            return oauth_error("invalid_client")
        token = form.get("token", "")
        if not token:
            return oauth_error("invalid_request")
        record = self._refresh.get(token)
        grant = self._grants.get(record.grant_id) if record else None
        if grant is not None and grant.client_id == client.client_id:
            grant.revoked = True
            self._refresh = {t: r for t, r in self._refresh.items() if r.grant_id != grant.grant_id}
            for connection in self._connections.values():
                if connection.client_id == client.client_id:
                    connection.active = False
        return Response(status=200)  # unknown tokens too (RFC 7009)

    # --- bearer tokens and connections ------------------------------------------------------------------

    def _bearer(self, request: Request) -> tuple[str, dict[str, Any], Grant] | Response:
        scheme, _, token = (request.headers.get("Authorization") or "").strip().partition(" ")
        token = token.strip()
        claims = decode_jwt(token, self._secret) if scheme.lower() == "bearer" and token else None
        if claims is None:
            return unauthorised()
        try:
            expires = datetime.fromtimestamp(int(claims["exp"]), UTC)
            serial = int(claims["sandbox_serial"])
            grant = self._grants.get(str(claims["sandbox_grant_id"]))
        except (KeyError, TypeError, ValueError):
            return unauthorised()
        forced = next((e["at"] for e in self._expiries if serial <= e["serial"]), None)
        if forced is not None and forced < expires:
            expires = forced
        if self._clock.now() >= expires:
            return unauthorised(expired_detail(expires))
        if grant is None or grant.revoked:
            return unauthorised()
        return token, claims, grant

    def _connect(self, client_id: str, tenant: Tenant, event: str, now: datetime) -> None:
        existing = self._active_connection(client_id, tenant.tenant_id.lower(), include_inactive=True)
        if existing is None:
            connection = Connection(str(uuid.uuid4()), client_id, tenant.tenant_id, event, now, now)
            self._connections[connection.id] = connection
        else:
            existing.active, existing.auth_event_id, existing.updated_at = True, event, now

    def _active_connection(
        self, client_id: str, tenant_id: str, *, include_inactive: bool = False
    ) -> Connection | None:
        for connection in self._connections.values():
            if (
                connection.client_id == client_id
                and connection.tenant_id.lower() == tenant_id
                and (connection.active or include_inactive)
            ):
                return connection
        return None

    def _list_connections(self, request: Request) -> Response:
        found = self._bearer(request)
        if isinstance(found, Response):
            return found
        grant = found[2]
        event = (request.param("authEventId", case_insensitive=True) or "").lower()
        rows = sorted(
            (
                c
                for c in self._connections.values()
                if c.active
                and c.client_id == grant.client_id
                and (not event or c.auth_event_id.lower() == event)
            ),
            key=lambda c: c.created_at,  # stable: ties keep connection order
        )
        return Response.json(200, [self._connection_json(c) for c in rows])

    def _connection_json(self, connection: Connection) -> dict[str, Any]:
        tenant = self._tenants[connection.tenant_id.lower()]
        return {
            "id": connection.id,
            "authEventId": connection.auth_event_id,
            "tenantId": tenant.tenant_id,
            "tenantType": tenant.tenant_type,
            "tenantName": tenant.tenant_name,
            "createdDateUtc": xero_datetime(connection.created_at),
            "updatedDateUtc": xero_datetime(connection.updated_at),
        }

    def _delete_connection(self, request: Request, connection_id: str) -> Response:
        found = self._bearer(request)
        if isinstance(found, Response):
            return found
        connection = self._connections.get(connection_id)
        if connection is None or not connection.active or connection.client_id != found[2].client_id:
            return Response(status=404)
        connection.active = False
        return Response(status=204)
