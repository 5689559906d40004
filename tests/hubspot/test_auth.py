"""HubSpot OAuth: client credentials in the form, tokens refreshed before their 30 minutes run out,
once after an early 401, and a dead refresh token asking for a new sign-in."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hubspot.harness import HubSpotHarness, emulator_transport, hubspot_harness
from workbench.auth import HubSpotOAuth
from workbench.errors import ReconnectRequired
from workbench.http import build_client
from workbench.sandbox.credentials import HUBSPOT_CLIENT_ID, HUBSPOT_CLIENT_SECRET, HUBSPOT_REFRESH_TOKEN
from workbench.tokens import StoredToken, TokenStore

TOKEN_URL = "https://api.hubapi.com/oauth/v1/token"


def _oauth(
    tmp_path: Path, refresh_token: str = HUBSPOT_REFRESH_TOKEN
) -> tuple[HubSpotHarness, HubSpotOAuth, TokenStore]:
    harness = hubspot_harness(token=None)
    store = TokenStore(tmp_path / "tokens")
    store.save("hs", StoredToken(access_token="stale", refresh_token=refresh_token, expires_at=0.0))
    token_client = build_client(emulator_transport(harness.emulator, harness.exchanges))
    auth = HubSpotOAuth(
        store,
        "hs",
        client_id=HUBSPOT_CLIENT_ID,
        client_secret=HUBSPOT_CLIENT_SECRET,
        token_client=token_client,
        token_url=TOKEN_URL,
        now=harness.clock.timestamp,
    )
    harness.client.session.client.auth = auth
    return harness, auth, store


def test_tokens_are_refreshed_ahead_of_their_thirty_minutes(tmp_path: Path) -> None:
    harness, _, store = _oauth(tmp_path)
    client = harness.client
    client.list_page("deals")
    first = store.load("hs")
    assert first is not None and first.refresh_token == HUBSPOT_REFRESH_TOKEN
    assert first.expires_at == pytest.approx(harness.clock.timestamp() + 1800, abs=2)
    harness.clock.advance(1750)
    client.list_page("deals")
    second = store.load("hs")
    assert second is not None and second.access_token != first.access_token
    calls = harness.calls()
    assert calls["POST /oauth/v1/token"] == 2 and 401 not in harness.statuses()


def test_a_revoked_refresh_token_asks_for_a_new_sign_in(tmp_path: Path) -> None:
    harness, _, _ = _oauth(tmp_path, refresh_token="revoked")
    with pytest.raises(ReconnectRequired) as raised:
        harness.client.list_page("deals")
    assert "workbench connect hubspot --oauth" in (raised.value.hint or "")
