"""OAuth2 and the token store, against the Xero identity emulator and a small Pipedrive token endpoint."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import logging
import os
import re
import stat
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlsplit

import httpx
import pytest
from pydantic import ValidationError

from workbench import auth
from workbench.auth import (
    PIPEDRIVE_TOKEN_URL,
    XERO_SCOPES,
    PipedriveApiToken,
    PipedriveOAuth,
    StoredToken,
    TokenStore,
    XeroClientCredentials,
    XeroOAuth,
    choose_xero_tenant,
    exchange_pipedrive_code,
    exchange_xero_code,
    read_authorization_response,
    revoke_xero,
    start_xero_authorization,
    xero_connections,
)
from workbench.errors import AuthError, ConfigurationError, ReconnectRequired
from workbench.http import build_client
from workbench.sandbox.clock import SandboxClock
from workbench.sandbox.credentials import (
    PIPEDRIVE_API_TOKEN,
    XERO_CLIENT_ID,
    XERO_CLIENT_SECRET,
    XERO_PKCE_CLIENT_ID,
    XERO_REDIRECT_URIS,
)
from workbench.sandbox.wire import Request, Response
from workbench.sandbox.xero.identity import Tenant, XeroIdentity
from workbench.tokens import default_token_dir

START = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
FIRST = Tenant("6f1c1b9e-5d43-4c3a-9a44-0d6f4f0a1111", "Hartley & Finch Ltd")
SECOND = Tenant("0b7d2f3a-8c21-4e55-b1a0-2a9e5c7d2222", "Hartley Holdings Ltd")
REDIRECT = XERO_REDIRECT_URIS[0]
API = "https://api.xero.com/api.xro/2.0/Organisation"
VERIFIER_PATTERN = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")
ACCESS_SECONDS = 1800
GRACE_SECONDS = 1800


# --- harness --------------------------------------------------------------------------------------------


class XeroWorld:
    """The identity emulator behind an httpx.MockTransport, plus a stand-in Accounting endpoint."""

    def __init__(self, tenants: tuple[Tenant, ...] = (FIRST,)) -> None:
        self.clock = SandboxClock(START)
        self.identity = XeroIdentity(self.clock, list(tenants))
        self.grants: list[str] = []  # grant_type of every token call
        self.api_statuses: list[int] = []
        self.api_tenants: list[str | None] = []
        self.transport = httpx.MockTransport(self.handle)
        self.client = build_client(transport=self.transport)
        self.secrets: set[str] = {XERO_CLIENT_SECRET}  # every token string handed out

    def handle(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        wire = Request.build(
            request.method,
            request.url.path,
            request.url.query.decode("ascii"),
            list(request.headers.multi_items()),
            body,
            host=request.url.host,
        )
        if request.url.host == "api.xero.com" and request.url.path.startswith("/api.xro/"):
            caller = self.identity.authorise(wire)
            answer = (
                caller if isinstance(caller, Response) else Response.json(200, {"TenantId": caller.tenant_id})
            )
            self.api_statuses.append(answer.status)
            self.api_tenants.append(request.headers.get("xero-tenant-id"))
        else:
            answer = self.identity.handle(wire, request.url.path)
            if request.url.path.endswith("/connect/token"):
                self.grants.append(dict(parse_qsl(body.decode()))["grant_type"])
                if answer.status == 200:
                    payload = answer.payload()
                    self.secrets.update(v for k, v in payload.items() if k.endswith("token"))
        return httpx.Response(answer.status, headers=answer.headers.items(), content=answer.body)

    def connect(self, store: TokenStore, name: str = "xero", tenant: str | None = None) -> StoredToken:
        """The whole consent: authorize URL → redirect → code exchange → tenant choice → store."""
        start = start_xero_authorization(XERO_PKCE_CLIENT_ID, REDIRECT)
        self.secrets.add(start.verifier)
        redirect = self.client.get(start.url)
        assert redirect.status_code == 302, redirect.text
        code = read_authorization_response(redirect.headers["Location"], start.state)
        token = exchange_xero_code(
            self.client,
            client_id=XERO_PKCE_CLIENT_ID,
            code=code,
            redirect_uri=REDIRECT,
            verifier=start.verifier,
            now=self.clock.timestamp,
        )
        chosen = choose_xero_tenant(xero_connections(self.client, token.access_token), tenant)
        token = token.model_copy(update={"tenant_id": chosen["tenantId"]})
        store.save(name, token)
        return token

    def oauth(self, store: TokenStore, name: str = "xero") -> XeroOAuth:
        return XeroOAuth(
            store, name, client_id=XERO_PKCE_CLIENT_ID, token_client=self.client, now=self.clock.timestamp
        )

    def call(self, auth_: httpx.Auth) -> httpx.Response:
        return self.client.get(API, auth=auth_)


@pytest.fixture
def world() -> XeroWorld:
    return XeroWorld()


@pytest.fixture
def store(tmp_path: Path) -> TokenStore:
    return TokenStore(tmp_path / "tokens")


@pytest.fixture
def connected(world: XeroWorld, store: TokenStore) -> StoredToken:
    return world.connect(store)


def fail_first_save(store: TokenStore, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Make the store's next save crash (as if the process died between receiving and saving)."""
    real, failures = store.save, list[int]()

    def save(name: str, token: StoredToken) -> None:
        if not failures:
            failures.append(1)
            raise OSError("disk full")
        real(name, token)

    monkeypatch.setattr(store, "save", save)
    return failures


