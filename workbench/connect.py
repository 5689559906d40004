"""Making a connection once, so pulls can reuse it: Xero's PKCE sign-in with tenant choice, and a
Pipedrive API token. What is obtained goes straight into the token store, never to the screen."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import quote, urlencode, urlsplit

import httpx

from workbench.auth import (
    HUBSPOT_AUTHORIZE_URL,
    HUBSPOT_SCOPES,
    HUBSPOT_TOKEN_URL,
    PIPEDRIVE_AUTHORIZE_URL,
    PIPEDRIVE_TOKEN_URL,
    XERO_AUTHORIZE_URL,
    XERO_CONNECTIONS_URL,
    XERO_TOKEN_URL,
    HubSpotAccessToken,
    PipedriveApiToken,
    PkceStart,
    XeroClientCredentials,
    choose_xero_tenant,
    exchange_hubspot_code,
    exchange_pipedrive_code,
    exchange_xero_code,
    read_authorization_response,
    start_xero_authorization,
    xero_connections,
)
from workbench.errors import AuthError
from workbench.tokens import StoredToken, TokenStore

CALLBACK_PORT = 8765
CALLBACK_PATH = "/callback"
CALLBACK_TIMEOUT_SECONDS = 300.0


def connect_xero(
    *,
    client_id: str,
    store: TokenStore,
    name: str,
    redirect_uri: str,
    authorize: Callable[[str], str],
    token_client: httpx.Client,
    tenant: str | None = None,
    client_secret: str | None = None,
    authorize_url: str = XERO_AUTHORIZE_URL,
    token_url: str = XERO_TOKEN_URL,
    connections_url: str = XERO_CONNECTIONS_URL,
) -> StoredToken:
    """Sign in with PKCE, pick the tenant, save the token set under `name` and return it.

    `authorize(url)` sends the user to Xero and returns the full URL Xero redirected back to (the CLI
    opens a browser and catches the redirect on a loopback port; the app does it in the page).
    """
    start = start_xero_authorization(client_id, redirect_uri, authorize_url=authorize_url)
    return complete_xero_sign_in(
        start=start,
        redirected_to=authorize(start.url),
        client_id=client_id,
        store=store,
        name=name,
        redirect_uri=redirect_uri,
        token_client=token_client,
        tenant=tenant,
        client_secret=client_secret,
        token_url=token_url,
        connections_url=connections_url,
    )


def complete_xero_sign_in(
    *,
    start: PkceStart,
    redirected_to: str,
    client_id: str,
    store: TokenStore,
    name: str,
    redirect_uri: str,
    token_client: httpx.Client,
    tenant: str | None = None,
    client_secret: str | None = None,
    token_url: str = XERO_TOKEN_URL,
    connections_url: str = XERO_CONNECTIONS_URL,
    api_base: str | None = None,
) -> StoredToken:
    """The second half of `connect_xero`, for when the redirect arrives later (the app's page reload):
    check it belongs to `start`, trade the code, pick the tenant, save under `name`.

    `api_base` (a served sandbox's API root) is kept with the token, with `token_url`, so pulls and
    refreshes go to the same service the sign-in went to.
    """
    code = read_authorization_response(redirected_to, start.state)
    token = exchange_xero_code(
        token_client,
        client_id=client_id,
        code=code,
        redirect_uri=redirect_uri,
        verifier=start.verifier,
        token_url=token_url,
        client_secret=client_secret,
    )
    connection = choose_xero_tenant(
        xero_connections(token_client, token.access_token, connections_url), tenant
    )
    extra = {
        **token.extra,
        "client_id": client_id,
        "tenant_name": connection.get("tenantName"),
        "connection_id": connection.get("id"),
    }
    if api_base is not None:
        extra.update(api_base=api_base, token_url=token_url)
    token = token.model_copy(update={"tenant_id": connection["tenantId"], "extra": extra})
    store.save(name, token)
    return token


def connect_xero_custom(
    *,
    client_id: str,
    client_secret: str,
    store: TokenStore,
    token_client: httpx.Client,
    name: str = "xero-custom",
    tenant_id: str | None = None,
    token_url: str = XERO_TOKEN_URL,
) -> StoredToken:
    """Check a Xero custom connection's id and secret (one client_credentials token) and keep them in
    the token store under `name`, so pulls can use it without XERO_CLIENT_ID/SECRET in the environment.

    The secret is kept with the token (in the private store only): a custom connection has no refresh
    token, every new access token is asked for with the id and secret.
    """
    client_id, client_secret = client_id.strip(), client_secret.strip()
    if not client_id or not client_secret:
        raise AuthError(
            "a Xero custom connection needs both its client id and its client secret",
            hint="copy both from the custom connection's page in the Xero developer portal",
        )
    credentials = XeroClientCredentials(
        client_id, client_secret, token_client=token_client, token_url=token_url, tenant_id=tenant_id
    )
    fresh = credentials.fetch()
    extra = {"grant": "client_credentials", "client_id": client_id, "client_secret": client_secret}
    token = fresh.model_copy(update={"extra": {**extra, "token_url": token_url}, "tenant_id": tenant_id})
    store.save(name, token)
    return token


def connect_pipedrive_token(store: TokenStore, api_token: str, name: str = "pipedrive") -> None:
    PipedriveApiToken.save(store, api_token.strip(), name)


def connect_pipedrive_oauth(
    *,
    client_id: str,
    client_secret: str,
    store: TokenStore,
    name: str,
    redirect_uri: str,
    authorize: Callable[[str], str],
    token_client: httpx.Client,
    authorize_url: str = PIPEDRIVE_AUTHORIZE_URL,
    token_url: str = PIPEDRIVE_TOKEN_URL,
) -> StoredToken:
    """Sign in to Pipedrive (authorization code), save the token set under `name` and return it.

    The app's client id and secret are kept with the token (in the private store only): Pipedrive
    refreshes with Basic client auth, so a later pull needs both.
    """
    code = _authorization_code(
        authorize, authorize_url, {"client_id": client_id, "redirect_uri": redirect_uri}
    )
    token = exchange_pipedrive_code(
        token_client,
        client_id=client_id,
        client_secret=client_secret,
        code=code,
        redirect_uri=redirect_uri,
        token_url=token_url,
    )
    return _save_with_client(store, name, token, client_id, client_secret, token_url)


def _authorization_code(authorize: Callable[[str], str], authorize_url: str, params: dict[str, str]) -> str:
    """The code the service sends back after the person signs in, its `state` checked."""
    state = secrets.token_urlsafe(24)
    query = urlencode({**params, "state": state}, quote_via=quote)
    return read_authorization_response(authorize(f"{authorize_url}?{query}"), state)


def _save_with_client(
    store: TokenStore,
    name: str,
    token: StoredToken,
    client_id: str,
    client_secret: str,
    token_url: str,
    **more: str,
) -> StoredToken:
    """The token set saved under `name` with the app's client id and secret (a refresh sends both)."""
    extra = {**token.extra, "client_id": client_id, "client_secret": client_secret, "token_url": token_url}
    token = token.model_copy(update={"extra": {**extra, **more}})
    store.save(name, token)
    return token


def connect_hubspot_token(
    store: TokenStore, access_token: str, name: str = "hubspot", api_base: str | None = None
) -> None:
    """Save a HubSpot private-app token (`api_base`: a served sandbox's `/hubspot` instead of HubSpot)."""
    HubSpotAccessToken.save(store, access_token.strip(), name)
    if api_base:
        saved = store.load(name)
        if saved is not None:
            store.save(name, saved.model_copy(update={"extra": {**saved.extra, "api_base": api_base}}))


def connect_hubspot_oauth(
    *,
    client_id: str,
    client_secret: str,
    store: TokenStore,
    name: str,
    redirect_uri: str,
    authorize: Callable[[str], str],
    token_client: httpx.Client,
    authorize_url: str = HUBSPOT_AUTHORIZE_URL,
    token_url: str = HUBSPOT_TOKEN_URL,
    api_base: str | None = None,
) -> StoredToken:
    """Sign in to HubSpot (authorization code), save the token set under `name` and return it.

    The app's client id and secret are kept with the token (in the private store only): every refresh
    of HubSpot's 30-minute access tokens sends both.
    """
    params = {"client_id": client_id, "redirect_uri": redirect_uri, "scope": " ".join(HUBSPOT_SCOPES)}
    code = _authorization_code(authorize, authorize_url, params)
    token = exchange_hubspot_code(
        token_client,
        client_id=client_id,
        client_secret=client_secret,
        code=code,
        redirect_uri=redirect_uri,
        token_url=token_url,
    )
    more = {"api_base": api_base} if api_base else {}
    return _save_with_client(store, name, token, client_id, client_secret, token_url, **more)


class LoopbackCallback:
    """Catches one OAuth redirect on 127.0.0.1 and returns the URL it arrived at."""

    def __init__(self, port: int = CALLBACK_PORT, path: str = CALLBACK_PATH) -> None:
        self.path = path
        self.received: str | None = None
        self._arrived = threading.Event()
        callback = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                return None

            def do_GET(self) -> None:
                if urlsplit(self.path).path != callback.path:
                    self.send_error(404)
                    return
                callback.received = f"http://localhost:{callback.port}{self.path}"
                body = b"Connected. You can close this tab and return to the workbench."
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                callback._arrived.set()

        self.server = HTTPServer(("127.0.0.1", port), Handler)
        self.port = int(self.server.server_address[1])

    @property
    def redirect_uri(self) -> str:
        return f"http://localhost:{self.port}{self.path}"

    def wait(self, timeout: float = CALLBACK_TIMEOUT_SECONDS) -> str:
        thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        thread.start()
        try:
            if not self._arrived.wait(timeout) or self.received is None:
                raise AuthError(
                    "no sign-in came back from Xero in time",
                    hint="run the command again and finish the sign-in in the browser",
                )
            return self.received
        finally:
            self.server.shutdown()
            self.server.server_close()
