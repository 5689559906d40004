"""OAuth2 and tokens for Xero (auth code + PKCE, custom connection) and Pipedrive (API token, OAuth2).

Tokens live in the `TokenStore` (see `workbench.tokens`). Xero rotates the refresh token on every refresh
and accepts the previous one for 30 minutes only, so a refresh is single-flight per connection (a lock
in this process and a file lock across processes; whoever waited re-reads the store and uses the token
the winner saved) and the new token set is saved *before* it is used. `invalid_grant` means the grant
is gone: `ReconnectRequired`. Token strings and client secrets never appear in messages, logs or reprs.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
import secrets
import threading
import time
from collections.abc import AsyncGenerator, Callable, Generator, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import httpx

from workbench.errors import (
    ApiError,
    AuthError,
    ConfigurationError,
    MalformedResponse,
    ReconnectRequired,
    TransientFailure,
)
from workbench.tokens import StoredToken, TokenStore, default_token_dir

__all__ = [
    "PIPEDRIVE_AUTHORIZE_URL",
    "PIPEDRIVE_TOKEN_URL",
    "XERO_AUTHORIZE_URL",
    "XERO_CONNECTIONS_URL",
    "XERO_REVOKE_URL",
    "XERO_SCOPES",
    "XERO_TOKEN_URL",
    "PipedriveApiToken",
    "PipedriveOAuth",
    "PkceStart",
    "StoredToken",
    "TokenStore",
    "XeroClientCredentials",
    "XeroOAuth",
    "choose_xero_tenant",
    "default_token_dir",
    "exchange_pipedrive_code",
    "exchange_xero_code",
    "read_authorization_response",
    "revoke_xero",
    "start_xero_authorization",
    "xero_connections",
]

XERO_AUTHORIZE_URL = "https://login.xero.com/identity/connect/authorize"
XERO_TOKEN_URL = "https://identity.xero.com/connect/token"
XERO_REVOKE_URL = "https://identity.xero.com/connect/revocation"
XERO_CONNECTIONS_URL = "https://api.xero.com/connections"
XERO_SCOPES = (
    "openid",
    "profile",
    "email",
    "offline_access",
    "accounting.contacts",
    "accounting.invoices",
    "accounting.payments.read",
    "accounting.settings.read",
)  # granular scopes for new apps
PIPEDRIVE_AUTHORIZE_URL = "https://oauth.pipedrive.com/oauth/authorize"
PIPEDRIVE_TOKEN_URL = "https://oauth.pipedrive.com/oauth/token"
HUBSPOT_AUTHORIZE_URL = "https://app.hubspot.com/oauth/authorize"
HUBSPOT_TOKEN_URL = "https://api.hubapi.com/oauth/v1/token"
HUBSPOT_SCOPES = (
    "crm.objects.companies.read",
    "crm.objects.companies.write",  # the flow's write-back: the company's Xero account status
    "crm.objects.contacts.read",
    "crm.objects.deals.read",
    "crm.objects.deals.write",
    "crm.objects.line_items.read",
    "crm.objects.owners.read",
    "crm.schemas.deals.write",
    "crm.schemas.companies.write",
    "e-commerce",
)
REFRESH_MARGIN_SECONDS = 60
XERO_RECONNECT_HINT = "reconnect Xero: run `workbench connect xero` (or Connect in the app) and sign in again"
PIPEDRIVE_RECONNECT_HINT = "reconnect Pipedrive: run `workbench connect pipedrive` and approve the app again"
HUBSPOT_RECONNECT_HINT = (
    "reconnect HubSpot: run `workbench connect hubspot --oauth` and approve the app again"
)
# token-endpoint error codes that mean the grant itself is gone (HubSpot names them in `status`)
_GRANT_GONE = frozenset({"invalid_grant", "BAD_REFRESH_TOKEN", "BAD_AUTH_CODE"})
_CLIENT_REFUSED = frozenset({"invalid_client", "unauthorized_client", "BAD_CLIENT_ID"})

log = logging.getLogger(__name__)
_ERROR_CODE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


# --- authorisation code + PKCE --------------------------------------------------------------------------


@dataclass(frozen=True)
class PkceStart:
    """What the user opens (`url`) and what we keep until the redirect comes back."""

    verifier: str = field(repr=False)
    challenge: str
    state: str = field(repr=False)
    url: str = field(repr=False)


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def start_xero_authorization(
    client_id: str,
    redirect_uri: str,
    scopes: Sequence[str] = XERO_SCOPES,
    authorize_url: str = XERO_AUTHORIZE_URL,
) -> PkceStart:
    """A fresh PKCE verifier (64 chars of [A-Za-z0-9-_]), its S256 challenge, a state and the URL to open."""
    verifier = secrets.token_urlsafe(48)
    challenge = _b64url(hashlib.sha256(verifier.encode("ascii")).digest())
    state = secrets.token_urlsafe(24)
    query = urlencode(
        {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "scope": " ".join(scopes),
            "state": state,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        },
        quote_via=quote,
    )
    return PkceStart(verifier, challenge, state, f"{authorize_url}?{query}")


def read_authorization_response(redirected_to: str, expected_state: str) -> str:
    """The code from the URL the user was sent back to; refuses a wrong state or an error answer."""
    params = dict(parse_qsl(urlsplit(redirected_to).query, keep_blank_values=True))
    if not secrets.compare_digest(params.get("state", "").encode(), expected_state.encode()):
        raise AuthError(
            "the authorisation answer does not belong to this sign-in (state mismatch)",
            hint="start the connection again and use the newest sign-in link only",
        )
    if "error" in params:
        raise AuthError(
            f"the sign-in was refused: {_safe_code(params['error'])}",
            hint="start the connection again and approve the requested access",
        )
    code = params.get("code")
    if not code:
        raise AuthError("the authorisation answer carries no code", hint="start the connection again")
    return code


def exchange_xero_code(
    client: httpx.Client,
    *,
    client_id: str,
    code: str,
    redirect_uri: str,
    verifier: str,
    token_url: str = XERO_TOKEN_URL,
    client_secret: str | None = None,
    now: Callable[[], float] = time.time,
) -> StoredToken:
    """Trade the code (+ PKCE verifier) for a token set. Choose the tenant next (`xero_connections`)."""
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": verifier,
    }
    response = _token_call(client, token_url, form, client_id, client_secret, "Xero")
    return _token_from_response(response, now, None, "Xero", "", XERO_RECONNECT_HINT)


def xero_connections(
    client: httpx.Client,
    access_token: str,
    url: str = XERO_CONNECTIONS_URL,
    *,
    auth_event_id: str | None = None,
) -> list[dict[str, Any]]:
    """The tenants this token may use: `[{id, tenantId, tenantType, tenantName, ...}]`."""
    params = {"authEventId": auth_event_id} if auth_event_id else None
    try:
        response = client.get(url, params=params, headers={"Authorization": f"Bearer {access_token}"})
    except httpx.TransportError as exc:
        raise TransientFailure(
            f"Xero /connections failed: {type(exc).__name__}", hint="check the connection and try again"
        ) from None
    if response.status_code == 401:
        raise AuthError("Xero refused the access token when listing connections", hint=XERO_RECONNECT_HINT)
    if response.status_code != 200:
        raise ApiError("Xero", response.status_code, "/connections", "could not list connected organisations")
    try:
        rows = response.json()
    except ValueError:
        rows = None
    if not isinstance(rows, list) or not all(isinstance(r, dict) and "tenantId" in r for r in rows):
        raise MalformedResponse("Xero /connections did not answer with a list of tenants")
    return rows


def choose_xero_tenant(connections: list[dict[str, Any]], wanted: str | None = None) -> dict[str, Any]:
    """The connection whose tenant id or name is `wanted`; without `wanted`, the only organisation."""
    organisations = [c for c in connections if c.get("tenantType", "ORGANISATION") == "ORGANISATION"]
    if wanted is not None:
        key = wanted.strip().lower()
        for connection in connections:
            if key in (str(connection["tenantId"]).lower(), str(connection.get("tenantName", "")).lower()):
                return connection
        raise ConfigurationError(
            f"no connected Xero organisation is called '{wanted}'",
            hint="choose one of: " + ", ".join(str(c.get("tenantName")) for c in organisations),
        )
    if len(organisations) == 1:
        return organisations[0]
    if not organisations:
        raise ConfigurationError(
            "the Xero sign-in connected no organisation",
            hint="connect again and tick an organisation on Xero's consent page",
        )
    raise ConfigurationError(
        f"the Xero sign-in connected {len(organisations)} organisations; say which one to use",
        hint="choose one of: " + ", ".join(str(c.get("tenantName")) for c in organisations),
    )


def revoke_xero(
    client: httpx.Client,
    *,
    refresh_token: str,
    client_id: str,
    client_secret: str | None = None,
    url: str = XERO_REVOKE_URL,
) -> None:
    """Revoke the grant (Xero also removes the app's connections to the user's organisations)."""
    response = _token_call(client, url, {"token": refresh_token}, client_id, client_secret, "Xero")
    if response.status_code != 200:
        raise AuthError(
            f"Xero refused to revoke the connection: {_error_code(response)}",
            hint="disconnect the app under Settings › Connected apps in Xero instead",
        )


# --- token endpoint helpers -----------------------------------------------------------------------------


def _basic(client_id: str, client_secret: str) -> str:
    # RFC 6749 §2.3.1: form-encode each part before base64 (Xero's identity server decodes them)
    pair = f"{quote(client_id, safe='')}:{quote(client_secret, safe='')}"
    return "Basic " + base64.b64encode(pair.encode("utf-8")).decode("ascii")


def _token_call(
    client: httpx.Client,
    url: str,
    form: dict[str, str],
    client_id: str,
    client_secret: str | None,
    service: str,
    *,
    secret_in_form: bool = False,
) -> httpx.Response:
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
    if client_secret is not None and secret_in_form:
        form = {**form, "client_id": client_id, "client_secret": client_secret}  # HubSpot's way
    elif client_secret is not None:
        headers["Authorization"] = _basic(client_id, client_secret)
    else:
        form = {**form, "client_id": client_id}  # a public (PKCE) client: no secret, id in the body
    try:
        return client.post(url, content=urlencode(form).encode("ascii"), headers=headers)
    except httpx.TransportError as exc:
        raise TransientFailure(
            f"{service}'s token endpoint could not be reached: {type(exc).__name__}",
            hint="check the connection and try again; the stored token is unchanged",
        ) from None


def _safe_code(value: object) -> str:
    return str(value) if isinstance(value, str) and _ERROR_CODE.match(value) else "unrecognised error"


def _scopes(text: str) -> list[str]:
    return [s for s in re.split(r"[\s,]+", text) if s]  # Xero separates with spaces, Pipedrive with commas


def _error_code(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    if not isinstance(body, dict):
        return f"HTTP {response.status_code}"
    return _safe_code(body.get("error") or body.get("status"))  # HubSpot: {"status": "BAD_REFRESH_TOKEN"}


def _token_from_response(
    response: httpx.Response,
    now: Callable[[], float],
    previous: StoredToken | None,
    service: str,
    name: str,
    reconnect_hint: str,
) -> StoredToken:
    """The token set in a token endpoint's answer, or the error it means (never quoting the body)."""
    if response.status_code >= 500:
        raise TransientFailure(
            f"{service}'s token endpoint answered {response.status_code}",
            hint="try again shortly; the stored token is unchanged",
        )
    if response.status_code != 200:
        code = _error_code(response)
        label = f"{service} connection '{name}'" if name else f"the {service} sign-in"
        if code in _GRANT_GONE:
            raise ReconnectRequired(f"{label} has expired or was revoked", hint=reconnect_hint)
        if code in _CLIENT_REFUSED:
            raise AuthError(
                f"{service} refused the app's client credentials ({code}) for {label}",
                hint="check the client id and secret in the app's settings",
            )
        raise AuthError(
            f"{service}'s token endpoint refused the request for {label}: {code}", hint=reconnect_hint
        )
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
        raise MalformedResponse(f"{service}'s token endpoint answered 200 without an access token")
    expires_in = body.get("expires_in")
    if isinstance(expires_in, str) and expires_in.isdigit():
        expires_in = int(expires_in)
    scope = body.get("scope")
    known = {"access_token", "refresh_token", "expires_in", "scope", "token_type", "id_token"}
    return StoredToken(
        access_token=body["access_token"],
        refresh_token=body.get("refresh_token") or (previous.refresh_token if previous else None),
        expires_at=now() + float(expires_in) if isinstance(expires_in, int | float) else None,
        scope=_scopes(scope) if isinstance(scope, str) else list(previous.scope if previous else []),
        token_type=str(body.get("token_type") or "Bearer"),
        id_token=body.get("id_token") if isinstance(body.get("id_token"), str) else None,
        tenant_id=previous.tenant_id if previous else None,
        extra={
            **(previous.extra if previous else {}),
            **{k: v for k, v in body.items() if k not in known and isinstance(v, str | int | float)},
        },
    )