# --- PKCE and the code exchange -------------------------------------------------------------------------


def test_pkce_start_has_a_valid_verifier_an_s256_challenge_and_a_complete_url() -> None:
    start = start_xero_authorization("my-client", REDIRECT)
    assert VERIFIER_PATTERN.match(start.verifier)
    expected = (
        base64.urlsafe_b64encode(hashlib.sha256(start.verifier.encode()).digest()).rstrip(b"=").decode()
    )
    assert start.challenge == expected
    url = urlsplit(start.url)
    assert f"{url.scheme}://{url.netloc}{url.path}" == auth.XERO_AUTHORIZE_URL
    params = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert params == {
        "response_type": "code",
        "client_id": "my-client",
        "redirect_uri": REDIRECT,
        "scope": " ".join(XERO_SCOPES),
        "state": start.state,
        "code_challenge": expected,
        "code_challenge_method": "S256",
    }
    again = start_xero_authorization("my-client", REDIRECT)
    assert again.verifier != start.verifier and again.state != start.state
    assert start.verifier not in repr(start) and start.state not in repr(start)


def test_the_redirect_must_carry_our_state_and_no_error() -> None:
    assert read_authorization_response(f"{REDIRECT}?code=abc&state=s1", "s1") == "abc"
    with pytest.raises(AuthError, match="state mismatch"):
        read_authorization_response(f"{REDIRECT}?code=abc&state=other", "s1")
    with pytest.raises(AuthError, match="refused: access_denied"):
        read_authorization_response(f"{REDIRECT}?error=access_denied&state=s1", "s1")


def test_code_exchange_then_tenant_choice_then_authorised_calls(store: TokenStore) -> None:
    world = XeroWorld((FIRST, SECOND))
    start = start_xero_authorization(XERO_PKCE_CLIENT_ID, REDIRECT)
    code = read_authorization_response(world.client.get(start.url).headers["Location"], start.state)
    token = exchange_xero_code(
        world.client,
        client_id=XERO_PKCE_CLIENT_ID,
        code=code,
        redirect_uri=REDIRECT,
        verifier=start.verifier,
        now=world.clock.timestamp,
    )
    assert token.refresh_token and token.id_token and token.scope == list(XERO_SCOPES)
    assert token.expires_at == pytest.approx(world.clock.timestamp() + ACCESS_SECONDS)
    connections = xero_connections(world.client, token.access_token)
    assert {c["tenantName"] for c in connections} == {FIRST.tenant_name, SECOND.tenant_name}
    with pytest.raises(ConfigurationError, match="2 organisations; say which one"):
        choose_xero_tenant(connections)
    with pytest.raises(ConfigurationError, match="no connected Xero organisation"):
        choose_xero_tenant(connections, "Somebody Else Ltd")
    chosen = choose_xero_tenant(connections, SECOND.tenant_name.upper())
    store.save("xero", token.model_copy(update={"tenant_id": chosen["tenantId"]}))

    response = world.call(world.oauth(store))
    assert response.status_code == 200 and response.json() == {"TenantId": SECOND.tenant_id}
    assert world.api_tenants == [SECOND.tenant_id]
    assert world.grants == ["authorization_code"]


