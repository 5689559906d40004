"""Pulling the sandbox end to end through the product's own clients: counts, faults, resume, secrets."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from tests.sandbox.sandbox_factory import small_sandbox
from workbench.connections import Connector
from workbench.errors import PullFailed
from workbench.pull.runner import pull
from workbench.sandbox import credentials
from workbench.sandbox.app import Sandbox
from workbench.sandbox.faults import FaultPlan, FaultRule
from workbench.store import Engagement

XERO_TABLES = {
    "xero_contacts": "xero.contacts",
    "invoices": "xero.invoices",
    "credit_notes": "xero.credit_notes",
    "payments": "xero.payments",
    "tax_rates": "xero.tax_rates",
    "accounts": "xero.accounts",
    "items": "xero.items",
    "currencies": "xero.currencies",
}
CRM_TABLES = {
    "organisations": "pipedrive.organizations",
    "people": "pipedrive.persons",
    "deals": "pipedrive.deals",
    "deal_lines": "pipedrive.deal_products",
    "products": "pipedrive.products",
    "crm_users": "pipedrive.users",
    "stages": "pipedrive.stages",
}


def pull_both(engagement: Engagement, sandbox: Sandbox) -> None:
    with Connector(sandbox=sandbox) as connector:
        for source in connector.sources(engagement):
            pull(engagement, source)


def test_the_sandbox_demo_pulls_into_tables_whose_counts_equal_the_generators(tmp_path: Path) -> None:
    sandbox = Sandbox.demo()
    counts = sandbox.client.manifest.counts
    with Engagement.open("demo", tmp_path) as engagement:
        pull_both(engagement, sandbox)
        for table, key in {**XERO_TABLES, **CRM_TABLES}.items():
            assert len(engagement.table(table)) == counts[key], table
        lines = sum(len(i["LineItems"]) for i in sandbox.client.xero.invoices)
        assert len(engagement.table("invoice_lines")) == lines


@pytest.mark.parametrize("kind", ["429", "500", "503", "drop", "malformed", "slow"])
def test_injected_faults_end_in_a_complete_pull(tmp_path: Path, kind: str) -> None:
    rules = [
        FaultRule(kind, system="xero", path="/Invoices", on_calls=(1, 2), delay_seconds=90),
        FaultRule(kind, system="pipedrive", path="/deals$", on_calls=(1,), delay_seconds=90),
    ]
    sandbox = small_sandbox(faults=FaultPlan(rules))
    with Engagement.open(f"fault-{kind}", tmp_path) as engagement:
        pull_both(engagement, sandbox)
        assert len(engagement.table("invoices")) == sandbox.client.manifest.counts["xero.invoices"]
        assert len(engagement.table("deals")) == sandbox.client.manifest.counts["pipedrive.deals"]
    assert all(rule.fired >= 1 for rule in rules)


def test_a_token_expiring_mid_pull_is_renewed_and_the_pull_completes(tmp_path: Path) -> None:
    sandbox = small_sandbox(
        faults=FaultPlan([FaultRule("expire_token", system="xero", path="Invoices", on_calls=(1,))])
    )
    with Engagement.open("expiry", tmp_path) as engagement, Connector(sandbox=sandbox) as connector:
        result = pull(engagement, connector.xero_source())
        assert len(engagement.table("invoices")) == sandbox.client.manifest.counts["xero.invoices"]
        assert not result.resumed


def test_a_pull_that_keeps_failing_stops_clearly_and_a_rerun_resumes_without_refetching(
    tmp_path: Path,
) -> None:
    sandbox = small_sandbox()
    stubborn = sandbox.faults.add(FaultRule("503", system="xero", path="Payments", every=1))
    with Engagement.open("resume", tmp_path) as engagement, Connector(sandbox=sandbox) as connector:
        with pytest.raises(PullFailed) as failed:
            pull(engagement, connector.xero_source())
        assert failed.value.endpoint == "payments" and failed.value.page == 1
        assert "run the same pull again" in str(failed.value)
        stubborn.limit = stubborn.fired  # the outage ends
        calls_before = sandbox.faults.calls("xero")
        result = pull(engagement, connector.xero_source())
        assert result.resumed
        fetched = {e.name: e.pages_fetched for e in result.endpoints}
        assert fetched["invoices"] == 0 and fetched["contacts"] == 0 and fetched["payments"] >= 1
        token_requests = 1  # the new source's custom connection asks for a fresh access token
        assert sandbox.faults.calls("xero") - calls_before == fetched["payments"] + token_requests
        assert len(engagement.table("payments")) == sandbox.client.manifest.counts["xero.payments"]


def test_secrets_never_reach_the_engagement_the_logs_or_errors(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    sandbox = small_sandbox()
    sandbox.faults.add(FaultRule("503", system="pipedrive", path="persons", every=1))
    with Engagement.open("secrets", tmp_path) as engagement, Connector(sandbox=sandbox) as connector:
        xero = connector.xero_source()
        pull(engagement, xero)
        with pytest.raises(PullFailed) as failed:
            pull(engagement, connector.crm_source(engagement))
        access_token = xero.client.session.client.auth.token().access_token  # type: ignore[union-attr]
    secrets = [access_token, credentials.XERO_CLIENT_SECRET, credentials.PIPEDRIVE_API_TOKEN]
    texts = [str(failed.value), repr(failed.value), caplog.text]
    texts += [
        p.read_bytes().decode("utf-8", "replace") for p in (tmp_path / "secrets").rglob("*") if p.is_file()
    ]
    for secret in secrets:
        assert all(secret not in text for text in texts)


@pytest.mark.slow
def test_a_steady_full_pull_under_xeros_default_limits_meets_no_429(tmp_path: Path) -> None:
    from workbench.sandbox.demo import DemoSize, generate_demo_client

    size = DemoSize(organisations=300, people=600, deals=1500, xero_contacts=400, invoices=36_000)
    sandbox = Sandbox(generate_demo_client(5, size))  # default XeroLimits: 60 a minute, 5,000 a day
    started = sandbox.clock.now()
    with Engagement.open("steady", tmp_path) as engagement, Connector(sandbox=sandbox) as connector:
        source = connector.xero_source()
        result = pull(engagement, source)
        stats = source.client.session.stats
    assert result.pages_fetched > 60  # more calls than one minute allows
    assert stats.rate_limited == 0 and stats.retries == 0
    waited = (sandbox.clock.now() - started).total_seconds()
    assert waited >= 60  # the budget paced the calls on the sandbox clock instead of meeting a 429