# --- httpx.Auth classes ---------------------------------------------------------------------------------


class _SyncAuth(httpx.Auth):
    requires_request_body = True  # a request retried after a 401 must be sent again in full

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        raise ConfigurationError(f"{type(self).__name__} is synchronous: use it with httpx.Client")
        yield request  # pragma: no cover - makes this an async generator


class _RefreshingOAuth(_SyncAuth):
    """A stored auth-code grant: refresh when close to expiry or on a 401, single-flight, save before use."""

    service = "OAuth"
    reconnect_hint = ""
    save_failed_hint = "fix the token store directory, then connect again"
    secret_in_form = False  # client credentials in the form body instead of Basic auth
    default_token_url = ""  # the service's own token endpoint; `token_url=` points elsewhere (a sandbox)

    def __init__(
        self,
        store: TokenStore,
        name: str,
        *,
        client_id: str,
        client_secret: str | None = None,
        token_client: httpx.Client,
        token_url: str | None = None,
        now: Callable[[], float] = time.time,
        refresh_margin_seconds: float = REFRESH_MARGIN_SECONDS,
    ) -> None:
        self.store, self.name = store, name
        self.client_id, self._client_secret = client_id, client_secret
        self.token_client, self.token_url = token_client, token_url or self.default_token_url
        self.now, self.margin = now, refresh_margin_seconds

    def __repr__(self) -> str:
        kind = type(self).__name__
        return f"{kind}(name={self.name!r}, client_id={self.client_id!r}, store={self.store!r})"

    def token(self) -> StoredToken:
        """The stored token, refreshed first if it expires within the margin."""
        token = self._load()
        return self.refresh(stale=token) if token.expires_within(self.margin, self.now) else token

    def refresh(self, stale: StoredToken | None = None) -> StoredToken:
        """Refresh now, unless someone else already replaced `stale` with a token that is still good."""
        with self.store.lock(self.name):
            current = self._load()
            replaced = stale is not None and current.access_token != stale.access_token
            if replaced and not current.expires_within(self.margin, self.now):
                return current
            if not current.refresh_token:
                raise ReconnectRequired(
                    f"{self.service} connection '{self.name}' has no refresh token", hint=self.reconnect_hint
                )
            form = {"grant_type": "refresh_token", "refresh_token": current.refresh_token}
            response = _token_call(
                self.token_client,
                self.token_url,
                form,
                self.client_id,
                self._client_secret,
                self.service,
                secret_in_form=self.secret_in_form,
            )
            fresh = _token_from_response(
                response, self.now, current, self.service, self.name, self.reconnect_hint
            )
            try:
                self.store.save(self.name, fresh)  # before use: the old refresh token is already rotated
            except OSError as exc:
                raise AuthError(
                    f"could not save the refreshed {self.service} token for '{self.name}' "
                    f"({type(exc).__name__})",
                    hint=self.save_failed_hint,
                ) from None
            log.info("refreshed the %s token for '%s'", self.service, self.name)
            return fresh

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        token = self.token()
        self._apply(request, token)
        response = yield request
        if response.status_code == 401:
            log.info("%s answered 401 for '%s': refreshing once and retrying", self.service, self.name)
            self._apply(request, self.refresh(stale=token))
            yield request

    def _apply(self, request: httpx.Request, token: StoredToken) -> None:
        request.headers["Authorization"] = f"Bearer {token.access_token}"

    def _load(self) -> StoredToken:
        token = self.store.load(self.name)
        if token is None:
            raise ConfigurationError(
                f"there is no {self.service} connection called '{self.name}'",
                hint=self.reconnect_hint.replace("reconnect", "connect", 1),
            )
        return token