def test_a_code_is_single_use(world: XeroWorld) -> None:
    start = start_xero_authorization(XERO_PKCE_CLIENT_ID, REDIRECT)
    code = read_authorization_response(world.client.get(start.url).headers["Location"], start.state)
    kwargs: dict[str, Any] = dict(
        client_id=XERO_PKCE_CLIENT_ID, code=code, redirect_uri=REDIRECT, verifier=start.verifier
    )
    exchange_xero_code(world.client, **kwargs)
    with pytest.raises(ReconnectRequired, match="Xero sign-in has expired or was revoked"):
        exchange_xero_code(world.client, **kwargs)


# --- refresh and rotation -------------------------------------------------------------------------------


def test_refreshes_before_expiry_without_a_401(
    world: XeroWorld, store: TokenStore, connected: StoredToken
) -> None:
    oauth = world.oauth(store)
    assert world.call(oauth).status_code == 200
    world.clock.advance(ACCESS_SECONDS - 120)  # outside the 60 s margin: no refresh yet
    assert world.call(oauth).status_code == 200
    assert world.grants == ["authorization_code"]
    world.clock.advance(90)  # 30 s left: inside the margin
    assert world.call(oauth).status_code == 200
    assert world.grants == ["authorization_code", "refresh_token"]
    assert world.api_statuses == [200, 200, 200]
    stored = store.load("xero")
    assert stored is not None and stored.access_token != connected.access_token
    assert stored.tenant_id == FIRST.tenant_id
    assert stored.expires_at == pytest.approx(world.clock.timestamp() + ACCESS_SECONDS)


def test_every_rotated_refresh_token_is_persisted(
    world: XeroWorld, store: TokenStore, connected: StoredToken
) -> None:
    seen = [connected.refresh_token]
    oauth = world.oauth(store)
    for _ in range(3):
        world.clock.advance(ACCESS_SECONDS)
        assert world.call(oauth).status_code == 200
        stored = store.load("xero")
        assert stored is not None and stored.refresh_token not in seen
        seen.append(stored.refresh_token)
    # well past every grace period, only the last refresh token still works: a new auth reading the
    # store proves the store holds it
    world.clock.advance(ACCESS_SECONDS + GRACE_SECONDS)
    assert world.call(world.oauth(store)).status_code == 200
    assert world.grants.count("refresh_token") == 4


