"""`workbench flow`, `workbench flow ledger` and `workbench flow refresh` against a sandbox served in this
process, so every invocation sees the same Xero and CRM: modes, the allow-list and cap, the live
confirmation, the report files, the write-back and the refresh. The demo client's deals are kept in
Pipedrive (`--crm sandbox`) or HubSpot (`--crm hubspot-sandbox`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from tests.flow.sandbox_drafts import crm_of, invoices_by_reference
from tests.flow.served_flow_sandbox import build
from tests.flow.writeback_support import CRMS, crm_connection, stored_values
from workbench.cli import main
from workbench.connections import Connector
from workbench.flow.crm_fields import current_values
from workbench.flow.ledger import Ledger
from workbench.flow.writeback import crm_view, ensure_fields
from workbench.flow.writeback_fields import (
    DEAL_INVOICE_NUMBER,
    DEAL_INVOICE_STATUS,
    ORGANISATION_ACCOUNT_STATUS,
    WRITEBACK_FIELDS,
    WritebackField,
)
from workbench.plan.defaults import propose_plan
from workbench.plan.model import SignOff
from workbench.plan.versions import save_version
from workbench.profile.tables import ProfileTables
from workbench.pull.runner import pull
from workbench.references import deal_reference
from workbench.sandbox.app import Sandbox
from workbench.sandbox.server import SandboxServer
from workbench.store import Engagement

SINCE = date(2026, 2, 1)


KIND = {"pipedrive": "sandbox", "hubspot": "hubspot-sandbox"}


@pytest.fixture(params=CRMS)
def served(request: pytest.FixtureRequest) -> Iterator[tuple[Sandbox, str]]:
    sandbox = build(30, 7, SINCE, answer_delay=0, crm=request.param)
    with SandboxServer(sandbox) as server:
        yield sandbox, server.base_url


def prepare(served: tuple[Sandbox, str]) -> tuple[Sandbox, str, str]:
    """The engagement pulled from the served sandbox, its proposed plan signed off; the sandbox, its
    URL and its CRM."""
    sandbox, url = served
    connection = crm_connection(crm_of(sandbox))
    with Engagement.open("cli") as engagement, Connector(crm=connection, sandbox_url=url) as connector:
        for source in connector.sources(engagement):
            pull(engagement, source)
        plan = propose_plan(ProfileTables.from_engagement(engagement))
        sign_off = (SignOff(id="S01", role="Finance", name="Jo Bloggs", signed_on=date(2026, 11, 20)),)
        deal_invoice = plan.deal_invoice.model_copy(update={"won_after": SINCE})
        save_version(
            engagement,
            plan.model_copy(update={"deal_invoice": deal_invoice, "sign_off": sign_off}),
            origin="consultant",
        )
    return sandbox, url, crm_of(sandbox)


def flow(url: str, tmp_path: Path, *options: str, crm: str = "pipedrive") -> int:
    return main(["flow", "--engagement", "cli", "--sandbox-url", url, "--crm", KIND[crm],
                 "--reports", str(tmp_path), *options])  # fmt: skip


def report(tmp_path: Path, run_id: int) -> dict:  # type: ignore[type-arg]
    return json.loads((tmp_path / "cli" / f"flow-run-{run_id}.json").read_text())


def made(sandbox: Sandbox, references: list[str]) -> dict[str, int]:
    found = invoices_by_reference(sandbox)
    return {r: len(found.get(r, [])) for r in references}


def test_a_dry_run_shows_what_it_would_create_and_writes_nothing(
    served: tuple[Sandbox, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sandbox, url, crm = prepare(served)
    assert flow(url, tmp_path, crm=crm) == 0  # dry-run is the default
    out = capsys.readouterr().out
    assert "Flow run 1 (dry-run" in out and "Would be created (" in out
    summary = report(tmp_path, 1)["summary"]
    assert summary["would be created"] > 3 and summary["write calls"] == 0 and summary["created"] == 0
    would = [o["reference"] for o in report(tmp_path, 1)["outcomes"] if o["outcome"] == "would be created"]
    assert set(made(sandbox, would).values()) == {0}
    assert {r.split("-")[0] for r in would} == {"PD" if crm == "pipedrive" else "HS"}
    markdown = (tmp_path / "cli" / "flow-run-1.md").read_text()
    assert "## Would be created" in markdown and "## API calls" in markdown


def test_a_pilot_creates_only_allowed_deals_within_its_cap_and_the_ledger_shows_them(
    served: tuple[Sandbox, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sandbox, url, crm = prepare(served)
    flow(url, tmp_path, crm=crm)
    would = [o["reference"] for o in report(tmp_path, 1)["outcomes"] if o["outcome"] == "would be created"]
    unknown = deal_reference(crm, "999999")
    allow = ",".join([*would[:3], unknown])
    capsys.readouterr()
    options = ("--mode", "pilot", "--allow", allow, "--cap", "2", "--no-write-back")
    assert flow(url, tmp_path, *options, crm=crm) == 0
    out = capsys.readouterr().out
    assert "Created (2)" in out and f"not candidates (never sent): {unknown}" in out
    assert made(sandbox, would[:4]) == {would[0]: 1, would[1]: 1, would[2]: 0, would[3]: 0}
    assert report(tmp_path, 2)["summary"]["write calls"] == 1  # one batch, one PUT

    assert main(["flow", "ledger", "--engagement", "cli"]) == 0
    listing = capsys.readouterr().out
    created = [line for line in listing.splitlines() if " created " in line]
    assert len(created) == 2 and all("INV-" in line and "DRAFT" in line for line in created)


def test_pilot_and_live_refuse_an_unsigned_plan_and_a_status_the_plan_does_not_ask_for(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.flow.factories import flow_plan

    with Engagement.open("cli") as engagement:
        signed = flow_plan()
        save_version(engagement, signed.model_copy(update={"sign_off": ()}), origin="consultant")
        save_version(engagement, signed, origin="consultant")
    nowhere = "http://127.0.0.1:9"  # refused before anything is pulled: no sandbox needed
    for mode in ("pilot", "live"):
        assert flow(nowhere, tmp_path, "--mode", mode, "--plan-version", "1", "--yes") == 1
        assert "plan version 1 is not signed off" in capsys.readouterr().err
    assert flow(nowhere, tmp_path, "--mode", "pilot", "--status", "AUTHORISED") == 1
    assert "the signed-off plan says DRAFT" in capsys.readouterr().err
    with Engagement.open("cli") as engagement:
        assert Ledger(engagement).runs() == []


def test_live_needs_yes_or_the_organisations_name_typed(
    served: tuple[Sandbox, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sandbox, url, crm = prepare(served)
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert flow(url, tmp_path, "--mode", "live", "--no-write-back", crm=crm) == 1
    assert "needs --yes" in capsys.readouterr().out
    assert report(tmp_path, 1)["summary"]["created"] == 0

    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: "Some other company")
    assert flow(url, tmp_path, "--mode", "live", "--no-write-back", crm=crm) == 0
    assert report(tmp_path, 2)["summary"]["created"] == 0
    assert "did not confirm" in capsys.readouterr().out

    name = sandbox.client.xero.tenant_name
    asked: list[str] = []
    monkeypatch.setattr("builtins.input", lambda prompt: asked.append(prompt) or f"  {name.upper()} ")
    assert flow(url, tmp_path, "--mode", "live", "--no-write-back", crm=crm) == 0
    created = report(tmp_path, 3)["summary"]["created"]
    assert created > 3 and f"create {created} invoices" in asked[0] and name in asked[0]
    with Engagement.open("cli") as engagement:
        assert len(Ledger(engagement).invoiced()) == created


def test_a_live_run_writes_back_and_the_refresh_updates_the_crm_then_writes_nothing(
    served: tuple[Sandbox, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sandbox, url, crm = prepare(served)
    assert flow(url, tmp_path, "--mode", "live", "--yes", "--create-fields", crm=crm) == 0
    written = report(tmp_path, 1)
    created = {o["deal_id"]: o for o in written["outcomes"] if o["outcome"] == "created"}
    assert created and written["write_back"]["written"] == len(created)
    assert len(written["write_back"]["fields_created"]) == len(WRITEBACK_FIELDS)
    emulator = sandbox.hubspot if crm == "hubspot" else sandbox.pipedrive
    with (
        Engagement.open("cli") as engagement,
        Connector(crm=crm_connection(crm), sandbox_url=url) as connector,
    ):
        keys = ensure_fields(connector.crm_source(engagement).client, create=False)

    def shown(entity: str, record_id: str, wanted: WritebackField) -> object:
        return current_values(stored_values(crm, emulator, entity, record_id), [keys.of(wanted)])[wanted.key]

    for deal_id, outcome in created.items():
        assert shown("deal", deal_id, DEAL_INVOICE_NUMBER) == outcome["invoice_number"]
        assert shown("deal", deal_id, DEAL_INVOICE_STATUS) == "DRAFT"
    capsys.readouterr()

    refresh = ["flow", "--sandbox-url", url, "--crm", KIND[crm], "refresh", "--engagement", "cli"]
    assert main(refresh) == 0
    out = capsys.readouterr().out
    assert f"Deals: 0 updated, {len(created)} already current" in out  # the run wrote them already
    with Engagement.open("cli") as engagement:
        orgs = {o for d in created if (o := crm_view(engagement, crm).deal_orgs.get(d))}
    assert orgs and f"organisations: {len(orgs)} updated" in out
    assert all(shown("organization", o, ORGANISATION_ACCOUNT_STATUS) == "in good standing" for o in orgs)

    assert main(refresh) == 0
    again = capsys.readouterr().out
    assert f"Deals: 0 updated, {len(created)} already current; organisations: 0 updated" in again