class XeroOAuth(_RefreshingOAuth):
    """A Xero auth-code (PKCE) connection from the store; sends the stored tenant as `xero-tenant-id`.

    `tenant_id` overrides the stored tenant; a request that already carries the header keeps its own.
    """

    service = "Xero"
    default_token_url = XERO_TOKEN_URL
    reconnect_hint = XERO_RECONNECT_HINT
    save_failed_hint = (
        "fix the token store directory and run again within 30 minutes: Xero still accepts the "
        "previous refresh token until then"
    )

    def __init__(
        self,
        store: TokenStore,
        name: str,
        *,
        client_id: str,
        client_secret: str | None = None,
        token_client: httpx.Client,
        token_url: str | None = None,
        now: Callable[[], float] = time.time,
        refresh_margin_seconds: float = REFRESH_MARGIN_SECONDS,
        tenant_id: str | None = None,
    ) -> None:
        super().__init__(
            store,
            name,
            client_id=client_id,
            client_secret=client_secret,
            token_client=token_client,
            token_url=token_url,
            now=now,
            refresh_margin_seconds=refresh_margin_seconds,
        )
        self.tenant_id = tenant_id

    def _apply(self, request: httpx.Request, token: StoredToken) -> None:
        super()._apply(request, token)
        tenant = self.tenant_id or token.tenant_id
        if tenant and "xero-tenant-id" not in request.headers:
            request.headers["xero-tenant-id"] = tenant


