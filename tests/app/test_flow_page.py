"""The Pilot flow page: a dry run that sends nothing, a pilot behind the allow-list and the typed
organisation name that creates exactly the allowed DRAFT invoices in the session's sandbox (and, on
HubSpot, writes them back to the deals), and no pilot on an unsigned plan."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

import pages._common as common
from pages.flow import DRY_RUN, PILOT
from tests.app.conftest import new_app, page_problems
from tests.flow.sandbox_drafts import invoices_by_reference
from tests.flow.test_runner import signed_plan
from tests.flow.writeback_support import stored_values
from workbench.app_support import flow_view as fv
from workbench.connections import Connector, CrmConnection
from workbench.errors import ConfigurationError
from workbench.flow.ledger import Ledger
from workbench.flow.runner import FlowProgress, FlowRun, organisation_name
from workbench.flow.writeback import ensure_fields
from workbench.flow.writeback_fields import DEAL_INVOICE_ID
from workbench.plan.model import SignOff
from workbench.plan.versions import latest_version, save_version
from workbench.sandbox.app import Sandbox
from workbench.store import Engagement

WON_SINCE = date(2026, 2, 1)  # the demo client leaves a few of the deals won since then unbilled


@pytest.fixture
def flow_app(
    demo_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[[], tuple[AppTest, Sandbox]]:
    """The demo engagement with a signed-off plan, and an app session whose sandbox is the one pulled."""
    monkeypatch.chdir(tmp_path)  # the run report goes to reports/ where the app runs

    def make() -> tuple[AppTest, Sandbox]:
        sandbox = Sandbox.demo(7)
        with Engagement.open("demo", create=False) as engagement, Connector(sandbox=sandbox) as connector:
            signed_plan(engagement, connector, won_after=WON_SINCE)
        at = new_app()
        at.session_state[common.SANDBOX] = ((7, "pipedrive"), sandbox)
        return at.switch_page("pages/flow.py"), sandbox

    return make


def dry_run(at: AppTest) -> FlowRun:
    at.button(key="flow_dry_run").click().run()
    assert page_problems(at) == []
    run: FlowRun = at.session_state[DRY_RUN][1]
    return run


def run_pilot(at: AppTest, sandbox: Sandbox, chosen: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Click Run pilot: exactly the chosen deals get one DRAFT invoice each; the tenant's invoices."""
    at.button(key="flow_pilot").click().run()
    assert page_problems(at) == []
    pilot: FlowRun = at.session_state[PILOT][1]
    assert [o.reference for o in pilot.created] == chosen
    found = invoices_by_reference(sandbox)
    assert all(len(found[r]) == 1 and found[r][0]["Status"] == "DRAFT" for r in chosen)
    return found


def test_the_dry_run_shows_drafts_and_holds_and_writes_nothing(
    flow_app: Callable[[], tuple[AppTest, Sandbox]],
) -> None:
    at, sandbox = flow_app()
    at.run()
    assert page_problems(at) == []
    assert at.title[0].value == "Pilot flow"
    assert any("signed off by Jo Bloggs" in m.value for m in at.markdown)
    before = invoices_by_reference(sandbox)
    run = dry_run(at)
    assert run.report.write_calls() == 0
    assert invoices_by_reference(sandbox) == before
    drafts, held = at.dataframe[0].value, at.dataframe[1].value
    assert len(drafts) == len(run.would_create) >= 2
    assert list(drafts["reference"]) == [o.reference for o in run.would_create]
    assert set(drafts["status"]) == {"DRAFT"}
    assert drafts["matched by"].str.len().min() > 0 and drafts["total"].str.startswith("£").all()
    assert len(held) == len(run.skipped) > 0 and "already invoiced" in set(held["reason"])
    assert any("not offered here" in c.value for c in at.caption)


