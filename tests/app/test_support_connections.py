"""The app's connection helpers: pending Xero sign-ins, saved connections by kind, a custom connection
checked and kept in the token store (and found there by a pull), uploaded exports."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.app.conftest import follow
from tests.importers.factories import DEALS, export_files, write_csv
from workbench.app_support.saved import saved_connections
from workbench.app_support.signin import (
    PendingSignIns,
    XeroEndpoints,
    begin_xero_sign_in,
    finish_xero_sign_in,
    is_sign_in_return,
)
from workbench.app_support.uploads import UploadRejected, import_uploads
from workbench.auth import HUBSPOT_TOKEN_URL, XeroClientCredentials
from workbench.connect import connect_hubspot_token, connect_pipedrive_token, connect_xero_custom
from workbench.connections import Connector, XeroConnection
from workbench.errors import AuthError, ConfigurationError
from workbench.sandbox import credentials
from workbench.sandbox.app import Sandbox
from workbench.sandbox.transport import SandboxTransport
from workbench.store import Engagement
from workbench.tokens import StoredToken, TokenStore

REDIRECT = "http://localhost:8501/"


@pytest.fixture(scope="module")
def sandbox() -> Sandbox:
    return Sandbox.demo(7)


@pytest.fixture
def token_client(sandbox: Sandbox) -> httpx.Client:
    return httpx.Client(transport=SandboxTransport(sandbox))


# --- pending sign-ins -------------------------------------------------------------------------------
class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_sign_in_round_trip_saves_the_chosen_tenant(
    sandbox: Sandbox, token_client: httpx.Client, tmp_path: Path
) -> None:
    registry = PendingSignIns()
    pending = begin_xero_sign_in(
        client_id=credentials.XERO_PKCE_CLIENT_ID, redirect_uri=REDIRECT, name="acme", registry=registry,
        restore={"engagement": "acme-2026"},
    )  # fmt: skip
    back = follow(sandbox, pending.url)
    query = dict(httpx.URL(back).params)
    assert is_sign_in_return(query)
    store = TokenStore(tmp_path)
    token, finished = finish_xero_sign_in(query, store=store, token_client=token_client, registry=registry)
    assert finished.restore == {"engagement": "acme-2026"}
    saved = store.load("acme")
    assert saved is not None and saved.tenant_id == sandbox.client.xero.tenant_id == token.tenant_id
    assert saved.extra["client_id"] == credentials.XERO_PKCE_CLIENT_ID
    assert "api_base" not in saved.extra  # Xero's own endpoints: nothing to remember
    with pytest.raises(AuthError, match="not one the app is waiting for"):  # single use
        finish_xero_sign_in(query, store=store, token_client=token_client, registry=registry)


def test_a_pending_sign_in_expires() -> None:
    clock = Clock()
    registry = PendingSignIns(clock=clock, ttl=60)
    pending = begin_xero_sign_in(client_id="app", redirect_uri=REDIRECT, registry=registry)
    clock.now += 61
    with pytest.raises(AuthError, match="expired"):
        registry.take(pending.start.state)
    assert len(registry) == 0


def test_a_sign_in_needs_a_client_id() -> None:
    with pytest.raises(AuthError, match="client id"):
        begin_xero_sign_in(client_id="  ", redirect_uri=REDIRECT, registry=PendingSignIns())


def test_a_served_sandbox_keeps_its_endpoints() -> None:
    endpoints = XeroEndpoints.served_sandbox("http://127.0.0.1:8765/")
    assert endpoints.authorize_url == "http://127.0.0.1:8765/xero/identity/connect/authorize"
    assert endpoints.token_url == "http://127.0.0.1:8765/xero/identity/connect/token"
    assert endpoints.api_base == "http://127.0.0.1:8765/xero/api.xro/2.0"
    pending = begin_xero_sign_in(
        client_id="app", redirect_uri=REDIRECT, endpoints=endpoints, registry=PendingSignIns()
    )
    assert pending.url.startswith(endpoints.authorize_url + "?")


def test_only_a_redirect_with_a_state_and_an_answer_is_a_sign_in_return() -> None:
    assert is_sign_in_return({"state": "s", "code": "c"})
    assert is_sign_in_return({"state": "s", "error": "access_denied"})
    assert not is_sign_in_return({"code": "c"})
    assert not is_sign_in_return({})


# --- custom connections -----------------------------------------------------------------------------
def test_a_custom_connection_is_checked_then_kept_with_its_secret(
    token_client: httpx.Client, tmp_path: Path
) -> None:
    store = TokenStore(tmp_path)
    connect_xero_custom(
        client_id=f" {credentials.XERO_CLIENT_ID} ",
        client_secret=credentials.XERO_CLIENT_SECRET,
        store=store,
        token_client=token_client,
    )
    saved = store.load("xero-custom")
    assert saved is not None
    assert saved.extra["grant"] == "client_credentials"
    assert saved.extra["client_id"] == credentials.XERO_CLIENT_ID
    assert saved.extra["client_secret"] == credentials.XERO_CLIENT_SECRET
    assert credentials.XERO_CLIENT_SECRET not in repr(saved)


def test_a_wrong_custom_secret_saves_nothing(token_client: httpx.Client, tmp_path: Path) -> None:
    store = TokenStore(tmp_path)
    with pytest.raises(AuthError, match="refused the custom connection"):
        connect_xero_custom(
            client_id=credentials.XERO_CLIENT_ID,
            client_secret="wrong",
            store=store,
            token_client=token_client,
        )
    with pytest.raises(AuthError, match="both its client id and its client secret"):
        connect_xero_custom(client_id="id", client_secret=" ", store=store, token_client=token_client)
    assert store.names() == []


def _saved_custom(
    store: TokenStore, name: str = "xero-custom", token_url: str = "https://t.example/token"
) -> None:
    extra = {"grant": "client_credentials", "client_id": "stored-id", "client_secret": "stored-secret"}
    store.save(name, StoredToken(access_token="a", extra={**extra, "token_url": token_url}))


def test_a_pull_finds_a_saved_custom_connection(tmp_path: Path) -> None:
    store = TokenStore(tmp_path)
    _saved_custom(store)
    with Connector(XeroConnection(kind="custom", name="xero-custom"), store=store) as connector:
        source = connector.xero_source()
        auth = source.client.session.client.auth
    assert isinstance(auth, XeroClientCredentials)
    assert (auth.client_id, auth.token_url) == ("stored-id", "https://t.example/token")


def test_the_environment_still_wins_for_a_custom_connection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = TokenStore(tmp_path)
    _saved_custom(store)
    monkeypatch.setenv("XERO_CLIENT_ID", "env-id")
    monkeypatch.setenv("XERO_CLIENT_SECRET", "env-secret")
    with Connector(XeroConnection(kind="custom", name="xero-custom"), store=store) as connector:
        auth = connector.xero_source().client.session.client.auth
    assert isinstance(auth, XeroClientCredentials) and auth.client_id == "env-id"


def test_a_custom_connection_with_nothing_saved_says_how_to_connect(tmp_path: Path) -> None:
    with (
        Connector(XeroConnection(kind="custom", name="xero-custom"), store=TokenStore(tmp_path)) as connector,
        pytest.raises(ConfigurationError, match="Connect page"),
    ):
        connector.xero_source()


# --- saved connections ------------------------------------------------------------------------------
def test_saved_connections_are_told_apart_by_what_was_saved_with_them(tmp_path: Path) -> None:
    store = TokenStore(tmp_path)
    _saved_custom(store, "custom")
    connect_pipedrive_token(store, "pd-token", "pd")
    store.save("signed-in", StoredToken(access_token="a", tenant_id="t-1", extra={"tenant_name": "Acme Ltd"}))
    store.save("pd-oauth", StoredToken(access_token="a", extra={"api_domain": "https://acme.pipedrive.com"}))
    connect_hubspot_token(store, "pat-na1-token", "hs")
    store.save("hs-oauth", StoredToken(access_token="a", refresh_token="r",
                                       extra={"token_url": HUBSPOT_TOKEN_URL, "client_id": "c"}))  # fmt: skip
    (tmp_path / "broken.json").write_text("{not json")
    found = {c.name: (c.kind, c.label) for c in saved_connections(store)}
    assert found == {
        "custom": ("xero-custom", "custom: Xero custom connection"),
        "pd": ("pipedrive-token", "pd: Pipedrive API token"),
        "signed-in": ("xero-oauth", "signed-in: Acme Ltd (Xero sign-in)"),
        "pd-oauth": ("pipedrive-oauth", "pd-oauth: Pipedrive (https://acme.pipedrive.com)"),
        "hs": ("hubspot-token", "hs: HubSpot private-app token"),
        "hs-oauth": ("hubspot-oauth", "hs-oauth: HubSpot (OAuth)"),
    }
    assert all(
        "pd-token" not in label and "pat-na1" not in label and "stored-secret" not in label
        for _, label in found.values()
    )


# --- uploads ----------------------------------------------------------------------------------------
def test_uploads_import_as_one_snapshot(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    files = export_files(tmp_path / "in")
    with Engagement.open("e", tmp_path / "home") as engagement:
        outcome = import_uploads(engagement, [(p.name, p.read_bytes()) for p in files.values()])
        assert engagement.latest_snapshot("pipedrive-export") is not None
    assert outcome.counts["organisations"] == 2 and outcome.counts["deals"] >= 1


def test_a_bad_upload_names_the_file_row_and_column_not_the_temporary_folder(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    files = export_files(tmp_path / "in")
    files["deals"] = write_csv(
        tmp_path / "in" / "deals.csv", [list(DEALS[0]), [*DEALS[1][:2], "lots", *DEALS[1][3:]]]
    )
    with Engagement.open("e", tmp_path / "home") as engagement:
        with pytest.raises(UploadRejected) as caught:
            import_uploads(engagement, [(p.name, p.read_bytes()) for p in files.values()])
        assert engagement.snapshots() == []
    error = caught.value
    assert (error.file, error.row, error.column) == ("deals.csv", 2, "Deal - Value")
    assert "workbench-upload-" not in str(error) and "workbench-upload-" not in error.problem
    assert error.problem and not error.problem.startswith("deals.csv")


def test_a_column_alias_file_that_is_not_json_is_refused(tmp_path: Path) -> None:
    with Engagement.open("e", tmp_path) as engagement, pytest.raises(ConfigurationError, match="not JSON"):
        import_uploads(engagement, [("organisations.csv", b"Organization - Name\r\nAcme\r\n")], b"{nope")