class PipedriveOAuth(_RefreshingOAuth):
    """A Pipedrive OAuth connection from the store (Basic client auth); `api_domain()` is the base URL."""

    service = "Pipedrive"
    reconnect_hint = PIPEDRIVE_RECONNECT_HINT
    default_token_url = PIPEDRIVE_TOKEN_URL

    def api_domain(self) -> str:
        """The company's API host as the token endpoint gave it (`https://<company>.pipedrive.com`)."""
        domain = self._load().extra.get("api_domain")
        if not isinstance(domain, str) or not domain:
            raise ConfigurationError(
                f"the Pipedrive connection '{self.name}' has no api_domain", hint=PIPEDRIVE_RECONNECT_HINT
            )
        return domain


def exchange_pipedrive_code(
    client: httpx.Client,
    *,
    client_id: str,
    client_secret: str,
    code: str,
    redirect_uri: str,
    token_url: str = PIPEDRIVE_TOKEN_URL,
    now: Callable[[], float] = time.time,
) -> StoredToken:
    """Trade a Pipedrive authorisation code for a token set (`extra["api_domain"]` is the API host)."""
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
    response = _token_call(client, token_url, form, client_id, client_secret, "Pipedrive")
    return _token_from_response(response, now, None, "Pipedrive", "", PIPEDRIVE_RECONNECT_HINT)


