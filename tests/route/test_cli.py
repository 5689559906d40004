"""`workbench route` end to end: the sandbox demo client pulled, profiled and routed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.profile.demo import pulled_demo
from workbench.cli import main
from workbench.store import Engagement


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workbench home holding the demo client (seed 7) as engagement 'demo'."""
    folder = tmp_path_factory.mktemp("route-demo")
    pulled_demo(folder)
    return folder


@pytest.fixture
def at_demo(demo_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("WORKBENCH_HOME", str(demo_home))
    return demo_home


def test_route_prints_the_recommendation_for_the_demo_client(
    at_demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text("custom_logic: false\ntwo_way: []\nin_house_developer: true\n", encoding="utf-8")
    code = main(["route", "--engagement", "demo", "--answers", str(answers), "--as-of", "2026-11-20"])
    out = capsys.readouterr().out
    assert code == 0
    assert "Route: HYBRID" in out
    # the demo is a Pipedrive client: Cloudify carries contacts, the return flow needs middleware
    assert "contacts / companies (CRM → Xero): native / marketplace connector (question 1)" in out
    assert (
        "invoice status, payments and balance (Xero → CRM): middleware (Make or Zapier) (question 2)" in out
    )
    assert "(CRM taken from the pulled data: pipedrive)" in out
    for title in (
        "Duplicate contacts",
        "Tax codes and VAT",
        "Xero API rate limits",
        "Reference = CRM deal id",
    ):
        assert f"] {title}:" in out
    assert "[present] Duplicate contacts: 12 CRM organisation duplicate groups" in out
    for route in ("native", "middleware", "custom", "hybrid"):
        assert f"\n  {route:<11} " in out
    assert "? the connector's objects and rules fit the process (not confirmed)" in out


def test_route_json_carries_the_volumes_it_measured(
    at_demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["route", "--engagement", "demo", "--json", "--as-of", "2026-11-20"]) == 0
    rec = json.loads(capsys.readouterr().out)
    assert rec["route"] in ("native", "middleware", "custom", "hybrid")
    assert rec["load"]["zapier_tasks"] > 0 and rec["load"]["make_ops"] > 8640
    assert {g["key"] for g in rec["gotchas"]} >= {"duplicate_contacts", "tax_codes_vat", "deal_reference"}
    assert rec["costs"]["custom"]["monthly_gbp"] == "60.00"


def test_route_refuses_answers_it_does_not_know(
    at_demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = tmp_path / "answers.json"
    answers.write_text('{"crm": "pipedrive", "budget": 100}', encoding="utf-8")
    assert main(["route", "--engagement", "demo", "--answers", str(answers)]) == 1
    err = capsys.readouterr().err
    assert str(answers) in err and "budget: Extra inputs are not permitted" in err


def test_route_on_an_engagement_without_data_says_what_to_do(capsys: pytest.CaptureFixture[str]) -> None:
    with Engagement.open("empty"):
        pass
    assert main(["route", "--engagement", "empty"]) == 1
    assert "run `workbench pull --engagement empty`" in capsys.readouterr().err
