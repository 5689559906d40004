"""Signing in to Pipedrive with OAuth2: the authorize URL, the state check, what is saved."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.test_auth import PipedriveTokenEndpoint
from workbench.auth import PIPEDRIVE_AUTHORIZE_URL
from workbench.connect import connect_pipedrive_oauth
from workbench.errors import AuthError
from workbench.sandbox.clock import SandboxClock
from workbench.tokens import TokenStore

REDIRECT = "http://localhost:8765/callback"
START = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def _consenting(seen: list[str], state_override: str | None = None) -> Callable[[str], str]:
    def authorize(url: str) -> str:
        seen.append(url)
        state = state_override or parse_qs(urlsplit(url).query)["state"][0]
        return f"{REDIRECT}?code=pd-code&state={state}"

    return authorize


def test_pipedrive_sign_in_saves_the_token_with_what_a_refresh_needs(tmp_path: Path) -> None:
    endpoint = PipedriveTokenEndpoint(SandboxClock(START).timestamp)
    store = TokenStore(tmp_path / "tokens")
    seen: list[str] = []
    token = connect_pipedrive_oauth(
        client_id=endpoint.client_id,
        client_secret=endpoint.client_secret,
        store=store,
        name="pd",
        redirect_uri=REDIRECT,
        authorize=_consenting(seen),
        token_client=endpoint.client,
    )
    url = urlsplit(seen[0])
    assert f"{url.scheme}://{url.netloc}{url.path}" == PIPEDRIVE_AUTHORIZE_URL
    query = parse_qs(url.query)
    assert query["client_id"] == [endpoint.client_id] and query["redirect_uri"] == [REDIRECT]
    assert endpoint.grants == ["authorization_code"]
    saved = store.load("pd")
    assert saved is not None and saved.access_token == token.access_token
    assert saved.extra["api_domain"] == endpoint.api_domain
    assert saved.extra["client_id"] == endpoint.client_id
    assert saved.extra["client_secret"] == endpoint.client_secret


def test_a_sign_in_answer_with_another_state_is_refused_and_nothing_is_saved(tmp_path: Path) -> None:
    endpoint = PipedriveTokenEndpoint(SandboxClock(START).timestamp)
    store = TokenStore(tmp_path / "tokens")
    with pytest.raises(AuthError, match="state mismatch"):
        connect_pipedrive_oauth(
            client_id=endpoint.client_id,
            client_secret=endpoint.client_secret,
            store=store,
            name="pd",
            redirect_uri=REDIRECT,
            authorize=_consenting([], state_override="forged"),
            token_client=endpoint.client,
        )
    assert store.load("pd") is None and endpoint.grants == []