class XeroClientCredentials(_SyncAuth):
    """A Xero custom connection: client_credentials tokens, kept in memory (and in `store` if given),
    fetched again when expiring or on a 401. The tenant header is optional for custom connections."""

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        *,
        token_client: httpx.Client,
        token_url: str = XERO_TOKEN_URL,
        tenant_id: str | None = None,
        scopes: Sequence[str] = (),
        store: TokenStore | None = None,
        name: str = "xero-custom",
        now: Callable[[], float] = time.time,
        refresh_margin_seconds: float = REFRESH_MARGIN_SECONDS,
    ) -> None:
        self.client_id, self._client_secret = client_id, client_secret
        self.token_client, self.token_url = token_client, token_url
        self.tenant_id, self.scopes = tenant_id, tuple(scopes)
        self.store, self.name = store, name
        self.now, self.margin = now, refresh_margin_seconds
        self._token: StoredToken | None = store.load(name) if store is not None else None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"XeroClientCredentials(client_id={self.client_id!r}, tenant_id={self.tenant_id!r})"

    def token(self) -> StoredToken:
        token = self._token
        if token is None or token.expires_within(self.margin, self.now):
            return self.fetch(stale=token)
        return token

    def fetch(self, stale: StoredToken | None = None) -> StoredToken:
        """A new access token, unless another thread already replaced `stale` with a good one."""
        with self._lock:
            current = self._token
            if (
                current is not None
                and current is not stale
                and not current.expires_within(self.margin, self.now)
            ):
                return current
            form = {"grant_type": "client_credentials"}
            if self.scopes:
                form["scope"] = " ".join(self.scopes)
            response = _token_call(
                self.token_client, self.token_url, form, self.client_id, self._client_secret, "Xero"
            )
            refused = _error_code(response) in ("invalid_client", "unauthorized_client")
            if response.status_code == 400 and refused:
                raise AuthError(
                    "Xero refused the custom connection's client id or secret",
                    hint="check both in the Xero developer portal; a changed custom connection must be "
                    "authorised again by the organisation",
                )
            fresh = _token_from_response(
                response,
                self.now,
                None,
                "Xero",
                self.name,
                "check the custom connection in the Xero developer portal",
            )
            fresh = fresh.model_copy(update={"tenant_id": self.tenant_id})
            if self.store is not None:
                self.store.save(self.name, fresh)
            self._token = fresh
            log.info("fetched a Xero custom-connection token for '%s'", self.name)
            return fresh

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        token = self.token()
        self._apply(request, token)
        response = yield request
        if response.status_code == 401:
            self._apply(request, self.fetch(stale=token))
            yield request

    def _apply(self, request: httpx.Request, token: StoredToken) -> None:
        request.headers["Authorization"] = f"Bearer {token.access_token}"
        if self.tenant_id and "xero-tenant-id" not in request.headers:
            request.headers["xero-tenant-id"] = self.tenant_id