def test_a_pilot_needs_the_typed_name_and_creates_exactly_the_allowed_drafts(
    flow_app: Callable[[], tuple[AppTest, Sandbox]],
) -> None:
    at, sandbox = flow_app()
    at.run()
    chosen = [o.reference for o in dry_run(at).would_create][:2]
    at.multiselect(key="flow_allow").set_value(chosen).run()
    assert at.button(key="flow_pilot").disabled
    with Engagement.open("demo", create=False) as engagement:
        name = organisation_name(engagement)
    at.text_input(key="flow_confirm").input(name.lower()).run()
    assert at.button(key="flow_pilot").disabled  # exactly the name, not nearly
    at.text_input(key="flow_confirm").input(name).run()
    assert not at.button(key="flow_pilot").disabled
    run_pilot(at, sandbox, chosen)
    with Engagement.open("demo", create=False) as engagement:
        invoiced = {row.reference for row in Ledger(engagement).invoiced().values()}
    assert invoiced == set(chosen)
    ledger = at.dataframe[-1].value
    assert set(ledger.loc[ledger["state"] == "created", "reference"]) == set(chosen)

    # the same pilot again creates nothing, and the session's next dry run sees them in Xero
    at.button(key="flow_pilot").click().run()
    rerun: FlowRun = at.session_state[PILOT][1]
    assert rerun.created == [] and rerun.report.write_calls() == 0
    assert {o.reference: o.reason for o in rerun.skipped if o.reference in chosen} == dict.fromkeys(
        chosen, "already invoiced"
    )
    assert any("run it again to see what is left" in c.value for c in at.caption)
    assert all(len(invoices_by_reference(sandbox)[r]) == 1 for r in chosen)
    again = dry_run(at)
    assert not {o.reference for o in again.would_create} & set(chosen)


def test_an_unsigned_plan_gets_a_dry_run_and_no_pilot(
    flow_app: Callable[[], tuple[AppTest, Sandbox]],
) -> None:
    at, _ = flow_app()
    with Engagement.open("demo", create=False) as engagement:
        signed = latest_version(engagement)
        assert signed is not None
        unsigned = signed.plan.model_copy(update={"sign_off": (SignOff(id="S01", role="Finance"),)})
        version = save_version(engagement, unsigned, origin="consultant").version
    at.run()
    assert any(f"Plan version {version}: not signed off" in m.value for m in at.markdown)
    dry_run(at)
    assert any("No pilot" in w.value and "Sign-off sheet" in w.value for w in at.warning)
    assert not at.multiselect and not [b for b in at.button if b.key == "flow_pilot"]


def test_the_progress_bar_and_the_typed_name() -> None:
    assert fv.progress_step(FlowProgress("pull", 0, 0, "xero: Invoices")) == (0.0, "pull: xero: Invoices")
    assert fv.progress_step(FlowProgress("send", 1, 2, "batch 1 of 2")) == (0.7, "send: batch 1 of 2 (1/2)")
    assert fv.progress_step(FlowProgress("done", 1, 1, "finished"))[0] == 1.0
    assert fv.name_matches(" Demo Ltd ", "Demo Ltd") and not fv.name_matches("Demo Ltd.", "Demo Ltd")
    assert not fv.name_matches("", "")  # an organisation with no name pulled never matches


def test_a_pilot_with_another_name_typed_is_refused_before_any_run(demo_home: Path) -> None:
    with Engagement.open("demo", create=False) as engagement:
        with pytest.raises(ConfigurationError, match="not the Xero organisation's name") as refused:
            fv.pilot(engagement, None, ["PD-963"], 5, "Another Org Ltd")
        assert organisation_name(engagement) in (refused.value.hint or "")
        assert Ledger(engagement).runs() == []


def test_on_hubspot_a_pilot_creates_the_allowed_drafts_and_writes_them_back_to_the_deals(
    isolated_environment: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    sandbox, hubspot = Sandbox.demo(7, crm="hubspot"), CrmConnection(kind="hubspot-sandbox")
    with Engagement.open("demo") as engagement, Connector(crm=hubspot, sandbox=sandbox) as connector:
        signed_plan(engagement, connector, won_after=WON_SINCE)
        keys = ensure_fields(connector.crm_source(engagement).client, create=True)  # as an operator agreed
        name = organisation_name(engagement)
    at = new_app()
    at.session_state[common.CRM] = hubspot
    at.session_state[common.SANDBOX] = ((7, "hubspot"), sandbox)
    at = at.switch_page("pages/flow.py")
    at.run()
    assert page_problems(at) == []
    chosen = [o.reference for o in dry_run(at).would_create][:2]
    assert len(chosen) == 2 and all(r.startswith("HS-") for r in chosen)
    at.multiselect(key="flow_allow").set_value(chosen).run()
    at.text_input(key="flow_confirm").input(name).run()
    found = run_pilot(at, sandbox, chosen)
    invoice_id = keys.of(DEAL_INVOICE_ID).code
    for reference in chosen:  # each deal in HubSpot now holds its draft's InvoiceID
        deal = stored_values("hubspot", sandbox.hubspot, "deal", reference.removeprefix("HS-"))
        assert deal[invoice_id] == found[reference][0]["InvoiceID"]
