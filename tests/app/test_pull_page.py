"""The Pull page: a pull of the sandbox with its progress, the calls it made, and failures as messages."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

import pages._common as common
from tests.app.conftest import page_problems, rendered_text
from workbench.connections import CrmConnection, XeroConnection
from workbench.store import Engagement


def _on_pull(app: Callable[[], AppTest]) -> AppTest:
    return app().run().switch_page("pages/pull.py").run()


def test_an_incremental_pull_of_the_sandbox_shows_progress_and_the_calls_made(
    app: Callable[[], AppTest],
) -> None:
    with Engagement.open("demo", create=False) as engagement:
        before = len(engagement.snapshots())
    at = _on_pull(app)
    at.button(key="pull_button").click().run()
    assert page_problems(at) == []
    with Engagement.open("demo", create=False) as engagement:
        snapshots = engagement.snapshots()
    assert len(snapshots) == before + 2
    last = at.dataframe[0].value
    assert set(last["source"]) == {"xero", "pipedrive"}
    assert set(last["pull"]) == {"incremental"}
    invoices = last[last["endpoint"] == "invoices"].iloc[0]
    assert invoices["calls"] == 1  # nothing changed on the sandbox: one call answers "no news"
    text = rendered_text(at)
    assert "xero: done" in text and "pipedrive: done" in text
    assert "API budget left: minute" in text
    assert common.PROFILE not in at.session_state  # the next health page profiles the new snapshots


def test_a_full_pull_of_xero_only(app: Callable[[], AppTest]) -> None:
    at = _on_pull(app)
    at.radio(key="pull_which").set_value("xero")
    at.radio(key="pull_mode").set_value("full")
    at.button(key="pull_button").click().run()
    assert page_problems(at) == []
    last = at.dataframe[0].value
    assert set(last["source"]) == {"xero"} and set(last["pull"]) == {"full"}
    assert last.loc[last["endpoint"] == "invoices", "records"].iloc[0] == 3000
    assert (last["calls"] == last["minimum calls"]).all()


def test_the_sandbox_with_its_crm_in_hubspot_pulls_a_hubspot_client_billed_by_hs_references(
    app: Callable[[], AppTest],
) -> None:
    at = app().run()
    at.session_state[common.CRM] = CrmConnection(kind="hubspot-sandbox")
    at = at.switch_page("pages/pull.py").run()
    at.radio(key="pull_mode").set_value("full")
    at.button(key="pull_button").click().run()
    assert page_problems(at) == []
    assert set(at.dataframe[0].value["source"]) == {"xero", "hubspot"}
    with Engagement.open("demo", create=False) as engagement:
        deals = engagement.table("deals", source="hubspot")
        references = engagement.table("invoices")["reference"].dropna().astype(str)
    assert len(deals) > 0
    # the session's sandbox was generated for HubSpot: Xero's invoices bill its deals, not Pipedrive's
    billed = references[references.str.match(r"^(HS|PD)-")]
    assert not billed.empty and billed.str.startswith("HS-").all()


@pytest.mark.parametrize(
    ("connection", "message"),
    [
        (XeroConnection(kind="custom", name="nothing-saved"), "needs XERO_CLIENT_ID and XERO_CLIENT_SECRET"),
        (XeroConnection(kind="oauth", name="nobody"), "there is no Xero connection called 'nobody'"),
    ],
)
def test_a_pull_without_its_connection_says_what_to_do(
    app: Callable[[], AppTest], connection: XeroConnection, message: str
) -> None:
    at = _on_pull(app)
    at.session_state[common.XERO] = connection
    at.button(key="pull_button").click().run()
    assert not at.exception
    assert any(message in e.value and "What to do" in e.value for e in at.error)
    assert not at.get("expander")  # an expected error has no details