class _StaticToken(_SyncAuth):
    """A token that lasts until it is rotated in the service: kept in the store, sent on each request
    in the header `header` names. Subclasses say which service and how it is named to the user."""

    requires_request_body = False
    service: ClassVar[str]
    what: ClassVar[str]  # how the service names it, e.g. "API token"
    empty_hint: ClassVar[str]  # where to copy it from
    connect_command: ClassVar[str]  # the command that saves one
    default_name: ClassVar[str]  # the connection name it is saved under by default
    token_type: ClassVar[str]  # as recorded in the store

    def __init__(self, token: str) -> None:
        if not token:
            raise ConfigurationError(f"the {self.service} {self.what} is empty", hint=self.empty_hint)
        self._token = token

    @classmethod
    def from_store(cls, store: TokenStore, name: str | None = None) -> Self:
        name = name or cls.default_name
        token = store.load(name)
        if token is None:
            raise ConfigurationError(
                f"there is no {cls.service} connection called '{name}'",
                hint=f"run `{cls.connect_command}` first",
            )
        return cls(token.access_token)

    @classmethod
    def save(cls, store: TokenStore, token: str, name: str | None = None) -> None:
        """Keep the token in the store (it does not expire until it is regenerated in the service)."""
        store.save(
            name or cls.default_name,
            StoredToken(access_token=token, token_type=cls.token_type, expires_at=None),
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(<redacted>)"

    def header(self, token: str) -> tuple[str, str]:
        raise NotImplementedError

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        name, value = self.header(self._token)
        request.headers[name] = value
        yield request


class PipedriveApiToken(_StaticToken):
    """A Pipedrive personal API token, sent as `x-api-token` (never as `?api_token=`: URLs get logged)."""

    service, what, token_type, default_name = "Pipedrive", "API token", "api_token", "pipedrive"
    empty_hint = "copy it from Pipedrive › Personal preferences › API"
    connect_command = "workbench connect pipedrive --api-token"

    def header(self, token: str) -> tuple[str, str]:
        return "x-api-token", token


class HubSpotOAuth(_RefreshingOAuth):
    """A HubSpot OAuth connection from the store: 30-minute access tokens refreshed ahead of expiry
    (HubSpot says a 401 is no signal to refresh, so `expires_in` is tracked); the refresh token does
    not expire and is kept when the answer repeats it. Client id and secret go in the form body."""

    service = "HubSpot"
    reconnect_hint = HUBSPOT_RECONNECT_HINT
    secret_in_form = True
    default_token_url = HUBSPOT_TOKEN_URL


def exchange_hubspot_code(
    client: httpx.Client,
    *,
    client_id: str,
    client_secret: str,
    code: str,
    redirect_uri: str,
    token_url: str = HUBSPOT_TOKEN_URL,
    now: Callable[[], float] = time.time,
) -> StoredToken:
    """Trade a HubSpot authorisation code for a token set (client credentials in the form body)."""
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
    response = _token_call(client, token_url, form, client_id, client_secret, "HubSpot", secret_in_form=True)
    return _token_from_response(response, now, None, "HubSpot", "", HUBSPOT_RECONNECT_HINT)


class HubSpotAccessToken(_StaticToken):
    """A HubSpot private-app (or service key) access token, sent as `Authorization: Bearer`."""

    service, what, token_type, default_name = "HubSpot", "access token", "private_app", "hubspot"
    empty_hint = "copy it from HubSpot > Settings > Integrations > Private apps (or Service keys)"
    connect_command = "workbench connect hubspot"

    def header(self, token: str) -> tuple[str, str]:
        return "Authorization", f"Bearer {token}"