def test_a_crash_between_receiving_and_saving_is_survivable(
    world: XeroWorld, store: TokenStore, connected: StoredToken, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.clock.advance(ACCESS_SECONDS)
    failures = fail_first_save(store, monkeypatch)
    with pytest.raises(AuthError, match="could not save the refreshed Xero token") as raised:
        world.call(world.oauth(store))
    assert "within 30 minutes" in raised.value.hint
    assert failures and world.grants == ["authorization_code", "refresh_token"]  # Xero rotated it
    assert store.load("xero") == connected  # ... but we never got to keep the new one
    assert world.api_statuses == []  # and never used it

    world.clock.advance(GRACE_SECONDS - 60)  # within Xero's 30 min grace for the old refresh token
    assert world.call(world.oauth(store)).status_code == 200
    stored = store.load("xero")
    assert stored is not None and stored.refresh_token != connected.refresh_token


def test_invalid_grant_after_the_grace_period_means_reconnect(
    world: XeroWorld, store: TokenStore, connected: StoredToken, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.clock.advance(ACCESS_SECONDS)
    fail_first_save(store, monkeypatch)
    with pytest.raises(AuthError):
        world.call(world.oauth(store))
    world.clock.advance(GRACE_SECONDS)
    with pytest.raises(ReconnectRequired) as raised:
        world.call(world.oauth(store))
    assert "Xero connection 'xero' has expired or was revoked" in str(raised.value)
    assert "workbench connect xero" in raised.value.hint


def test_a_revoked_grant_means_reconnect(world: XeroWorld, store: TokenStore, connected: StoredToken) -> None:
    assert connected.refresh_token is not None
    revoke_xero(world.client, refresh_token=connected.refresh_token, client_id=XERO_PKCE_CLIENT_ID)
    with pytest.raises(ReconnectRequired, match="expired or was revoked"):
        world.call(world.oauth(store))  # 401 (grant revoked) → refresh → invalid_grant


def test_a_401_mid_use_refreshes_once_and_retries_once(
    world: XeroWorld, store: TokenStore, connected: StoredToken
) -> None:
    oauth = world.oauth(store)
    assert world.call(oauth).status_code == 200
    world.identity.expire_tokens()  # Xero expires our access token early; the store still trusts it
    assert world.call(oauth).status_code == 200
    assert world.api_statuses == [200, 401, 200]
    assert world.grants == ["authorization_code", "refresh_token"]


def test_a_second_401_is_returned_not_retried_forever(store: TokenStore, connected: StoredToken) -> None:
    world = XeroWorld()
    world.connect(store)
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "api.xero.com":
            calls.append(request.headers["Authorization"])
            return httpx.Response(401, json={"Title": "Unauthorized"})
        return world.handle(request)

    client = build_client(transport=httpx.MockTransport(handler))
    oauth = XeroOAuth(
        store, "xero", client_id=XERO_PKCE_CLIENT_ID, token_client=client, now=world.clock.timestamp
    )
    assert client.get(API, auth=oauth).status_code == 401
    assert len(calls) == 2 and calls[0] != calls[1]  # retried once, with the refreshed token


def test_a_waiting_worker_uses_the_token_the_first_one_saved(
    world: XeroWorld, store: TokenStore, connected: StoredToken
) -> None:
    first, second = world.oauth(store), world.oauth(store)
    world.clock.advance(ACCESS_SECONDS)
    winner = first.refresh(stale=connected)
    # the second worker saw the same stale token; refreshing its (rotated) refresh token again would
    # burn a grace period and, in two places at once, lose the chain: it must reuse the winner's
    assert second.refresh(stale=connected) == winner
    assert world.grants.count("refresh_token") == 1


def test_concurrent_calls_share_one_refresh(
    world: XeroWorld, store: TokenStore, connected: StoredToken
) -> None:
    world.clock.advance(ACCESS_SECONDS)
    oauth = world.oauth(store)
    barrier = threading.Barrier(8)
    statuses: list[int] = []

    def work() -> None:
        barrier.wait()
        statuses.append(world.call(oauth).status_code)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 8
    assert world.grants.count("refresh_token") == 1


def test_missing_connection_says_how_to_connect(world: XeroWorld, store: TokenStore) -> None:
    with pytest.raises(ConfigurationError, match="no Xero connection called 'xero'") as raised:
        world.call(world.oauth(store))
    assert "workbench connect xero" in str(raised.value)


# --- custom connection (client credentials) -------------------------------------------------------------


def test_client_credentials_are_cached_and_fetched_again_when_needed(
    world: XeroWorld, store: TokenStore
) -> None:
    custom = XeroClientCredentials(
        XERO_CLIENT_ID, XERO_CLIENT_SECRET, token_client=world.client, now=world.clock.timestamp, store=store
    )
    for _ in range(3):
        assert world.call(custom).status_code == 200
    assert world.grants == ["client_credentials"]
    assert world.api_tenants == [None, None, None]  # custom connections need no tenant header
    world.clock.advance(ACCESS_SECONDS - 30)
    assert world.call(custom).status_code == 200
    assert world.grants == ["client_credentials"] * 2
    world.identity.expire_tokens()
    assert world.call(custom).status_code == 200
    assert world.grants == ["client_credentials"] * 3
    assert world.api_statuses == [200, 200, 200, 200, 401, 200]
    stored = store.load("xero-custom")
    assert stored is not None and stored.refresh_token is None
    assert stat.S_IMODE((store.directory / "xero-custom.json").stat().st_mode) == 0o600

    reloaded = XeroClientCredentials(
        XERO_CLIENT_ID,
        XERO_CLIENT_SECRET,
        token_client=world.client,
        now=world.clock.timestamp,
        store=store,
        tenant_id=FIRST.tenant_id,
    )
    assert world.call(reloaded).status_code == 200
    assert world.grants == ["client_credentials"] * 3  # reused the stored token
    assert world.api_tenants[-1] == FIRST.tenant_id


def test_client_credentials_with_a_wrong_secret(world: XeroWorld, caplog: pytest.LogCaptureFixture) -> None:
    wrong = "not-the-secret-" + "x" * 20
    custom = XeroClientCredentials(
        XERO_CLIENT_ID, wrong, token_client=world.client, now=world.clock.timestamp
    )
    with caplog.at_level(logging.DEBUG), pytest.raises(AuthError, match="client id or secret") as raised:
        world.call(custom)
    assert wrong not in str(raised.value) and wrong not in repr(custom) and wrong not in caplog.text


# --- the token store ------------------------------------------------------------------------------------


def test_store_modes_are_private_even_with_a_permissive_umask(tmp_path: Path) -> None:
    store = TokenStore(tmp_path / "a" / "tokens")
    old = os.umask(0)
    try:
        store.save("xero", StoredToken(access_token="a", expires_at=1.0))
        with store.lock("xero"):
            pass
    finally:
        os.umask(old)
    assert stat.S_IMODE(store.directory.stat().st_mode) == 0o700
    for path in store.directory.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert store.names() == ["xero"]


def test_an_existing_open_directory_is_closed_up(tmp_path: Path) -> None:
    directory = tmp_path / "tokens"
    directory.mkdir(mode=0o755)
    directory.chmod(0o755)
    TokenStore(directory).save("xero", StoredToken(access_token="a"))
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700


def test_saves_are_atomic_and_leave_no_temp_files(store: TokenStore, monkeypatch: pytest.MonkeyPatch) -> None:
    first = StoredToken(access_token="first", refresh_token="r1", expires_at=10.0, tenant_id="t")
    store.save("xero", first)
    store.save("xero", first.model_copy(update={"access_token": "second"}))
    assert {p.name for p in store.directory.iterdir()} == {"xero.json"}
    loaded = store.load("xero")
    assert loaded is not None and loaded.access_token == "second"

    def broken_replace(src: Any, dst: Any) -> None:
        raise OSError("no space left")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="no space left"):
        store.save("xero", first.model_copy(update={"access_token": "third"}))
    assert {p.name for p in store.directory.iterdir()} == {"xero.json"}
    loaded = store.load("xero")
    assert loaded is not None and loaded.access_token == "second"


def test_store_round_trip_delete_and_names(store: TokenStore) -> None:
    assert store.load("xero") is None and store.names() == []
    token = StoredToken(
        access_token="a",
        refresh_token="r",
        expires_at=12.5,
        scope=["openid"],
        id_token="i",
        tenant_id="t",
        extra={"api_domain": "https://x.pipedrive.com"},
    )
    store.save("xero", token)
    store.save("pipedrive", token)
    assert store.load("xero") == token
    assert store.names() == ["pipedrive", "xero"]
    store.delete("xero")
    store.delete("xero")
    assert store.names() == ["pipedrive"]


@pytest.mark.parametrize("name", ["", "../escape", "a/b", ".hidden", "x" * 101])
def test_unsafe_connection_names_are_refused(store: TokenStore, name: str) -> None:
    with pytest.raises(ConfigurationError, match="not a valid connection name"):
        store.save(name, StoredToken(access_token="a"))


def test_a_corrupt_token_file_is_reported_without_its_contents(store: TokenStore) -> None:
    store.save("xero", StoredToken(access_token="a"))
    (store.directory / "xero.json").write_text('{"access_token": ["secret-bits-123"]}')
    with pytest.raises(ConfigurationError, match="unreadable") as raised:
        store.load("xero")
    assert "secret-bits-123" not in str(raised.value)
    with pytest.raises(ValidationError) as invalid:
        StoredToken.model_validate({"access_token": ["secret-bits-123"]})
    assert "secret-bits-123" not in str(invalid.value)


def test_default_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKBENCH_TOKEN_DIR", str(tmp_path / "explicit"))
    assert TokenStore().directory == tmp_path / "explicit"
    monkeypatch.delenv("WORKBENCH_TOKEN_DIR")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert default_token_dir() == tmp_path / "xdg" / "workbench" / "tokens"
    monkeypatch.delenv("XDG_CONFIG_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_token_dir() == tmp_path / "home" / ".config" / "workbench" / "tokens"


# --- Pipedrive ------------------------------------------------------------------------------------------


class PipedriveTokenEndpoint:
    """oauth.pipedrive.com/oauth/token as documented: Basic client auth, rotation, api_domain."""

    client_id, client_secret = "pd-client", "pd-client-secret-0123456789"
    api_domain = "https://hartley.pipedrive.com"

    def __init__(self, now: Callable[[], float]) -> None:
        self.now = now
        self.refresh_tokens: set[str] = set()
        self.access_tokens: dict[str, float] = {}
        self.serial = 0
        self.grants: list[str] = []
        self.client = build_client(transport=httpx.MockTransport(self.handle))

    def issue(self) -> httpx.Response:
        self.serial += 1
        access, refresh = f"pd-access-{self.serial:04d}-secret", f"pd-refresh-{self.serial:04d}-secret"
        self.refresh_tokens.add(refresh)
        self.access_tokens[access] = self.now() + 3600
        return httpx.Response(
            200,
            json={
                "access_token": access,
                "token_type": "Bearer",
                "refresh_token": refresh,
                "scope": "deals:full,contacts:read",
                "expires_in": 3600,
                "api_domain": self.api_domain,
            },
        )

    def handle(self, request: httpx.Request) -> httpx.Response:
        if request.url.host != "oauth.pipedrive.com":
            bearer = request.headers.get("Authorization", "").removeprefix("Bearer ")
            ok = self.access_tokens.get(bearer, 0) > self.now()
            return httpx.Response(200 if ok else 401, json={"success": ok})
        expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        if request.headers.get("Authorization") != f"Basic {expected}":
            return httpx.Response(401, json={"success": False, "error": "invalid_client"})
        form = dict(parse_qsl(request.read().decode()))
        self.grants.append(form["grant_type"])
        if form["grant_type"] == "authorization_code" and form["code"] == "pd-code":
            return self.issue()
        if form["grant_type"] == "refresh_token" and form["refresh_token"] in self.refresh_tokens:
            self.refresh_tokens.discard(form["refresh_token"])
            return self.issue()
        return httpx.Response(
            400, json={"success": False, "error": "invalid_grant", "message": "Invalid grant"}
        )


def test_pipedrive_oauth_exchange_refresh_and_reconnect(store: TokenStore) -> None:
    clock = SandboxClock(START)
    endpoint = PipedriveTokenEndpoint(clock.timestamp)
    token = exchange_pipedrive_code(
        endpoint.client,
        client_id=endpoint.client_id,
        client_secret=endpoint.client_secret,
        code="pd-code",
        redirect_uri="http://localhost:8765/callback",
        token_url=PIPEDRIVE_TOKEN_URL,
        now=clock.timestamp,
    )
    assert token.extra == {"api_domain": endpoint.api_domain}
    assert token.scope == ["deals:full", "contacts:read"]
    store.save("pipedrive", token)
    oauth = PipedriveOAuth(
        store,
        "pipedrive",
        client_id=endpoint.client_id,
        client_secret=endpoint.client_secret,
        token_client=endpoint.client,
        now=clock.timestamp,
    )
    assert oauth.api_domain() == endpoint.api_domain
    url = f"{oauth.api_domain()}/api/v2/deals"
    assert endpoint.client.get(url, auth=oauth).status_code == 200
    clock.advance(3600)
    assert endpoint.client.get(url, auth=oauth).status_code == 200
    stored = store.load("pipedrive")
    assert stored is not None and stored.refresh_token == "pd-refresh-0002-secret"
    assert stored.extra["api_domain"] == endpoint.api_domain
    assert endpoint.grants == ["authorization_code", "refresh_token"]

    endpoint.refresh_tokens.clear()  # the user uninstalled the app
    clock.advance(3600)
    with pytest.raises(ReconnectRequired, match="Pipedrive connection 'pipedrive' has expired") as raised:
        endpoint.client.get(url, auth=oauth)
    assert "workbench connect pipedrive" in raised.value.hint
    assert "pd-refresh" not in str(raised.value) and endpoint.client_secret not in repr(oauth)


def test_pipedrive_api_token_goes_in_the_header_only(store: TokenStore) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"success": True})

    client = build_client(transport=httpx.MockTransport(handler))
    PipedriveApiToken.save(store, PIPEDRIVE_API_TOKEN)
    token_auth = PipedriveApiToken.from_store(store)
    client.get("https://api.pipedrive.com/api/v2/deals", auth=token_auth)
    assert seen[0].headers["x-api-token"] == PIPEDRIVE_API_TOKEN
    assert PIPEDRIVE_API_TOKEN not in str(seen[0].url)
    assert PIPEDRIVE_API_TOKEN not in repr(token_auth)
    stored = store.load("pipedrive")
    assert stored is not None and stored.expires_at is None
    with pytest.raises(ConfigurationError, match="empty"):
        PipedriveApiToken("")


