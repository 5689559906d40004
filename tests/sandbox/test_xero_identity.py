"""The Xero identity emulator: OAuth 2.0 grants, token lifetimes, tenants and /connections, as in Xero."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from tests.spec_validation import SpecValidator
from workbench.sandbox import jsonstate
from workbench.sandbox.clock import SandboxClock
from workbench.sandbox.credentials import (
    XERO_CLIENT_ID,
    XERO_CLIENT_SECRET,
    XERO_PKCE_CLIENT_ID,
    XERO_REDIRECT_URIS,
)
from workbench.sandbox.wire import Request, Response
from workbench.sandbox.xero.identity import Caller, Tenant, XeroIdentity
from workbench.sandbox.xero.tokens import s256_challenge

START = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
FIRST = Tenant("6f1c1b9e-5d43-4c3a-9a44-0d6f4f0a1111", "Hartley & Finch Ltd")
SECOND = Tenant("0b7d2f3a-8c21-4e55-b1a0-2a9e5c7d2222", "Hartley Holdings Ltd")
VERIFIER = "sandbox-verifier-0123456789-abcdefghijklmnopqrstuvwxyz"
REDIRECT = XERO_REDIRECT_URIS[0]
SCOPES = (
    "openid profile email offline_access accounting.invoices accounting.contacts accounting.settings.read"
)
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
UNAUTHORISED = {"Type": None, "Title": "Unauthorized", "Status": 401, "Detail": "AuthenticationUnsuccessful"}
FORBIDDEN = {"Type": None, "Title": "Forbidden", "Status": 403, "Detail": "AuthenticationUnsuccessful"}
ID_SPEC = SpecValidator("xero-identity", mount="/xero")


@pytest.fixture
def clock() -> SandboxClock:
    return SandboxClock(START)


@pytest.fixture
def identity(clock: SandboxClock) -> XeroIdentity:
    return XeroIdentity(clock, [FIRST, SECOND])


# --- helpers --------------------------------------------------------------------------------------------


def post(
    identity: XeroIdentity, path: str, data: dict[str, str], headers: dict[str, str] | None = None
) -> Response:
    request = Request.build(
        "POST", "/xero" + path, headers={**FORM, **(headers or {})}, body=urlencode(data).encode()
    )
    return identity.handle(request, path)


def basic(client_id: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


def custom_token(identity: XeroIdentity) -> str:
    response = post(
        identity,
        "/identity/connect/token",
        {"grant_type": "client_credentials"},
        basic(XERO_CLIENT_ID, XERO_CLIENT_SECRET),
    )
    assert response.status == 200, response.body
    return str(response.payload()["access_token"])


def authorize(identity: XeroIdentity, **overrides: str) -> Response:
    params = {
        "response_type": "code",
        "client_id": XERO_PKCE_CLIENT_ID,
        "redirect_uri": REDIRECT,
        "scope": SCOPES,
        "state": "st-42",
        "code_challenge": s256_challenge(VERIFIER),
        "code_challenge_method": "S256",
    }
    params.update(overrides)
    query = urlencode({k: v for k, v in params.items() if v != ""})
    path = "/identity/connect/authorize"
    return identity.handle(Request.build("GET", path, query, host="login.xero.com"), path)


def redirected(response: Response) -> dict[str, str]:
    assert response.status == 302, response.body
    location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    return {k: v[0] for k, v in parse_qs(location.query).items()}


def exchange(identity: XeroIdentity, code: str, **overrides: str) -> Response:
    data = {
        "grant_type": "authorization_code",
        "client_id": XERO_PKCE_CLIENT_ID,
        "code": code,
        "redirect_uri": REDIRECT,
        "code_verifier": VERIFIER,
    }
    data.update(overrides)
    return post(identity, "/identity/connect/token", data)


def code_flow(identity: XeroIdentity, scope: str = SCOPES) -> dict[str, Any]:
    response = exchange(identity, redirected(authorize(identity, scope=scope))["code"])
    assert response.status == 200, response.body
    return dict(response.payload())


def refresh(identity: XeroIdentity, token: str, **extra: str) -> Response:
    data = {"grant_type": "refresh_token", "refresh_token": token, "client_id": XERO_PKCE_CLIENT_ID, **extra}
    return post(identity, "/identity/connect/token", data)


def api(identity: XeroIdentity, token: str | None, tenant: str | None = None) -> Caller | Response:
    headers = {"Accept": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    if tenant is not None:
        headers["xero-tenant-id"] = tenant
    return identity.authorise(Request.build("GET", "/xero/api.xro/2.0/Invoices", headers=headers))


def connections(identity: XeroIdentity, token: str, path: str = "/connections", query: str = "") -> Response:
    request = Request.build("GET", "/xero" + path, query, headers={"Authorization": f"Bearer {token}"})
    response = identity.handle(request, path)
    if response.status == 200:
        ID_SPEC.check(request, response)
    return response


def delete_connection(identity: XeroIdentity, token: str, connection_id: str) -> Response:
    path = f"/Connections/{connection_id}"
    request = Request.build("DELETE", "/xero" + path, headers={"Authorization": f"Bearer {token}"})
    response = identity.handle(request, path)
    ID_SPEC.check(request, response)
    return response


def claims(jwt: str) -> dict[str, Any]:
    header, payload, signature = jwt.split(".")
    assert json.loads(base64.urlsafe_b64decode(header + "==="))["typ"] == "JWT" and signature
    return dict(json.loads(base64.urlsafe_b64decode(payload + "===")))


def error_of(response: Response) -> str:
    assert response.status == 400, (response.status, response.body)
    return str(response.payload()["error"])


# --- client_credentials (custom connection) -------------------------------------------------------------


@pytest.mark.parametrize("how", ["basic", "body"])
def test_client_credentials_token_needs_no_tenant_header(identity: XeroIdentity, how: str) -> None:
    data = {"grant_type": "client_credentials"}
    if how == "body":
        data.update(client_id=XERO_CLIENT_ID, client_secret=XERO_CLIENT_SECRET)
    response = post(
        identity,
        "/identity/connect/token",
        data,
        basic(XERO_CLIENT_ID, XERO_CLIENT_SECRET) if how == "basic" else None,
    )
    assert response.status == 200
    assert response.headers["Cache-Control"].startswith("no-store")
    body = response.payload()
    ID_SPEC.check_schema(body, "AccessToken")
    assert body["token_type"] == "Bearer" and body["expires_in"] == 1800
    assert "refresh_token" not in body and "id_token" not in body
    payload = claims(body["access_token"])
    assert payload["client_id"] == XERO_CLIENT_ID and payload["exp"] - payload["iat"] == 1800
    assert payload["scope"] == body["scope"].split() and "accounting.invoices" in payload["scope"]
    assert {"sub", "authentication_event_id"} <= payload.keys()

    caller = api(identity, body["access_token"])
    assert caller == Caller(FIRST.tenant_id, XERO_CLIENT_ID, body["access_token"], tuple(payload["scope"]))
    assert isinstance(api(identity, body["access_token"], FIRST.tenant_id.upper()), Caller)
    wrong = api(identity, body["access_token"], SECOND.tenant_id)  # a custom connection has one org
    assert isinstance(wrong, Response) and wrong.status == 403 and wrong.payload() == FORBIDDEN


def test_client_credentials_scope_must_be_among_the_connections(identity: XeroIdentity) -> None:
    auth = basic(XERO_CLIENT_ID, XERO_CLIENT_SECRET)
    narrowed = post(
        identity,
        "/identity/connect/token",
        {"grant_type": "client_credentials", "scope": "accounting.contacts"},
        auth,
    )
    assert narrowed.payload()["scope"] == "accounting.contacts"
    wider = post(
        identity,
        "/identity/connect/token",
        {"grant_type": "client_credentials", "scope": "accounting.transactions"},
        auth,
    )
    assert error_of(wider) == "invalid_scope"


@pytest.mark.parametrize(
    ("data", "headers", "error"),
    [
        ({"grant_type": "client_credentials"}, basic(XERO_CLIENT_ID, "wrong"), "invalid_client"),
        (
            {"grant_type": "client_credentials", "client_id": XERO_CLIENT_ID, "client_secret": "x"},
            None,
            "invalid_client",
        ),
        ({"grant_type": "client_credentials", "client_id": "nobody"}, None, "invalid_client"),
        ({"grant_type": "client_credentials"}, {"Authorization": "Basic !!not-base64"}, "invalid_client"),
        ({"grant_type": "client_credentials"}, None, "invalid_client"),
        ({"grant_type": "password"}, basic(XERO_CLIENT_ID, XERO_CLIENT_SECRET), "unsupported_grant_type"),
        ({}, basic(XERO_CLIENT_ID, XERO_CLIENT_SECRET), "unsupported_grant_type"),
        (
            {"grant_type": "authorization_code", "code": "x"},
            basic(XERO_CLIENT_ID, XERO_CLIENT_SECRET),
            "unauthorized_client",
        ),
        ({"grant_type": "client_credentials", "client_id": XERO_PKCE_CLIENT_ID}, None, "unauthorized_client"),
        ({"grant_type": "refresh_token", "client_id": XERO_PKCE_CLIENT_ID}, None, "invalid_request"),
    ],
)
def test_token_endpoint_errors(
    identity: XeroIdentity, data: dict[str, str], headers: dict[str, str] | None, error: str
) -> None:
    response = post(identity, "/identity/connect/token", data, headers)
    assert error_of(response) == error
    assert response.payload() == {"error": error}


def test_token_endpoint_wants_a_form_post(identity: XeroIdentity) -> None:
    path = "/identity/connect/token"
    as_json = Request.build(
        "POST",
        path,
        headers={"Content-Type": "application/json"},
        body=b'{"grant_type": "client_credentials"}',
    )
    assert error_of(identity.handle(as_json, path)) == "invalid_request"
    assert identity.handle(Request.build("GET", path), path).status == 405
    assert identity.handle(Request.build("GET", "/identity/nowhere"), "/identity/nowhere").status == 404


# --- authorize + authorization_code with PKCE -----------------------------------------------------------


def test_authorize_redirects_with_code_and_state(identity: XeroIdentity) -> None:
    query = redirected(authorize(identity))
    assert query["state"] == "st-42" and len(query["code"]) >= 32 and query["scope"] == SCOPES


@pytest.mark.parametrize(
    ("overrides", "status"),
    [
        ({"client_id": "nobody"}, 400),
        ({"client_id": XERO_CLIENT_ID}, 400),
        ({"redirect_uri": "https://evil.example/cb"}, 400),
        ({"redirect_uri": ""}, 400),
    ],
)
def test_authorize_never_redirects_to_an_unregistered_place(
    identity: XeroIdentity, overrides: dict[str, str], status: int
) -> None:
    response = authorize(identity, **overrides)
    assert response.status == status and "Location" not in response.headers
    assert response.headers["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"code_challenge": ""}, "invalid_request"),
        ({"code_challenge_method": "S512"}, "invalid_request"),
        ({"code_challenge": "short"}, "invalid_request"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"scope": "openid accounting.transactions"}, "invalid_scope"),
        ({"scope": "openid made.up"}, "invalid_scope"),
        ({"scope": ""}, "invalid_request"),
    ],
)
def test_authorize_errors_go_back_to_the_app(
    identity: XeroIdentity, overrides: dict[str, str], error: str
) -> None:
    query = redirected(authorize(identity, **overrides))
    assert query["error"] == error and query["state"] == "st-42" and "code" not in query


def test_code_exchange_gives_access_refresh_and_id_tokens(identity: XeroIdentity) -> None:
    body = code_flow(identity)
    ID_SPEC.check_schema(body, "AccessToken")
    assert set(body) == {"id_token", "access_token", "expires_in", "token_type", "refresh_token", "scope"}
    assert body["scope"] == SCOPES and body["expires_in"] == 1800
    access = claims(body["access_token"])
    assert access["client_id"] == XERO_PKCE_CLIENT_ID and access["scope"] == SCOPES.split()
    id_token = claims(body["id_token"])
    assert id_token["aud"] == XERO_PKCE_CLIENT_ID and id_token["sub"] == access["sub"]
    ID_SPEC.check_schema(
        {
            "grant_type": "refresh_token",
            "refresh_token": body["refresh_token"],
            "client_id": XERO_PKCE_CLIENT_ID,
        },
        "RefreshToken",
    )


def test_no_refresh_token_without_offline_access(identity: XeroIdentity) -> None:
    body = code_flow(identity, scope="openid accounting.invoices")
    assert "refresh_token" not in body and body["scope"] == "openid accounting.invoices"


def test_plain_pkce_is_accepted_too(identity: XeroIdentity) -> None:
    code = redirected(authorize(identity, code_challenge=VERIFIER, code_challenge_method="plain"))["code"]
    assert exchange(identity, code).status == 200


def test_pkce_verifier_mismatch_is_invalid_grant_and_burns_the_code(identity: XeroIdentity) -> None:
    code = redirected(authorize(identity))["code"]
    assert error_of(exchange(identity, code, code_verifier=VERIFIER.replace("a", "b"))) == "invalid_grant"
    assert error_of(exchange(identity, code)) == "invalid_grant"


def test_missing_verifier_is_invalid_grant(identity: XeroIdentity) -> None:
    code = redirected(authorize(identity))["code"]
    assert error_of(exchange(identity, code, code_verifier="")) == "invalid_grant"


def test_code_is_single_use(identity: XeroIdentity) -> None:
    code = redirected(authorize(identity))["code"]
    assert exchange(identity, code).status == 200
    assert error_of(exchange(identity, code)) == "invalid_grant"


def test_code_expires_after_five_minutes(identity: XeroIdentity, clock: SandboxClock) -> None:
    fresh, stale = (redirected(authorize(identity))["code"] for _ in range(2))
    clock.advance(299)
    assert exchange(identity, fresh).status == 200
    clock.advance(1)
    assert error_of(exchange(identity, stale)) == "invalid_grant"


def test_redirect_uri_must_match_the_authorize_one(identity: XeroIdentity) -> None:
    code = redirected(authorize(identity))["code"]
    assert error_of(exchange(identity, code, redirect_uri=XERO_REDIRECT_URIS[1])) == "unauthorized_client"


def test_code_belongs_to_its_client(identity: XeroIdentity) -> None:
    code = redirected(authorize(identity))["code"]
    response = post(
        identity,
        "/identity/connect/token",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "code_verifier": VERIFIER,
        },
        basic(XERO_CLIENT_ID, XERO_CLIENT_SECRET),
    )
    assert error_of(response) == "unauthorized_client"
    assert exchange(identity, code).status == 200


# --- refresh tokens -------------------------------------------------------------------------------------


def test_refresh_rotates_and_keeps_scopes(identity: XeroIdentity) -> None:
    first = code_flow(identity)
    response = refresh(identity, first["refresh_token"], scope=SCOPES, client_secret="None")
    assert response.status == 200
    second = response.payload()
    ID_SPEC.check_schema(second, "AccessToken")
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    assert second["scope"] == SCOPES and claims(second["access_token"])["scope"] == SCOPES.split()
    assert (
        claims(second["access_token"])["authentication_event_id"]
        == claims(first["access_token"])["authentication_event_id"]
    )
    third = refresh(identity, second["refresh_token"]).payload()
    assert third["refresh_token"] not in (first["refresh_token"], second["refresh_token"])
    assert error_of(refresh(identity, first["refresh_token"], scope=SCOPES + " accounting.payments")) == (
        "invalid_scope"
    )


def test_rotated_refresh_token_has_a_thirty_minute_grace(identity: XeroIdentity, clock: SandboxClock) -> None:
    old = code_flow(identity)["refresh_token"]
    new = refresh(identity, old).payload()["refresh_token"]
    clock.advance(29 * 60)
    retried = refresh(identity, old)  # the answer was lost: retrying the old token still works
    assert retried.status == 200 and retried.payload()["refresh_token"] not in (old, new)
    clock.advance(60)  # 30 minutes after the first rotation, a retry does not extend the grace
    assert error_of(refresh(identity, old)) == "invalid_grant"
    assert refresh(identity, new).status == 200


def test_unused_refresh_token_expires_after_sixty_days(identity: XeroIdentity, clock: SandboxClock) -> None:
    kept, unused = code_flow(identity)["refresh_token"], code_flow(identity)["refresh_token"]
    clock.advance(60 * 86400 - 1)
    kept = refresh(identity, kept).payload()["refresh_token"]
    clock.advance(1)
    assert error_of(refresh(identity, unused)) == "invalid_grant"
    clock.advance(59 * 86400)  # each rotation starts a fresh 60 days
    assert refresh(identity, kept).status == 200


def test_refresh_token_belongs_to_its_client(identity: XeroIdentity) -> None:
    token = code_flow(identity)["refresh_token"]
    response = post(
        identity,
        "/identity/connect/token",
        {"grant_type": "refresh_token", "refresh_token": token},
        basic(XERO_CLIENT_ID, XERO_CLIENT_SECRET),
    )
    assert error_of(response) == "unauthorized_client"
    assert error_of(refresh(identity, "not-a-token")) == "invalid_grant"


# --- access tokens on API calls -------------------------------------------------------------------------


def test_access_token_expires_after_thirty_minutes(identity: XeroIdentity, clock: SandboxClock) -> None:
    token = code_flow(identity)["access_token"]
    clock.advance(1799)
    assert isinstance(api(identity, token, FIRST.tenant_id), Caller)
    clock.advance(1)
    response = api(identity, token, FIRST.tenant_id)
    assert isinstance(response, Response) and response.status == 401
    assert response.payload() == {
        "Type": None,
        "Title": "Unauthorized",
        "Status": 401,
        "Detail": "TokenExpired: token expired at 11/25/2026 10:30:00",
    }
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_expire_tokens_expires_every_token_issued_so_far(identity: XeroIdentity, clock: SandboxClock) -> None:
    before, custom = code_flow(identity), custom_token(identity)
    clock.advance(600)
    identity.expire_tokens()
    for token in (before["access_token"], custom):
        response = api(identity, token, FIRST.tenant_id)
        assert isinstance(response, Response)
        assert response.payload()["Detail"] == "TokenExpired: token expired at 11/25/2026 10:10:00"
    renewed = refresh(identity, before["refresh_token"]).payload()["access_token"]
    assert isinstance(api(identity, renewed, FIRST.tenant_id), Caller)
    assert isinstance(api(identity, custom_token(identity)), Caller)


@pytest.mark.parametrize(
    "header",
    [None, "", "Bearer", "Bearer not.a.jwt", "Bearer abc", "Basic Zm9vOmJhcg==", "tampered", "foreign"],
)
def test_bad_tokens_are_authentication_unsuccessful(identity: XeroIdentity, header: str | None) -> None:
    headers = {"xero-tenant-id": FIRST.tenant_id}
    if header == "tampered":
        head, payload, signature = code_flow(identity)["access_token"].split(".")
        altered = claims(f"{head}.{payload}.{signature}") | {"client_id": XERO_CLIENT_ID}
        encoded = base64.urlsafe_b64encode(json.dumps(altered).encode()).decode().rstrip("=")
        header = f"Bearer {head}.{encoded}.{signature}"
    elif header == "foreign":
        header = "Bearer " + code_flow(XeroIdentity(SandboxClock(START), [FIRST]))["access_token"]
    if header is not None:
        headers["Authorization"] = header
    response = identity.authorise(Request.build("GET", "/xero/api.xro/2.0/Invoices", headers=headers))
    assert isinstance(response, Response) and response.status == 401
    assert response.payload() == UNAUTHORISED and response.headers["WWW-Authenticate"] == "Bearer"


def test_code_flow_token_needs_a_connected_tenant(identity: XeroIdentity) -> None:
    token = code_flow(identity)["access_token"]
    for tenant in (None, "", "not-a-uuid", "11111111-2222-3333-4444-555555555555"):
        response = api(identity, token, tenant)
        assert isinstance(response, Response) and response.status == 403 and response.payload() == FORBIDDEN
    for tenant in (FIRST, SECOND):
        caller = api(identity, token, tenant.tenant_id)
        assert isinstance(caller, Caller) and caller.tenant_id == tenant.tenant_id
        assert caller.client_id == XERO_PKCE_CLIENT_ID and caller.access_token == token
        assert caller.scopes == tuple(SCOPES.split())


# --- connections ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/connections", "/Connections"])
def test_connections_lists_the_consented_tenants(identity: XeroIdentity, path: str) -> None:
    token = code_flow(identity)["access_token"]
    response = connections(identity, token, path)
    rows = response.payload()
    assert [(r["tenantId"], r["tenantName"], r["tenantType"]) for r in rows] == [
        (FIRST.tenant_id, FIRST.tenant_name, "ORGANISATION"),
        (SECOND.tenant_id, SECOND.tenant_name, "ORGANISATION"),
    ]
    event = claims(token)["authentication_event_id"]
    assert {r["authEventId"] for r in rows} == {event}
    assert rows[0]["createdDateUtc"] == rows[0]["updatedDateUtc"] == "2026-11-25T10:00:00.0000000"
    assert "X-DayLimit-Remaining" not in response.headers


def test_connections_filter_by_auth_event(identity: XeroIdentity, clock: SandboxClock) -> None:
    first = code_flow(identity)["access_token"]
    clock.advance(60)
    second = code_flow(identity)["access_token"]  # consent again: both tenants now carry the new event
    old_event, new_event = (claims(t)["authentication_event_id"] for t in (first, second))
    assert connections(identity, first, query=f"authEventId={old_event}").payload() == []
    rows = connections(identity, first, query=f"authEventId={new_event}").payload()
    assert len(rows) == 2 and rows[0]["createdDateUtc"] != rows[0]["updatedDateUtc"]


def test_custom_connection_lists_its_one_tenant(identity: XeroIdentity) -> None:
    rows = connections(identity, custom_token(identity)).payload()
    assert [r["tenantId"] for r in rows] == [FIRST.tenant_id]


def test_connections_need_a_valid_token(identity: XeroIdentity) -> None:
    response = identity.handle(Request.build("GET", "/connections"), "/connections")
    assert response.status == 401 and response.payload() == UNAUTHORISED
    assert identity.handle(Request.build("POST", "/connections"), "/connections").status == 405


def test_delete_connection_disconnects_that_tenant(identity: XeroIdentity, clock: SandboxClock) -> None:
    token = code_flow(identity)["access_token"]
    rows = connections(identity, token).payload()
    gone = next(r for r in rows if r["tenantId"] == SECOND.tenant_id)
    assert delete_connection(identity, token, gone["id"]).status == 204
    response = api(identity, token, SECOND.tenant_id)
    assert isinstance(response, Response) and response.status == 403 and response.payload() == FORBIDDEN
    assert isinstance(api(identity, token, FIRST.tenant_id), Caller)
    assert [r["tenantId"] for r in connections(identity, token).payload()] == [FIRST.tenant_id]
    assert delete_connection(identity, token, gone["id"]).status == 404
    assert delete_connection(identity, custom_token(identity), rows[0]["id"]).status == 404  # another app's

    clock.advance(3600)
    again = code_flow(identity)["access_token"]  # reconnecting keeps the connection id and created date
    back = next(r for r in connections(identity, again).payload() if r["tenantId"] == SECOND.tenant_id)
    assert back["id"] == gone["id"] and back["createdDateUtc"] == gone["createdDateUtc"]
    assert back["updatedDateUtc"] == "2026-11-25T11:00:00.0000000"


def test_deleting_the_custom_connection_cuts_it_off(identity: XeroIdentity) -> None:
    token = custom_token(identity)
    (row,) = connections(identity, token).payload()
    assert delete_connection(identity, token, row["id"]).status == 204
    response = api(identity, token)
    assert isinstance(response, Response) and response.status == 403


# --- revocation -----------------------------------------------------------------------------------------


def test_revocation_revokes_the_grant_and_removes_connections(identity: XeroIdentity) -> None:
    body = code_flow(identity)
    other = code_flow(identity)
    response = post(
        identity,
        "/identity/connect/revocation",
        {"token": body["refresh_token"], "client_id": XERO_PKCE_CLIENT_ID},
    )
    assert response.status == 200
    assert error_of(refresh(identity, body["refresh_token"])) == "invalid_grant"
    revoked = api(identity, body["access_token"], FIRST.tenant_id)
    assert isinstance(revoked, Response) and revoked.status == 401 and revoked.payload() == UNAUTHORISED
    # the user's connections to the app are gone: the other token set is valid but reaches no tenant
    assert connections(identity, other["access_token"]).payload() == []
    cut_off = api(identity, other["access_token"], FIRST.tenant_id)
    assert isinstance(cut_off, Response) and cut_off.status == 403
    assert isinstance(api(identity, custom_token(identity)), Caller)  # the custom connection is another app


def test_revocation_needs_client_auth_and_ignores_unknown_tokens(identity: XeroIdentity) -> None:
    body = code_flow(identity)
    path = "/identity/connect/revocation"
    assert error_of(post(identity, path, {"token": body["refresh_token"], "client_id": "nobody"})) == (
        "invalid_client"
    )
    assert error_of(post(identity, path, {"client_id": XERO_PKCE_CLIENT_ID})) == "invalid_request"
    assert post(identity, path, {"token": "unknown", "client_id": XERO_PKCE_CLIENT_ID}).status == 200
    # another client cannot revoke this client's token
    custom = basic(XERO_CLIENT_ID, XERO_CLIENT_SECRET)
    foreign = post(identity, path, {"token": body["refresh_token"]}, custom)
    assert foreign.status == 200
    assert refresh(identity, body["refresh_token"]).status == 200


# --- state ----------------------------------------------------------------------------------------------


def test_state_survives_export_and_import(identity: XeroIdentity, clock: SandboxClock) -> None:
    body = code_flow(identity)
    token = custom_token(identity)
    rows = connections(identity, body["access_token"]).payload()
    delete_connection(identity, body["access_token"], rows[1]["id"])
    identity.expire_tokens()
    clock.advance(5)
    state = jsonstate.loads(jsonstate.dumps(identity.export_state()))

    restored = XeroIdentity(clock, [FIRST, SECOND])
    restored.import_state(state)
    response = api(restored, token)
    assert isinstance(response, Response) and response.payload()["Detail"].startswith("TokenExpired")
    renewed = refresh(restored, body["refresh_token"]).payload()
    assert connections(restored, renewed["access_token"]).payload() == rows[:1]
    assert error_of(refresh(restored, "nope")) == "invalid_grant"
    assert restored.export_state()["connections"] == identity.export_state()["connections"]
