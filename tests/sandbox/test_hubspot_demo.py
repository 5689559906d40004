"""The demo client in HubSpot form: the same records and planted problems, served at /hubspot."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from workbench.references import parse_deal_reference
from workbench.sandbox.app import Sandbox
from workbench.sandbox.credentials import HUBSPOT_PRIVATE_APP_TOKEN
from workbench.sandbox.demo import DemoSize
from workbench.sandbox.demo.dataset import DemoClient
from workbench.sandbox.demo.hubspot_side import MANIFEST_KEYS
from workbench.sandbox.hubspot.objects import system_values
from workbench.sandbox.transport import SandboxTransport

SMALL = DemoSize.scaled(60)


@pytest.fixture(scope="module")
def sandbox() -> Sandbox:
    return Sandbox.demo(3, SMALL, crm="hubspot")


def test_the_portal_holds_every_pipedrive_record_under_the_same_id(sandbox: Sandbox) -> None:
    client: DemoClient = sandbox.client
    portal = sandbox.hubspot.store
    pipedrive = client.pipedrive
    assert set(portal.objects["companies"]) == {o["id"] for o in pipedrive.organizations}
    assert set(portal.objects["contacts"]) == {p["id"] for p in pipedrive.persons}
    assert set(portal.objects["deals"]) == {d["id"] for d in pipedrive.deals}
    assert len(portal.objects["line_items"]) == len(pipedrive.deal_products)
    vat_field = next(
        f["field_code"] for f in pipedrive.organization_fields if f["field_name"] == "VAT number"
    )
    for org in pipedrive.organizations:
        company = portal.objects["companies"][org["id"]]["properties"]
        assert company["name"] == org["name"]
        assert company.get("vat_number") == org["custom_fields"].get(vat_field)
    won = {d["id"] for d in pipedrive.deals if d["status"] == "won"}
    assert {
        i for i, d in portal.objects["deals"].items() if system_values(portal, "deals", d)["hs_is_closed_won"]
    } == won


def test_manifest_names_hubspot_records_and_invoices_reference_hubspot_deals(sandbox: Sandbox) -> None:
    client = sandbox.client
    assert client.crm == "hubspot" and client.manifest.params["crm"] == "hubspot"
    keys = {key for problem in client.manifest.problems for key in problem.records}
    assert not keys & set(MANIFEST_KEYS) and keys & set(MANIFEST_KEYS.values())
    references = [parse_deal_reference(doc.get("Reference")) for doc in client.xero.invoices]
    sources = {r.source for r in references if r is not None}
    assert sources == {"hubspot"}
    deal_ids = {str(d["id"]) for d in client.pipedrive.deals}
    assert (
        sum(1 for r in references if r is not None and r.deal_id in deal_ids)
        > len(client.pipedrive.deals) // 3
    )


def test_the_sandbox_serves_hubspot_by_path_and_by_host_and_keeps_its_writes(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    sandbox = Sandbox.demo(3, SMALL, state_file=state)
    headers = {"Authorization": f"Bearer {HUBSPOT_PRIVATE_APP_TOKEN}"}
    with httpx.Client(transport=SandboxTransport(sandbox), headers=headers) as http:
        by_path = http.get("http://127.0.0.1/hubspot/crm/v3/objects/companies/1").json()
        by_host = http.get("https://api.hubapi.com/crm/v3/objects/companies/1").json()
        assert by_path == by_host and by_path["id"] == "1"
        patched = http.patch(
            "https://api.hubapi.com/crm/v3/objects/deals/1",
            json={"properties": {"dealname": "Renamed in the sandbox"}},
        )
        assert patched.status_code == 200
    assert json.loads(state.read_text())["hubspot"]["deals"]
    again = Sandbox.demo(3, SMALL, state_file=state)
    assert again.hubspot.store.objects["deals"][1]["properties"]["dealname"] == "Renamed in the sandbox"


def test_the_manifest_command_prints_the_hubspot_client(capsys: pytest.CaptureFixture[str]) -> None:
    from workbench.cli import main

    assert main(["sandbox", "manifest", "--crm", "hubspot", "--organisations", "20"]) == 0
    manifest = json.loads(capsys.readouterr().out)
    assert manifest["params"]["crm"] == "hubspot" and manifest["counts"]["hubspot.companies"] == 20
    assert any("hubspot.company" in p["records"] for p in manifest["problems"])
