"""The sandbox's front door: routing by host and path, the httpx transport, faults, the served state file."""

from __future__ import annotations

import base64
from pathlib import Path

import httpx
import pytest

from tests.sandbox.sandbox_factory import small_sandbox
from workbench.sandbox import credentials
from workbench.sandbox.app import Sandbox
from workbench.sandbox.faults import FaultPlan, FaultRule
from workbench.sandbox.server import SandboxServer
from workbench.sandbox.transport import SandboxTransport

PIPEDRIVE = {"x-api-token": credentials.PIPEDRIVE_API_TOKEN}


def xero_headers(
    client: httpx.Client, base: str = "https://identity.xero.com/connect/token"
) -> dict[str, str]:
    basic = base64.b64encode(
        f"{credentials.XERO_CLIENT_ID}:{credentials.XERO_CLIENT_SECRET}".encode()
    ).decode()
    token = client.post(
        base, data={"grant_type": "client_credentials"}, headers={"Authorization": f"Basic {basic}"}
    ).json()["access_token"]
    return {"Authorization": f"Bearer {token}", "Accept": "application/json"}


def test_real_service_urls_and_sandbox_paths_reach_the_same_emulators() -> None:
    sandbox = small_sandbox()
    with httpx.Client(transport=SandboxTransport(sandbox)) as client:
        headers = xero_headers(client)
        real = client.get("https://api.xero.com/api.xro/2.0/Organisation", headers=headers)
        local = client.get("http://127.0.0.1/xero/api.xro/2.0/Organisation", headers=headers)
        assert real.status_code == local.status_code == 200
        assert real.json()["Organisations"][0]["Name"] == local.json()["Organisations"][0]["Name"]
        deals = client.get("https://acme.pipedrive.com/api/v2/deals", headers=PIPEDRIVE)
        assert deals.status_code == 200 and deals.json()["success"] is True
        assert (
            client.get("http://127.0.0.1/pipedrive/api/v2/deals", headers=PIPEDRIVE).json()["data"]
            == (deals.json()["data"])
        )
        assert client.get("http://127.0.0.1/elsewhere").status_code == 404


@pytest.mark.parametrize("kind,status", [("429", 429), ("500", 500), ("503", 503)])
def test_injected_http_faults_use_each_services_error_shape(kind: str, status: int) -> None:
    sandbox = small_sandbox(faults=FaultPlan([FaultRule(kind, system="pipedrive", on_calls=(2,))]))
    with httpx.Client(transport=SandboxTransport(sandbox)) as client:
        assert client.get("https://x.pipedrive.com/api/v2/deals", headers=PIPEDRIVE).status_code == 200
        faulty = client.get("https://x.pipedrive.com/api/v2/deals", headers=PIPEDRIVE)
        assert faulty.status_code == status and faulty.json()["success"] is False
        assert client.get("https://x.pipedrive.com/api/v2/deals", headers=PIPEDRIVE).status_code == 200


def test_dropped_connection_slow_response_and_malformed_page() -> None:
    plan = FaultPlan(
        [
            FaultRule("drop", system="pipedrive", on_calls=(1,)),
            FaultRule("slow", system="pipedrive", on_calls=(2, 3), delay_seconds=45),
            FaultRule("malformed", system="pipedrive", on_calls=(4,)),
        ]
    )
    sandbox = small_sandbox(faults=plan)
    start = sandbox.clock.now()
    with httpx.Client(transport=SandboxTransport(sandbox), timeout=httpx.Timeout(30.0)) as client:
        with pytest.raises(httpx.RemoteProtocolError):
            client.get("https://x.pipedrive.com/api/v2/deals", headers=PIPEDRIVE)
        with pytest.raises(httpx.ReadTimeout):
            client.get("https://x.pipedrive.com/api/v2/deals", headers=PIPEDRIVE)
        assert (sandbox.clock.now() - start).total_seconds() == 30  # the clock moved, nobody slept
        patient = client.get("https://x.pipedrive.com/api/v2/deals", headers=PIPEDRIVE, timeout=60.0)
        assert patient.status_code == 200
        broken = client.get("https://x.pipedrive.com/api/v2/deals", headers=PIPEDRIVE)
        with pytest.raises(ValueError):
            broken.json()


def test_token_expiring_mid_pull() -> None:
    sandbox = small_sandbox(faults=FaultPlan([FaultRule("expire_token", system="xero", on_calls=(3,))]))
    with httpx.Client(transport=SandboxTransport(sandbox)) as client:
        headers = xero_headers(client)  # call 1
        assert (
            client.get(
                "https://api.xero.com/api.xro/2.0/Invoices", params={"page": 1}, headers=headers
            ).status_code
            == 200
        )
        expired = client.get("https://api.xero.com/api.xro/2.0/Invoices", params={"page": 2}, headers=headers)
        assert expired.status_code == 401 and "TokenExpired" in expired.json()["Detail"]


def test_probabilistic_faults_are_reproducible_from_the_seed() -> None:
    def run() -> list[int]:
        sandbox = small_sandbox(faults=FaultPlan([FaultRule("503", probability=0.3)], seed=11))
        with httpx.Client(transport=SandboxTransport(sandbox)) as client:
            return [
                client.get("https://x.pipedrive.com/api/v2/stages", headers=PIPEDRIVE).status_code
                for _ in range(30)
            ]

    first, second = run(), run()
    assert first == second and 503 in first and 200 in first


def test_served_sandbox_keeps_what_it_created_across_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "sandbox-state.json"
    with (
        SandboxServer(small_sandbox(state_file=state)) as server,
        httpx.Client(base_url=server.base_url) as client,
    ):
        headers = xero_headers(client, f"{server.base_url}/xero/identity/connect/token")
        contact = client.get("/xero/api.xro/2.0/Contacts", params={"page": 1}, headers=headers).json()
        created = client.put(
            "/xero/api.xro/2.0/Invoices",
            params={"summarizeErrors": "false"},
            headers=headers,
            json={
                "Invoices": [
                    {
                        "Type": "ACCREC",
                        "Reference": "PD-RESTART",
                        "Contact": {"ContactID": contact["Contacts"][0]["ContactID"]},
                        "LineItems": [
                            {
                                "Description": "x",
                                "Quantity": 1,
                                "UnitAmount": 10,
                                "AccountCode": "200",
                                "TaxType": "OUTPUT2",
                            }
                        ],
                    }
                ]
            },
        ).json()
        invoice_id = created["Invoices"][0]["InvoiceID"]
    assert state.exists()
    restarted = small_sandbox(state_file=state)
    with httpx.Client(transport=SandboxTransport(restarted)) as client:
        found = client.get(
            f"https://api.xero.com/api.xro/2.0/Invoices/{invoice_id}", headers=xero_headers(client)
        )
        assert found.status_code == 200 and found.json()["Invoices"][0]["Reference"] == "PD-RESTART"
    with pytest.raises(ValueError, match="belongs to a sandbox with seed"):
        small_sandbox(seed=99, state_file=state)


def test_sandbox_demo_defaults_build(tmp_path: Path) -> None:
    sandbox = Sandbox.demo()
    assert sandbox.client.manifest.counts["xero.invoices"] >= 2500
