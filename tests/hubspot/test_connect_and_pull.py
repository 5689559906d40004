"""`workbench connect hubspot` and `workbench pull --crm hubspot` against a served sandbox: the token
is never an argument, OAuth tokens are refreshed when HubSpot's 30 minutes run out."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from workbench.cli import main
from workbench.sandbox.app import Sandbox
from workbench.sandbox.credentials import HUBSPOT_PRIVATE_APP_TOKEN
from workbench.sandbox.demo import DemoSize
from workbench.sandbox.server import SandboxServer
from workbench.store import Engagement
from workbench.tokens import TokenStore

pytestmark = pytest.mark.slow


@pytest.fixture
def served() -> Iterator[SandboxServer]:
    with SandboxServer(Sandbox.demo(5, DemoSize.scaled(30), crm="hubspot")) as server:
        yield server


def _engagement_counts(name: str) -> dict[str, int]:
    with Engagement.open(name) as engagement:
        return {
            t: len(engagement.table(t, source="hubspot"))
            for t in ("organisations", "people", "deals", "deal_lines")
        }


def _served_counts(server: SandboxServer) -> dict[str, int]:
    objects = server.sandbox.hubspot.store.objects
    return {
        "organisations": len(objects["companies"]),
        "people": len(objects["contacts"]),
        "deals": len(objects["deals"]),
        "deal_lines": len(objects["line_items"]),
    }


def test_a_private_app_token_from_the_environment_is_saved_and_pulled(
    served: SandboxServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", HUBSPOT_PRIVATE_APP_TOKEN)
    assert main(["connect", "hubspot", "--sandbox-url", served.base_url]) == 0
    monkeypatch.delenv("HUBSPOT_ACCESS_TOKEN")
    saved = TokenStore().load("hubspot")
    assert saved is not None and saved.access_token == HUBSPOT_PRIVATE_APP_TOKEN
    assert main(["pull", "--engagement", "hs-token", "--crm", "hubspot", "--crm-only"]) == 0
    output = capsys.readouterr().out
    assert "hubspot: full pull" in output and HUBSPOT_PRIVATE_APP_TOKEN not in output
    assert _engagement_counts("hs-token") == _served_counts(served)


def test_the_token_cannot_be_given_as_an_argument(served: SandboxServer) -> None:
    with pytest.raises(SystemExit):
        main(["connect", "hubspot", "--token", HUBSPOT_PRIVATE_APP_TOKEN])


def test_oauth_sign_in_then_pulls_that_outlive_the_thirty_minute_token(
    served: SandboxServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["connect", "hubspot", "--oauth", "--sandbox-url", served.base_url]) == 0
    saved = TokenStore().load("hubspot")
    assert saved is not None and saved.refresh_token and saved.expires_at is not None
    assert main(["pull", "--engagement", "hs-oauth", "--crm", "hubspot", "--crm-only"]) == 0
    served.sandbox.clock.advance(31 * 60)  # the access token has expired at HubSpot's end
    store = served.sandbox.hubspot.store
    deal = store.objects["deals"][1]
    changed = {**deal["properties"], "dealname": "Changed"}
    store.put("deals", {**deal, "properties": changed, "updatedAt": served.sandbox.clock.now()})
    assert main(["pull", "--engagement", "hs-oauth", "--crm", "hubspot", "--crm-only"]) == 0
    assert "hubspot: incremental pull" in capsys.readouterr().out
    refreshed = TokenStore().load("hubspot")
    assert refreshed is not None and refreshed.access_token != saved.access_token
    with Engagement.open("hs-oauth") as engagement:
        deals = engagement.table("deals", source="hubspot").set_index("deal_id")
    assert deals.loc["1", "title"] == "Changed"