def test_auth_is_refused_in_async_clients(world: XeroWorld, store: TokenStore) -> None:
    async def use() -> None:
        async with httpx.AsyncClient(transport=httpx.MockTransport(lambda r: httpx.Response(200))) as client:
            await client.get(API, auth=world.oauth(store))

    with pytest.raises(ConfigurationError, match="synchronous"):
        asyncio.run(use())


# --- secrets never leak ---------------------------------------------------------------------------------


@pytest.fixture
def recorded_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    with caplog.at_level(logging.DEBUG):
        yield caplog


def test_secrets_stay_in_the_token_store(
    tmp_path: Path, recorded_logs: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = XeroWorld()
    store = TokenStore(tmp_path / "tokens")
    world.connect(store)
    oauth = world.oauth(store)
    custom = XeroClientCredentials(
        XERO_CLIENT_ID, XERO_CLIENT_SECRET, token_client=world.client, now=world.clock.timestamp
    )
    world.call(custom)
    world.clock.advance(ACCESS_SECONDS)
    world.call(oauth)
    world.identity.expire_tokens()
    world.call(oauth)
    shown: list[str] = []
    fail_first_save(store, monkeypatch)
    world.clock.advance(ACCESS_SECONDS)
    with pytest.raises(AuthError) as crashed:
        world.call(oauth)
    world.clock.advance(GRACE_SECONDS)
    with pytest.raises(ReconnectRequired) as reconnect:
        world.call(world.oauth(store))
    stored = store.load("xero")
    assert stored is not None
    for thing in (stored, oauth, custom, store, start_xero_authorization(XERO_PKCE_CLIENT_ID, REDIRECT)):
        shown += [repr(thing), str(thing)]
    for error in (crashed.value, reconnect.value):
        shown += [str(error), repr(error), error.hint, repr(error.__cause__), repr(error.__context__)]
    (tmp_path / "report.json").write_text(json.dumps(shown))  # a stand-in export of everything shown

    secrets = {s for s in world.secrets if s}
    assert len(secrets) >= 8 and stored.access_token in secrets
    outside = [p for p in tmp_path.rglob("*") if p.is_file() and store.directory not in p.parents]
    for secret in secrets:
        assert secret not in recorded_logs.text
        assert all(secret not in text for text in shown), secret[:8]
        assert all(secret not in p.read_text(errors="replace") for p in outside)
    assert any(stored.access_token in p.read_text() for p in store.directory.glob("*.json"))
    assert "refreshed the Xero token for 'xero'" in recorded_logs.text  # the logs are really captured
